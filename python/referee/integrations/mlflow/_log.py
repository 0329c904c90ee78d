"""log_report: one report into one MLflow run, in one batched call plus one artifact upload."""

import os
import tempfile
import time
from typing import Any, Optional

from ..._report import Report
from . import _entries, _names


def _mlflow() -> Any:
    try:
        import mlflow
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError('referee.integrations.mlflow needs MLflow: pip install "referee[mlflow]"') from e
    return mlflow


def log_entries(client: Any, run_id: str, entries: "_entries.Entries") -> None:
    """Metrics, params and tags in one ``MlflowClient.log_batch`` (the client splits it into
    requests of MLflow's batch limits: 1000 metrics, 100 params, 100 tags)."""
    from mlflow.entities import Metric, Param, RunTag

    now = int(time.time() * 1000)
    client.log_batch(
        run_id,
        metrics=[Metric(key, value, now, 0) for key, value in entries.metrics.items()],
        params=[Param(key, value) for key, value in entries.params.items()],
        tags=[RunTag(key, value) for key, value in entries.tags.items()],
    )


def log_documents(client: Any, run_id: str, report: Report, artifact_path: str) -> None:
    """report.json, and report.md and report.html when the report has them (a report rebuilt
    from JSON alone has not), uploaded together under ``artifact_path``."""
    with tempfile.TemporaryDirectory(prefix="referee-mlflow-") as folder:
        report.save(os.path.join(folder, "report.json"))
        try:
            report.save_markdown(os.path.join(folder, "report.md"))
            report.save_html(os.path.join(folder, "report.html"))
        except ValueError:
            pass
        client.log_artifacts(run_id, folder, artifact_path=artifact_path)


def log_report(report: Report, run_id: Optional[str] = None, *, prefix: str = "referee",
               segments: bool = True) -> str:
    """Logs ``report`` to the MLflow run ``run_id``, else to the active run, else to a new
    run (which is then ended). Returns the run id.

    Every figure (both models, delta and relative delta of each metric, budget, segment
    and fairness disparity, and each rule's: estimate, CI bounds and n) becomes a metric,
    the bootstrap settings and policy name params, the verdicts tags, all in one
    ``log_batch``; report.json, report.md and report.html are artifacts under ``prefix``.
    Names follow docs/mlflow.md. ``segments=False`` leaves the per-segment figures out
    (about 200 metrics per segment value for a binary task). MLflow params cannot change
    once logged: log a second report into one run under another ``prefix``.
    """
    _names.check_prefix(prefix)
    entries = _entries.entries(report.to_dict(), prefix, segments=segments)
    mlflow = _mlflow()
    client = mlflow.tracking.MlflowClient()
    started = False
    if run_id is None:
        active = mlflow.active_run()
        started = active is None
        run_id = mlflow.start_run().info.run_id if started else active.info.run_id
    try:
        log_entries(client, run_id, entries)
        log_documents(client, run_id, report, prefix)
    except BaseException:
        if started:
            mlflow.end_run(status="FAILED")
        raise
    if started:
        mlflow.end_run()
    return run_id
