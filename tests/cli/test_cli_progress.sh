#!/usr/bin/env bash
# The CLI for people and for CI (issue 17, item 4): the progress bar (a terminal's, a forced
# one in a log, none by default in a log), Ctrl-C, --quiet's one verdict line, the Markdown
# report appended to a file ($GITHUB_STEP_SUMMARY) all-or-none with the other outputs, and
# the GitHub Actions example's gate step run against the real exit codes.
# The oracles are outside referee: a pseudo-terminal from util-linux `script`, the file's
# own earlier bytes, cmp, python3's yaml (or a plain-text read) for the workflow.
# Needs REFEREE_BIN and REFEREE_SOURCE_DIR.
. "$(dirname "$0")/../shell_support.sh"

check() { if eval "$1"; then ok; else bad "$2"; fi; }
# in_tty COMMAND...: runs the command with stdin, stdout and stderr on a pseudo-terminal,
# the terminal's bytes in $work/tty; returns the command's exit code.
in_tty() { script -qec "$(printf '%q ' "$@")" /dev/null </dev/null >"$work/tty" 2>&1; }

data="$ex/credit_eval.csv"
pass_policy="$ex/gate.json"
fail_policy="$ex/gate-strict.json"
small="$ex/credit_eval_small.csv"  # 40 rows: gate.json cannot tell, INCONCLUSIVE

# --- the progress bar ------------------------------------------------------------------
"$bin" run --data "$data" --policy "$pass_policy" >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 0 ] && [ ! -s "$work/err" ]' "a log (stderr not a terminal) got progress output by default"

"$bin" run --data "$data" --policy "$pass_policy" --progress >"$work/out" 2>"$work/err"
code=$?
lines=$(grep -c '^referee: bootstrap' "$work/err")
check '[ $code -eq 0 ] && [ "$lines" -ge 1 ] && [ "$lines" -le 10 ]' "--progress to a log: expected 1 to 10 lines, got $lines"
check '! grep -q $'"'"'\r'"'"' "$work/err"' "--progress to a log wrote carriage returns"
check 'tail -n 1 "$work/err" | grep -q "^referee: bootstrap 100%, done in "' "--progress to a log did not end at 100%"
check '! grep -q "referee: bootstrap" "$work/out" && grep -q "^VERDICT: PASS" "$work/out"' "the bar reached stdout, or the summary did not"

in_tty "$bin" run --data "$data" --policy "$pass_policy" --report "$work/tty-report.json"
code=$?
check '[ $code -eq 0 ] && grep -q $'"'"'\rreferee: bootstrap \['"'"' "$work/tty"' "a terminal got no bar (exit $code)"
check 'grep -q "100%  done in " "$work/tty" && grep -q "^VERDICT: PASS" "$work/tty"' "the terminal's bar did not finish, or no summary"
check 'grep -q "ETA" "$work/tty" || [ "$(grep -o $'"'"'\r'"'"' "$work/tty" | wc -l)" -le 3 ]' "a redrawn bar showed no ETA"

script -qec "$(printf '%q ' "$bin" run --data "$data" --policy "$pass_policy") >$(printf '%q' "$work/stdout")" \
  /dev/null </dev/null >"$work/tty" 2>&1
check '! grep -q "referee: bootstrap" "$work/stdout" && grep -q "referee: bootstrap" "$work/tty"' "with stdout a file and stderr a terminal, the bar must go to the terminal only"

in_tty "$bin" run --data "$data" --policy "$pass_policy" --no-progress
code=$?
check '[ $code -eq 0 ] && ! grep -q "bootstrap \[" "$work/tty"' "--no-progress on a terminal still drew a bar"

"$bin" run --data "$data" --policy "$pass_policy" --progress --no-progress >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 64 ] && grep -q "contradict" "$work/err"' "--progress with --no-progress is a usage error (64)"
"$bin" verify --report "$work/tty-report.json" --data "$data" --policy "$pass_policy" --progress >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 0 ] && grep -q "^referee: bootstrap 100%" "$work/err"' "verify --progress drew no progress"

# --- Ctrl-C: exit 130, the bar's line ended, nothing written ----------------------------
python3 - "$work/big.csv" <<'EOF'
import random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("y,score_prod,score_new\n")
    for _ in range(200000):
        y = random.random() < 0.3
        f.write(f"{int(y)},{random.random() * 0.5 + 0.3 * y:.5f},{random.random() * 0.5 + 0.32 * y:.5f}\n")
EOF
cat >"$work/slow.json" <<'EOF'
{"version": 1, "task": "binary", "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new"},
 "bootstrap": {"resamples": 20000, "seed": 1},
 "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.01}]}
EOF
# ^C is typed on the terminal once the bar shows; stdin stays open until referee is gone.
{
  for _ in $(seq 600); do grep -q "bootstrap \[" "$work/tty" 2>/dev/null && break; sleep 0.05; done
  printf '\003'
  sleep 2
} | script -qec "$(printf '%q ' "$bin" run --data "$work/big.csv" --policy "$work/slow.json" --threads 1 \
  --report "$work/cancelled.json")" /dev/null >"$work/tty" 2>&1
code=$?
check '[ $code -eq 130 ]' "Ctrl-C exited $code, expected 130"
check '[ ! -e "$work/cancelled.json" ]' "Ctrl-C left a report behind"
check 'tr -d "\r" <"$work/tty" | grep -q "^referee: error: evaluation cancelled"' "after Ctrl-C the message did not start its own line"

# --- --quiet: the verdict line and nothing else ------------------------------------------
"$bin" run --data "$data" --policy "$pass_policy" --quiet >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 0 ] && [ "$(wc -l <"$work/out")" -eq 1 ] && grep -q "^VERDICT: PASS (exit 0)" "$work/out" && [ ! -s "$work/err" ]' \
  "--quiet on a PASS: expected one VERDICT line"
"$bin" run --data "$data" --policy "$fail_policy" --quiet >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 1 ] && [ "$(wc -l <"$work/out")" -eq 1 ] && grep -q "^VERDICT: FAIL (exit 1): 1 blocking rule fails: auc-gain-5-points$" "$work/out"' \
  "--quiet on a FAIL: expected the failing rule's id ($(cat "$work/out"))"
"$bin" run --data "$small" --policy "$pass_policy" --quiet >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 2 ] && grep -q "^VERDICT: INCONCLUSIVE (exit 2): .*more data needed" "$work/out"' \
  "--quiet on an INCONCLUSIVE: expected the verdict line ($(cat "$work/out"))"
in_tty "$bin" run --data "$data" --policy "$pass_policy" --quiet
code=$?
check '[ $code -eq 0 ] && ! grep -q "referee: bootstrap" "$work/tty"' "--quiet on a terminal drew a bar"

# --- the Markdown report appended ------------------------------------------------------
"$bin" run --data "$data" --policy "$pass_policy" --markdown "$work/fresh.md" --quiet >/dev/null
printf '### Earlier step\nline without a newline' >"$work/summary.md"
cp "$work/summary.md" "$work/before.md"
{ cat "$work/before.md"; printf '\n\n'; cat "$work/fresh.md"; } >"$work/expected.md"

"$bin" run --data "$data" --policy "$pass_policy" --markdown-append "$work/summary.md" --quiet >/dev/null
code=$?
check '[ $code -eq 0 ] && cmp -s "$work/summary.md" "$work/expected.md"' "--markdown-append: not the earlier content, a blank line, then the report"
"$bin" run --data "$data" --policy "$pass_policy" --markdown-append "$work/new.md" --quiet >/dev/null
check 'cmp -s "$work/new.md" "$work/fresh.md"' "--markdown-append to an absent file: not the report alone"

cp "$work/before.md" "$work/step_summary"
GITHUB_STEP_SUMMARY="$work/step_summary" "$bin" run --data "$data" --policy "$pass_policy" \
  --markdown "$work/step_summary" --quiet >/dev/null
check 'cmp -s "$work/step_summary" "$work/expected.md"' '--markdown "$GITHUB_STEP_SUMMARY" did not append'
cp "$work/before.md" "$work/other.md"
GITHUB_STEP_SUMMARY="$work/step_summary" "$bin" run --data "$data" --policy "$pass_policy" \
  --markdown "$work/other.md" --quiet >/dev/null
check 'cmp -s "$work/other.md" "$work/fresh.md"' "--markdown to another path than \$GITHUB_STEP_SUMMARY must replace"

# All or none: an output refused after the work leaves the appended file as it was (the
# Markdown is about 1.2 kB, the HTML 5 kB, the JSON report 19 kB).
cp "$work/before.md" "$work/summary.md"
"$bin" run --data "$data" --policy "$pass_policy" --markdown-append "$work/summary.md" \
  --html "$work/report.html" --limit max_report_bytes=3000 >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 65 ] && cmp -s "$work/summary.md" "$work/before.md" && [ ! -e "$work/report.html" ]' \
  "an HTML over the cap (exit $code) must leave the appended file unchanged and write nothing"
head -c 19000 /dev/zero | tr '\0' 'x' >"$work/big-summary.md"
cp "$work/big-summary.md" "$work/big-before.md"
"$bin" run --data "$data" --policy "$pass_policy" --markdown-append "$work/big-summary.md" \
  --report "$work/r.json" --limit max_report_bytes=20000 >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 65 ] && cmp -s "$work/big-summary.md" "$work/big-before.md" && [ ! -e "$work/r.json" ]' \
  "earlier content plus the report over the cap (exit $code) must change nothing"
cp "$work/before.md" "$work/target.md"
ln -s "$work/target.md" "$work/link.md"
"$bin" run --data "$data" --policy "$pass_policy" --markdown-append "$work/link.md" >"$work/out" 2>"$work/err"
code=$?
check '[ $code -eq 74 ] && cmp -s "$work/target.md" "$work/before.md"' \
  "--markdown-append to a symbolic link must be refused (74) and its target untouched"

# --- the GitHub Actions example: its gate step against the real exit codes --------------
workflow="$ex/github-actions/model-gate.yml"
python3 - "$workflow" "$work/gate-step.sh" <<'EOF' || bad "the workflow example does not parse, or has no gate step"
import sys
text = open(sys.argv[1]).read()
try:
    import yaml
except ImportError:  # a plain read: the block under `id: gate` ... `run: |`
    yaml = None
if yaml:
    doc = yaml.safe_load(text)
    steps = doc["jobs"]["gate"]["steps"]
    assert any("actions/cache" in s.get("uses", "") for s in steps), "no actions/cache step"
    script = next(s for s in steps if s.get("id") == "gate")["run"]
else:
    lines = text.splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == "id: gate")
    run = next(i for i in range(start, len(lines)) if lines[i].strip() == "run: |")
    indent = len(lines[run + 1]) - len(lines[run + 1].lstrip())
    body = []
    for l in lines[run + 1:]:
        if l.strip() and len(l) - len(l.lstrip()) < indent:
            break
        body.append(l[indent:])
    script = "\n".join(body).rstrip("\n") + "\n"
    assert "actions/cache@" in text, "no actions/cache step"
open(sys.argv[2], "w").write(script)
EOF
mkdir -p "$work/ci/gate" "$work/ci/bin"
ln -s "$bin" "$work/ci/bin/referee"
# run_gate POLICY DATA: the step's script in a job-like directory; its annotations in $work/ci/log.
run_gate() {
  cp "$1" "$work/ci/gate/gate.json"
  cp "$2" "$work/ci/eval.csv"
  printf '### Tests\nearlier step\n' >"$work/ci/summary.md"
  : >"$work/ci/output"
  (cd "$work/ci" && PATH="$work/ci/bin:$PATH" GITHUB_STEP_SUMMARY="$work/ci/summary.md" \
    GITHUB_OUTPUT="$work/ci/output" bash -eo pipefail "$work/gate-step.sh") >"$work/ci/log" 2>&1
}
run_gate "$fail_policy" "$data"
code=$?
check '[ $code -eq 1 ] && grep -q "^::error title=Model gate FAIL::VERDICT: FAIL (exit 1)" "$work/ci/log" && ! grep -q "^::warning" "$work/ci/log"' \
  "the workflow's gate step on a FAIL (exit $code): expected an ::error annotation"
check 'grep -q "^exit-code=1$" "$work/ci/output" && head -n 1 "$work/ci/summary.md" | grep -q "^### Tests"' \
  "the gate step lost the earlier summary or wrote no exit-code output"
check 'grep -q "auc-gain-5-points" "$work/ci/summary.md"' "the gate step appended no report to the summary"
run_gate "$pass_policy" "$small"
code=$?
check '[ $code -eq 2 ] && grep -q "^::warning title=Model gate INCONCLUSIVE::VERDICT: INCONCLUSIVE (exit 2)" "$work/ci/log" && ! grep -q "^::error" "$work/ci/log"' \
  "the workflow's gate step on an INCONCLUSIVE (exit $code): expected a ::warning annotation"
run_gate "$pass_policy" "$data"
code=$?
check '[ $code -eq 0 ] && grep -q "^::notice" "$work/ci/log"' "the workflow's gate step on a PASS (exit $code)"

finish
