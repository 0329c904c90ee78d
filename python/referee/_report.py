"""Typed views of referee's JSON report."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from . import _frames
from ._core import UsageError, attestation_text, write_outputs

Subjects = Union[Mapping[str, str], Sequence[str]]


def subject_options(subjects: Subjects) -> List[str]:
    """``{"model.pkl": "sha256:HEX"}`` or ``["model.pkl=sha256:HEX"]`` as the core reads them
    (the CLI's ``--subject``; the core checks the digest)."""
    if isinstance(subjects, Mapping):
        return [f"{name}={digest}" for name, digest in subjects.items()]
    if isinstance(subjects, (str, bytes)):
        raise UsageError("subjects must be a dict {name: \"sha256:HEX\"} or a list of \"name=sha256:HEX\"")
    return list(subjects)


@dataclass(frozen=True)
class Estimate:
    """One figure: the estimate on the data as given, its confidence interval and n.

    ``estimate`` is None when the metric is undefined on the data (``undefined`` says why);
    ``ci`` is None when no interval can be given (``ci_undefined`` says why).
    """

    estimate: Optional[float]
    ci: Optional[Tuple[float, float]]
    n: int
    se: Optional[float] = None
    undefined: Optional[str] = None
    ci_undefined: Optional[str] = None

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "Estimate":
        ci = j.get("ci")
        return cls(
            estimate=j.get("estimate"),
            ci=None if ci is None else (float(ci[0]), float(ci[1])),
            n=int(j["n"]),
            se=j.get("se"),
            undefined=j.get("undefined"),
            ci_undefined=j.get("ci_undefined"),
        )


@dataclass(frozen=True)
class RuleResult:
    """A rule's verdict with the figure it judged and both models' values for context."""

    id: str
    metric: str
    subject: Optional[str]  # None for a drift rule, which compares the data, not the models
    verdict: str
    severity: str
    decide_on: str
    bound: Dict[str, float]
    estimate: Optional[float]
    ci: Optional[Tuple[float, float]]
    champion: Optional[Estimate]  # None for a drift rule
    challenger: Optional[Estimate]
    reason: str
    n: int = 0
    # Segment-scoped rules: the segment judged (a string, or {column: value} for an
    # intersection); each_segment rules and Clarify rules over several groups: every
    # part's {value, verdict, estimate, ci, n, reason} as the report gives it.
    segment: Any = None
    parts: Tuple[Dict[str, Any], ...] = ()
    feature: Optional[str] = None  # a drift rule's feature

    @classmethod
    def from_json(cls, j: Dict[str, Any]) -> "RuleResult":
        ci = j.get("ci")
        return cls(
            id=j["id"],
            metric=j["metric"],
            subject=j.get("subject"),
            verdict=j["verdict"],
            severity=j["severity"],
            decide_on=j["decide_on"],
            bound=dict(j["bound"]),
            estimate=j.get("estimate"),
            ci=None if ci is None else (float(ci[0]), float(ci[1])),
            champion=Estimate.from_json(j["champion"]) if "champion" in j else None,
            challenger=Estimate.from_json(j["challenger"]) if "challenger" in j else None,
            reason=j["reason"],
            n=int(j.get("n", 0)),
            segment=j.get("segment"),
            parts=tuple(j.get("segments", j.get("groups", []))),
            feature=j.get("feature"),
        )


@dataclass(frozen=True)
class Comparison:
    """``compare()``'s result: a metric for both models and their paired difference."""

    metric: str
    champion: Estimate
    challenger: Estimate
    delta: Estimate
    relative_delta: Estimate


def write_atomically(path: "os.PathLike[str] | str | bytes", text: str,
                     limits: Optional[Mapping[str, int]] = None) -> None:
    """Writes ``text`` as the core writes every output (``_core.write_outputs``): the
    destination must be absent or a regular file, the text goes to an exclusively created
    temporary file beside it, fsynced, then renamed into place; errors are ``IoError``
    naming the destination. ``limits`` may raise ``max_report_bytes``."""
    write_outputs([("output", os.fspath(path), text)], None if limits is None else dict(limits))


class Report:
    """The audit report of one evaluation. ``to_json()`` is byte for byte what the CLI writes."""

    def __init__(self, text: str, markdown: Optional[str] = None, html: Optional[str] = None,
                 summary: Optional[str] = None, notebook: Optional[str] = None) -> None:
        self._text = text
        self._markdown = markdown
        self._html = html
        self._summary = summary
        self._notebook = notebook  # the core's HTML fragment for _repr_html_
        self._data: Dict[str, Any] = json.loads(text)
        self._policy_file: Optional[str] = None  # set by evaluate() for a policy given as a path

    @property
    def verdict(self) -> str:
        """PASS, WARN, FAIL or INCONCLUSIVE (a rule's verdict may also be SKIPPED)."""
        return self._data["verdict"]

    @property
    def passed(self) -> bool:
        """True for PASS and WARN: the challenger may be promoted."""
        return bool(self._data["passed"])

    @property
    def rules(self) -> List[RuleResult]:
        return [RuleResult.from_json(r) for r in self._data["rules"]]

    @property
    def metrics(self) -> Dict[str, Dict[str, Estimate]]:
        """{"champion" | "challenger" | "delta" | "relative_delta": {metric: Estimate}}."""
        return {
            subject: {name: Estimate.from_json(v) for name, v in figures.items()}
            for subject, figures in self._data["metrics"].items()
        }

    def to_dict(self) -> Dict[str, Any]:
        return copy.deepcopy(self._data)

    def to_json(self) -> str:
        return self._text

    def to_markdown(self) -> str:
        """The Markdown report (verdict, rules, segments, fairness, audit), as ``--markdown`` writes it."""
        if self._markdown is None:
            raise ValueError("this report was built from JSON alone; evaluate() renders Markdown")
        return self._markdown

    def to_html(self) -> str:
        """The self-contained HTML report with its forest plot, as ``--html`` writes it."""
        if self._html is None:
            raise ValueError("this report was built from JSON alone; evaluate() renders HTML")
        return self._html

    def save(self, path: "os.PathLike[str] | str | bytes", *, limits: Optional[Mapping[str, int]] = None,
             attestation: "os.PathLike[str] | str | bytes | None" = None,
             subjects: Subjects = ()) -> None:
        """Writes the JSON report atomically: a temporary file in the same folder, then a
        rename. An error is an ``IoError`` naming ``path``; ``limits`` as in ``evaluate``.
        With ``attestation``, also an in-toto statement over the report's bytes (the CLI's
        ``--attestation``; docs/audit.md): subjects are the data file, the policy file when
        ``evaluate`` was given a path, and ``subjects`` as ``{name: "sha256:HEX"}``. Both
        land together or neither does."""
        if attestation is None:
            if subjects:
                raise UsageError("subjects are given without attestation")
            write_atomically(path, self._text, limits)
            return
        options = subject_options(subjects)
        checked = None if limits is None else dict(limits)
        statement = attestation_text(self._text, os.fspath(path), self._policy_file, options, False, checked)
        write_outputs([("report", os.fspath(path), self._text), ("attestation", os.fspath(attestation), statement)],
                      checked)

    def save_markdown(self, path: "os.PathLike[str] | str | bytes", *,
                      limits: Optional[Mapping[str, int]] = None) -> None:
        write_atomically(path, self.to_markdown(), limits)

    def save_html(self, path: "os.PathLike[str] | str | bytes", *, limits: Optional[Mapping[str, int]] = None) -> None:
        write_atomically(path, self.to_html(), limits)

    def __str__(self) -> str:
        """The summary ``referee run`` prints: the rules table, the reasons, the verdict."""
        return self._summary if self._summary is not None else repr(self)

    def rules_frame(self) -> Any:
        """A pandas DataFrame, one row per rule: verdict, estimate, CI, bounds, both models, reason."""
        return _frames.rules_frame(self._data)

    def segments_frame(self) -> Any:
        """A pandas DataFrame, one row per segment value, metric and subject (long form)."""
        return _frames.segments_frame(self._data)

    def fairness_frame(self) -> Any:
        """A pandas DataFrame of every disparity (group None) and group rate, per attribute and subject."""
        return _frames.fairness_frame(self._data)

    def budgets_frame(self) -> Any:
        """A pandas DataFrame of the latency, cost and error budgets' figures, per subject."""
        return _frames.budgets_frame(self._data)

    def __repr__(self) -> str:
        return f"<referee.Report verdict={self.verdict} rules={len(self._data['rules'])}>"

    def _repr_html_(self) -> Optional[str]:
        """What a notebook shows: the verdict, the forest plot and the rules table with both
        models' values, severity and scope, as one HTML fragment the core renders (scoped
        CSS, no script, nothing loaded). None for a report built from JSON alone, so the
        notebook falls back to ``repr``."""
        return self._notebook
