#!/usr/bin/env bash
# Every CLI door for the outcome task (examples/gate-outcome.json on llm_eval.csv), the ranking
# task (examples/gate-ranking.json on ranking_eval.csv) and
# binary decision scores with a string label (examples/gate-svm.json on
# breast_cancer_svm.csv): run, validate, verify and test, the summary, Markdown and HTML,
# and the report's figures against numpy and scikit-learn (issue 15, item 8).
# Needs REFEREE_BIN and REFEREE_SOURCE_DIR, and python3 with numpy and scikit-learn.
. "$(dirname "$0")/../shell_support.sh"

# run_expect CODE -- ARGS...: runs referee, checks its exit code; output in $work/out, err.
run_expect() {
  local code=$1
  shift 2
  "$bin" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [ "$got" -ne "$code" ]; then
    bad "referee $* exited $got, expected $code"; sed 's/^/    /' "$work/err" | head -5; return 1
  fi
  ok
}

has() {  # has FILE FRAGMENT: the file contains the fragment
  grep -qF -- "$2" "$1" && ok || bad "$1 lacks \"$2\""
}

outcome="$ex/gate-outcome.json" svm="$ex/gate-svm.json"
llm="$ex/llm_eval.csv" cancer="$ex/breast_cancer_svm.csv"

# --- validate -------------------------------------------------------------------------
run_expect 0 -- validate --policy "$outcome" && has "$work/out" "task outcome, 2 rules"
run_expect 0 -- validate --policy "$svm" && has "$work/out" "task binary, 3 rules"
# The core's checks, reached through the CLI: an outcome policy has no label, and
# log_loss is refused on decision scores, each at its JSON path.
python3 - "$outcome" "$svm" "$work" <<'EOF'
import json, sys
outcome, svm, work = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
outcome["columns"]["label"] = "success_v1"
json.dump(outcome, open(f"{work}/outcome-label.json", "w"))
svm["rules"].append({"id": "ll", "metric": "log_loss", "subject": "delta", "max": 0})
json.dump(svm, open(f"{work}/svm-logloss.json", "w"))
EOF
run_expect 65 -- validate --policy "$work/outcome-label.json" && has "$work/err" '$.columns.label'
run_expect 65 -- validate --policy "$work/svm-logloss.json" && has "$work/err" '$.rules[3].metric'

# --- run: the outcome task, with a rule on every metric kind --------------------------
python3 - "$outcome" "$work/outcome-all.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["bootstrap"]["resamples"] = 500
p["rules"] += [{"id": "judge-mean", "metric": "mean", "subject": "delta", "min": -0.5},
               {"id": "p90", "metric": "quantile@0.9", "subject": "champion", "max": 10, "decide_on": "point"}]
json.dump(p, open(sys.argv[2], "w"))
EOF
run_expect 0 -- run --data "$llm" --policy "$work/outcome-all.json" --report "$work/o.json" \
  --markdown "$work/o.md" --html "$work/o.html" --threads 1
has "$work/out" "VERDICT: PASS"
has "$work/out" "quantile@0.9"
has "$work/out" "300 clusters"
has "$work/o.md" "| quantile@0.9 |"
has "$work/o.md" "| pass_rate |"
has "$work/o.html" "quantile@0.9"
# Every figure of both models against numpy (weighted mean, share >= the pass mark,
# inverted_cdf quantiles), read from the CSV by pandas, not by referee.
python3 - "$llm" "$work/o.json" <<'EOF' && ok || bad "the outcome report's figures differ from numpy's"
import json, sys
import numpy as np, pandas as pd
data, report = pd.read_csv(sys.argv[1]), json.load(open(sys.argv[2]))
assert report["task"] == "outcome" and report["data"]["units"] == 300, report["data"]
for model, column in (("champion", "success_v1"), ("challenger", "success_v2")):
    x = data[column].to_numpy(float)
    got = {k: v["estimate"] for k, v in report["metrics"][model].items()}
    want = {"mean": x.mean(), "pass_rate": (x >= 1).mean()}
    want.update({f"quantile@{q}": np.quantile(x, q, method="inverted_cdf") for q in (0.5, 0.9, 0.95, 0.99)})
    assert set(got) == set(want), sorted(got)
    for k in want:
        assert abs(got[k] - want[k]) <= 1e-12, (model, k, got[k], want[k])
delta = report["metrics"]["delta"]["pass_rate"]["estimate"]
assert abs(delta - ((data.success_v2 >= 1).mean() - (data.success_v1 >= 1).mean())) <= 1e-12
EOF
run_expect 0 -- verify --report "$work/o.json" --data "$llm" --policy "$work/outcome-all.json" && has "$work/out" "reproduced"

# --- run: decision scores and a string label ----------------------------------------------
run_expect 0 -- run --data "$cancer" --policy "$svm" --report "$work/s.json" --markdown "$work/s.md" \
  --html "$work/s.html" --threads 1
has "$work/out" "roc_auc"
has "$work/s.md" "| average_precision |"
python3 - "$cancer" "$work/s.json" <<'EOF' && ok || bad "the SVM report's figures differ from scikit-learn's"
import json, sys
import pandas as pd
from sklearn import metrics
data, report = pd.read_csv(sys.argv[1]), json.load(open(sys.argv[2]))
y = (data.diagnosis == "benign").astype(int)
for model, column in (("champion", "svm_prod"), ("challenger", "svm_new")):
    s, got = data[column], report["metrics"][model]
    want = {"roc_auc": metrics.roc_auc_score(y, s),
            "average_precision": metrics.average_precision_score(data.diagnosis, s, pos_label="benign"),
            "recall": metrics.recall_score(y, s >= 0), "precision": metrics.precision_score(y, s >= 0)}
    for k, v in want.items():
        assert abs(got[k]["estimate"] - v) <= 1e-12, (model, k, got[k], v)
    for k in ("log_loss", "brier"):  # margins are no probabilities: undefined, and said so
        assert got[k]["estimate"] is None and "probabilities" in got[k]["undefined"], got[k]
EOF
run_expect 0 -- verify --report "$work/s.json" --data "$cancer" --policy "$svm" && has "$work/out" "reproduced"

# --- test: the case files (figures and inline tables) ---------------------------------
run_expect 0 -- test --policy "$outcome" --cases "$ex/gate-outcome.cases.json" && has "$work/out" "6 of 6 cases hold"
run_expect 0 -- test --policy "$svm" --cases "$ex/gate-svm.cases.json" && has "$work/out" "4 of 4 cases hold"
# A case that cannot hold is caught: the inline tables are evaluated, not skipped.
python3 - "$ex" "$work" <<'EOF'
import json, sys
ex, work = sys.argv[1:3]
o = json.load(open(f"{ex}/gate-outcome.cases.json"))
o["cases"][4]["expect"] = "FAIL"  # v2 passing every prompt cannot fail
json.dump(o, open(f"{work}/wrong-outcome.cases.json", "w"))
s = json.load(open(f"{ex}/gate-svm.cases.json"))
s["cases"][3]["data"]["diagnosis"][0] = "unknown"  # a third label value: a data error
json.dump(s, open(f"{work}/wrong-svm.cases.json", "w"))
EOF
run_expect 1 -- test --policy "$outcome" --cases "$work/wrong-outcome.cases.json" && has "$work/out" "5 of 6 cases hold"
run_expect 65 -- test --policy "$svm" --cases "$work/wrong-svm.cases.json" && has "$work/err" "a third label value"

# --- the ranking task (examples/gate-ranking.json on ranking_eval.csv) ----------------
ranking="$ex/gate-ranking.json" ranked="$ex/ranking_eval.csv"
run_expect 0 -- validate --policy "$ranking" && has "$work/out" "task ranking, 3 rules"
python3 - "$ranking" "$work/ranking-all.json" "$work/ranking-noquery.json" <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["bootstrap"]["resamples"] = 500
p["rules"] += [{"id": "map5", "metric": "map", "k": 5, "subject": "delta", "min": -0.05},
               {"id": "p3", "metric": "precision@3", "subject": "challenger", "min": 0.1, "decide_on": "point"}]
json.dump(p, open(sys.argv[2], "w"))
del p["columns"]["query"]
json.dump(p, open(sys.argv[3], "w"))
EOF
run_expect 65 -- validate --policy "$work/ranking-noquery.json" && has "$work/err" '$.columns.query'
run_expect 0 -- run --data "$ranked" --policy "$work/ranking-all.json" --report "$work/r.json" \
  --markdown "$work/r.md" --html "$work/r.html" --threads 1
has "$work/out" "VERDICT: PASS"
has "$work/out" "400 queries, 59 with no relevant document"
has "$work/r.md" "| map@5 |"
has "$work/r.html" "precision@3"
# ndcg@10 of both models against scikit-learn's ndcg_score, query by query, read by pandas.
python3 - "$ranked" "$work/r.json" <<'EOF' && ok || bad "the ranking report's figures differ from scikit-learn's"
import json, sys
import pandas as pd
from sklearn.metrics import ndcg_score
data, report = pd.read_csv(sys.argv[1]), json.load(open(sys.argv[2]))
assert report["task"] == "ranking" and report["bootstrap"]["unit"] == "query", report["bootstrap"]
for model, column in (("champion", "score_v1"), ("challenger", "score_v2")):
    values = [ndcg_score([q.relevance], [q[column]], k=10) for _, q in data.groupby("query_id") if q.relevance.max() > 0]
    got = report["metrics"][model]["ndcg@10"]["estimate"]
    assert abs(got - sum(values) / len(values)) <= 1e-12, (model, got)
EOF
run_expect 0 -- verify --report "$work/r.json" --data "$ranked" --policy "$work/ranking-all.json" && has "$work/out" "reproduced"
run_expect 0 -- test --policy "$ranking" --cases "$ex/gate-ranking.cases.json" && has "$work/out" "5 of 5 cases hold"

finish
