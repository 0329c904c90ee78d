"""Reproducing a stored report (``referee verify`` in the CLI) and attesting it.

The comparison and the statement are the core's (src/render/report_diff.hpp,
src/render/attestation.hpp); this module only binds them to ``evaluate``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Optional

from . import _core
from ._api import Limits, PolicyLike, _limits, evaluate, policy_file_of
from ._report import Report, Subjects, subject_options

@dataclass(frozen=True)
class Verification:
    """The outcome of ``verify``: ``verified`` is true when the fresh report equals the
    stored one byte for byte outside ``run``; otherwise ``path`` (a JSON path such as
    ``$.rules[0].estimate``), ``stored`` and ``now`` (both values, escaped and cut) name the
    first difference, and ``message`` says it in one line, as the CLI prints it."""

    verified: bool
    report: Report
    path: Optional[str] = None
    stored: Optional[str] = None
    now: Optional[str] = None
    message: Optional[str] = None

    def __bool__(self) -> bool:
        return self.verified


def verify(report: "os.PathLike[str] | str | bytes", *, data: Any, policy: PolicyLike,
           latency: Any = None, reference: Any = None, threads: Optional[int] = None,
           limits: Limits = None, attestation: "os.PathLike[str] | str | bytes | None" = None,
           subjects: Subjects = ()) -> Verification:
    """Re-runs the evaluation a stored report records, with the seed it records, and
    compares the two reports byte for byte outside ``run`` and the data's provenance (its
    file's name and bytes digest: the rows digest identifies the data, so a DataFrame of a
    CSV's rows reproduces the CSV's report; docs/audit.md). A stored file
    that is not a report of this referee version is a ``DataError`` naming it. With
    ``attestation``, writes an in-toto statement about the stored report once it is verified
    (``reproduced: true``); ``subjects`` adds artifacts as ``{name: "sha256:HEX"}``."""
    checked = _limits(limits)
    options = subject_options(subjects)
    if attestation is not None:
        _core.check_output(os.fspath(attestation))
    fresh = []

    def rerun(seed: int) -> str:
        fresh.append(evaluate(data, policy, seed=seed, threads=threads, latency=latency,
                              reference=reference, limits=checked))
        return fresh[0].to_json()

    difference, stored = _core.verify_report(os.fspath(report), rerun, checked)
    if difference is not None:
        path, was, now, message = difference
        return Verification(False, fresh[0], path, was, now, message)
    if attestation is not None:
        statement = _core.attestation_text(stored, os.fspath(report), policy_file_of(policy), options, True, checked)
        _core.write_outputs([("attestation", os.fspath(attestation), statement)], checked)
    return Verification(True, fresh[0])
