#!/usr/bin/env bash
# Installs the built tree into a scratch prefix, then configures, builds and runs the
# consumer project against it with nothing but CMAKE_PREFIX_PATH.
set -euo pipefail
build_dir=$1 work=$2 source_dir=$3
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer"
"$work/build/c_consumer"
