"""The SageMaker Processing entrypoint against a temporary tree with the container's layout."""

import json
import os
import re
import shutil
import subprocess

import pandas as pd
import pytest

import referee
from referee import sagemaker


def tree(tmp_path, policy, files):
    """A Processing layout under tmp_path: input/data/<files>, input/policy/<policy>."""
    data = tmp_path / "processing/input/data"
    data.mkdir(parents=True)
    for name, write in files.items():
        write(data / name)
    (tmp_path / "processing/input/policy").mkdir(parents=True)
    shutil.copy(policy, tmp_path / "processing/input/policy" / policy.name)
    return tmp_path


def outputs(root):
    return root / "processing/output/evaluation"


def without_run_and_data(report):
    report = dict(report)
    report.pop("run")
    report.pop("data")
    return report


@pytest.fixture
def root_env(monkeypatch, tmp_path):
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(tmp_path))
    return tmp_path


def test_one_csv_writes_the_five_files_and_json_get_reads_the_challenger_auc(root_env, examples):
    tree(root_env, examples / "gate.json", {"credit_eval.csv": lambda p: shutil.copy(examples / "credit_eval.csv", p)})
    assert sagemaker.main([]) == 0
    out = outputs(root_env)
    assert sorted(p.name for p in out.iterdir()) == ["evaluation.json", "model_quality.json", "report.html",
                                                    "report.json", "report.md"]
    evaluation = json.loads((out / "evaluation.json").read_text())
    report = json.loads((out / "report.json").read_text())
    # JsonGet(property_file=..., json_path="binary_classification_metrics.auc.value")
    assert evaluation["binary_classification_metrics"]["auc"]["value"] == report["metrics"]["challenger"]["roc_auc"]["estimate"]
    assert evaluation["binary_classification_metrics"]["auc"]["standard_deviation"] == report["metrics"]["challenger"]["roc_auc"]["se"]
    assert evaluation["referee"] == {"verdict": "PASS", "passed": True, "policy_sha256": report["policy_sha256"],
                                     "data_sha256": report["data"]["sha256"],
                                     "rules": {r["id"]: r["verdict"] for r in report["rules"]},
                                     "metrics": {name: {"value": f["estimate"], "standard_deviation": f["se"]}
                                                 for name, f in report["metrics"]["challenger"].items()}}
    # The curves are for the Model Registry, not for JsonGet.
    assert "receiver_operating_characteristic_curve" not in evaluation["binary_classification_metrics"]
    quality = json.loads((out / "model_quality.json").read_text())
    assert quality["binary_classification_metrics"]["auc"]["value"] == evaluation["binary_classification_metrics"]["auc"]["value"]
    assert quality["dataset"]["item_count"] == 6366
    # One CSV goes through referee's own reader: the report equals the CLI's outside "run".
    cli = referee.evaluate(examples / "credit_eval.csv", examples / "gate.json").to_dict()
    cli.pop("run")
    report.pop("run")
    assert report == cli
    assert (out / "report.md").read_text().startswith("## ✅ referee: PASS")
    assert "<svg" in (out / "report.html").read_text()


def test_parts_in_name_order_jsonl_and_parquet_give_the_single_file_figures(root_env, examples):
    # Python's float() gives the same doubles as referee's reader; JSON Lines get repr floats.
    df = pd.read_csv(examples / "segment_trap.csv", dtype=str)
    for name in ("y", "score_prod", "score_new"):
        df[name] = [float(v) for v in df[name]]
    third = len(df) // 3

    def jsonl(path):
        path.write_text("".join(json.dumps(r) + "\n" for r in df.iloc[third:2 * third].to_dict("records")))

    tree(root_env, examples / "gate-segments.json", {
        "part-1.csv": lambda p: df.iloc[:third].to_csv(p, index=False),
        "part-2.jsonl": jsonl,
        "part-3.parquet": lambda p: df.iloc[2 * third:].to_parquet(p, index=False),
    })
    assert sagemaker.main([]) == 0  # FAIL is the ConditionStep's to act on
    report = json.loads((outputs(root_env) / "report.json").read_text())
    whole = referee.evaluate(examples / "segment_trap.csv", examples / "gate-segments.json").to_dict()
    assert without_run_and_data(report) == without_run_and_data(whole)
    assert report["data"]["rows"] == len(df)
    assert json.loads((outputs(root_env) / "evaluation.json").read_text())["referee"]["verdict"] == "FAIL"
    assert sagemaker.main(["--fail-on-verdict"]) == 1


def test_bad_data_writes_a_short_message_without_data_values(root_env, examples):
    bad = "y,score_prod,score_new,region,channel,sex\n1,0.4,SECRET-VALUE,north,web,F\n"
    tree(root_env, examples / "gate-segments.json", {"eval.csv": lambda p: p.write_text(bad)})
    assert sagemaker.main([]) == 65
    message = (root_env / "output/message").read_text(encoding="utf-8")
    assert len(message.encode("utf-8")) < 1024
    assert 'column "score_new"' in message and "row 1" in message
    assert "SECRET-VALUE" not in message
    assert not (outputs(root_env) / "report.json").exists()


def test_a_missing_policy_is_an_io_error_and_two_policies_a_usage_error(root_env, examples):
    (root_env / "processing/input/data").mkdir(parents=True)
    shutil.copy(examples / "credit_eval.csv", root_env / "processing/input/data/eval.csv")
    assert sagemaker.main([]) == 74
    policy = root_env / "processing/input/policy"
    policy.mkdir(parents=True)
    shutil.copy(examples / "gate.json", policy / "a.json")
    shutil.copy(examples / "gate-strict.json", policy / "b.json")
    assert sagemaker.main([]) == 64
    assert "expected one .json file" in (root_env / "output/message").read_text()


def test_the_cli_hands_over_to_the_entrypoint(tmp_path, examples):
    tree(tmp_path, examples / "gate-strict.json", {"eval.csv": lambda p: shutil.copy(examples / "credit_eval.csv", p)})
    env = dict(os.environ, REFEREE_SAGEMAKER_ROOT=str(tmp_path))
    proc = subprocess.run([shutil.which("referee"), "sagemaker", "--fail-on-verdict"], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    assert "referee: FAIL" in proc.stdout
    assert (outputs(tmp_path) / "evaluation.json").exists()


def test_an_empty_segment_cell_in_a_multi_file_table_is_a_missing_value(root_env, examples):
    header = "y,score_prod,score_new,region,channel,sex\n"
    tree(root_env, examples / "gate-segments.json", {
        "a.csv": lambda p: p.write_text(header + "1,0.4,0.6,north,web,F\n"),
        "b.csv": lambda p: p.write_text(header + "0,0.3,0.2,,web,M\n"),
    })
    assert sagemaker.main([]) == 65
    message = (root_env / "output/message").read_text(encoding="utf-8")
    assert 'column "region": row 2: missing value' in message


def test_budgets_and_drift_from_parts_equal_the_single_file_figures(root_env, examples):
    # Two CSV parts go through pandas as text: latency, cost and error columns must become the
    # same numbers, and drift features the same cells, as referee's CSV reader gives.
    frame = pd.read_csv(examples / "credit_eval.csv", keep_default_na=False, dtype=str)
    half = len(frame) // 2
    tree(root_env, examples / "gate-budgets.json", {
        "part-1.csv": lambda p: frame.iloc[:half].to_csv(p, index=False),
        "part-2.csv": lambda p: frame.iloc[half:].to_csv(p, index=False),
    })
    # The policy's relative reference is read beside the policy, in its channel.
    shutil.copy(examples / "reference_sample.csv", root_env / "processing/input/policy")
    assert sagemaker.main([]) == 0
    report = json.loads((outputs(root_env) / "report.json").read_text())
    assert report["verdict"] == "FAIL"
    single = referee.evaluate(examples / "credit_eval.csv", examples / "gate-budgets.json").to_dict()
    assert report["budgets"] == single["budgets"]
    assert report["drift"] == single["drift"]
    assert "p99-latency-budget" in {r["id"] for r in report["rules"] if r["verdict"] == "FAIL"}


def test_latency_and_reference_channels(root_env, examples, tmp_path_factory):
    tree(root_env, examples / "gate-loadtest.json",
         {"credit_eval.csv": lambda p: shutil.copy(examples / "credit_eval.csv", p)})
    (root_env / "processing/input/latency").mkdir(parents=True)
    shutil.copy(examples / "latency_loadtest.csv", root_env / "processing/input/latency")
    assert sagemaker.main([]) == 0
    report = json.loads((outputs(root_env) / "report.json").read_text())
    direct = referee.evaluate(examples / "credit_eval.csv", examples / "gate-loadtest.json",
                              latency=examples / "latency_loadtest.csv").to_dict()
    assert report["budgets"] == direct["budgets"]
    assert report["budgets"]["latency"]["file"] == "latency_loadtest.csv"

    # A reference channel overrides the policy's drift reference; two files are a usage error.
    policy = json.loads((examples / "gate-budgets.json").read_text())
    policy["drift"]["reference"] = "nowhere.csv"
    (root_env / "processing/input/policy/gate-loadtest.json").unlink()
    (root_env / "processing/input/policy/gate.json").write_text(json.dumps(policy))
    shutil.rmtree(root_env / "processing/input/latency")
    reference = root_env / "processing/input/reference"
    reference.mkdir(parents=True)
    shutil.copy(examples / "reference_sample.csv", reference)
    assert sagemaker.main([]) == 0
    report = json.loads((outputs(root_env) / "report.json").read_text())
    assert report["drift"]["reference"]["file"] == "reference_sample.csv"
    shutil.copy(examples / "reference_sample.csv", reference / "second.csv")
    assert sagemaker.main([]) == 64
    assert "reference: expected one .csv file" in (root_env / "output/message").read_text()


@pytest.mark.parametrize("bad", ["0_1", "nan", "inf", "1e999", "-inf", "1,5", ""])
@pytest.mark.parametrize("layout", ["two CSV parts", "JSON Lines of text"])
def test_a_number_referee_run_refuses_is_refused_by_the_entrypoint_at_the_same_place(
        root_env, examples, tmp_path_factory, bad, layout):
    # Text cells read through pandas reach the CSV reader's own number parser, so what
    # `referee run` refuses (Python's float() would take "0_1", "nan", "inf", "1e999") is
    # refused here too: the same exit code, the same row and column, and never the cell.
    frame = pd.read_csv(examples / "credit_eval.csv", keep_default_na=False, dtype=str).iloc[:40]
    frame.loc[26, "score_new"] = bad  # row 27
    csv = tmp_path_factory.mktemp("cli") / "eval.csv"
    frame.to_csv(csv, index=False)
    cli = subprocess.run([shutil.which("referee"), "run", "--data", str(csv), "--policy",
                          str(examples / "gate.json")], capture_output=True, text=True)
    assert cli.returncode == 65, cli.stderr

    def jsonl(path):
        path.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")))

    parts = ({"part-1.csv": lambda p: frame.iloc[:20].to_csv(p, index=False),
              "part-2.csv": lambda p: frame.iloc[20:].to_csv(p, index=False)}
             if layout == "two CSV parts" else {"eval.jsonl": jsonl})
    tree(root_env, examples / "gate.json", parts)
    assert sagemaker.main([]) == cli.returncode
    message = (root_env / "output/message").read_text(encoding="utf-8")
    place = re.compile(r'row (\d+)\b.*, column "([^"]+)": ')
    assert place.search(cli.stderr).groups() == place.search(message).groups() == ("27", "score_new")
    assert message.split('column "score_new": ')[1].rstrip() in (
        "missing value", "value is not a number", "value is not a finite number")


def test_text_that_is_not_utf8_is_bad_data_at_the_entrypoint_as_in_referee_run(root_env, examples, tmp_path_factory):
    # Bytes that are not UTF-8 in a segment cell: `referee run` and the entrypoint (one
    # file: the C++ reader; two parts: pandas) both exit 65, and neither message shows them.
    lines = (examples / "segment_trap.csv").read_bytes().splitlines(keepends=True)[:61]
    header = lines[0].decode().strip().split(",")
    column = header.index("region")
    cells = lines[40].split(b",")
    cells[column] = b"we\xffst"
    lines[40] = b",".join(cells)
    csv = tmp_path_factory.mktemp("cli") / "eval.csv"
    csv.write_bytes(b"".join(lines))
    cli = subprocess.run([shutil.which("referee"), "run", "--data", str(csv), "--policy",
                          str(examples / "gate-segments.json")], capture_output=True, text=True)
    assert cli.returncode == 65 and 'column "region"' in cli.stderr and "not valid UTF-8" in cli.stderr
    parts = {"part-1.csv": lambda p: p.write_bytes(b"".join(lines[:30])),
             "part-2.csv": lambda p: p.write_bytes(lines[0] + b"".join(lines[30:]))}
    tree(root_env, examples / "gate-segments.json", parts)
    assert sagemaker.main([]) == cli.returncode
    message = (root_env / "output/message").read_bytes()
    assert b"\xff" not in message and "we\ufffdst" not in message.decode("utf-8", "replace")
