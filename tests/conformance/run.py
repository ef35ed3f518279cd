"""Runs the RFC 6455 conformance suite, or part of it, and prints a summary.

    SWITCHBOARD_BIN=build/server/switchboard /usr/bin/python3 tests/conformance/run.py [NAME...]

NAME is an area (Framing, PingPong, ReservedBits, Opcodes, Fragmentation, Utf8, Close, Limits,
Handshake) or one case (Close.test_7_9_1_invalid_close_code_0_1002). No NAME runs everything.
Exits non-zero if any case fails.
"""

import os
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import rfc6455  # noqa: E402


def main(names):
    loader = unittest.TestLoader()
    if names:
        suite = unittest.TestSuite(loader.loadTestsFromName(n, rfc6455) for n in names)
    else:
        suite = loader.loadTestsFromModule(rfc6455)
    started = time.monotonic()
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    elapsed = time.monotonic() - started
    problems = result.failures + result.errors
    failed_cases = {case.id() for case, _ in problems if isinstance(case, unittest.TestCase)}
    passed = result.testsRun - len(failed_cases) - len(result.skipped)
    failed = len(problems)
    print(f"\nconformance: {passed} passed, {failed} failed, {len(result.skipped)} skipped "
          f"of {result.testsRun} in {elapsed:.1f} s")
    for case, _ in result.failures + result.errors:
        print(f"  FAILED {case.id().removeprefix('rfc6455.')}")
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
