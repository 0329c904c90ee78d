#!/usr/bin/env bash
# Every test, from a fresh machine: installs what is missing, builds, and runs the C++
# suite (doctest, CLI, C API, golden reports, and the consumer projects: find_package,
# C only, pkg-config, add_subdirectory) in Release and again under AddressSanitizer +
# UndefinedBehaviorSanitizer (without the consumers; in the background, beside the next
# stage), installs the Python package with pip and runs the pytest suite against
# scikit-learn and scipy, and last runs each libFuzzer harness for 30 s (scripts/fuzz.sh,
# docs/fuzzing.md).
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

# The sanitizer stage runs in the background beside the Python stage: pytest keeps about
# one core busy, the sanitizer build the other, so the two take little more than the
# longer of them (CI's budget is 25 minutes on 2 cores). Its output is kept in a log and
# shown when it ends; a failure in either fails the run.
sanitize_log=build-sanitize/stage.log
mkdir -p build-sanitize
sanitizer_stage() {
  # -O1 -g1: the sanitizers' usual setting, line tables for their stack traces, and half
  # the compile time of -O2 -g on this 2-core machine.
  cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREFEREE_WERROR=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O1 -g1" \
    -DREFEREE_SANITIZE=address,undefined >/dev/null
  cmake --build build-sanitize -j "$jobs"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
}
stage "AddressSanitizer + UndefinedBehaviorSanitizer build and tests: started in the background ($sanitize_log)"
sanitizer_stage >"$sanitize_log" 2>&1 &
sanitizer=$!
trap 'kill "$sanitizer" 2>/dev/null || true' EXIT

stage "Python package (pip install .) and pytest"
# The wheel is built by its own backend (scikit-build-core, pyproject.toml) in the Release
# build directory: the library's objects there were compiled with the wheel's flags, so
# only the module is compiled again. Its build tools were installed by setup.sh, so no
# isolated build environment is downloaded.
python3 -m pip install -q --disable-pip-version-check --no-build-isolation -Cbuild-dir=build .
python3 -m pytest -q -p no:cacheprovider

stage "AddressSanitizer + UndefinedBehaviorSanitizer: waiting for the background stage"
if ! wait "$sanitizer"; then
  cat "$sanitize_log"
  echo "the sanitizer stage failed (its log is above and in $sanitize_log)" >&2
  exit 1
fi
trap - EXIT
grep -E "tests passed|Total Test time" "$sanitize_log"

stage "libFuzzer, 30 s per target"
bash scripts/fuzz.sh 30
stage "done"
