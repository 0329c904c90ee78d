"""referee.verify and Report.save(attestation=...): a stored report reproduced or told
apart at its JSON path; every digest checked against hashlib, an outside oracle."""

import hashlib
import json

import pytest

import referee


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def stored(examples, tmp_path):
    model = tmp_path / "model.pkl"
    model.write_bytes(b"weights")
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json", threads=1)
    report.save(tmp_path / "report.json", attestation=tmp_path / "statement.json",
                subjects={"model.pkl": "sha256:" + sha256(model)})
    return tmp_path, model


def test_a_fresh_report_verifies_at_another_thread_count(examples, stored):
    tmp, _ = stored
    result = referee.verify(tmp / "report.json", data=examples / "credit_eval_small.csv",
                            policy=examples / "gate.json", threads=2, attestation=tmp / "verified.json")
    assert result.verified and bool(result) and result.path is None
    statement = json.loads((tmp / "verified.json").read_text())
    assert statement["predicate"]["reproduced"] is True
    assert statement["predicate"]["report"]["digest"]["sha256"] == sha256(tmp / "report.json")


def test_the_statement_names_every_artifact_by_its_digest(examples, stored):
    tmp, model = stored
    statement = json.loads((tmp / "statement.json").read_text())
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    digests = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    rows = digests.pop("credit_eval_small.csv#rows")  # the rows digest: tests/python/test_data_digest.py
    assert rows == json.loads((tmp / "report.json").read_text())["data"]["sha256"]
    assert digests == {"credit_eval_small.csv": sha256(examples / "credit_eval_small.csv"),
                       "gate.json": sha256(examples / "gate.json"), "model.pkl": sha256(model)}
    assert statement["predicate"]["report"]["digest"]["sha256"] == sha256(tmp / "report.json")
    assert statement["predicate"]["reproduced"] is False


def test_an_edited_figure_is_named_by_its_path(examples, stored):
    tmp, _ = stored
    report = json.loads((tmp / "report.json").read_text())
    now = report["rules"][0]["estimate"]
    report["rules"][0]["estimate"] = now + 0.001
    (tmp / "edited.json").write_text(json.dumps(report, indent=2) + "\n")
    result = referee.verify(tmp / "edited.json", data=examples / "credit_eval_small.csv",
                            policy=examples / "gate.json", attestation=tmp / "never.json")
    assert not result.verified
    assert result.path == "$.rules[0].estimate"
    assert result.now == json.dumps(now)
    assert result.message.startswith("$.rules[0].estimate: stored ")
    assert not (tmp / "never.json").exists()


def test_a_file_that_is_no_report_is_a_data_error(examples, tmp_path):
    (tmp_path / "other.json").write_text('{"note": "SECRET-4242"}')
    with pytest.raises(referee.DataError, match="other.json: is not a referee report") as error:
        referee.verify(tmp_path / "other.json", data=examples / "credit_eval_small.csv",
                       policy=examples / "gate.json")
    assert "SECRET-4242" not in str(error.value)


def test_a_bad_subject_is_a_usage_error_and_nothing_is_written(examples, tmp_path):
    report = referee.evaluate(examples / "credit_eval_small.csv", examples / "gate.json")
    with pytest.raises(referee.UsageError, match="NAME=sha256:HEX"):
        report.save(tmp_path / "r.json", attestation=tmp_path / "s.json", subjects={"m": "sha256:ABC"})
    assert list(tmp_path.iterdir()) == []
