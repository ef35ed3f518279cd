#!/usr/bin/env bash
# Quick start: installs what is missing, builds, and runs the server on its embedded default
# config (127.0.0.1:4000). Extra arguments go to the server, e.g. --config FILE or --port 4001.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSWITCHBOARD_TESTS=OFF >/dev/null
cmake --build build --target switchboard
exec build/server/switchboard "$@"
