"""The Python layer reads the core's tables instead of keeping copies: the metric catalogue,
the verdict names, colours and exit codes, the number parser of the CSV reader."""

import json
import re
import shutil
import subprocess

import numpy as np
import pytest

import referee
from referee import _core
from referee._api import _task_of


def test_the_catalogue_is_the_report_order_and_metric_reads_it(examples):
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json").to_dict()
    binary = [name for name, task, _ in _core.METRIC_CATALOGUE if task == "binary"]
    assert list(report["metrics"]["challenger"]) == binary
    assert {task for _, task, _ in _core.METRIC_CATALOGUE} == {"binary", "regression", "outcome", "multiclass", "ranking"}
    assert dict((n, h) for n, _, h in _core.METRIC_CATALOGUE)["log_loss"] is False
    assert _task_of("r2") == "regression" and _task_of("roc_auc") == "binary"
    assert _task_of("quantile@0.9") == "outcome"
    with pytest.raises(referee.UsageError, match='"rocauc" is not a known metric \\(did you mean "roc_auc"\\?\\)'):
        _task_of("rocauc")


def test_verdict_names_colours_and_exit_codes_come_from_the_core(examples, tmp_path):
    assert _core.VERDICTS == ("PASS", "WARN", "FAIL", "INCONCLUSIVE", "SKIPPED")
    assert set(_core.VERDICT_COLOURS) == set(_core.VERDICT_EXIT_CODES) == set(_core.VERDICTS)
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json")
    assert report.verdict == "INCONCLUSIVE"
    # The notebook view and the HTML report give the verdict the same colour.
    colour = _core.VERDICT_COLOURS["INCONCLUSIVE"]
    assert f'class="banner" style="background:{colour}"' in report.to_html()
    assert f'class="banner" style="background:{colour}">referee: INCONCLUSIVE' in report._repr_html_()
    # The CLI exits with the verdict's code from the same table.
    proc = subprocess.run([shutil.which("referee"), "run", "--data", str(examples / "credit_eval_small.csv"),
                           "--policy", str(examples / "gate.json")], capture_output=True, text=True)
    assert proc.returncode == _core.VERDICT_EXIT_CODES["INCONCLUSIVE"] == 2


@pytest.mark.parametrize("args, error", [
    (["run", "--data"], referee.UsageError),
    (["run", "--data", "x.csv", "--policy", "{policy}"], referee.PolicyError),
    (["run", "--data", "{missing}", "--policy", "{good}"], referee.IoError),
])
def test_each_error_class_carries_the_cli_exit_code_of_its_kind(examples, tmp_path, args, error):
    bad_policy = tmp_path / "bad.json"
    bad_policy.write_text(json.dumps({"version": 1}))
    values = {"policy": str(bad_policy), "missing": str(tmp_path / "missing.csv"), "good": str(examples / "gate.json")}
    proc = subprocess.run([shutil.which("referee"), *[a.format(**values) for a in args]], capture_output=True)
    assert proc.returncode == error.exit_code
    assert (referee.RefereeError.exit_code, referee.DataError.exit_code, referee.UsageError.exit_code,
            referee.CancelledError.exit_code) == (70, 65, 64, 130)


def test_parse_numbers_reads_cells_as_the_csv_reader_does():
    numbers = _core.parse_numbers([" 0.5", "+1", "-2e-3\t", "1e-400", "7"], "x", "memory")
    assert numbers.dtype == np.float64 and numbers.tolist() == [0.5, 1.0, -0.002, 0.0, 7.0]
    assert _core.parse_numbers(np.array(["1", "2"], dtype=object), "x", "memory").tolist() == [1.0, 2.0]
    assert _core.parse_numbers([], "x", "memory").shape == (0,)
    for cell, what in [("0_1", "value is not a number"), ("1 000", "value is not a number"),
                       ("0x10", "value is not a number"), ("nan", "value is not a finite number"),
                       ("inf", "value is not a finite number"), ("1e999", "value is not a finite number"),
                       ("", "missing value"), ("  ", "missing value")]:
        with pytest.raises(referee.DataError) as error:
            _core.parse_numbers(["1", "2", cell], "score", "data/")
        assert str(error.value) == f'data/: row 3, column "score": {what}'
    with pytest.raises(TypeError, match=re.escape('data/: row 2, column "score": cells must be str, not float')):
        _core.parse_numbers(["1", 2.0], "score", "data/")
