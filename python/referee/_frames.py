"""pandas DataFrames of a report's tables, for notebooks and scripts.

Each frame is a view of report.json, one row per figure, in long ("tidy") form: a figure's
estimate, its CI bounds and n side by side, so a notebook can filter, pivot or plot without
walking the JSON. pandas is imported only when a frame is asked for."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

SUBJECTS = ("champion", "challenger", "delta", "relative_delta")


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - pandas is in the test extra
        raise ImportError("referee's *_frame() methods need pandas: pip install pandas") from e
    return pandas


def _figure(e: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """An estimate's columns: estimate, ci_low, ci_high, n (None where undefined)."""
    e = e or {}
    ci = e.get("ci")
    return {"estimate": e.get("estimate"), "ci_low": None if ci is None else ci[0],
            "ci_high": None if ci is None else ci[1], "n": e.get("n")}


def _value_text(value: Any) -> str:
    """A segment's value as the summary shows it: "west", or "west*web" for an intersection."""
    return "*".join(str(v) for v in value.values()) if isinstance(value, dict) else str(value)


def rules_frame(report: Dict[str, Any]) -> Any:
    rows: List[Dict[str, Any]] = []
    for r in report["rules"]:
        bound = r.get("bound", {})
        step = r.get("next_step") or {}
        rows.append({
            "id": r["id"], "metric": r["metric"], "subject": r.get("subject"), "scope": r.get("scope"),
            "segment": None if r.get("segment") is None else _value_text(r["segment"]),
            "severity": r["severity"], "verdict": r["verdict"], **_figure(r),
            "champion": (r.get("champion") or {}).get("estimate"),
            "challenger": (r.get("challenger") or {}).get("estimate"),
            "min": bound.get("min"), "max": bound.get("max"), "reason": r["reason"],
            "rows_needed": step.get("rows_needed"),
        })
    return _pandas().DataFrame(rows)


def _subject_rows(figures: Dict[str, Any], keys: Dict[str, Any]) -> Iterable[Dict[str, Any]]:
    for subject in SUBJECTS:
        if subject in figures:
            yield {**keys, "subject": subject, **_figure(figures[subject])}


def segments_frame(report: Dict[str, Any]) -> Any:
    rows: List[Dict[str, Any]] = []
    for table in report.get("segments", []):
        for seg in table["values"]:
            for metric, figures in seg["metrics"].items():
                keys = {"segment": table["segment"], "value": _value_text(seg["value"]),
                        "sufficient": seg["sufficient"], "metric": metric}
                rows.extend(_subject_rows(figures, keys))
    return _pandas().DataFrame(rows, columns=["segment", "value", "sufficient", "metric", "subject",
                                              "estimate", "ci_low", "ci_high", "n"])


def fairness_frame(report: Dict[str, Any]) -> Any:
    """Disparities (group None) and each group's rates, per attribute and subject."""
    rows: List[Dict[str, Any]] = []
    for table in report.get("fairness", []):
        for name, figures in table["disparities"].items():
            rows.extend(_subject_rows(figures, {"attribute": table["attribute"], "kind": "disparity",
                                                "group": None, "name": name}))
        for group in table["groups"]:
            for model in ("champion", "challenger"):
                for name, figure in group[model].items():
                    rows.append({"attribute": table["attribute"], "kind": "rate", "group": group["group"],
                                 "name": name, "subject": model, **_figure(figure)})
    return _pandas().DataFrame(rows, columns=["attribute", "kind", "group", "name", "subject",
                                              "estimate", "ci_low", "ci_high", "n"])


def budgets_frame(report: Dict[str, Any]) -> Any:
    rows: List[Dict[str, Any]] = []
    for metric, figures in report.get("budgets", {}).get("metrics", {}).items():
        for subject in SUBJECTS:
            if subject in figures:
                rows.append({"metric": metric, "unit": figures.get("unit"), "subject": subject,
                             **_figure(figures[subject]), "interval": figures[subject].get("interval")})
    return _pandas().DataFrame(rows, columns=["metric", "unit", "subject", "estimate", "ci_low", "ci_high", "n",
                                              "interval"])
