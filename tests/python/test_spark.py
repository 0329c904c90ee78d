"""referee.spark on pyspark's local mode: the report of a Spark DataFrame is byte for byte
(outside "run") the report ``referee.evaluate`` gives on the same rows as one pandas
DataFrame, whatever the partition count and the row order; a driver whose results are
capped at 1 MB still evaluates millions of rows; a task that dies and is retried changes
nothing; a feature the partitioned path refuses is named; a partition's bad data is the
DataError it would be in one process.

One SparkSession for the module (local[2, 4]: two cores, a task may fail three times).
Needs pyspark >= 3.5 and a Java runtime (scripts/setup.sh installs openjdk-17-jre-headless).
"""

import json
import os
import shutil
import sys

import numpy as np
import pandas as pd
import pytest

import referee

pyspark = pytest.importorskip("pyspark", minversion="3.5")
if shutil.which("java") is None:
    pytest.skip("pyspark needs a Java runtime (openjdk-17-jre-headless)", allow_module_level=True)

from pyspark import TaskContext  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

from referee import spark as referee_spark  # noqa: E402

pytestmark = [
    # pyspark warns that it does not yet fully support pandas 3; the Arrow path it runs here does.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
]

RESAMPLES = 100


@pytest.fixture(scope="module")
def spark():
    # The workers run this interpreter, so they import the referee under test.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (SparkSession.builder.master("local[2, 4]").appName("referee tests")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.maxResultSize", "1m")  # every test: the driver never holds rows
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.sql.execution.arrow.maxRecordsPerBatch", "997")  # many batches a task
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def make_frame(n=4000, seed=16):
    """A fraud-like table: string transaction ids, ties in both scores (rounded to 1/256),
    a weight, a cluster of about eight rows, a segment and a sensitive attribute."""
    rng = np.random.default_rng(seed)
    y = rng.binomial(1, 0.3, size=n)
    logit = lambda shift, noise: 1 / (1 + np.exp(-(shift * (y - 0.3) + rng.normal(scale=noise, size=n))))  # noqa: E731
    return pd.DataFrame({
        "txn_id": [f"t{v:07d}" for v in rng.permutation(n) * 13 + 1000],
        "y": y,
        "score_prod": np.round(logit(1.5, 1.0) * 256) / 256,
        "score_new": np.round(logit(1.8, 1.0) * 256) / 256,
        "w": rng.choice([0.5, 1.0, 1.25, 3.0], size=n),
        "account": [f"a{v}" for v in rng.integers(0, n // 8, size=n)],
        "region": rng.choice(["north", "south", "east", "west"], size=n),
        "sex": rng.choice(["F", "M"], size=n),
        "lat_prod": np.round(rng.gamma(4.0, 5.0, size=n), 1),  # milliseconds, with ties
        "lat_new": rng.gamma(4.0, 5.0, size=n),
        "cost_prod": 0.0001 * rng.integers(1, 10, size=n) / 3.0,
        "cost_new": 0.0001 * rng.integers(1, 12, size=n) / 3.0,
        "err_prod": rng.binomial(1, 0.03, size=n).astype(float),
        "err_new": rng.binomial(1, 0.025, size=n).astype(float),
    })


BASE = {
    "version": 1, "task": "binary", "threshold": 0.4,
    "columns": {"label": "y", "champion": "score_prod", "challenger": "score_new", "id": "txn_id"},
    "bootstrap": {"resamples": RESAMPLES, "seed": 5, "interval": "bca"},
    "rules": [{"id": "auc", "metric": "roc_auc", "subject": "delta", "min": -0.02},
              {"id": "ap", "metric": "average_precision", "subject": "delta", "min": -0.05},
              {"id": "ll", "metric": "log_loss", "subject": "relative_delta", "max": 0.05},
              {"id": "brier", "metric": "brier", "subject": "delta", "max": 0.01}],
}


def policy_with(**columns):
    policy = json.loads(json.dumps(BASE))
    policy["columns"].update(columns)
    return policy


FAIRNESS = policy_with(segments=["region"], sensitive=["sex"])
FAIRNESS["fairness"] = {"reference": {"sex": "M"}}
FAIRNESS["rules"].append({"id": "dp", "metric": "demographic_parity_ratio", "sensitive": "sex",
                          "subject": "challenger", "min": 0.8, "severity": "warn"})

POLICIES = {
    "id": BASE,
    "weights": policy_with(weight="w"),
    "clusters": policy_with(cluster="account"),
    "segments-fairness": FAIRNESS,
    "all": {**FAIRNESS, "columns": {**FAIRNESS["columns"], "weight": "w", "cluster": "account"}},
}
# Keyed by the cluster alone: no row id (the rows digest is by unit, "rows_by_unit").
POLICIES["cluster-key"] = {**POLICIES["all"],
                           "columns": {k: v for k, v in POLICIES["all"]["columns"].items() if k != "id"}}


def outside_run(report):
    d = report.to_dict()
    d.pop("run")
    return d


@pytest.fixture(scope="module")
def frame():
    return make_frame()


@pytest.fixture(scope="module")
def oracles(frame):
    """One process, one pandas DataFrame: the report each policy gives."""
    return {name: outside_run(referee.evaluate(frame, policy)) for name, policy in POLICIES.items()}


def shuffled(spark, frame, input_partitions, seed):
    """The rows as a Spark DataFrame in a random order over ``input_partitions`` partitions."""
    df = spark.createDataFrame(frame)
    return df.repartition(input_partitions).orderBy(F.rand(seed)).repartition(input_partitions)


@pytest.mark.parametrize("partitions, policy", [(1, "all"), (3, "all"), (16, "all"), (64, "all"),
                                               (5, "weights"), (4, "clusters"), (2, "segments-fairness"),
                                               (3, "cluster-key"), (16, "cluster-key")])
def test_every_partition_count_gives_the_single_process_report(spark, frame, oracles, partitions, policy):
    df = shuffled(spark, frame, input_partitions=5, seed=partitions)
    report = referee_spark.evaluate(df, POLICIES[policy], partitions=partitions)
    assert outside_run(report) == oracles[policy]
    assert report.to_markdown() and report.to_html()


REGRESSION = {
    "version": 1, "task": "regression",
    "columns": {"label": "amount", "champion": "amount_prod", "challenger": "amount_new", "id": "txn_id",
                "weight": "w", "cluster": "account", "segments": ["region"]},
    "bootstrap": {"resamples": RESAMPLES, "seed": 5, "interval": "bca"},
    "rules": [{"id": "rmse", "metric": "rmse", "subject": "delta", "max": 0.5},
              {"id": "seg", "metric": "mae", "subject": "delta", "scope": {"each_segment": "region"}, "max": 1}],
}


@pytest.fixture(scope="module")
def amounts():
    """Rows with a continuous label (an amount) and two models' predictions of it; 20 000
    rows make 16 key buckets, so 16 partitions each hold one."""
    frame = make_frame(n=20000, seed=17)
    rng = np.random.default_rng(7)
    amount = np.round(rng.gamma(2.0, 40.0, size=len(frame)), 2)
    return frame.assign(amount=amount, amount_prod=amount + rng.normal(scale=9.0, size=len(frame)),
                        amount_new=amount + rng.normal(scale=8.0, size=len(frame)))


def test_row_order_and_input_partitioning_change_nothing(spark, frame, oracles):
    reports = [outside_run(referee_spark.evaluate(shuffled(spark, frame, k, seed), BASE, partitions=4))
               for k, seed in ((1, 1), (7, 2))]
    assert reports[0] == reports[1] == oracles["id"]


def test_the_seed_argument_overrides_the_policys_as_in_one_process(spark, frame):
    df = shuffled(spark, frame, 2, seed=4)
    expected = outside_run(referee.evaluate(frame, BASE, seed=99))
    assert outside_run(referee_spark.evaluate(df, BASE, seed=99, partitions=2)) == expected


# Millions of rows as a formula of their id, computed alike by Spark's JVM and numpy:
# integer arithmetic, then one correctly rounded division.
MILLIONS = 2_000_000
PRIME = 1_000_003


def millions_numpy(n):
    i = np.arange(n, dtype=np.int64)
    y = ((i * 7919) % 100 < 30).astype(np.int64)
    prod = ((i * 2654435761) % PRIME + y * 200_000) % PRIME / PRIME
    new = ((i * 40503) % PRIME + y * 300_000) % PRIME / PRIME
    return pd.DataFrame({"txn_id": i.astype(str), "y": y, "score_prod": prod, "score_new": new})


def millions_spark(spark, n):
    i = F.col("id")
    y = F.when((i * 7919) % 100 < 30, F.lit(1)).otherwise(F.lit(0)).cast("long")
    score = lambda mult, shift: (((i * mult) % PRIME + y * shift) % PRIME).cast("double") / float(PRIME)  # noqa: E731
    df = spark.range(0, n, numPartitions=8)
    return df.select(i.cast("string").alias("txn_id"), y.alias("y"), score(2654435761, 200_000).alias("score_prod"),
                     score(40503, 300_000).alias("score_new"))


def test_a_small_driver_result_size_holds_millions_of_rows(spark):
    assert spark.conf.get("spark.driver.maxResultSize") == "1m"
    policy = policy_with()
    policy["bootstrap"] = {"resamples": 100, "seed": 3, "interval": "percentile"}
    report = referee_spark.evaluate(millions_spark(spark, MILLIONS), policy, partitions=6)
    assert report.to_dict()["data"]["rows"] == MILLIONS
    assert outside_run(report) == outside_run(referee.evaluate(millions_numpy(MILLIONS), policy))


def _fails_first_attempt(task, marks):
    """A task function that dies half way through its first attempt on partition 0, as an
    executor lost mid-task would: Spark retries it (local[2, 4]). Each kill leaves a file in
    ``marks`` (local mode: one file system), so the test knows the retries happened."""
    def run(batches):
        context = TaskContext.get()
        if context.partitionId() == 0 and context.attemptNumber() == 0:
            for count, _batch in enumerate(batches):
                if count:
                    break
            (marks / f"stage-{context.stageId()}").touch()
            raise RuntimeError("killed on purpose: first attempt")
        yield from task(batches)
    return run


# With a weight column round 1 is a job of its own; with whole weights the bucket stage takes
# it, unless its totals rows would be too many (TOTALS_ROWS_MAX).
@pytest.mark.parametrize("policy, round_one_jobs, totals_rows_max", [
    ("all", 2, None), ("clusters", 0, None), ("clusters", 2, 0)])
def test_a_killed_and_retried_task_changes_nothing(spark, frame, oracles, monkeypatch, tmp_path, policy,
                                                   round_one_jobs, totals_rows_max):
    from pyspark import cloudpickle

    if totals_rows_max is not None:
        monkeypatch.setattr(referee_spark, "TOTALS_ROWS_MAX", totals_rows_max)

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this file
    tasks = ("facts_task", "sample_task", "bucket_task", "round_one_task", "round_two_task", "order_free_task")
    for name in tasks:
        original = getattr(referee_spark, name)
        monkeypatch.setattr(referee_spark, name,
                            lambda *args, _original=original: _fails_first_attempt(_original(*args), tmp_path))
    df = shuffled(spark, frame, 3, seed=11)
    assert outside_run(referee_spark.evaluate(df, POLICIES[policy], partitions=3)) == oracles[policy]
    # facts; the cuts' sample; every pass's buckets; round 1 where it is a job; round 2 of the
    # two ranked passes; the rows pass
    assert len(list(tmp_path.glob("stage-*"))) == 1 + 1 + 1 + round_one_jobs + 2 + 1


def test_each_cut_label_has_a_spark_partition_of_its_own(spark):
    for partitions in (1, 2, 3, 16, 64):
        labels = referee_spark._cut_labels(spark.range(1), partitions)
        rows = spark.createDataFrame([(label,) for label in labels], "cut long")
        held = rows.repartition(partitions, "cut").rdd.glom().map(lambda part: [r.cut for r in part]).collect()
        assert sorted(held) == sorted([label] for label in labels)


def refused_policies(reference):
    """(policy, the word its refusal names): features the partitioned path does not cover yet."""
    return [
        ({**BASE, "bootstrap": {"resamples": RESAMPLES, "seed": 5, "scheme": "multinomial"}}, "multinomial"),
        # latency named by a rule, not by $.columns.latency: separate samples (--latency)
        ({**BASE, "rules": [{"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45}]},
         "latency as separate samples"),
        ({**BASE, "drift": {"reference": str(reference), "features": ["region"]},
          "rules": [{"id": "region", "metric": "chi2_pvalue", "feature": "region", "min": 0.001}]}, "drift"),
    ]


def test_each_refused_feature_is_named(spark, frame, tmp_path):
    reference = tmp_path / "reference.csv"
    frame[["region"]].to_csv(reference, index=False)
    df = shuffled(spark, frame, 2, seed=1)
    for policy, feature in refused_policies(reference):
        with pytest.raises(referee.PolicyError, match=feature):
            referee_spark.evaluate(df, policy, partitions=2)


def test_bad_data_in_a_partition_is_the_data_error_of_one_process(spark, frame):
    bad = frame.copy()
    bad.loc[1234, "y"] = 2
    with pytest.raises(referee.DataError) as one_process:
        referee.evaluate(bad, BASE)
    with pytest.raises(referee.DataError, match="Spark partition") as on_spark:
        referee_spark.evaluate(shuffled(spark, bad, 3, seed=2), BASE, partitions=3)
    assert '"y"' in str(on_spark.value) and '"y"' in str(one_process.value)


def test_a_missing_column_is_named(spark, frame):
    with pytest.raises(referee.DataError, match='"score_new"'):
        referee_spark.evaluate(shuffled(spark, frame.drop(columns="score_new"), 2, seed=1), BASE)


def test_partitions_must_be_a_positive_integer(spark, frame):
    for partitions in (0, -1, 2.5, True):
        with pytest.raises(referee.UsageError, match="partitions"):
            referee_spark.evaluate(spark.createDataFrame(frame.head(10)), BASE, partitions=partitions)


def test_module_entrypoint_writes_the_clis_outputs_with_its_exit_code(spark, frame, oracles, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rows = frame.sample(frac=1, random_state=3)
    for k in range(3):
        rows.iloc[k::3].to_parquet(data / f"part-{k}.parquet", index=False)
    (tmp_path / "gate.json").write_text(json.dumps(BASE))
    out = tmp_path / "out"
    code = referee_spark.main(["--data", str(data), "--policy", str(tmp_path / "gate.json"), "--out", str(out)])
    report = json.loads((out / "report.json").read_text())
    assert code == referee._core.VERDICT_EXIT_CODES[report["verdict"]]
    report.pop("run")
    assert report == oracles["id"]
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["referee"]["verdict"] == report["verdict"]
    assert evaluation["binary_classification_metrics"]["auc"]["value"] == report["metrics"]["challenger"]["roc_auc"]["estimate"]
    assert {p.name for p in out.iterdir()} == {"report.json", "report.md", "report.html", "summary.txt", "evaluation.json"}


def test_module_entrypoint_exit_codes_for_errors(spark, tmp_path):
    (tmp_path / "gate.json").write_text(json.dumps(BASE))
    missing = referee_spark.main(["--data", str(tmp_path / "nowhere"), "--policy", str(tmp_path / "gate.json"),
                                  "--out", str(tmp_path / "out")])
    assert missing == referee.IoError.exit_code
    assert not (tmp_path / "out").exists()
    assert referee_spark.main(["--data", "x", "--policy", str(tmp_path / "gate.json")]) == referee.UsageError.exit_code
    bad_policy = tmp_path / "bad.json"
    bad_policy.write_text("{\"version\": 1}")
    assert referee_spark.main(["--data", "x", "--policy", str(bad_policy), "--out", str(tmp_path / "o")]) \
        == referee.PolicyError.exit_code


RANKING = {
    "version": 1, "task": "ranking",
    "columns": {"query": "qid", "label": "relevance", "champion": "score_prod", "challenger": "score_new",
                "id": "txn_id", "weight": "w", "cluster": "account", "segments": ["region"]},
    "ranking": {"empty_queries": "skip"},
    "bootstrap": {"resamples": RESAMPLES, "seed": 5, "interval": "bca"},
    "rules": [{"id": "ndcg", "metric": "ndcg@10", "subject": "delta", "min": -0.05},
              {"id": "seg", "metric": "mrr", "subject": "delta", "scope": {"each_segment": "region"}, "min": -0.2}],
}


@pytest.fixture(scope="module")
def rankings():
    """Queries of 1 to 9 documents with graded relevance; a query's weight, account and region
    are its first row's. 20 000 rows make 16 key buckets, so 16 partitions each hold one."""
    frame = make_frame(n=20000, seed=19)
    rng = np.random.default_rng(9)
    starts = np.cumsum(rng.integers(1, 10, size=len(frame)))
    starts = np.concatenate([[0], starts[starts < len(frame)]])
    query = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(frame))))
    first = starts[query]
    relevance = np.minimum(rng.poisson(0.5, size=len(frame)), 3).astype(float)
    return frame.assign(qid=[f"q{k}" for k in query], relevance=relevance,
                        w=frame["w"].to_numpy()[first], account=frame["account"].to_numpy()[first],
                        region=frame["region"].to_numpy()[first])


MULTICLASS = {
    "version": 1, "task": "multiclass",
    "columns": {"label": "kind", "champion": {"prefix": "p_prod_"}, "challenger": {"prefix": "p_new_"},
                "id": "txn_id", "weight": "w", "cluster": "account", "segments": ["region"]},
    "bootstrap": {"resamples": RESAMPLES, "seed": 5, "interval": "bca"},
    "rules": [{"id": "auc", "metric": "roc_auc", "average": "macro", "subject": "delta", "min": -0.05},
              {"id": "seg", "metric": "accuracy", "subject": "delta", "scope": {"each_segment": "region"}, "min": -0.2}],
}


@pytest.fixture(scope="module")
def kinds():
    """Three classes and each model's probabilities of them (the champion's rounded to
    twentieths: ties); 20 000 rows make 16 key buckets, so 16 partitions each hold one."""
    frame = make_frame(n=20000, seed=23)
    rng = np.random.default_rng(11)
    kind = rng.choice(3, size=len(frame), p=[0.5, 0.3, 0.2])
    columns = {"kind": np.array(["low", "mid", "high"])[kind]}
    for name, signal in (("p_prod_", 1.0), ("p_new_", 1.4)):
        logits = rng.normal(size=(len(frame), 3)) + signal * np.eye(3)[kind]
        proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        if name == "p_prod_":
            proba = np.round(proba * 20) / 20
        for k, label in enumerate(("low", "mid", "high")):
            columns[name + label] = proba[:, k]
    return frame.assign(**columns)


OUTCOME = {
    "version": 1, "task": "outcome", "threshold": 2,
    "columns": {"champion": "result_prod", "challenger": "result_new", "id": "txn_id", "weight": "w",
                "segments": ["region"]},
    "bootstrap": {"resamples": RESAMPLES, "seed": 5, "interval": "bca"},
    "rules": [{"id": "mean", "metric": "mean", "subject": "delta", "min": -1},
              {"id": "p99", "metric": "quantile@0.99", "subject": "challenger", "max": 1000},
              {"id": "seg", "metric": "quantile@0.5", "subject": "delta", "scope": {"each_segment": "region"},
               "max": 1}],
}


@pytest.fixture(scope="module")
def outcomes():
    """Each model's own result per example (a latency-like spread over many binades, ties, some
    at the pass mark): 20 000 rows make some dozens of value buckets per model."""
    frame = make_frame(n=20000, seed=23)
    rng = np.random.default_rng(13)
    prod = np.exp(2.0 * rng.normal(size=len(frame)))
    prod[::5] = np.round(prod[::5] * 4) / 4
    prod[::41] = 2.0
    return frame.assign(result_prod=prod, result_new=prod * np.exp(0.3 * rng.normal(size=len(frame))))


# Each task beyond binary: its rows (a module fixture, by name) and its policy.
TASKS = {"regression": ("amounts", REGRESSION), "ranking": ("rankings", RANKING),
         "multiclass": ("kinds", MULTICLASS), "outcome": ("outcomes", OUTCOME)}


@pytest.mark.parametrize("partitions", [3, 16])
@pytest.mark.parametrize("task", list(TASKS))
def test_every_task_gives_the_single_process_report(spark, request, task, partitions):
    fixture, policy = TASKS[task]
    rows = request.getfixturevalue(fixture)
    expected = outside_run(referee.evaluate(rows, policy))
    df = shuffled(spark, rows, input_partitions=3, seed=partitions)
    assert outside_run(referee_spark.evaluate(df, policy, partitions=partitions)) == expected


BUDGETS = {**BASE, "columns": {**BASE["columns"], "cluster": "account",
                               "latency": {"champion": "lat_prod", "challenger": "lat_new"},
                               "cost": {"champion": "cost_prod", "challenger": "cost_new"},
                               "error": {"champion": "err_prod", "challenger": "err_new"}},
           "rules": BASE["rules"] + [
               {"id": "p99", "metric": "latency_p99", "subject": "challenger", "max": 45},
               {"id": "cost", "metric": "cost_per_1k", "subject": "relative_delta", "max": 0.4},
               {"id": "err", "metric": "error_rate", "subject": "delta", "max": 0.01}]}


def test_serving_budgets_give_the_single_process_report(spark, frame):
    expected = outside_run(referee.evaluate(frame, BUDGETS))
    assert {"latency_p99", "cost_per_1k", "error_rate"} <= set(expected["budgets"]["metrics"])
    df = shuffled(spark, frame, input_partitions=3, seed=5)
    assert outside_run(referee_spark.evaluate(df, BUDGETS, partitions=3)) == expected
