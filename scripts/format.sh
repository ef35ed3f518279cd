#!/usr/bin/env bash
# Formats every tracked C++ file with clang-format-16 and the repository's .clang-format;
# with --check, changes nothing and fails naming each file that differs (run by scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [[ "${1:-}" == "--check" ]]; then
  clang-format-16 --dry-run --Werror "${files[@]}"
  echo "format: ${#files[@]} C++ files match .clang-format"
else
  clang-format-16 -i "${files[@]}"
fi
