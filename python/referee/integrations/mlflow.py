"""Logs a referee report to MLflow: ``pip install "referee[mlflow]"``.

    import referee
    from referee.integrations.mlflow import log_report

    with mlflow.start_run():
        report = referee.evaluate(df, "gate.json")
        log_report(report)

Per rule: ``referee.<rule>.estimate``, ``.ci_low`` and ``.ci_high`` as metrics (undefined
figures are left out rather than logged as NaN) and ``referee.<rule>.verdict`` as a tag;
the verdict, ``passed`` and the policy and data hashes as tags; report.json and, when the
report carries it, report.html as artifacts under ``referee/``.
"""

import os
import re
import tempfile
from typing import Optional

from .._report import Report

_KEY = re.compile(r"[^A-Za-z0-9_\-. /]")


def _key(text: str) -> str:
    """MLflow keys allow letters, digits, and _ - . space /; anything else becomes _."""
    return _KEY.sub("_", text)


def log_report(report: Report, run_id: Optional[str] = None, *, prefix: str = "referee") -> str:
    """Logs ``report`` to the MLflow run ``run_id``, else to the active run, else to a new
    run (which is then ended). Returns the run id."""
    try:
        import mlflow
        from mlflow.tracking import MlflowClient
    except ImportError as e:  # pragma: no cover - exercised only without the extra
        raise ImportError('referee.integrations.mlflow needs MLflow: pip install "referee[mlflow]"') from e

    client = MlflowClient()
    started = False
    if run_id is None:
        active = mlflow.active_run()
        if active is not None:
            run_id = active.info.run_id
        else:
            run_id = mlflow.start_run().info.run_id
            started = True

    data = report.to_dict()
    metrics = {}
    tags = {
        f"{prefix}.verdict": data["verdict"],
        f"{prefix}.passed": str(data["passed"]).lower(),
        f"{prefix}.policy_sha256": data["policy_sha256"],
        f"{prefix}.data_sha256": data["data"]["sha256"],
        f"{prefix}.version": data["referee_version"],
    }
    for rule in data["rules"]:
        key = f"{prefix}.{_key(rule['id'])}"
        tags[f"{key}.verdict"] = rule["verdict"]
        if rule.get("estimate") is not None:
            metrics[f"{key}.estimate"] = float(rule["estimate"])
        if rule.get("ci") is not None:
            metrics[f"{key}.ci_low"] = float(rule["ci"][0])
            metrics[f"{key}.ci_high"] = float(rule["ci"][1])
    for name, value in metrics.items():
        client.log_metric(run_id, name, value)
    for name, value in tags.items():
        client.set_tag(run_id, name, value)

    with tempfile.TemporaryDirectory(prefix="referee-mlflow-") as folder:
        report.save(os.path.join(folder, "report.json"))
        client.log_artifact(run_id, os.path.join(folder, "report.json"), artifact_path=prefix)
        try:
            report.save_html(os.path.join(folder, "report.html"))
        except ValueError:
            pass  # a report rebuilt from JSON alone has no HTML
        else:
            client.log_artifact(run_id, os.path.join(folder, "report.html"), artifact_path=prefix)
    if started:
        mlflow.end_run()
    return run_id
