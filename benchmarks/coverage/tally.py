"""Scoring one interval against its truth, and tallying coverage per (cell, method)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from math import sqrt
from typing import Any, Dict, Iterable, List, Optional, Tuple

# One scored interval: (cell, method, outcome, width or None, the interval's name).
# outcome: "covered", "below" (the interval lies below the truth), "above", "undefined".
Score = Tuple[str, str, str, Optional[float], str]


def score(figure: Dict[str, Any], truth: float) -> Tuple[str, Optional[float]]:
    ci = figure.get("ci")
    if ci is None:  # no interval (the figure or its bootstrap undefined): it covers nothing
        return "undefined", None
    low, high = float(ci[0]), float(ci[1])
    outcome = "covered" if low <= truth <= high else ("below" if high < truth else "above")
    return outcome, high - low


@dataclass
class Tally:
    cell: str
    method: str
    rows: int
    truth: float
    outcomes: Counter = field(default_factory=Counter)
    width_sum: float = 0.0
    intervals: Counter = field(default_factory=Counter)

    def add(self, outcome: str, width: Optional[float], interval: str) -> None:
        self.outcomes[outcome] += 1
        self.intervals[interval] += 1
        if width is not None:
            self.width_sum += width

    @property
    def datasets(self) -> int:
        return sum(self.outcomes.values())

    @property
    def coverage(self) -> float:
        return self.outcomes["covered"] / self.datasets

    @property
    def mc_se(self) -> float:
        """Monte Carlo standard error of the coverage: sqrt(p (1 - p) / datasets)."""
        p = self.coverage
        return sqrt(p * (1.0 - p) / self.datasets)

    @property
    def mean_width(self) -> Optional[float]:
        defined = self.datasets - self.outcomes["undefined"]
        return self.width_sum / defined if defined else None

    def as_dict(self) -> Dict[str, Any]:
        return {"cell": self.cell, "method": self.method, "rows": self.rows, "truth": self.truth,
                "datasets": self.datasets, "coverage": self.coverage, "mc_se": self.mc_se,
                "mean_width": self.mean_width, "outcomes": dict(self.outcomes), "intervals": dict(self.intervals)}


def _intervals_text(intervals: Counter, total: int) -> str:
    return ", ".join(name if count == total else f"{name} ({count})" for name, count in intervals.most_common())


def markdown_table(tallies: Iterable[Tally], default: str) -> str:
    lines = ["| cell | method | n | truth | datasets | coverage | MC s.e. | mean width | misses below / above / none "
             "| interval reported |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for t in tallies:
        method = f"{t.method} (default)" if t.method == default else t.method
        width = "-" if t.mean_width is None else f"{t.mean_width:.4g}"
        misses = f"{t.outcomes['below']} / {t.outcomes['above']} / {t.outcomes['undefined']}"
        lines.append(f"| {t.cell} | {method} | {t.rows} | {t.truth:.6g} | {t.datasets} | {100 * t.coverage:.1f}% "
                     f"| {100 * t.mc_se:.1f} | {width} | {misses} | {_intervals_text(t.intervals, t.datasets)} |")
    return "\n".join(lines) + "\n"


def tally_scores(scores: Iterable[Score], rows: int, truths: Dict[str, float],
                 into: Dict[Tuple[str, str], Tally]) -> None:
    for cell, method, outcome, width, interval in scores:
        key = (cell, method)
        if key not in into:
            into[key] = Tally(cell, method, rows, truths[cell])
        into[key].add(outcome, width, interval)


def ordered(tallies: Dict[Tuple[str, str], Tally], cells: List[str], methods: List[str]) -> List[Tally]:
    return [tallies[(c, m)] for c in cells for m in methods if (c, m) in tallies]
