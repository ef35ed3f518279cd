#!/bin/sh
# The ctest regression run of one fuzzer: regression.sh <fuzzer> <seed corpus> <scratch> <args...>
# New inputs go to the emptied scratch directory (never into the seed corpus, which libFuzzer
# only reads when it is not the first directory); crashes are written there too.
set -eu
fuzzer=$1 corpus=$2 scratch=$3
shift 3
rm -rf "$scratch"
mkdir -p "$scratch/new"
exec "$fuzzer" -artifact_prefix="$scratch/" "$@" "$scratch/new" "$corpus"
