"""Row ids ($.columns.id): the same rows in any order give the same report outside "run",
whatever the door (a DataFrame, a dict of numpy arrays, a CSV read by the core, the CLI);
an id's text is the same from a CSV cell "42", an int64 42 and a float 42.0. The keyed rows
digest is recomputed with hashlib from its description in docs/audit.md ("The keyed rows
digest"), not from referee's output."""

import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import referee

REFEREE = shutil.which("referee", path=os.path.dirname(sys.executable)) or shutil.which("referee")

POLICY = {
    "version": 1,
    "task": "binary",
    "columns": {"label": "y", "champion": "a", "challenger": "b", "weight": "w", "id": "txn"},
    "bootstrap": {"resamples": 200, "seed": 11, "interval": "bca"},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.05},
              {"id": "ll", "metric": "log_loss", "subject": "delta", "max": 0.5}],
}

M64 = (1 << 64) - 1


def hash_key(text):
    """docs/audit.md: FNV-1a 64 over the UTF-8 bytes, then the splitmix64 finaliser."""
    h = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x100000001B3) & M64
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & M64
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & M64
    return h ^ (h >> 31)


def keyed_rows_digest(numeric, text, ids, units=None):
    """docs/audit.md, "The keyed rows digest". numeric and text: [(name, values)] in the
    policy's column order (numbers, then text; the id column is among the text). units:
    each row's cluster text, when the rows are clustered (its key picks the bucket).
    ids None: "The unit rows digest" (units required): no id in a row, and rows by (unit
    key, values: a number by its binary64 bits as an unsigned integer, a text by its bytes)."""
    def s(x):
        b = x.encode("utf-8")
        return struct.pack("<Q", len(b)) + b

    def bits_of(v):
        return struct.unpack("<Q", struct.pack("<d", float(v)))[0]

    n = len(ids if ids is not None else units)
    bits = min(max(n.bit_length() - 11, 0), 24)
    unit_keys = [hash_key(u) for u in (units if units is not None else ids)]
    if ids is None:
        order = sorted(range(n), key=lambda r: (unit_keys[r], *(bits_of(v[r]) for _, v in numeric),
                                                *(v[r].encode("utf-8") for _, v in text)))
    else:
        keys = [hash_key(i) for i in ids]
        order = sorted(range(n), key=lambda r: (keys[r], ids[r].encode("utf-8")))
    buckets = {}
    for r in order:
        row = (s(ids[r]) if ids is not None else b"") + b"".join(struct.pack("<d", float(v[r])) for _, v in numeric)
        row += b"".join(s(v[r]) for _, v in text)
        buckets.setdefault(unit_keys[r] >> (64 - bits) if bits else 0, []).append(row)
    out = hashlib.sha256()
    out.update(s("referee keyed rows v1" if ids is not None else "referee unit rows v1")
               + struct.pack("<QQ", n, len(numeric) + len(text)))
    for name, _ in numeric:
        out.update(s(name) + b"n")
    for name, _ in text:
        out.update(s(name) + b"t")
    for b in sorted(buckets):
        out.update(struct.pack("<QQ", b, len(buckets[b])) + hashlib.sha256(b"".join(buckets[b])).digest())
    return out.hexdigest()


def make_frame(n=600, seed=3):
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, 0.4, size=n)
    return pd.DataFrame({
        "txn": rng.permutation(n) * 7 + 100000,  # int64 ids, unique
        "y": y,
        "a": 1 / (1 + np.exp(-(y + rng.normal(size=n) - 0.5))),
        "b": 1 / (1 + np.exp(-(1.3 * y + rng.normal(size=n) - 0.5))),
        "w": rng.integers(1, 4, size=n),
        "cust": [f"c{k}" for k in rng.integers(0, 40, size=n)],
    })


def outside_run(report):
    d = report.to_dict()
    d.pop("run")
    d["data"].pop("file")
    d["data"].pop("file_sha256")
    return d


def evaluate(data, policy=POLICY):
    return referee.evaluate(data, policy, threads=2)


@pytest.fixture(scope="module")
def frame():
    return make_frame()


@pytest.mark.parametrize("cluster", [False, True])
def test_a_shuffled_dataframe_gives_the_same_report(frame, cluster):
    policy = json.loads(json.dumps(POLICY))
    if cluster:
        policy["columns"]["cluster"] = "cust"
    base = outside_run(evaluate(frame, policy))
    shuffled = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)
    assert outside_run(evaluate(shuffled, policy)) == base
    as_dict = {name: shuffled[name].to_numpy() for name in shuffled.columns}
    assert outside_run(evaluate(as_dict, policy)) == base
    assert base["data"]["sha256_of"] == "rows_by_id"
    assert base["data"]["units"] == (frame["cust"].nunique() if cluster else len(frame))


def test_without_an_id_row_order_matters(frame):
    # The converse, so that the test above could fail: rows keyed by their position.
    policy = json.loads(json.dumps(POLICY))
    del policy["columns"]["id"]
    shuffled = frame.sample(frac=1.0, random_state=5).reset_index(drop=True)
    assert outside_run(evaluate(frame, policy)) != outside_run(evaluate(shuffled, policy))


def test_int_float_and_csv_text_ids_are_one_id(frame, tmp_path):
    base = outside_run(evaluate(frame))
    as_float = frame.assign(txn=frame["txn"].astype(np.float64))
    as_text = frame.assign(txn=frame["txn"].astype(str))
    assert outside_run(evaluate(as_float)) == base
    assert outside_run(evaluate(as_text)) == base
    shuffled = frame.sample(frac=1.0, random_state=4).reset_index(drop=True)
    assert outside_run(evaluate(pa.Table.from_pandas(shuffled))) == base
    assert outside_run(evaluate(pl.from_pandas(shuffled))) == base
    path = tmp_path / "eval.csv"
    frame.sample(frac=1.0, random_state=9).to_csv(path, index=False, float_format="%.17g")
    from_csv = outside_run(evaluate(str(path)))
    assert from_csv == base


def test_the_keyed_digest_is_the_documented_encoding(tmp_path):
    # 5000 rows: key_bucket_bits = 2, so four buckets.
    for n in (600, 5000):
        frame = make_frame(n=n, seed=n)
        data = evaluate(frame).to_dict()["data"]
        ids = [str(i) for i in frame["txn"]]
        numeric = [(c, list(frame[c])) for c in ("y", "a", "b", "w")]
        assert data["sha256"] == keyed_rows_digest(numeric, [("txn", ids)], ids)
        assert data["sha256_of"] == "rows_by_id"
    # Clustered: a cluster's rows share the bucket of the cluster's key.
    frame = make_frame(n=5000, seed=11)
    frame["cust"] = [f"c{i % 97}" for i in range(len(frame))]
    p = dict(POLICY, columns=dict(POLICY["columns"], cluster="cust"))
    data = referee.evaluate(frame, p).to_dict()["data"]
    ids = [str(i) for i in frame["txn"]]
    numeric = [(c, list(frame[c])) for c in ("y", "a", "b", "w")]
    text = [("cust", list(frame["cust"])), ("txn", ids)]
    assert data["sha256"] == keyed_rows_digest(numeric, text, ids, units=list(frame["cust"]))


def test_a_cluster_key_without_an_id_ignores_row_order_and_is_the_unit_digest():
    # 5000 rows: four buckets; a cluster's rows tie on the unit key and go by their values,
    # with whole duplicate rows among them (their order cannot show).
    frame = make_frame(n=5000, seed=13)
    frame["cust"] = [f"c{i % 97}" for i in range(len(frame))]
    frame = pd.concat([frame, frame.iloc[:40]], ignore_index=True)
    columns = {k: v for k, v in POLICY["columns"].items() if k != "id"}
    p = dict(POLICY, columns=dict(columns, cluster="cust"))
    base = outside_run(evaluate(frame, p))
    shuffled = frame.sample(frac=1.0, random_state=8).reset_index(drop=True)
    assert outside_run(evaluate(shuffled, p)) == base
    numeric = [(c, list(frame[c])) for c in ("y", "a", "b", "w")]
    assert base["data"]["sha256_of"] == "rows_by_unit"
    assert base["data"]["sha256"] == keyed_rows_digest(numeric, [("cust", list(frame["cust"]))], None,
                                                       units=list(frame["cust"]))


def test_bad_ids_are_refused_by_row(frame):
    dup = frame.copy()
    dup.loc[4, "txn"] = dup.loc[1, "txn"]
    with pytest.raises(referee.DataError, match=r"rows 2 and 5.*same id") as e:
        evaluate(dup)
    assert str(dup.loc[1, "txn"]) not in str(e.value)
    fractional = frame.assign(txn=frame["txn"].astype(np.float64))
    fractional.loc[6, "txn"] = 0.5
    with pytest.raises(referee.DataError, match=r"row 7.*\"txn\".*whole number"):
        evaluate(fractional)
    missing = frame.assign(txn=frame["txn"].astype(object))
    missing.loc[2, "txn"] = None
    with pytest.raises(referee.DataError, match=r"row 3"):
        evaluate(missing)
    with pytest.raises(referee.DataError, match=r"row 3.*missing"):
        evaluate(frame.assign(txn=np.where(np.arange(len(frame)) == 2, np.nan, frame["txn"])))
    with pytest.raises(referee.DataError, match="booleans"):
        evaluate(frame.assign(txn=np.arange(len(frame)) % 2 == 0))


@pytest.mark.skipif(REFEREE is None, reason="the referee CLI is not on PATH")
def test_the_cli_on_a_shuffled_csv_gives_the_same_report(frame, tmp_path):
    policy = tmp_path / "gate.json"
    policy.write_text(json.dumps(POLICY))
    reports = []
    for i, seed in enumerate((1, 2)):
        folder = tmp_path / f"part{i}"
        folder.mkdir()
        frame.sample(frac=1.0, random_state=seed).to_csv(folder / "eval.csv", index=False, float_format="%.17g")
        report = folder / "report.json"
        done = subprocess.run([REFEREE, "run", "--data", str(folder / "eval.csv"), "--policy", str(policy),
                               "--report", str(report), "--quiet"], capture_output=True, text=True, check=False)
        assert done.returncode in (0, 1, 2), done.stderr
        reports.append(json.loads(report.read_text()))
    for r in reports:
        r.pop("run")
    assert reports[0]["data"].pop("file_sha256") != reports[1]["data"].pop("file_sha256")
    assert reports[0] == reports[1]
    assert reports[0]["data"]["sha256"] == outside_run(evaluate(frame))["data"]["sha256"]


def test_sagemaker_parts_in_any_order_give_the_single_csv_report(frame, tmp_path, monkeypatch):
    # The entrypoint reads the policy's id column like any other: the rows split into parts
    # (CSV and Parquet) in another order give the report of the whole CSV, digest included.
    from referee import sagemaker
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(tmp_path))
    data = tmp_path / "processing/input/data"
    data.mkdir(parents=True)
    (tmp_path / "processing/input/policy").mkdir(parents=True)
    (tmp_path / "processing/input/policy/gate.json").write_text(json.dumps(POLICY))
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    half = len(shuffled) // 2
    shuffled.iloc[:half].to_csv(data / "part-1.csv", index=False, float_format="%.17g")
    shuffled.iloc[half:].to_parquet(data / "part-2.parquet", index=False)
    assert sagemaker.main([]) in (0, 1)
    report = json.loads((tmp_path / "processing/output/evaluation/report.json").read_text())
    whole = tmp_path / "whole.csv"
    frame.to_csv(whole, index=False, float_format="%.17g")
    expected = evaluate(str(whole)).to_dict()
    for r in (report, expected):
        r.pop("run")
        r["data"].pop("file")
        r["data"].pop("file_sha256")
    assert report == expected


@pytest.mark.parametrize("data, policy, drop_cluster", [
    ("digits_eval.csv", "gate-digits.json", False),     # multiclass: sums folded per key bucket
    ("twenty_classes.csv", "gate-twenty.json", False),  # multiclass, weighted and clustered
    ("llm_eval.csv", "gate-outcome.json", False),       # outcome, clustered by prompt
    ("llm_eval.csv", "gate-outcome.json", True),        # outcome, rows keyed by id
    ("ranking_eval.csv", "gate-ranking.json", False),   # ranking: the query stays the unit
    ("segment_trap.csv", "gate-segments.json", False),  # binary with segments
])
def test_every_task_with_an_id_ignores_row_order(examples, data, policy, drop_cluster):
    frame = pd.read_csv(examples / data)
    frame["row_id"] = [f"r{i}" for i in range(len(frame))]
    p = json.loads((examples / policy).read_text())
    p["columns"]["id"] = "row_id"
    p["bootstrap"]["resamples"] = 200
    if drop_cluster:
        del p["columns"]["cluster"]
    base = outside_run(evaluate(frame, p))
    shuffled = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert outside_run(evaluate(shuffled, p)) == base
    assert base["data"]["sha256_of"] == "rows_by_id"
    grouped = "cluster" in p["columns"] or p["task"] == "ranking"
    assert (base["data"]["units"] < len(frame)) if grouped else (base["data"]["units"] == len(frame))
