"""What a report becomes in an MLflow run: metrics, params and tags under the name scheme
of ``_names`` (the table is in docs/mlflow.md)."""

from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, Mapping, Sequence, Tuple

from . import _names
from ._names import Text

SUBJECTS = ("champion", "challenger", "delta", "relative_delta")


@dataclass
class Entries:
    """The keys and values of one report, ready for one ``log_batch``."""

    metrics: Dict[str, float] = field(default_factory=dict)
    params: Dict[str, str] = field(default_factory=dict)
    tags: Dict[str, str] = field(default_factory=dict)
    too_long: int = 0  # figures whose name exceeds 250 characters even shortened

    def add(self, table: Dict[str, Any], parts: Sequence[_names.Part], value: Any) -> None:
        key = _names.name(parts)
        if key is None:
            self.too_long += 1
            return
        if key in table:  # the escaping is injective: only a SHA-256 collision could get here
            raise RuntimeError(f"two figures of the report map to the MLflow name {key}")
        table[key] = value


def _stats(figure: Mapping[str, Any]) -> Iterator[Tuple[str, float]]:
    """A figure's numbers; an undefined estimate or interval is left out rather than logged as NaN."""
    if figure.get("estimate") is not None:
        yield "estimate", float(figure["estimate"])
    if figure.get("ci") is not None:
        yield "ci_low", float(figure["ci"][0])
        yield "ci_high", float(figure["ci"][1])
    if figure.get("n") is not None:
        yield "n", float(figure["n"])


def _add_figure(out: Entries, parts: Sequence[_names.Part], figure: Mapping[str, Any]) -> None:
    for stat, value in _stats(figure):
        out.add(out.metrics, (*parts, stat), value)


def _add_by_subject(out: Entries, parts: Sequence[_names.Part], by_subject: Mapping[str, Any]) -> None:
    for subject in SUBJECTS:
        if subject in by_subject:
            _add_figure(out, (*parts, subject), by_subject[subject])


def _add_metrics(out: Entries, prefix: str, data: Mapping[str, Any]) -> None:
    for subject, figures in data["metrics"].items():
        for metric, figure in figures.items():
            _add_figure(out, (prefix, "metric", Text(metric), subject), figure)
    for metric, by_subject in data.get("budgets", {}).get("metrics", {}).items():
        _add_by_subject(out, (prefix, "budget", Text(metric)), by_subject)


def _add_segments(out: Entries, prefix: str, data: Mapping[str, Any]) -> None:
    for spec in data.get("segments", []):
        for entry in spec["values"]:
            value = _names.segment_parts(spec["columns"], entry["value"])
            for metric, by_subject in entry["metrics"].items():
                _add_by_subject(out, (prefix, "segment", Text(spec["segment"]), *value, Text(metric)), by_subject)


def _add_fairness(out: Entries, prefix: str, data: Mapping[str, Any]) -> None:
    for attribute in data.get("fairness", []):
        for disparity, by_subject in attribute["disparities"].items():
            _add_by_subject(out, (prefix, "fairness", Text(attribute["attribute"]), Text(disparity)), by_subject)


def _add_rules(out: Entries, prefix: str, data: Mapping[str, Any]) -> None:
    for rule in data["rules"]:
        _add_figure(out, (prefix, "rule", Text(rule["id"])), rule)
        out.add(out.tags, (prefix, "rule", Text(rule["id"]), "verdict"), rule["verdict"])


def _add_run_facts(out: Entries, prefix: str, data: Mapping[str, Any]) -> None:
    bootstrap = data["bootstrap"]
    params = {"task": data["task"], "resamples": bootstrap["resamples"], "seed": bootstrap["seed"],
              "confidence": bootstrap["confidence"], "interval": bootstrap["interval"],
              "scheme": bootstrap["scheme"]}
    if data["policy"].get("name") is not None:
        params["policy_name"] = data["policy"]["name"]
    for key, value in params.items():
        out.add(out.params, (prefix, key), str(value))
    tags = {"verdict": data["verdict"], "passed": str(data["passed"]).lower(),
            "policy_sha256": data["policy_sha256"], "data_sha256": data["data"]["sha256"],
            "version": data["referee_version"]}
    for key, value in tags.items():
        out.add(out.tags, (prefix, key), value)


def entries(data: Mapping[str, Any], prefix: str, *, segments: bool = True) -> Entries:
    """Every figure of the report ``data`` (``Report.to_dict()``) under ``prefix``."""
    out = Entries()
    _add_run_facts(out, prefix, data)
    _add_metrics(out, prefix, data)
    if segments:
        _add_segments(out, prefix, data)
    _add_fairness(out, prefix, data)
    _add_rules(out, prefix, data)
    if out.too_long:
        out.tags[f"{prefix}/names_too_long"] = str(out.too_long)
    return out
