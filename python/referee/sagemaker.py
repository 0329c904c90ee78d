"""The SageMaker Processing entrypoint: ``python -m referee.sagemaker`` (or ``referee sagemaker``).

It follows the Processing container contract under a root that defaults to ``/opt/ml``
(``REFEREE_SAGEMAKER_ROOT`` overrides it, for tests):

    processing/input/data/      the evaluation table: CSV, JSON Lines or Parquet files, in
                                subfolders too (S3 prefixes), read as one table in sorted
                                path order; names starting with "." or "_" are skipped
    processing/input/policy/    the policy: one JSON file
    processing/input/latency/   optional: a load test's latency, one CSV (model,latency_ms)
    processing/input/reference/ optional: the drift reference, one CSV (else the policy's)
    processing/output/evaluation/
        evaluation.json         what a Pipelines ConditionStep reads with JsonGet:
                                {"binary_classification_metrics": {"auc": {"value", "standard_deviation"}},
                                 "referee": {"verdict", "passed", "metrics": {NAME: {...}}}}
                                (regression_metrics for regression)
        report.json             the full audit report
        report.md, report.html  the same for people
        model_quality.json      Model Monitor's model-quality statistics layout, for the Model
                                Registry's ModelMetrics (_model_monitor.py)
    output/message              on an error: a short reason (under 1 KB, no data values),
                                which Processing returns as the job's ExitMessage

Exit codes are the CLI's, read from the core's one table (0, 64 usage, 65 bad data or
policy, 74 I/O, 70 internal, 130 interrupted), whatever goes wrong: no exception escapes,
and every error writes output/message. A FAIL or
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
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np

from . import _core, _model_monitor
from ._api import _as_text, _value_text, evaluate
from ._core import CancelledError, DataError, IoError, PolicyError, RefereeError, UsageError
from ._model_monitor import ScoredColumns
from ._report import Report, write_atomically

# The exit codes, from the core's table (src/common/exit_codes.hpp): each error class
# carries its kind's code, each verdict has its own.
EXIT_OK = _core.VERDICT_EXIT_CODES["PASS"]

DATA_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".json": "jsonl", ".parquet": "parquet", ".pq": "parquet"}

def root() -> Path:
    return Path(os.environ.get("REFEREE_SAGEMAKER_ROOT", "/opt/ml"))


def _skipped(name: str) -> bool:
    """Names that are no part of a channel's data: hidden files and folders, and the
    markers and scratch folders that Spark, Hadoop and S3 tools leave (_SUCCESS, _temporary)."""
    return name.startswith((".", "_"))


def _files(folder: Path, what: str, recursive: bool = False) -> List[Path]:
    """The files of a channel, in sorted path order; with ``recursive``, those of its
    subfolders too (an S3 prefix arrives as subfolders), never following a symlinked folder."""
    if not folder.exists():
        raise IoError(f"{what}: {folder} does not exist")
    if folder.is_file():
        return [folder]
    if not folder.is_dir():
        raise IoError(f"{what}: {folder} is neither a file nor a folder")
    files = []
    for top, folders, names in os.walk(folder, onerror=_raise):
        folders[:] = [f for f in folders if not _skipped(f)] if recursive else []
        files += [Path(top, n) for n in names if not _skipped(n) and Path(top, n).is_file()]
    if not files:
        raise IoError(f"{what}: {folder} holds no files")
    return sorted(files, key=lambda p: p.relative_to(folder).parts)


def _raise(error: OSError) -> None:
    raise error


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


def required_columns(policy: _core.Policy) -> List[str]:
    """Every column the policy names, in the order the policy gives them. A multiclass
    model's probability columns are left to the core, which resolves a prefix against the
    data's columns (its champion and challenger names are a prefix and "*" or a first column)."""
    cols = policy.columns
    pairs = [pair[m] for pair in (cols["latency"], cols["cost"], cols["error"]) for m in ("champion", "challenger")]
    models = [] if policy.task == "multiclass" else [cols["champion"], cols["challenger"]]
    named = [cols["label"], *models, cols["weight"], cols["cluster"], cols["id"], cols["query"],
             *cols["categorical"], *pairs, *cols["drift"]]
    return list(dict.fromkeys(c for c in named if c))


def _jsonl_records(path: Path, part: str) -> List[Dict[str, Any]]:
    """One JSON object per non-blank line; a message names the part and the line, never its text."""
    records = []
    with open(path, "rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise DataError(f"{part}: line {number}: not valid UTF-8") from None
            if not line.strip():
                continue
            try:
                # The json module parses numbers with correct rounding; pandas' reader may not.
                record = json.loads(line)
            except (ValueError, RecursionError):
                raise DataError(f"{part}: line {number}: not a valid JSON value") from None
            if not isinstance(record, dict):
                raise DataError(f"{part}: line {number}: a JSON Lines record must be an object")
            records.append(record)
    return records


def _read_part(path: Path, part: str, kind: str) -> Any:
    import pandas as pd

    try:
        if kind == "csv":
            return pd.read_csv(path, keep_default_na=False, dtype=str)
        if kind == "jsonl":
            return pd.DataFrame.from_records(_jsonl_records(path, part))
        return pd.read_parquet(path)
    except ImportError as e:
        raise UsageError(f"data: reading {part} needs {e.name or 'pyarrow'} (pip install pyarrow)") from None
    except (ValueError, TypeError, RecursionError):
        # pandas' and pyarrow's messages can quote the file's text: only the part is named.
        raise DataError(f"{part}: cannot be read as {kind}") from None


def read_data(path: Path, columns: Sequence[str] = ()) -> Any:
    """One CSV file goes to referee's own reader (the report hashes its bytes); several files,
    JSON Lines or Parquet are read with pandas and concatenated in sorted path order, each
    part checked for every column in ``columns`` (a part that lacks one is named)."""
    files = _files(path, "data", recursive=True)
    parts = [p.relative_to(path).as_posix() if p != path else p.name for p in files]
    for p, part in zip(files, parts):
        if p.suffix.lower() not in DATA_SUFFIXES:
            raise UsageError(f"data: {part} is not CSV, JSON Lines or Parquet (by its suffix)")
    if len(files) == 1 and DATA_SUFFIXES[files[0].suffix.lower()] == "csv":
        return files[0]
    import pandas as pd

    frames = []
    for p, part in zip(files, parts):
        frame = _read_part(p, part, DATA_SUFFIXES[p.suffix.lower()])
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise DataError(f"data: {part} has no column {json.dumps(missing[0])}"
                            f"{' (nor others the policy names)' if len(missing) > 1 else ''}")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True, sort=False)


def _numeric_columns(policy: _core.Policy, available: Sequence[str]) -> List[str]:
    """The columns the core reads as numbers: a numeric label, the scores (a multiclass
    model's probability columns as the core resolves the policy's against ``available``),
    the weight and the serving columns."""
    cols = policy.columns
    serving = [pair[m] for pair in (cols["latency"], cols["cost"], cols["error"]) for m in ("champion", "challenger")]
    # A label the policy reads as text (positive_label, multiclass) stays text: the core maps it.
    label = cols["label"] if cols["label_kind"] == "numeric" else None
    models = [cols["champion"], cols["challenger"]]
    if policy.task == "multiclass":
        _classes, champion, challenger = policy.resolve_class_columns([str(c) for c in available])
        models = [*champion, *challenger]
    return [c for c in (label, *models, cols["weight"], *serving) if c]


def _frame_for(data: Any, policy: _core.Policy, origin: str) -> Any:
    """CSV text columns read by pandas as strings: numbers for the numeric roles, read by
    referee's CSV reader's own number parser (a message names ``origin``, the row counted
    across the files in name order, and the column)."""
    if isinstance(data, Path):
        return data
    import pandas as pd

    cols = policy.columns
    numeric = _numeric_columns(policy, list(data.columns))
    frame = data.copy()
    # pandas 3 reads dtype=str as its own string dtype, older pandas as object.
    textual = lambda column: column.dtype == object or pd.api.types.is_string_dtype(column)  # noqa: E731
    for name in numeric:
        if name in frame.columns and textual(frame[name]):
            # Each cell's text as a CSV holds it (a JSON number's shortest repr, "" for a null).
            cells = [v if isinstance(v, str) else _value_text(v) for v in frame[name].tolist()]
            frame[name] = pd.Series(_core.parse_numbers(cells, name, origin), index=frame.index)
    # An empty cell in a text column is a missing value, as referee's CSV reader has it,
    # not a segment, cluster, row id or query called "".
    for name in [c for c in (cols["cluster"], cols["id"], cols["query"], *cols["categorical"]) if c]:
        if name in frame.columns and textual(frame[name]):
            frame[name] = frame[name].astype(object).map(lambda v: None if v == "" else v)
    return frame


def evaluation_json(report: Dict[str, Any], sections: Dict[str, Any]) -> Dict[str, Any]:
    """What a ConditionStep reads with JsonGet: the challenger's figures in Model Monitor's
    layout (``sections``, as in model_quality.json, less the curves), and under "referee"
    the verdict and every metric of the challenger by referee's name, each
    {value, standard_deviation} (the bootstrap standard error)."""
    challenger = report["metrics"]["challenger"]
    metrics = {name: _model_monitor.figure(f["estimate"], f.get("se"))
               for name, f in challenger.items() if f.get("estimate") is not None}
    return {
        **{name: {k: v for k, v in figures.items() if k not in _model_monitor.CURVES}
           for name, figures in sections.items()},
        "referee": {"verdict": report["verdict"], "passed": report["passed"],
                    "policy_sha256": report["policy_sha256"], "data_sha256": report["data"]["sha256"],
                    "rules": {r["id"]: r["verdict"] for r in report["rules"]}, "metrics": metrics},
    }


def scored_columns(data: Any, policy: _core.Policy, origin: str) -> Optional[ScoredColumns]:
    """The label, the challenger's score and the weight, for the layout figures that come
    from the table (_model_monitor.py says which); None for a task whose layout needs none.
    Called once the core has accepted the data: a single CSV is read again by pandas for
    these three columns, its cells through the core's own number parser."""
    if policy.task not in _model_monitor.NEEDS_COLUMNS:
        return None
    cols = policy.columns
    names = [c for c in (cols["label"], cols["challenger"], cols["weight"]) if c]
    if isinstance(data, Path):
        import pandas as pd

        # utf-8-sig: a byte order mark, which the core's reader skips, is no part of a name.
        data = _frame_for(pd.read_csv(data, usecols=names, keep_default_na=False, dtype=str, encoding="utf-8-sig"),
                          policy, origin)
    as_array = lambda name: np.ascontiguousarray(data[name].to_numpy(dtype=np.float64))  # noqa: E731
    return ScoredColumns(_positive_class(data[cols["label"]], policy), as_array(cols["challenger"]),
                         as_array(cols["weight"]) if cols["weight"] else None)


def _positive_class(label: Any, policy: _core.Policy) -> np.ndarray:
    """The label as 1 for the positive class and 0 for the other. A text label (a
    positive_label policy) goes through the text evaluate() gives the core, each distinct
    value matched by the core's own rule (``is_positive_label``)."""
    if policy.columns["label_kind"] == "numeric":
        return np.ascontiguousarray(label.to_numpy(dtype=np.float64))
    codes, texts = _as_text(label, policy.columns["label"])
    positive = np.array([policy.is_positive_label(t) for t in texts], dtype=np.float64)
    return np.ascontiguousarray(positive[codes])


def _json(document: Dict[str, Any]) -> str:
    return json.dumps(document, indent=2) + "\n"


def write_outputs(report: Report, folder: Path, columns: Optional[ScoredColumns],
                  limits: Optional[Dict[str, int]] = None) -> None:
    """All five files through the core's OutputSet: each destination checked, all staged,
    then renamed in this order, evaluation.json last: what the ConditionStep reads appears
    only beside complete reports, and no file lands if one cannot be written."""
    folder.mkdir(parents=True, exist_ok=True)
    data = report.to_dict()
    if columns is not None and columns.label.size != data["data"]["rows"]:
        # pandas and the core's reader disagree on the file: no figure from the wrong rows.
        raise RefereeError(f"model_quality.json: the data read again has {columns.label.size} rows, "
                           f"the report {data['data']['rows']} rows")
    sections = _model_monitor.layout(data, columns)
    files = [
        ("model_quality.json", _json(_model_monitor.statistics(data, sections))),
        ("report.md", report.to_markdown()),
        ("report.html", report.to_html()),
        ("report.json", report.to_json()),
        ("evaluation.json", _json(evaluation_json(data, sections))),
    ]
    _core.write_outputs([(name, os.fspath(folder / name), text) for name, text in files], limits)


# A number standing alone as a word (not a digit inside a path, a name or file:line:col).
_NUMBER = re.compile(r'(?<![^\s(\[,])[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?=$|[\s)\],;])')
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# What a number is allowed to follow or precede: a place (row, line) or a count, never a value.
_PLACE_BEFORE = re.compile(r'(?:\brows?|\blines?|\bparts?|= )\s*$')
_COUNT_AFTER = re.compile(r'^ (?:rows?|values|distinct|bytes|units|files?|rules|resamples)\b')
# The fixed range texts of the core's messages, which hold numbers that are no data.
_FIXED = ("[0, 1]", "[0, inf)", "0 or 1", "(1 = ", ">= 0")


def _scrub_numbers(text: str) -> str:
    def number(m: "re.Match[str]") -> str:
        if _PLACE_BEFORE.search(text[:m.start()]) or _COUNT_AFTER.match(text[m.end():]):
            return m.group()
        return "…"

    pieces = re.split("(" + "|".join(re.escape(f) for f in _FIXED) + ")", text)
    return "".join(p if p in _FIXED else _NUMBER.sub(number, p) for p in pieces)


def scrub(text: str, names: Iterable[str] = (), numbers: bool = True) -> str:
    """A data error's text with every value taken out: a quoted text is kept only when it is
    a name the job knows (a column the policy names, a file of the channel), and a number
    only when it is a place (row 17, line 18) or a count; everything else becomes "…".
    The core's messages should carry no value at all; this is the guarantee's second line."""
    known = set(names) | {task for _, task, _ in _core.METRIC_CATALOGUE}  # 'task "binary"'

    def quoted(m: "re.Match[str]") -> str:
        try:
            inner = json.loads(m.group())
        except ValueError:
            inner = None
        return m.group() if inner in known else '"…"'

    rest_of = _scrub_numbers if numbers else (lambda t: t)
    pieces = _QUOTED.split(text)
    quotes = [quoted(m) for m in _QUOTED.finditer(text)]
    out = [rest_of(pieces[0])]
    for q, rest in zip(quotes, pieces[1:]):
        out += [q, rest_of(rest)]
    return "".join(out)


def _strings(value: Any) -> Iterable[str]:
    """Every key and string value of a JSON document (the policy's own words)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def failure_message(kind: str, error: BaseException, names: Optional[set] = None) -> str:
    """A short, single-line reason with no data values (docs/sagemaker.md): a data error's
    text scrubbed of values (scrub()); once the policy is read (``names`` holds its words),
    a policy, usage or internal error's quoted texts too, keeping the policy's own; any
    other exception than referee's and OSError named by its type only, since its text can
    hold anything it read."""
    if isinstance(error, RefereeError):
        text = str(error)
    elif isinstance(error, OSError):
        text = f"{error.filename}: {error.strerror}" if error.filename else (error.strerror or type(error).__name__)
    else:
        text = type(error).__name__
    text = (text.splitlines() or [type(error).__name__])[0]
    if kind == "data":
        text = scrub(text, names or ())
    elif names and kind in ("policy", "usage", "internal"):
        text = scrub(text, names, numbers=False)
    message = f"referee: {kind}: {_core.escape_message(text)}"
    encoded = message.encode("utf-8", errors="backslashreplace")[:1000]
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
    # Checked by the core's rules (a UsageError, exit 64), not by argparse's int().
    parser.add_argument("--seed", default=None)
    parser.add_argument("--threads", default=None)
    parser.add_argument("--limit", action="append", default=[], metavar="NAME=VALUE",
                        help="raise or lower a cap (docs/security.md), as referee run --limit; repeatable")
    parser.add_argument("--fail-on-verdict", action="store_true",
                        help="exit 1 on FAIL and 2 on INCONCLUSIVE (by default the verdict is left to the ConditionStep)")
    return parser.parse_args(argv)


def _integer(text: Optional[str]) -> Any:
    """An option's text as an int where it is one; anything else goes to the core as it is,
    whose rule refuses it with its own message."""
    return int(text) if text is not None and re.fullmatch(r"[0-9]+", text) else text


def run(args: argparse.Namespace, names: set) -> Report:
    """The job: every input read and checked, the gate run, the outputs landed together.
    ``names`` collects what a message may name (the policy's columns, the data's parts)."""
    limits = _core.parse_limits(args.limit)
    seed, threads = _integer(args.seed), _integer(args.threads)
    _core.check_arguments(seed=seed, threads=threads)  # before any input is read
    policy = _core.Policy.load(os.fspath(find_policy(args.policy)), limits)
    names.update(required_columns(policy), _strings(json.loads(policy.json)))
    # The origin as text a message can carry: a name that is not UTF-8 escaped, not refused.
    origin = os.fsencode(args.data).decode("utf-8", "backslashreplace")
    data = _frame_for(read_data(args.data, required_columns(policy)), policy, origin)
    latency = optional_csv(args.latency, "latency")
    reference = optional_csv(args.reference, "reference")
    report = evaluate(data, policy, seed=seed, threads=threads, latency=latency, reference=reference,
                      limits=limits)
    write_outputs(report, args.output, scored_columns(data, policy, origin), limits)
    return report


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Runs the job; whatever goes wrong ends in an exit code and output/message, never a traceback."""
    try:
        args = parse_args(argv)
    except SystemExit as e:  # argparse already printed its usage message
        code = EXIT_OK if e.code == 0 else UsageError.exit_code
        if code:
            _write_message("referee: usage: invalid arguments to referee sagemaker\n")
        return code
    names: set = set()  # what a message may quote, once the policy is read
    try:
        report = run(args, names)
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 -- the contract: a code and a message
        code, kind = classify(e)
        return _fail(code, kind, e, names)
    print(f"referee: {report.verdict} (outputs in {args.output})")
    return _core.VERDICT_EXIT_CODES[report.verdict] if args.fail_on_verdict else EXIT_OK


# Each error class, its kind in output/message, and its exit code from the core's table.
_KINDS: Tuple[Tuple[type, str], ...] = (
    (UsageError, "usage"), (PolicyError, "policy"), (DataError, "data"), (IoError, "io"),
    (CancelledError, "interrupted"), (RefereeError, "internal"))


def classify(error: BaseException) -> Tuple[int, str]:
    """(exit code, kind) of any exception: referee's by its class, Ctrl-C as cancelled (130),
    an OSError as I/O (74), anything else internal (70). Never 1, which is a FAIL verdict's."""
    if isinstance(error, KeyboardInterrupt):
        return CancelledError.exit_code, "interrupted"
    for cls, kind in _KINDS:
        if isinstance(error, cls):
            return cls.exit_code, kind
    if isinstance(error, OSError):
        return IoError.exit_code, "io"
    return RefereeError.exit_code, "internal"


def _write_message(message: str) -> None:
    try:
        folder = root() / "output"
        folder.mkdir(parents=True, exist_ok=True)
        write_atomically(folder / "message", message)
    except (OSError, RefereeError):
        pass  # the message is a courtesy; the exit code still tells


def _fail(code: int, kind: str, error: BaseException, names: Optional[set] = None) -> int:
    message = failure_message(kind, error, names)
    print(message, end="", file=sys.stderr)
    _write_message(message)
    return code


if __name__ == "__main__":
    sys.exit(main())
