#!/usr/bin/env bash
# Installs the Debian 12 packages Switchboard builds and tests with, only those missing.
# Runs as root (or through sudo). Safe to run repeatedly.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libcaf-dev libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libtomlplusplus-dev doctest-dev libspdlog-dev libcli11-dev
  libhiredis-dev libjwt-dev libssl-dev
)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(redis-server python3-websockets)
  packages+=(clang-16 libfuzzer-16-dev libclang-rt-16-dev) # the fuzz regression (tests/fuzz)
  packages+=(clang-format-16) # the format check (scripts/format.sh --check)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
fi
