#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus from examples/ and hand-made edge cases.

Run from the repository root; the output is committed, so a fuzz run needs no Python.
Seeds are small on purpose: libFuzzer mutates them, and a short input runs fast."""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"


def write(target, name, data):
    path = CORPUS / target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def head(path, lines):
    with open(ROOT / path, "rb") as f:
        return b"".join(f.readline() for _ in range(lines))


def csv_seeds():
    # Three configuration bytes (fuzz_csv_reader.cpp): reader/task, field cap, record cap.
    credit = head("examples/credit_eval_small.csv", 9)
    latency = head("examples/latency_loadtest.csv", 5) + b"challenger,12.5\nchallenger,13.25\n"
    reference = head("examples/reference_sample.csv", 9)
    default_caps, small_caps = b"\xff\xff", b"\x0f\x3f"
    for reader, task, name, body in [(0, 0, "raw", credit), (1, 0, "table_binary", credit),
                                     (1, 4, "table_regression", credit), (2, 0, "latency", latency),
                                     (3, 0, "reference", reference)]:
        write("fuzz_csv_reader", f"{name}.csv", bytes([reader | task]) + default_caps + body)
        write("fuzz_csv_reader", f"{name}_small_caps.csv", bytes([reader | task]) + small_caps + body)
    header = b"customer_id,y,score_prod,region,channel\r\n"
    edge = {
        "quoted": header + b'"C1",1,"0.5","north ""x""","a,b"\r\n"C2",0,0.25,"multi\nline",\r\n',
        "bom_crlf": b"\xef\xbb\xbf" + header + b"C1,1,+0.5,east,web\r\n\r\n",
        "blank_tail": header + b"C1,0, 0.5 ,east,web\n\n\n",
        "utf8": header + "C1,1,0.5,\u00e9st,\u6f22\n".encode(),
        "unclosed": header + b'C1,1,0.5,"east,web\n',
        "cr_alone": header + b"C1,1,0.5,east,web\rC2,0,0.1,west,web\n",
        "extra_fields": header + b"C1,1,0.5,east,web,,,,\n",
        "huge_number": header + b"C1,1,1e999,east,web\n",
    }
    for name, body in edge.items():
        write("fuzz_csv_reader", f"edge_{name}.csv", b"\x00\xff\xff" + body)


def number_seeds():
    cells = ["0", "1", "-0", "+0.5", " 0.25 ", "\t3\t", ".5", "5.", "1e308", "1.8e308", "-1.8e308",
             "1e-400", "-1e-400", "4.9e-324", "2.5e-324", "2.2250738585072011e-308", "0.1e+2", "00001",
             "123456789012345678901234567890", "0.000000000000000000000000001e330", "1e99999999999999999999",
             "1e-99999999999999999999", "", " ", "-", "+", "++1", "+-1", "1e", "1e+", "inf", "-nan", "0x1p3",
             "1,5", "1 2", "\u0661"]
    for i, cell in enumerate(cells):
        write("fuzz_cell_number", f"cell_{i:02d}", cell)


def policy_seeds():
    for path in sorted((ROOT / "examples").glob("gate*.json")):
        if not path.name.endswith(".cases.json"):
            write("fuzz_policy", path.stem, path.read_bytes())
    edge = {
        "regression": {"version": 1, "task": "regression",
                       "columns": {"label": "y", "champion": "a", "challenger": "b"},
                       "bootstrap": {"resamples": 400, "seed": 2},
                       "rules": [{"id": "mae", "metric": "mae", "subject": "delta", "max": 0}]},
        "segment_scope": {"version": 1, "task": "binary",
                          "columns": {"label": "y", "champion": "a", "challenger": "b", "segments": ["r", "r*c"]},
                          "rules": [{"id": "s", "metric": "recall", "subject": "challenger", "min": 0.5,
                                     "scope": {"segment": {"r*c": ["x", "y"]}}}]},
        "pricing": {"version": 1, "task": "binary",
                    "columns": {"label": "y", "champion": "a", "challenger": "b"},
                    "pricing": {"champion": {"per_1k": 0.5}, "challenger": {"per_hour": 3, "throughput_per_s": 20}},
                    "rules": [{"id": "c", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.4}]},
    }
    for name, doc in edge.items():
        write("fuzz_policy", f"edge_{name}.json", json.dumps(doc))
    write("fuzz_policy", "edge_duplicate_key.json", '{"version": 1, "version": 1}')
    write("fuzz_policy", "edge_deep.json", '{"version": ' + "[" * 20 + "]" * 20 + "}")
    write("fuzz_policy", "edge_big_number.json", '{"version": 1e999}')


def cases_seeds():
    # One byte choosing the harness's policy: 0 is examples/gate.json's rules.
    cases = json.loads((ROOT / "examples/gate.cases.json").read_text())["cases"]
    for i, case in enumerate(cases):
        if "data" in case:  # keep it short: the first 12 rows
            case["data"] = {k: v[:12] for k, v in case["data"].items()}
        write("fuzz_policy_cases", f"gate_{i}.json", b"\x00" + json.dumps({"cases": [case]}).encode())
    write("fuzz_policy_cases", "gate_expectation.json",
          b"\x00" + json.dumps({"expect": "FAIL", "rules": {"brier-point": "FAIL"}}).encode())
    rows = {"y": [1, 0, 1, 0, 1, 0, 1, 0], "score_prod": [0.6, 0.4, 0.7, 0.2, 0.55, 0.45, 0.8, 0.3],
            "score_new": [0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.95, 0.05]}
    segmented = dict(rows, region=["n", "n", "s", "s", "n", "s", "n", "s"],
                     channel=["web", 1, "web", 2, "web", "web", 1, 2], sex=["M", "F"] * 4)
    write("fuzz_policy_cases", "segments_data.json",
          b"\x01" + json.dumps({"cases": [{"name": "segments", "data": segmented, "expect": "PASS",
                                           "rules": {"auc-every-region": "PASS"}}]}).encode())
    serving = dict(rows, lat_prod_ms=[10] * 8, lat_new_ms=[12] * 8, cost_prod=[0.1] * 8, cost_new=[0.12] * 8,
                   err_prod=[0] * 8, err_new=[0, 0, 0, 0, 0, 0, 0, 1])
    write("fuzz_policy_cases", "regression_data.json",
          b"\x02" + json.dumps({"cases": [{"data": serving, "expect": "FAIL", "rules": {"errors": "FAIL"}}]}).encode())
    figures = {r: {"estimate": 0.0, "ci": [-0.1, 0.1]} for r in ["mae", "r2-floor", "p99", "cost", "errors"]}
    figures["p99"] = {"estimate": None}
    write("fuzz_policy_cases", "regression_figures.json",
          b"\x02" + json.dumps({"cases": [{"figures": figures, "expect": "INCONCLUSIVE"}]}).encode())


if __name__ == "__main__":
    csv_seeds()
    number_seeds()
    policy_seeds()
    cases_seeds()
