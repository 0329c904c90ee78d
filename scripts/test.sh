#!/usr/bin/env bash
# Every test, from a fresh machine: installs what is missing, builds, and runs the C++
# suite (doctest, CLI, C API, golden reports, and the consumer projects: find_package,
# C only, pkg-config, add_subdirectory) in Release and again under AddressSanitizer +
# UndefinedBehaviorSanitizer (without the consumers), then installs the Python package
# with pip and runs the pytest suite against scikit-learn and scipy, and last runs each
# libFuzzer harness for 30 s (scripts/fuzz.sh, docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
# Each stage's heading says how long the run has taken so far.
stage() { printf '== %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }

bash scripts/setup.sh

stage "Release build and tests"
# The options are spelled out because the pip stage below reconfigures this directory.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DREFEREE_WERROR=ON -DREFEREE_BUILD_TESTS=ON \
  -DREFEREE_BUILD_CLI=ON -DREFEREE_BUILD_C_API=ON -DREFEREE_INSTALL=ON -DREFEREE_BUILD_PYTHON=OFF >/dev/null
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"

stage "AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
# -O1 -g1: the sanitizers' usual setting, line tables for their stack traces, and half
# the compile time of -O2 -g on this 2-core machine.
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFEREE_WERROR=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DREFEREE_SANITIZE=address,undefined >/dev/null
cmake --build build-sanitize -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"

stage "Python package (pip install .) and pytest"
# The wheel is built by its own backend (scikit-build-core, pyproject.toml) in the Release
# build directory: the library's objects there were compiled with the wheel's flags, so
# only the module is compiled again. Its build tools were installed by setup.sh, so no
# isolated build environment is downloaded.
python3 -m pip install -q --disable-pip-version-check --no-build-isolation -Cbuild-dir=build .
python3 -m pytest -q -p no:cacheprovider

stage "libFuzzer, 30 s per target"
bash scripts/fuzz.sh 30
stage "done"
