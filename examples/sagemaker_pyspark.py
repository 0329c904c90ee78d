"""A SageMaker Pipeline whose evaluation gate runs referee on Spark: a PySparkProcessor step
over an S3 Parquet prefix too large for one machine (docs/spark.md, docs/sagemaker.md), for
the SageMaker Python SDK v3 (``pip install "sagemaker>=3.27,<4"``).

    python examples/sagemaker_pyspark.py      # prints the pipeline definition (JSON)

Building the definition makes no AWS call (as examples/sagemaker_pipeline.py; a region must
be configured for boto3). Running it needs:
- the Spark app examples/spark_gate.py at SPARK_APP (``aws s3 cp examples/spark_gate.py ...``);
- an image with referee installed on the SageMaker Spark processing image, so that the
  driver and every executor can import it (docs/sagemaker.md, "Spark"), e.g.
      FROM 173754725891.dkr.ecr.us-east-1.amazonaws.com/sagemaker-spark-processing:3.5-cpu-py39-v1.0
      RUN python3 -m pip install --no-cache-dir referee-0.1.0-cp39-cp39-manylinux_2_28_x86_64.whl pyarrow
- the role, which reads the data prefix and writes the output prefix.

Spark reads the Parquet prefix from S3 itself (no input channel: the rows never land on a
disk of the job); the policy arrives as an input channel. The driver writes report.json,
report.md, report.html, summary.txt and evaluation.json to the output channel; the
ConditionStep reads ``referee.passed`` from evaluation.json. ``--exit-zero-on-verdict``: the
verdict belongs to the ConditionStep, not to the job's status.
"""

import boto3
from sagemaker.core.processing import ProcessingInput, ProcessingOutput
from sagemaker.core.shapes import ProcessingS3Input, ProcessingS3Output
from sagemaker.core.spark.processing import PySparkProcessor
from sagemaker.core.workflow.conditions import ConditionEquals
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterInteger, ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import ProcessingStep

REGION = "us-east-1"
BUCKET = "my-ml-bucket"
ROLE = "arn:aws:iam::123456789012:role/referee-pipeline"
REFEREE_SPARK_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/referee-spark-processing:0.1.0"
SPARK_APP = f"s3://{BUCKET}/code/spark_gate.py"
POLICY_DIR = "/opt/ml/processing/input/policy"
OUTPUT_DIR = "/opt/ml/processing/output/evaluation"

# As examples/sagemaker_pipeline.py: no telemetry, a region and a bucket given, no lookups.
SDK_DEFAULTS = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}
session = PipelineSession(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET,
                          sagemaker_config=SDK_DEFAULTS)

# A week of shadow traffic, as a Spark job upstream left it (part files under a prefix).
eval_data = ParameterString(name="EvalData", default_value=f"s3a://{BUCKET}/shadow-traffic/2026-11/")
policy = ParameterString(name="Policy", default_value=f"s3://{BUCKET}/gate/gate.json")
instances = ParameterInteger(name="SparkInstances", default_value=4)

evaluation_prefix = Join(on="/", values=[f"s3://{BUCKET}/referee", ExecutionVariables.PIPELINE_EXECUTION_ID,
                                         "evaluation"])

processor = PySparkProcessor(role=ROLE, image_uri=REFEREE_SPARK_IMAGE, instance_count=instances,
                             instance_type="ml.m5.4xlarge", max_runtime_in_seconds=4 * 3600,
                             base_job_name="referee-spark-gate", sagemaker_session=session)

evaluation = PropertyFile(name="RefereeEvaluation", output_name="evaluation", path="evaluation.json")

gate = ProcessingStep(
    name="RefereeSparkGate",
    step_args=processor.run(
        submit_app=SPARK_APP,
        inputs=[ProcessingInput(input_name="policy", s3_input=ProcessingS3Input(
            s3_uri=policy, s3_data_type="S3Prefix", s3_input_mode="File", local_path=POLICY_DIR))],
        outputs=[ProcessingOutput(output_name="evaluation", s3_output=ProcessingS3Output(
            s3_uri=evaluation_prefix, s3_upload_mode="EndOfJob", local_path=OUTPUT_DIR))],
        arguments=["--data", eval_data, "--policy", f"{POLICY_DIR}/gate.json", "--out", OUTPUT_DIR,
                   "--exit-zero-on-verdict"],
        # No configuration=: the SDK uploads it to S3 when the definition is built. The Spark
        # image sizes executors by instance type; each Python worker holds a pass's partition
        # whole, about 2^21 rows by default (docs/spark.md, "Memory").
    ),
    property_files=[evaluation],
)

rejected = FailStep(
    name="ChallengerRejected",
    error_message=Join(on=" ", values=[
        "referee verdict:", JsonGet(step_name=gate.name, property_file=evaluation, json_path="referee.verdict")]),
)

check = ConditionStep(
    name="GatePassed",
    conditions=[ConditionEquals(
        left=JsonGet(step_name=gate.name, property_file=evaluation, json_path="referee.passed"), right=True)],
    if_steps=[],  # the register step of examples/sagemaker_pipeline.py goes here
    else_steps=[rejected],
)

pipeline = Pipeline(name="champion-challenger-spark-gate", parameters=[eval_data, policy, instances],
                    steps=[gate, check], sagemaker_session=session)

if __name__ == "__main__":
    print(pipeline.definition())
