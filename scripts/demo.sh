#!/usr/bin/env bash
# The demo gate, from a fresh machine: installs what is missing, builds the CLI, and
# evaluates the bundled credit-risk example, printing the verdict and writing report.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" --target referee_cli >/dev/null
./build/referee run --data examples/credit_eval.csv --policy examples/gate.json --report report.json
