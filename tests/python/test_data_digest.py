"""The rows digest ($.data.sha256): the same rows give the same digest whatever the door
(the CLI reading a CSV, a pandas DataFrame with object or category text, a pyarrow Table,
a dict of numpy arrays). The oracle is the encoding docs/audit.md documents, recomputed
here with hashlib and struct, not referee's own output; a file's bytes are checked
against hashlib too."""

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import referee
from test_row_ids import keyed_rows_digest

REFEREE = shutil.which("referee", path=os.path.dirname(sys.executable)) or shutil.which("referee")

POLICY = {
    "version": 1,
    "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w", "segments": ["seg"]},
    "bootstrap": {"resamples": 200, "seed": 11},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05}],
}


# With a cluster key the rows are keyed by it: "referee unit rows v1" (test_row_ids.py's oracle).
CLUSTERED = {**POLICY, "columns": {**POLICY["columns"], "cluster": "cid"}}


def rows_digest(columns, rows):
    """docs/audit.md, "The rows digest": S(x) = u64 LE byte length || UTF-8 bytes;
    S("referee rows v1") || u64 rows || u64 columns, then per column S(name), a kind byte
    ('n': little-endian float64 per row; 't': S(text) per row)."""
    h = hashlib.sha256()

    def text(s):
        b = s.encode("utf-8")
        h.update(struct.pack("<Q", len(b)) + b)

    text("referee rows v1")
    h.update(struct.pack("<QQ", rows, len(columns)))
    for name, values in columns:
        text(name)
        if isinstance(values[0], str):
            h.update(b"t")
            for v in values:
                text(v)
        else:
            h.update(b"n")
            h.update(struct.pack(f"<{rows}d", *[float(v) for v in values]))
    return h.hexdigest()


def make_frame(n=300, seed=4):
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, 0.4, size=n)
    a = (1 / (1 + np.exp(-(y + rng.normal(size=n) - 0.5)))).round(6)
    b = (1 / (1 + np.exp(-(1.2 * y + rng.normal(size=n) - 0.5)))).round(6)
    return pd.DataFrame({
        "y": y,  # int64: the core reads doubles
        "a": a, "b": b,
        "w": rng.integers(1, 3, size=n),  # int64 weights
        "cid": [f"C{int(k):03d}" for k in rng.integers(0, 60, size=n)],
        "seg": rng.choice(["north", "south", "west", "é-east"], size=n),
        "unused": rng.normal(size=n),  # not read by the policy: not hashed
    })


def oracle(frame, policy=POLICY):
    c = policy["columns"]
    names = [c["label"], c["champion"], c["challenger"], c["weight"], *c["segments"]]
    return rows_digest([(name, list(frame[name])) for name in names], len(frame))


def digest_of(data, policy=POLICY):
    return referee.evaluate(data, policy, threads=1).to_dict()["data"]


@pytest.fixture(scope="module")
def frame():
    return make_frame()


@pytest.fixture(scope="module")
def csv_path(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("digest") / "eval.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.skipif(REFEREE is None, reason="the referee CLI is not on PATH")
def test_the_cli_records_the_rows_digest_and_the_file_bytes(frame, csv_path, tmp_path):
    policy = tmp_path / "gate.json"
    policy.write_text(json.dumps(POLICY))
    report = tmp_path / "report.json"
    subprocess.run([REFEREE, "run", "--data", str(csv_path), "--policy", str(policy), "--report", str(report),
                    "--threads", "1", "--quiet"], capture_output=True, check=False)
    data = json.loads(report.read_text())["data"]
    assert data["sha256"] == oracle(frame)
    assert data["sha256_of"] == "rows"
    assert data["file_sha256"] == hashlib.sha256(csv_path.read_bytes()).hexdigest()


def test_every_python_door_gives_the_csvs_digest(frame, csv_path):
    expected = oracle(frame)
    from_csv = digest_of(csv_path)
    assert from_csv["sha256"] == expected
    assert from_csv["file_sha256"] == hashlib.sha256(csv_path.read_bytes()).hexdigest()
    categories = sorted(set(frame["seg"]), reverse=True) + ["never-seen"]  # another order, one unused
    doors = {
        "DataFrame, object text": frame,
        "DataFrame, category": frame.assign(seg=pd.Categorical(frame["seg"], categories=categories)),
        "DataFrame, float columns": frame.assign(y=frame["y"].astype(float), w=frame["w"].astype(float)),
        "dict of numpy arrays": {name: frame[name].to_numpy() for name in frame.columns},
    }
    pa = pytest.importorskip("pyarrow")
    doors["pyarrow Table"] = pa.Table.from_pandas(frame, preserve_index=False)
    doors["pyarrow Table, dictionary"] = pa.Table.from_pandas(
        frame.assign(seg=frame["seg"].astype("category")), preserve_index=False)
    for door, data in doors.items():
        got = digest_of(data)
        assert (door, got["sha256"], got["sha256_of"], got["file_sha256"]) == (door, expected, "rows", None)


def test_one_cell_or_the_row_order_changes_the_digest(frame):
    before = oracle(frame)
    edited = frame.copy()
    edited.loc[5, "seg"] = "north" if edited.loc[5, "seg"] != "north" else "south"
    assert digest_of(edited)["sha256"] == oracle(edited) != before
    nudged = frame.copy()
    nudged.loc[7, "b"] = np.nextafter(nudged.loc[7, "b"], 1.0)  # one ulp
    assert digest_of(nudged)["sha256"] == oracle(nudged) != before
    reversed_rows = frame.iloc[::-1].reset_index(drop=True)
    assert digest_of(reversed_rows)["sha256"] == oracle(reversed_rows) != before
    # A column the policy does not read is not part of the rows.
    assert digest_of(frame.assign(unused=0.0))["sha256"] == before


def test_a_text_label_is_hashed_as_the_labels_the_table_holds(frame):
    policy = json.loads(json.dumps(POLICY))
    policy["columns"]["positive_label"] = "bad"
    texts = frame.assign(y=np.where(frame["y"] == 1, "bad", "good"))
    assert digest_of(texts, policy)["sha256"] == oracle(frame, policy)  # "bad" -> 1.0, "good" -> 0.0


def test_the_statement_names_the_rows_and_the_file(frame, csv_path, tmp_path):
    report = referee.evaluate(csv_path, POLICY, threads=1)
    report.save(tmp_path / "report.json", attestation=tmp_path / "statement.json")
    statement = json.loads((tmp_path / "statement.json").read_text())
    rows, file = statement["subject"][:2]
    assert (rows["name"], rows["digest"]["sha256"], rows["annotations"]["sha256_of"]) == (
        "eval.csv#rows", oracle(frame), "rows")
    assert (file["name"], file["digest"]["sha256"], file["annotations"]["sha256_of"]) == (
        "eval.csv", hashlib.sha256(csv_path.read_bytes()).hexdigest(), "file bytes")
    assert statement["predicate"]["data"]["sha256"] == oracle(frame)


def test_a_report_from_a_file_is_reproduced_from_a_dataframe_of_its_rows(frame, csv_path, tmp_path):
    referee.evaluate(csv_path, POLICY, threads=1).save(tmp_path / "report.json")
    assert referee.verify(tmp_path / "report.json", data=frame, policy=POLICY).verified
    edited = frame.copy()
    edited.loc[0, "seg"] = "south" if edited.loc[0, "seg"] != "south" else "north"
    result = referee.verify(tmp_path / "report.json", data=edited, policy=POLICY)
    assert not result.verified and result.path is not None


def unit_oracle(frame):
    numeric = [(name, list(frame[name])) for name in ("y", "a", "b", "w")]
    text = [(name, list(frame[name])) for name in ("cid", "seg")]
    return keyed_rows_digest(numeric, text, None, units=list(frame["cid"]))


def test_a_cluster_key_keys_the_digest_by_unit_in_every_door(frame, csv_path):
    expected = unit_oracle(frame)
    shuffled = frame.sample(frac=1.0, random_state=2).reset_index(drop=True)
    pa = pytest.importorskip("pyarrow")
    doors = {"CSV": csv_path, "DataFrame": frame, "shuffled DataFrame": shuffled,
             "dict of numpy arrays": {name: shuffled[name].to_numpy() for name in shuffled.columns},
             "pyarrow Table": pa.Table.from_pandas(shuffled, preserve_index=False)}
    for door, data in doors.items():
        got = digest_of(data, CLUSTERED)
        assert (door, got["sha256"], got["sha256_of"]) == (door, expected, "rows_by_unit")
    edited = frame.copy()
    edited.loc[0, "cid"] = "C999"
    assert digest_of(edited, CLUSTERED)["sha256"] == unit_oracle(edited) != expected
