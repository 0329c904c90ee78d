"""examples/sagemaker_pipeline.py against the real SageMaker Python SDK v3 from PyPI.

The example runs in a subprocess whose every socket connection and name lookup is refused
and recorded (and whose AWS credentials and endpoint are bogus), so a definition that needs
the network fails loudly even where the SDK would swallow the error. Its definition is then
checked against the entrypoint: the channel paths are the ones `referee sagemaker` reads
and writes, every JsonGet path resolves in an evaluation.json it wrote, and the registered
model's statistics are the model_quality.json beside it.
"""

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from referee import sagemaker

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sagemaker_pipeline.py"

try:
    SDK_VERSION = importlib.metadata.version("sagemaker")
except importlib.metadata.PackageNotFoundError:
    SDK_VERSION = None
pytestmark = pytest.mark.skipif(SDK_VERSION is None, reason="the sagemaker package (SDK v3) is not installed: "
                                "pip install -r scripts/requirements-dev.txt")

# Runs a script with the network refused: each attempt is recorded, and the process exits
# 99 listing them at exit, once every thread still running (a daemon thread sending
# telemetry, say) has had 30 s to finish or attempt its call.
OFFLINE = r"""
import atexit, os, runpy, socket, sys, threading
attempts = []
def refused(what):
    def refuse(*args, **kwargs):
        attempts.append(f"{what}{args[1:] if what == 'connect' else args[:1]}")
        raise OSError(f"the test refuses network use ({what})")
    return refuse
socket.socket.connect = refused("connect")
socket.socket.connect_ex = refused("connect")
socket.getaddrinfo = refused("getaddrinfo")
socket.create_connection = refused("create_connection")
@atexit.register
def report():
    for thread in threading.enumerate():
        if thread is not threading.current_thread():
            thread.join(timeout=30)
    if attempts:
        sys.stdout.flush()
        sys.stderr.write("network attempts: " + "; ".join(attempts) + "\n")
        sys.stderr.flush()
        os._exit(99)
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def offline_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SAGEMAKER_"))}
    env.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIAFAKEFAKEFAKEFAKE",
               AWS_SECRET_ACCESS_KEY="not-a-secret", AWS_ENDPOINT_URL="http://127.0.0.1:9",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, HOME=str(home), PYTHONWARNINGS="ignore")
    return env


def run_offline(script, home):
    return subprocess.run([sys.executable, "-c", OFFLINE, str(script)], env=offline_env(home),
                          capture_output=True, text=True, timeout=600)


def test_the_network_guard_catches_an_attempt_even_when_it_is_swallowed(tmp_path):
    script = tmp_path / "sneaky.py"
    script.write_text("import socket\ntry:\n    socket.create_connection(('127.0.0.1', 9))\n"
                      "except OSError:\n    pass\nprint('done')\n")
    proc = run_offline(script, tmp_path)
    assert proc.returncode == 99 and "network attempts: create_connection" in proc.stderr


def definition_of(example, home):
    """The pipeline definition an example prints, built with the network refused."""
    proc = run_offline(example, home)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def definition(tmp_path_factory):
    return definition_of(EXAMPLE, tmp_path_factory.mktemp("home"))


def steps(definition):
    """Every step, those inside a ConditionStep's branches too, by name."""
    found = {}

    def walk(step_list):
        for step in step_list:
            found[step["Name"]] = step
            walk(step["Arguments"].get("IfSteps", []) + step["Arguments"].get("ElseSteps", []))

    walk(definition["Steps"])
    return found


def json_gets(node):
    """Every Std:JsonGet in a definition subtree."""
    if isinstance(node, dict):
        if "Std:JsonGet" in node:
            yield node["Std:JsonGet"]
        for v in node.values():
            yield from json_gets(v)
    elif isinstance(node, list):
        for v in node:
            yield from json_gets(v)


def resolve(document, path):
    """A JsonGet path (dotted keys, [n] for list items) in a JSON document; KeyError if absent."""
    node = document
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        node = node[int(index)] if index else node[key]
    return node


def entrypoint_outputs(root, gate, examples, policy_name):
    """Runs `referee sagemaker` with the channels where the definition puts them (each
    LocalPath under /opt/ml moved to ``root``); returns the output folder."""
    args = gate["Arguments"]
    local = {i["InputName"]: i["S3Input"]["LocalPath"] for i in args["ProcessingInputs"]}
    under = lambda path: root / Path(path).relative_to("/opt/ml")  # noqa: E731
    under(local["data"]).mkdir(parents=True)
    shutil.copy(examples / "credit_eval.csv", under(local["data"]))
    under(local["policy"]).mkdir(parents=True)
    shutil.copy(examples / policy_name, under(local["policy"]))
    assert sagemaker.main([]) == 0
    [output] = args["ProcessingOutputConfig"]["Outputs"]
    return under(output["S3Output"]["LocalPath"])


@pytest.mark.parametrize("policy_name", ["gate.json", "gate-strict.json"])  # a PASS and a FAIL
def test_every_json_get_of_the_pipeline_resolves_in_the_evaluation_json_referee_writes(
        definition, tmp_path, monkeypatch, examples, policy_name):
    by_name = steps(definition)
    gate, check = by_name["RefereeGate"], by_name["GatePassed"]
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(tmp_path))
    out = entrypoint_outputs(tmp_path, gate, examples, policy_name)
    [property_file] = gate["PropertyFiles"]
    evaluation = json.loads((out / property_file["FilePath"]).read_text())
    gets = list(json_gets(check))
    assert len(gets) >= 2  # the condition and the FailStep's message
    for get in gets:
        assert get["PropertyFile"] == {"Get": f"Steps.RefereeGate.PropertyFiles.{property_file['PropertyFileName']}"}
        resolve(evaluation, get["Path"])  # a KeyError names the path that is missing
    [condition] = check["Arguments"]["Conditions"]
    assert condition["Type"] == "Equals" and condition["RightValue"] is True
    assert resolve(evaluation, condition["LeftValue"]["Std:JsonGet"]["Path"]) is (policy_name == "gate.json")


def registered_statistics(check):
    [register] = check["Arguments"]["IfSteps"]
    assert register["Type"] == "RegisterModel"
    return register["Arguments"]["ModelMetrics"]["ModelQuality"]["Statistics"]


def test_the_challenger_is_registered_behind_the_condition_with_referees_model_quality(
        definition, tmp_path, monkeypatch, examples):
    by_name = steps(definition)
    check, gate = by_name["GatePassed"], by_name["RefereeGate"]
    assert [s["Type"] for s in check["Arguments"]["ElseSteps"]] == ["Fail"]
    statistics = registered_statistics(check)
    assert statistics["ContentType"] == "application/json"
    [output] = gate["Arguments"]["ProcessingOutputConfig"]["Outputs"]
    prefix = {"Get": f"Steps.RefereeGate.ProcessingOutputConfig.Outputs['{output['OutputName']}'].S3Output.S3Uri"}
    assert statistics["S3Uri"]["Std:Join"]["On"] == "/"
    assert statistics["S3Uri"]["Std:Join"]["Values"][0] == prefix
    # The file named after the output's prefix is one the entrypoint writes in that output's folder.
    name = statistics["S3Uri"]["Std:Join"]["Values"][1]
    monkeypatch.setenv("REFEREE_SAGEMAKER_ROOT", str(tmp_path))
    quality = json.loads((entrypoint_outputs(tmp_path, gate, examples, "gate.json") / name).read_text())
    assert "binary_classification_metrics" in quality and quality["version"] == 0.0


def test_every_input_and_output_has_its_s3_location_in_the_definition(definition):
    gate = steps(definition)["RefereeGate"]["Arguments"]
    parameters = {p["Name"] for p in definition["Parameters"]}
    for channel in gate["ProcessingInputs"]:
        assert channel["S3Input"]["S3Uri"]["Get"].removeprefix("Parameters.") in parameters
    for output in gate["ProcessingOutputConfig"]["Outputs"]:
        uri = output["S3Output"]["S3Uri"]
        assert isinstance(uri, dict) and uri["Std:Join"]["Values"][0].startswith("s3://"), output["OutputName"]


def test_the_installed_sdk_is_one_the_example_and_the_requirements_name():
    from packaging.specifiers import SpecifierSet

    [declared] = re.findall(r'"sagemaker(>=[^"]+)"', EXAMPLE.read_text())
    requirements = (EXAMPLE.parents[1] / "scripts/requirements-dev.txt").read_text().split()
    assert f"sagemaker{declared}" in requirements
    assert SDK_VERSION in SpecifierSet(declared)
