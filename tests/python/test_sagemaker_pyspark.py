"""examples/sagemaker_pyspark.py against the real SageMaker Python SDK v3, built with the
network refused (the harness of test_sagemaker_pipeline.py): the PySparkProcessor step runs
examples/spark_gate.py with arguments ``python -m referee.spark`` accepts, its policy and
output paths are the channels' local paths, and every JsonGet path of the ConditionStep
resolves in the evaluation.json the Spark door writes (referee.spark.outputs, a function of
the report, so no Spark is needed here)."""

import json
from pathlib import Path

import pytest

import referee
from referee import spark as referee_spark
from test_sagemaker_pipeline import SDK_VERSION, definition_of, json_gets, resolve, steps

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sagemaker_pyspark.py"
pytestmark = pytest.mark.skipif(SDK_VERSION is None, reason="the sagemaker package (SDK v3) is not installed")


@pytest.fixture(scope="module")
def definition(tmp_path_factory):
    return definition_of(EXAMPLE, tmp_path_factory.mktemp("home"))


def test_the_step_submits_the_spark_app_with_arguments_the_door_accepts(definition):
    gate = steps(definition)["RefereeSparkGate"]["Arguments"]
    entry = gate["AppSpecification"]["ContainerEntrypoint"]
    assert entry[0] == "smspark-submit" and entry[1].endswith("/spark_gate.py")
    arguments = gate["AppSpecification"]["ContainerArguments"]
    local = {i["InputName"]: i["S3Input"]["LocalPath"] for i in gate["ProcessingInputs"]}
    [output] = gate["ProcessingOutputConfig"]["Outputs"]
    as_text = [a if isinstance(a, str) else "s3a://bucket/prefix/" for a in arguments]
    args = referee_spark.parse_args(as_text)
    assert Path(args.policy).parent == Path(local["policy"])
    assert args.out == Path(output["S3Output"]["LocalPath"])
    assert args.exit_zero_on_verdict  # the verdict belongs to the ConditionStep
    assert arguments[arguments.index("--data") + 1] == {"Get": "Parameters.EvalData"}
    assert Path(entry[1]).parent == Path(local["code"])


@pytest.mark.parametrize("policy_name", ["gate.json", "gate-strict.json"])  # a PASS and a FAIL
def test_every_json_get_resolves_in_the_evaluation_json_the_spark_door_writes(definition, examples, policy_name):
    by_name = steps(definition)
    gate, check = by_name["RefereeSparkGate"], by_name["GatePassed"]
    report = referee.evaluate(str(examples / "credit_eval.csv"), str(examples / policy_name))
    written = dict(referee_spark.outputs(report))
    [property_file] = gate["PropertyFiles"]
    evaluation = json.loads(written[property_file["FilePath"]])
    gets = list(json_gets(check))
    assert len(gets) >= 2
    for get in gets:
        resolve(evaluation, get["Path"])
    [condition] = check["Arguments"]["Conditions"]
    assert resolve(evaluation, condition["LeftValue"]["Std:JsonGet"]["Path"]) is report.passed

