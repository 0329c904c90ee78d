"""Where a figure sits in referee's JSON report, and which interval the report says it used.

A locator takes the report (a dict) and returns (the figure's dict, the interval's name
when the report names one for this figure, else None).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

Located = Tuple[Dict[str, Any], Optional[str]]
Locator = Callable[[Dict[str, Any]], Located]


def _named_interval(figure: Dict[str, Any], fallback: Optional[str] = None) -> Optional[str]:
    """The interval a figure names for itself, else ``fallback``: ``interval_method`` on a
    figure whose interval referee chose itself (a paired proportion's score interval, say),
    ``interval`` on a budget figure."""
    named = figure.get("interval_method", figure.get("interval"))
    if isinstance(named, dict):  # {"method": ..., "reason": ...}
        named = named.get("method")
    return named if isinstance(named, str) else fallback


def metric(name: str, subject: str) -> Locator:
    def locate(report: Dict[str, Any]) -> Located:
        figure = report["metrics"][subject][name]
        return figure, _named_interval(figure)
    return locate


def segment(spec: str, value: str, name: str, subject: str) -> Locator:
    def locate(report: Dict[str, Any]) -> Located:
        entry = next(s for s in report["segments"] if s["segment"] == spec)
        row = next(v for v in entry["values"] if v["value"] == value)
        figure = row["metrics"][name][subject]
        return figure, _named_interval(figure)
    return locate


def disparity(attribute: str, name: str, subject: str) -> Locator:
    def locate(report: Dict[str, Any]) -> Located:
        entry = next(a for a in report["fairness"] if a["attribute"] == attribute)
        figure = entry["disparities"][name][subject]
        chosen = entry.get("disparity_interval")  # set when referee overrides the policy's method
        return figure, _named_interval(figure, chosen.get("method") if chosen else None)
    return locate


def budget(name: str, subject: str) -> Locator:
    def locate(report: Dict[str, Any]) -> Located:
        figure = report["budgets"]["metrics"][name][subject]
        return figure, _named_interval(figure)
    return locate
