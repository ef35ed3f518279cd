#!/usr/bin/env bash
# Builds the libFuzzer targets (build-fuzz/, clang++-16) and fuzzes one target or all of them.
#   scripts/fuzz.sh [TARGET|all] [SECONDS]     (default: all, 60 s per target)
# Targets: ws_reader decode json_roundtrip topic_pattern config (tests/fuzz/, docs/fuzzing.md).
# New inputs go to build-fuzz/fuzz-runs/<target>/corpus; crashes to .../crashes/. The seed
# corpus in tests/fuzz/corpus/ is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
seconds=${2:-60}
targets=(ws_reader decode json_roundtrip topic_pattern config)
if [[ $what != all ]]; then
  [[ " ${targets[*]} " == *" $what "* ]] || { echo "fuzz: unknown target '$what' (${targets[*]} or all)" >&2; exit 2; }
  targets=("$what")
fi

launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CXX=${CXX:-clang++-16} cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSWITCHBOARD_FUZZ=ON -DSWITCHBOARD_TESTS=OFF -DSWITCHBOARD_EXAMPLES=OFF \
  "-DSWITCHBOARD_SKIP=supervision;actors;net;server;bench" "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

dict_of() { # the dictionary a target uses, as in tests/fuzz/CMakeLists.txt
  case $1 in
    decode | json_roundtrip) echo tests/fuzz/json.dict ;;
    config) echo tests/fuzz/config.dict ;;
  esac
}

# Sanitizer reports name functions and lines only with a symbolizer (see tests/fuzz/CMakeLists.txt).
symbolizer=$(command -v llvm-symbolizer-16 llvm-symbolizer llvm-symbolizer-14 | head -n 1 || true)
[[ -n $symbolizer ]] && export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-$symbolizer}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}

failed=()
for t in "${targets[@]}"; do
  run=build-fuzz/fuzz-runs/$t
  mkdir -p "$run/corpus" "$run/crashes"
  args=(-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$run/crashes/")
  dict=$(dict_of "$t")
  [[ -n $dict ]] && args+=(-dict="$dict")
  echo "== fuzz_$t for ${seconds} s: new inputs in $run/corpus, crashes in $run/crashes/"
  if ! "build-fuzz/tests/fuzz/fuzz_$t" "${args[@]}" "$run/corpus" "tests/fuzz/corpus/$t"; then
    failed+=("$t")
  fi
done

if ((${#failed[@]})); then
  for t in "${failed[@]}"; do
    echo "fuzz: $t failed; crash inputs:" >&2
    ls -1 "build-fuzz/fuzz-runs/$t/crashes/" | sed "s|^|  build-fuzz/fuzz-runs/$t/crashes/|" >&2
  done
  echo "reproduce with: build-fuzz/tests/fuzz/fuzz_<target> <crash file>" >&2
  exit 1
fi
echo "fuzz: no crash in ${targets[*]}"
