#!/usr/bin/env bash
# Regenerates tests/golden/ from the current build. Commit the result together with the
# change that altered it, and say in the commit message why each output changed.
# usage: scripts/update_golden.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake --build "$build" --target referee_cli >/dev/null
rm -rf tests/golden/cases
bash scripts/golden_outputs.sh "$build/referee" . tests/golden/cases
git --no-pager diff --stat -- tests/golden || true
