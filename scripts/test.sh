#!/usr/bin/env bash
# Installs what is missing, builds everything, and runs every test (unit, example and end-to-end)
# through ctest. With CI=true it also runs the unit tests on a ThreadSanitizer build, and then
# repeats the whole suite on an AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

if [[ ! -d tests/e2e/node_modules ]]; then
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

jobs=$(nproc)

# --- format check (.clang-format) ---
echo "== format check (clang-format-16) =="
scripts/format.sh --check

run_suite() { # <build dir> <ctest args> <extra cmake args...>
  local dir=$1 ctest_args=$2; shift 2
  # The switches are explicit because a CMake cache keeps options from any earlier configure.
  cmake -S . -B "$dir" -G Ninja -DSWITCHBOARD_TESTS=ON -DSWITCHBOARD_EXAMPLES=ON "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  # shellcheck disable=SC2086
  # --no-tests=error: a build configured without tests (e.g. by scripts/run.sh) must fail here,
  # never pass having run nothing.
  (cd "$dir" && ctest --output-on-failure --no-tests=error --timeout 300 -j "$jobs" $ctest_args)
}

# --- fuzz regression (tests/fuzz, docs/fuzzing.md) ---
# First, so that the last summary printed is the main suite's.
# Each libFuzzer target runs a short seeded pass over its seed corpus; only the protocol layer,
# the frame reader and the config unit are compiled (clang, no Beast or CAF unit).
echo "== fuzz regression (clang++-16, libFuzzer) =="
CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSWITCHBOARD_FUZZ=ON -DSWITCHBOARD_TESTS=OFF -DSWITCHBOARD_EXAMPLES=OFF \
  "-DSWITCHBOARD_SKIP=supervision;actors;net;server;bench" >/dev/null
cmake --build build-fuzz -j "$jobs"
(cd build-fuzz && ctest --output-on-failure --no-tests=error --timeout 300 -j "$jobs")
# --- end fuzz regression ---

# --- ThreadSanitizer (CI only) ---
# The unit tests only (ctest label `unit`: the doctest suites of protocol, net, actors,
# supervision and server), in their own build directory: they drive the supervisors, the actors
# and the sessions from several threads at a fraction of the cost of an instrumented full suite.
# The build links a CAF built with TSan too (cmake/tsan_caf.cmake says why), so no report needs
# suppressing; a report fails its test (TSan's exit code 66).
if [[ "${CI:-}" == "true" ]]; then
  echo "== ThreadSanitizer build (unit tests) =="
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_TSAN=ON \
    -DSWITCHBOARD_SANITIZE=OFF -DSWITCHBOARD_FUZZ=OFF -DSWITCHBOARD_TESTS=ON \
    -DSWITCHBOARD_EXAMPLES=OFF >/dev/null
  cmake --build build-tsan --target unit_tests -j "$jobs"
  (export TSAN_OPTIONS=second_deadlock_stack=1
   cd build-tsan && ctest --output-on-failure --no-tests=error --timeout 300 -j "$jobs" -L unit)
fi
# --- end ThreadSanitizer ---

run_suite build "" -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [[ "${CI:-}" == "true" ]]; then
  echo "== sanitizer build (ASan + UBSan) =="
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/scripts/ubsan.supp
  export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp
  export SWITCHBOARD_SANITIZED=1 # tests skip resident-memory bounds, meaningless under ASan
  # The embed check only proves the library builds from outside; it compiles everything once
  # more, which the first pass already did.
  run_suite build-sanitize "-LE slow" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_SANITIZE=ON
fi
