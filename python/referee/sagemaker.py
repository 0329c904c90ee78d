"""The SageMaker Processing entrypoint: ``python -m referee.sagemaker`` (or ``referee sagemaker``).

It follows the Processing container contract under a root that defaults to ``/opt/ml``
(``REFEREE_SAGEMAKER_ROOT`` overrides it, for tests):

    processing/input/data/      the evaluation table: CSV, JSON Lines or Parquet files,
                                read as one table in file-name order
    processing/input/policy/    the policy: one JSON file
    processing/input/latency/   optional: a load test's latency, one CSV (model,latency_ms)
    processing/input/reference/ optional: the drift reference, one CSV (else the policy's)
    processing/output/evaluation/
        evaluation.json         what a Pipelines ConditionStep reads with JsonGet:
                                {"binary_classification_metrics": {"auc": {"value", "standard_deviation"}},
                                 "referee": {"verdict", "passed"}}   (regression_metrics for regression)
        report.json             the full audit report
        report.md, report.html  the same for people
        model_quality.json      Model Registry ModelQuality statistics, for ModelMetrics
    output/message              on an error: a short reason (under 1 KB, no data values),
                                which Processing returns as the job's ExitMessage

Exit codes are the CLI's, read from the core's one table (0, 64 usage, 65 bad data or
policy, 74 I/O, 70 internal), except that a FAIL or
INCONCLUSIVE verdict exits 0 unless ``--fail-on-verdict`` is given: in a Pipeline the verdict
belongs to the ConditionStep, which reads it from evaluation.json and routes to the
register-or-reject branch, and a failed job would stop the pipeline before the condition
is evaluated and before the reports an approver needs are uploaded. docs/sagemaker.md.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from . import _core
from ._api import _value_text, evaluate
from ._core import DataError, IoError, PolicyError, RefereeError, UsageError
from ._report import Report, write_atomically

# The exit codes, from the core's table (src/common/exit_codes.hpp): each error class
# carries its kind's code, each verdict has its own.
EXIT_OK = _core.VERDICT_EXIT_CODES["PASS"]

DATA_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

# evaluation.json names where SageMaker's examples and Model Monitor name a metric otherwise;
# every other metric of the catalogue keeps referee's name.
SAGEMAKER_NAMES = {"roc_auc": "auc", "brier": "brier_score", "specificity": "true_negative_rate",
                   "fpr": "false_positive_rate", "fnr": "false_negative_rate"}


def sagemaker_names(task: str) -> Dict[str, str]:
    """{referee's name: evaluation.json's name} for the task's metrics, in catalogue order."""
    return {name: SAGEMAKER_NAMES.get(name, name) for name, of, _ in _core.METRIC_CATALOGUE if of == task}


def root() -> Path:
    return Path(os.environ.get("REFEREE_SAGEMAKER_ROOT", "/opt/ml"))


def _files(folder: Path, what: str) -> List[Path]:
    if not folder.exists():
        raise IoError(f"{what}: {folder} does not exist")
    if folder.is_file():
        return [folder]
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise IoError(f"{what}: {folder} holds no files")
    return files


def find_policy(path: Path) -> Path:
    files = [p for p in _files(path, "policy") if p.suffix == ".json"]
    if len(files) != 1:
        raise UsageError(f"policy: expected one .json file in {path}, found {len(files)}")
    return files[0]


def optional_csv(path: Path, what: str) -> Optional[Path]:
    """An optional input channel: absent is fine, else exactly one .csv file."""
    if not path.exists():
        return None
    files = [p for p in _files(path, what) if p.suffix.lower() == ".csv"]
    if len(files) != 1:
        raise UsageError(f"{what}: expected one .csv file in {path}, found {len(files)}")
    return files[0]


def read_data(path: Path) -> Any:
    """One CSV file goes to referee's own reader (the report hashes its bytes); several files,
    JSON Lines or Parquet are read with pandas and concatenated in file-name order."""
    files = _files(path, "data")
    kinds = {DATA_SUFFIXES.get(p.suffix.lower()) for p in files}
    if None in kinds:
        odd = next(p.name for p in files if p.suffix.lower() not in DATA_SUFFIXES)
        raise UsageError(f"data: {odd} is not CSV, JSON Lines or Parquet (by its suffix)")
    if len(files) == 1 and kinds == {"csv"}:
        return files[0]
    import pandas as pd

    frames = []
    for p in files:
        kind = DATA_SUFFIXES[p.suffix.lower()]
        try:
            if kind == "csv":
                frames.append(pd.read_csv(p, keep_default_na=False, dtype=str))
            elif kind == "jsonl":
                # The json module parses numbers with correct rounding; pandas' reader may not.
                with open(p, encoding="utf-8") as f:
                    records = [json.loads(line) for line in f if line.strip()]
                frames.append(pd.DataFrame.from_records(records))
            else:
                frames.append(pd.read_parquet(p))
        except ImportError as e:
            raise UsageError(f"data: reading {p.name} needs {e.name or 'pyarrow'} (pip install pyarrow)") from None
        except ValueError as e:
            raise DataError(f"{p.name}: cannot be read as {kind}") from e
    return pd.concat(frames, ignore_index=True, sort=False)


def _frame_for(data: Any, policy: _core.Policy, origin: str) -> Any:
    """CSV text columns read by pandas as strings: numbers for the numeric roles, read by
    referee's CSV reader's own number parser (a message names ``origin``, the row counted
    across the files in name order, and the column)."""
    if isinstance(data, Path):
        return data
    import pandas as pd

    cols = policy.columns
    serving = [pair[m] for pair in (cols["latency"], cols["cost"], cols["error"]) for m in ("champion", "challenger")]
    numeric = [c for c in (cols["label"], cols["champion"], cols["challenger"], cols["weight"], *serving) if c]
    frame = data.copy()
    # pandas 3 reads dtype=str as its own string dtype, older pandas as object.
    textual = lambda column: column.dtype == object or pd.api.types.is_string_dtype(column)  # noqa: E731
    for name in numeric:
        if name in frame.columns and textual(frame[name]):
            # Each cell's text as a CSV holds it (a JSON number's shortest repr, "" for a null).
            cells = [v if isinstance(v, str) else _value_text(v) for v in frame[name].tolist()]
            frame[name] = pd.Series(_core.parse_numbers(cells, name, origin), index=frame.index)
    # An empty cell in a text column is a missing value, as referee's CSV reader has it,
    # not a segment or cluster called "".
    for name in [c for c in (cols["cluster"], *cols["categorical"]) if c]:
        if name in frame.columns and textual(frame[name]):
            frame[name] = frame[name].astype(object).map(lambda v: None if v == "" else v)
    return frame


def evaluation_json(report: Report) -> Dict[str, Any]:
    """The challenger's figures, in the layout Pipelines examples read with JsonGet; the
    standard deviation is the bootstrap standard error."""
    data = report.to_dict()
    binary = data["task"] == "binary"
    names = sagemaker_names(data["task"])
    metrics = {}
    for name, figure in data["metrics"]["challenger"].items():
        if name in names and figure.get("estimate") is not None:
            metrics[names[name]] = {"value": figure["estimate"], "standard_deviation": figure.get("se", 0.0)}
    return {
        "binary_classification_metrics" if binary else "regression_metrics": metrics,
        "referee": {"verdict": data["verdict"], "passed": data["passed"], "policy_sha256": data["policy_sha256"],
                    "data_sha256": data["data"]["sha256"], "rules": {r["id"]: r["verdict"] for r in data["rules"]}},
    }


def model_quality_json(report: Report) -> Dict[str, Any]:
    """The Model Registry ModelQuality statistics document (Model Monitor's statistics
    layout): each metric's value and standard deviation, for the challenger."""
    data = report.to_dict()
    challenger = data["metrics"]["challenger"]

    def figure(name: str) -> Optional[Dict[str, float]]:
        f = challenger.get(name)
        if not f or f.get("estimate") is None:
            return None
        return {"value": f["estimate"], "standard_deviation": f.get("se", 0.0)}

    metrics = {out: figure(name) for name, out in sagemaker_names(data["task"]).items()}
    section = "binary_classification_metrics" if data["task"] == "binary" else "regression_metrics"
    return {
        "version": 0.0,
        "dataset": {"item_count": data["data"]["rows"], "evaluation_time": data["run"]["started_at"]},
        section: {k: v for k, v in metrics.items() if v is not None},
    }


def write_outputs(report: Report, folder: Path) -> None:
    """All five files through the core's OutputSet: each destination checked, all staged,
    then renamed in this order, evaluation.json last: what the ConditionStep reads appears
    only beside complete reports, and no file lands if one cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [
        ("model_quality.json", json.dumps(model_quality_json(report), indent=2) + "\n"),
        ("report.md", report.to_markdown()),
        ("report.html", report.to_html()),
        ("report.json", report.to_json()),
        ("evaluation.json", json.dumps(evaluation_json(report), indent=2) + "\n"),
    ]
    _core.write_outputs([(name, str(folder / name), text) for name, text in files])


def failure_message(kind: str, error: BaseException) -> str:
    """A short, single-line reason with no data values: quoted cell contents are dropped,
    column names and paths kept."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    text = re.sub(r'(?<!column )"[^"]*"(?= is not| is outside)', '"…"', text)
    text = re.sub(r'(: )[-+0-9.eE]+(?= is outside)', r'\1…', text)
    text = re.sub(r'label \S+ is not', 'label … is not', text)
    message = f"referee: {kind}: {text}"
    encoded = message.encode("utf-8")[:1000]
    return encoded.decode("utf-8", errors="ignore") + "\n"


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="referee sagemaker", description=__doc__.split("\n\n")[0])
    base = root()
    parser.add_argument("--data", type=Path, default=base / "processing/input/data")
    parser.add_argument("--policy", type=Path, default=base / "processing/input/policy")
    parser.add_argument("--output", type=Path, default=base / "processing/output/evaluation")
    parser.add_argument("--latency", type=Path, default=base / "processing/input/latency",
                        help="a load test's latency CSV (model,latency_ms), or a folder holding one; optional")
    parser.add_argument("--reference", type=Path, default=base / "processing/input/reference",
                        help="the drift reference CSV, or a folder holding one; optional, "
                             "overrides the policy's $.drift.reference")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--fail-on-verdict", action="store_true",
                        help="exit 1 on FAIL and 2 on INCONCLUSIVE (by default the verdict is left to the ConditionStep)")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        args = parse_args(argv)
    except SystemExit as e:  # argparse already printed its usage message
        code = EXIT_OK if e.code == 0 else UsageError.exit_code
        if code:
            _write_message("usage: invalid arguments to referee sagemaker")
        return code
    try:
        policy_path = find_policy(args.policy)
        policy = _core.Policy.load(str(policy_path))
        data = _frame_for(read_data(args.data), policy, str(args.data))
        latency = optional_csv(args.latency, "latency")
        reference = optional_csv(args.reference, "reference")
        report = evaluate(data, policy, seed=args.seed, threads=args.threads, latency=latency, reference=reference)
        write_outputs(report, args.output)
    except UsageError as e:
        return _fail(e.exit_code, "usage", e)
    except (PolicyError, DataError) as e:
        return _fail(e.exit_code, "data" if isinstance(e, DataError) else "policy", e)
    except (IoError, OSError) as e:
        return _fail(IoError.exit_code, "io", e)
    except RefereeError as e:
        return _fail(e.exit_code, "internal", e)
    print(f"referee: {report.verdict} (outputs in {args.output})")
    return _core.VERDICT_EXIT_CODES[report.verdict] if args.fail_on_verdict else EXIT_OK


def _write_message(message: str) -> None:
    try:
        folder = root() / "output"
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / "message", message)
    except (OSError, RefereeError):
        pass  # the message is a courtesy; the exit code still tells


def _fail(code: int, kind: str, error: BaseException) -> int:
    message = failure_message(kind, error)
    print(message, end="", file=sys.stderr)
    _write_message(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
