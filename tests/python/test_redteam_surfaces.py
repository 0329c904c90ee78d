"""Red-team cases for the Python and SageMaker doors (issue 14, classes 1, 5 and 6).

Every case asserts the exception type or the exit code, that no output was written or
replaced, and that a value planted in the data (SECRET-4242, or the number 4242) appears
in no message: not an exception's text, not stderr, not SageMaker's output/message.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import referee
import referee.testing
from referee import _core, sagemaker

# The referee CLI installed with this package (beside the interpreter), else the one on PATH.
REFEREE = shutil.which("referee", path=os.path.dirname(sys.executable)) or shutil.which("referee")
SECRET = "SECRET-4242"
NUMBER = "4242"
POLICY = {"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a", "challenger": "b"},
          "bootstrap": {"resamples": 100, "seed": 3},
          "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}]}


def table(n=40):
    return {"y": np.array([0.0, 1.0] * (n // 2)), "a": np.linspace(0.1, 0.9, n), "b": np.linspace(0.2, 0.8, n)}


def secret_csv(path, examples, **cells):
    """credit_eval_small.csv with SECRET in a column the gate does not read, and `cells`
    (column: text) planted in data row 5."""
    lines = (examples / "credit_eval_small.csv").read_text().splitlines()
    header = lines[0].split(",")
    rows = [line.split(",") for line in lines[1:]]
    for r in rows:
        r[header.index("region")] = SECRET
    for column, text in cells.items():
        rows[4][header.index(column)] = text
    path.write_text("\n".join([lines[0]] + [",".join(r) for r in rows]) + "\n")
    return path


def assert_clean(text):
    assert SECRET not in text and "4242" not in text, text


# --- Python: arguments are checked by the core's rules, a UsageError each ---------------

@pytest.mark.parametrize("seed", [-1, 1.5, True, 2**64, "7", float("nan"), np.float64(3.0)])
def test_a_bad_seed_is_a_usage_error_not_a_type_error(examples, tmp_path, seed):
    data = secret_csv(tmp_path / "eval.csv", examples)
    with pytest.raises(referee.UsageError, match=r"^seed must be an integer from 0 to 18446744073709551615$") as e:
        referee.evaluate(data, examples / "gate.json", seed=seed)
    assert_clean(str(e.value))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval.csv"]


def test_the_seed_range_is_the_unsigned_64_bit_integers(examples):
    # Outside fact: 2**64 - 1 is the largest unsigned 64-bit integer; numpy's integers count.
    for seed in (0, 2**64 - 1, np.uint64(2**64 - 1), np.int32(5)):
        assert referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", seed=seed).verdict


@pytest.mark.parametrize("threads", [0, -1, 1025, 2**40, 1.0, True, "2"])
def test_bad_threads_are_a_usage_error(threads):
    with pytest.raises(referee.UsageError, match=r"^threads must be from 1 to 1024$"):
        referee.evaluate(table(), POLICY, threads=threads)


def test_threads_at_the_edges_of_the_range_run():
    for threads in (1, 1024):
        assert referee.evaluate(table(), POLICY, threads=threads).verdict


@pytest.mark.parametrize("threshold", [-0.01, 1.01])
def test_metric_threshold_outside_zero_one_is_a_usage_error(threshold):
    with pytest.raises(referee.UsageError, match=r"^threshold must be within \[0, 1\]$"):
        referee.metric("precision", [0, 1, 1], [0.2, 0.7, 0.9], threshold=threshold)


# None is the task's default (0.5 on probabilities, 0 on decision scores: issue 15).
@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), "0.5", True, 1 + 0j])
def test_metric_threshold_that_is_no_finite_number_is_a_usage_error(threshold):
    with pytest.raises(referee.UsageError, match=r"^threshold must be a finite number$"):
        referee.metric("precision", [0, 1, 1], [0.2, 0.7, 0.9], threshold=threshold)


def test_metric_threshold_at_the_edges_counts_as_score_at_least_threshold():
    # score >= threshold is positive: at 1.0 only the score 1.0 is; at 0.0 every row is.
    y, score = [0, 1, 1, 0], [0.2, 1.0, 0.6, 0.1]
    assert referee.metric("recall", y, score, threshold=1.0) == 0.5
    assert referee.metric("recall", y, score, threshold=0) == 1.0
    assert referee.metric("precision", y, score, threshold=0.0) == 0.5


def test_compare_checks_its_arguments_as_arguments():
    y, a, b = [0, 1, 0, 1] * 5, [0.1, 0.9, 0.2, 0.8] * 5, [0.2, 0.8, 0.3, 0.7] * 5
    for kwargs in ({"seed": -1}, {"threads": 0}, {"threshold": float("nan")}):
        with pytest.raises(referee.UsageError):
            referee.compare("roc_auc", y, a, b, resamples=100, **kwargs)


def test_the_cli_takes_the_same_ranges(examples, tmp_path):
    data = secret_csv(tmp_path / "eval.csv", examples)
    for option, value, rule in (("--threads", "0", "must be from 1 to 1024"), ("--threads", "1025", "from 1 to 1024"),
                                ("--seed", "-1", "must be an integer from 0 to 18446744073709551615")):
        proc = subprocess.run([REFEREE, "run", "--data", str(data), "--policy",
                               str(examples / "gate.json"), "--report", str(tmp_path / "r.json"), option, value],
                              capture_output=True, text=True)
        assert proc.returncode == 64 and rule in proc.stderr, proc.stderr
        assert_clean(proc.stderr + proc.stdout)
        assert not (tmp_path / "r.json").exists()


def test_a_policy_threshold_outside_zero_one_is_a_policy_error():
    for threshold in (-0.5, 1.5):
        with pytest.raises(referee.PolicyError, match=r"\$\.threshold must be within \[0, 1\]"):
            referee.evaluate(table(), dict(POLICY, threshold=threshold))


# --- Python: Ctrl-C arrives promptly ------------------------------------------------------

LONG_RUN = r'''
import sys, numpy as np, referee
rng = np.random.default_rng(0)
n = 200_000
data = {"y": rng.integers(0, 2, n).astype(float), "a": rng.random(n), "b": rng.random(n)}
policy = {"version": 1, "task": "binary", "columns": {"label": "y", "champion": "a", "challenger": "b"},
          "bootstrap": {"resamples": 200000, "interval": "percentile"},
          "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.01}]}
print("start", flush=True)
try:
    referee.evaluate(data, policy, threads=1, progress=sys.argv[1] == "progress")
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
print("finished", flush=True)
'''


@pytest.mark.parametrize("progress", ["quiet", "progress"])
def test_ctrl_c_interrupts_a_long_evaluation_promptly(progress):
    # 200,000 resamples of 200,000 rows on one thread take minutes (about 1.4 ms each here);
    # the interrupt must end the call within seconds, with or without a progress callback.
    child = subprocess.Popen([sys.executable, "-c", LONG_RUN, progress], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "start"
        time.sleep(1.0)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 130 and out.strip() == "interrupted"
    assert time.monotonic() - sent < 10


# --- Python: paths as str, bytes or PathLike; text that is not UTF-8 ----------------------

def test_a_path_may_be_str_bytes_or_pathlike(examples):
    expected = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json").to_dict()["metrics"]
    for data in (str(examples / "credit_eval_small.csv"), os.fsencode(examples / "credit_eval_small.csv")):
        for policy in (str(examples / "gate.json"), os.fsencode(examples / "gate.json"), examples / "gate.json"):
            assert referee.evaluate(data, policy).to_dict()["metrics"] == expected


def test_a_path_that_is_not_utf8_never_raises_a_unicode_error(examples, tmp_path):
    missing = os.path.join(os.fsencode(tmp_path), b"mis\xffsing.csv")
    with pytest.raises(referee.IoError) as e:
        referee.evaluate(missing, examples / "gate.json")
    assert "mis\\xffsing.csv" in str(e.value)  # escaped, never the raw byte nor a decode error
    with pytest.raises(referee.IoError, match=r"\\xff"):
        referee.Policy.load(os.path.join(os.fsencode(tmp_path), b"\xff.json"))
    # An existing file under such a name is read (or refused as referee refuses it): never a
    # crash, a UnicodeError or a TypeError.
    odd = os.path.join(os.fsencode(tmp_path), b"ev\xffal.csv")
    shutil.copy(examples / "credit_eval_small.csv", odd)
    for path in (odd, os.fsdecode(odd)):
        try:
            referee.evaluate(path, examples / "gate.json")
        except referee.RefereeError as error:
            assert isinstance(str(error), str)
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"ev\xffal.csv"]


@pytest.mark.parametrize("text", [b'{"version": 1, "name": "\xff"}', '{"version": 1, "name": "\udcff"}'])
def test_a_policy_that_is_not_utf8_is_a_policy_error(text):
    with pytest.raises(referee.PolicyError, match="not valid UTF-8"):
        referee.Policy.from_json(text)


def test_a_policy_file_that_is_not_utf8_is_a_policy_error(tmp_path):
    path = tmp_path / "gate.json"
    path.write_bytes(json.dumps(POLICY).replace('"auc"', '"a\\u00e9"').encode().replace(b"\\u00e9", b"\xe9"))
    with pytest.raises(referee.PolicyError, match="not valid UTF-8"):
        referee.evaluate(table(), path)


@pytest.mark.parametrize("text,match", [
    ('{"version": 1, "a": ' + "[" * 100_000, "max_json_depth"),
    ('{"version": 1, "task": "binary", "bootstrap": {"resamples": 1e999}}', "range"),
    ('{"version": 1, "threshold": 0.1, "threshold": 0.9}', "threshold"),
], ids=["deep", "1e999", "duplicate"])
def test_hostile_policy_text_is_a_policy_error(text, match):
    with pytest.raises(referee.PolicyError, match=match) as e:
        referee.Policy.from_json(text)
    assert len(str(e.value)) < 1000


# --- Python: limits= by the core's one name table -----------------------------------------

@pytest.mark.parametrize("limits,match", [
    ({"max_rulez": 3}, r'unknown limit "max_rulez" \(did you mean "max_rules"\?\)'),
    ({"max_rules": 0}, 'limit "max_rules" must be a positive integer'),
    ({"max_rules": -1}, 'limit "max_rules" must be a positive integer'),
    ({"max_rules": True}, 'limit "max_rules" must be a positive integer'),
    ({"max_rules": 2.0}, 'limit "max_rules" must be a positive integer'),
    ({"max_rules": "5"}, 'limit "max_rules" must be a positive integer'),
    ({3: 5}, "each name must be a str"),
    ([("max_rules", 5)], "limits must be a dict"),
])
def test_bad_limits_are_usage_errors(limits, match):
    with pytest.raises(referee.UsageError, match=match):
        referee.evaluate(table(), POLICY, limits=limits)


def test_limits_reach_the_policy_the_csv_reader_and_the_outputs(examples, tmp_path):
    with pytest.raises(referee.PolicyError, match="max_rules"):
        referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", limits={"max_rules": 2})
    with pytest.raises(referee.PolicyError, match="max_rules"):
        referee.Policy.load(examples / "gate.json", limits={"max_rules": 2})
    data = secret_csv(tmp_path / "eval.csv", examples)
    with pytest.raises(referee.DataError, match="max_field_bytes") as e:
        referee.evaluate(data, examples / "gate.json", limits={"max_field_bytes": 8})
    assert_clean(str(e.value))
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json")
    target = tmp_path / "report.json"
    target.write_text("previous")
    with pytest.raises(referee.DataError, match="max_report_bytes"):
        report.save(target, limits={"max_report_bytes": 100})
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eval.csv", "report.json"]
    # A lowered cap refuses what the default lets through: POLICY nests 3 deep ({"rules": [{}]}).
    assert referee.evaluate(table(), POLICY).verdict
    with pytest.raises(referee.PolicyError, match="max_json_depth"):
        referee.evaluate(table(), POLICY, limits={"max_json_depth": 2})
    with pytest.raises(referee.UsageError, match="max_json_depth"):
        referee.testing.assert_verdict(referee.Policy.from_json(json.dumps(POLICY)), table(),
                                       {"rules": {"auc": "PASS"}}, limits={"max_json_depth": 1})


def test_report_save_into_a_missing_folder_is_an_io_error_naming_the_destination(tmp_path):
    report = referee.evaluate(table(), POLICY)
    with pytest.raises(referee.IoError) as e:
        report.save(tmp_path / "missing" / "report.json")
    assert "missing/report.json" in str(e.value) and ".tmp" not in str(e.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("expected,match", [
    ('{"expect": "PASS", "expect": "FAIL"}', "expect"),
    ('{"expect": 1e999}', "range"),
    ('{"rules": ' + "[" * 100_000, "max_json_depth"),
    (b'{"expect": "\xff"}', "UTF-8"),
], ids=["duplicate", "1e999", "deep", "not-utf8"])
def test_expected_is_read_by_the_checked_reader(examples, expected, match):
    policy = referee.Policy.load(examples / "gate.json")
    with pytest.raises(referee.UsageError, match=match):
        _core.parse_case_expectation(policy, expected)


# --- SageMaker: every failure a code and a message, never a traceback ---------------------

@pytest.fixture
def job(monkeypatch, tmp_path, examples):
    """A Processing tree under tmp_path with gate-budgets.json (and its reference) in the
    policy channel and an empty data channel; returns the root."""
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(tmp_path))
    (tmp_path / "processing/input/data").mkdir(parents=True)
    policy = tmp_path / "processing/input/policy"
    policy.mkdir(parents=True)
    shutil.copy(examples / "gate-budgets.json", policy)
    shutil.copy(examples / "reference_sample.csv", policy)
    return tmp_path


def run_job(root, capsys, argv=(), code=None):
    """Runs the entrypoint; returns (exit code, message file text or None). Asserts that an
    error left no output but the message, and that nothing planted reached a message."""
    previous = root / "processing/output/evaluation"
    result = sagemaker.main(list(argv))
    captured = capsys.readouterr()
    message_file = root / "output/message"
    message = message_file.read_text(encoding="utf-8") if message_file.exists() else None
    if code is not None:
        assert result == code, message
    if result not in (0, 1, 2):
        assert message and message.startswith("referee: ") and len(message.encode()) < 1024
        assert not previous.exists() or sorted(p.name for p in previous.iterdir()) == ["evaluation.json"]
        assert_clean(message)
        assert_clean(captured.err)
        assert "Traceback" not in captured.err
    return result, message


def write_csv(path, examples, **cells):
    path.parent.mkdir(parents=True, exist_ok=True)
    return secret_csv(path, examples, **cells)


@pytest.mark.parametrize("argv,rule", [
    (["--threads", "0"], "threads must be from 1 to 1024"),
    (["--threads", "1025"], "threads must be from 1 to 1024"),
    (["--seed", "-1"], "seed must be an integer"),
    (["--seed", "1.5"], "seed must be an integer"),
    (["--seed", str(2**64)], "seed must be an integer"),
    (["--limit", "max_rulez=3"], "unknown limit"),
    (["--limit", "max_rules"], "NAME=VALUE"),
    (["--limit", "max_rules=0"], "positive integer"),
    (["--no-such-option"], "invalid arguments"),
])
def test_bad_arguments_exit_64_with_a_message(job, examples, capsys, argv, rule):
    write_csv(job / "processing/input/data/eval.csv", examples)
    _, message = run_job(job, capsys, argv, code=64)
    assert message.startswith("referee: usage: ") and rule in message


def test_a_failed_job_replaces_no_earlier_output(job, examples, capsys):
    output = job / "processing/output/evaluation"
    output.mkdir(parents=True)
    (output / "evaluation.json").write_text("earlier")
    write_csv(job / "processing/input/data/eval.csv", examples, score_new=SECRET)
    run_job(job, capsys, code=65)
    assert (output / "evaluation.json").read_text() == "earlier"


@pytest.mark.parametrize("line,what", [
    ("[1, 2]", "record must be an object"), ('"SECRET-4242"', "record must be an object"),
    ("4242", "record must be an object"), ("null", "record must be an object"), ('{"y": "SECRET-4242"', "not a valid JSON value"),
    ("[" * 100_000, "not a valid JSON value"),
], ids=["array", "string", "number", "null", "truncated", "deep"])
def test_a_json_lines_line_that_is_not_an_object_is_bad_data(job, examples, capsys, line, what):
    data = job / "processing/input/data"
    record = {"y": 1, "score_prod": 0.4, "score_new": 0.5}
    (data / "part-1.jsonl").write_text(json.dumps(record) + "\n\n" + line + "\n")
    _, message = run_job(job, capsys, code=65)
    assert "part-1.jsonl: line 3: " in message and what in message


def test_a_json_lines_part_that_is_not_utf8_is_bad_data(job, capsys):
    (job / "processing/input/data/p.jsonl").write_bytes(b'{"y": 1}\n{"y": "SECRET-4242\xff"}\n')
    _, message = run_job(job, capsys, code=65)
    assert "p.jsonl: line 2: not valid UTF-8" in message


def test_a_policy_that_is_not_utf8_exits_65(job, examples, capsys):
    write_csv(job / "processing/input/data/eval.csv", examples)
    policy = job / "processing/input/policy/gate-budgets.json"
    policy.write_bytes(policy.read_bytes().replace(b"credit-risk", b"cr\xe9dit"))
    _, message = run_job(job, capsys, code=65)
    assert message.startswith("referee: policy: ") and "UTF-8" in message


def test_a_missing_channel_exits_74(job, examples, capsys):
    shutil.rmtree(job / "processing/input/data")
    _, message = run_job(job, capsys, code=74)
    assert "data" in message and "does not exist" in message
    write_csv(job / "processing/input/data/eval.csv", examples)
    shutil.rmtree(job / "processing/input/policy")
    _, message = run_job(job, capsys, code=74)
    assert "policy" in message


def test_an_unexpected_python_error_exits_70_and_ctrl_c_130(job, examples, capsys, monkeypatch):
    write_csv(job / "processing/input/data/eval.csv", examples)

    def boom(*args, **kwargs):
        raise RuntimeError(f"a library quoting the data: {SECRET}")

    monkeypatch.setattr(sagemaker, "evaluate", boom)
    _, message = run_job(job, capsys, code=70)
    assert message == "referee: internal: RuntimeError\n"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sagemaker, "evaluate", interrupted)
    _, message = run_job(job, capsys, code=130)
    assert message.startswith("referee: interrupted")


def test_every_part_of_an_s3_prefix_is_read_in_sorted_path_order(job, examples, capsys):
    # Outside fact: the rows written into the parts, in the order of their sorted paths,
    # are exactly the single file's rows, so the figures must equal the single file's.
    lines = (examples / "credit_eval.csv").read_text().splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    cut = [0, 1000, 2500, 4000, len(rows)]
    names = ["2024/01/part-0.csv", "2024/02/part-1.csv", "2024/02/sub/part-2.csv", "2025/part-3.csv"]
    data = job / "processing/input/data"
    for name, lo, hi in zip(names, cut, cut[1:]):
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(header + "".join(rows[lo:hi]))
    # Markers and scratch that S3, Spark and editors leave are no data.
    (data / "_SUCCESS").write_text("")
    (data / "2024/.part-0.csv.crc").write_text(SECRET)
    (data / "_temporary/0").mkdir(parents=True)
    (data / "_temporary/0/part-9.csv").write_text(header + rows[0])
    run_job(job, capsys, code=0)
    report = json.loads((job / "processing/output/evaluation/report.json").read_text())
    single = referee.evaluate(examples / "credit_eval.csv", examples / "gate-budgets.json").to_dict()
    assert report["data"]["rows"] == len(rows)
    assert report["metrics"] == single["metrics"]


def test_a_part_that_lacks_a_column_is_named(job, examples, capsys):
    data = job / "processing/input/data"
    write_csv(data / "a/part-0.csv", examples)
    lines = (examples / "credit_eval_small.csv").read_text().splitlines()
    header = lines[0].split(",")
    keep = [i for i, name in enumerate(header) if name != "score_new"]
    (data / "b").mkdir()
    (data / "b/part-1.csv").write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n")
    _, message = run_job(job, capsys, code=65)
    assert 'b/part-1.csv has no column "score_new"' in message


def test_a_file_of_another_kind_in_a_subfolder_is_refused_by_name(job, examples, capsys):
    write_csv(job / "processing/input/data/a/part-0.csv", examples)
    (job / "processing/input/data/a/manifest.txt").write_text(SECRET)
    _, message = run_job(job, capsys, code=64)
    assert "a/manifest.txt is not CSV, JSON Lines or Parquet" in message


@pytest.mark.parametrize("column,text", [
    ("score_new", SECRET), ("score_new", '"SECRET-4242"'), ("y", NUMBER), ("y", "0.4242"), ("w", "-4242.5"),
    ("score_new", "4242.25"), ("lat_new_ms", "-4242"), ("cost_new", "-4242e0"), ("err_new", NUMBER),
    ("income", SECRET + "x"),
])
@pytest.mark.parametrize("layout", ["one file", "two parts"])
def test_no_data_value_reaches_the_message(job, examples, capsys, column, text, layout):
    data = job / "processing/input/data"
    path = write_csv(data / "eval.csv", examples, **{column: text})
    if layout == "two parts":
        lines = path.read_text().splitlines(keepends=True)
        (data / "p-1.csv").write_text("".join(lines[:3]))
        (data / "p-2.csv").write_text(lines[0] + "".join(lines[3:]))
        path.unlink()
    code, message = run_job(job, capsys)
    assert code in (0, 65), message
    if code == 65:
        assert message.startswith("referee: data: ")


def test_a_headerless_file_does_not_show_its_first_row(job, examples, capsys):
    path = write_csv(job / "processing/input/data/eval.csv", examples)
    path.write_text("".join(path.read_text().splitlines(keepends=True)[1:]))
    _, message = run_job(job, capsys, code=65)
    assert "header" in message


def test_limit_reaches_the_core(job, examples, capsys):
    write_csv(job / "processing/input/data/eval.csv", examples)
    _, message = run_job(job, capsys, ["--limit", "max_field_bytes=8"], code=65)
    assert "max_field_bytes" in message
    _, message = run_job(job, capsys, ["--limit", "max_rules=2"], code=65)
    assert message.startswith("referee: policy: ") and "max_rules" in message
    run_job(job, capsys, ["--limit", "max_rules=100", "--limit", "max_field_bytes=4096"], code=0)


def test_evaluation_json_is_written_last(job, examples, capsys, monkeypatch):
    shutil.copy(examples / "credit_eval.csv", job / "processing/input/data/eval.csv")
    order = []
    real = _core.write_outputs

    def spy(files, limits=None):
        order.extend(name for name, _, _ in files)
        return real(files, limits)

    monkeypatch.setattr(_core, "write_outputs", spy)
    run_job(job, capsys, code=0)
    assert order[-1] == "evaluation.json" and len(order) == 5


def test_a_data_folder_whose_name_is_not_utf8_is_read_and_named_escaped(job, examples, capsys):
    folder = os.path.join(os.fsencode(job), b"d\xffata")
    os.mkdir(folder)
    path = write_csv(job / "whole.csv", examples, score_new="SECRET-4242")
    lines = path.read_text().splitlines(keepends=True)
    path.unlink()
    with open(os.path.join(folder, b"p-1.csv"), "w") as f:
        f.write("".join(lines[:3]))
    with open(os.path.join(folder, b"p-2.csv"), "w") as f:
        f.write(lines[0] + "".join(lines[3:]))
    _, message = run_job(job, capsys, ["--data", os.fsdecode(folder)], code=65)
    assert "d\\xffata: row 5" in message and 'column "score_new"' in message
