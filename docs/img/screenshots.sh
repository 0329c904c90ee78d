#!/usr/bin/env bash
# Renders the pages docs/report.md and the README show, and screenshots them in headless
# Chromium (apt-get install chromium):
#   docs/img/report.png    the HTML report of examples/gate-segments.json on examples/segment_trap.csv
#   docs/img/notebook.png  Report._repr_html_() of the same run, in a notebook-like page
# usage: docs/img/screenshots.sh [BUILD_DIR] [PYTHON]   (PYTHON: one with referee installed)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
python=${2:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data=examples/segment_trap.csv
policy=examples/gate-segments.json
set +e
"$build/referee" run --data "$data" --policy "$policy" --report "$work/report.json" --html "$work/report.html" >/dev/null
code=$?
set -e
[ "$code" -le 2 ] || { echo "referee run exited $code" >&2; exit 1; }  # 1 and 2 are verdicts
"$python" docs/img/notebook_page.py "$data" "$policy" "$work/notebook.html"
shot() {
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --screenshot="$2" --window-size="$3" "file://$1" 2>/dev/null
}
shot "$work/report.html" docs/img/report.png 1280,1880
shot "$work/notebook.html" docs/img/notebook.png 1280,1070
