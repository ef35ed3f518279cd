#pragma once
/// Shared by the libFuzzer targets of this folder: an invariant check that stays on in every build
/// type (assert() would vanish under NDEBUG) and aborts, which libFuzzer reports as a crash with
/// the input that caused it.

#include <cstdio>
#include <cstdlib>

namespace switchboard::fuzz {

/// Aborts with `what` on stderr when `ok` is false.
inline void check(bool ok, const char* what) {
  if (ok)
    return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

} // namespace switchboard::fuzz
