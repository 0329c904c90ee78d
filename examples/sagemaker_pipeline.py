"""A SageMaker Pipeline with referee as its evaluation gate, for the SageMaker Python SDK v3
(``pip install "sagemaker>=3.27,<4"``; written against 3.27, the v3 module layout:
sagemaker.core, sagemaker.mlops, sagemaker.serve). SDK 2.x is not supported: its modules
(sagemaker.processing, sagemaker.workflow) are gone from v3.

    python examples/sagemaker_pipeline.py      # prints the pipeline definition (JSON)

Building the definition needs no AWS account and makes no AWS call: the session has its
region and default bucket given, every output has its S3 destination, and nothing is
uploaded. The SDK creates boto3 clients when it is imported, so a region must be configured
(AWS_DEFAULT_REGION or ~/.aws/config), as for any boto3 program. Running the pipeline needs
credentials, the referee image in ECR (docker/Dockerfile) and the role below.

The ProcessingStep runs ``referee sagemaker`` on the evaluation table and the policy. Its
evaluation.json is a PropertyFile; the ConditionStep reads ``referee.passed`` with JsonGet.
When the gate passes, the challenger is registered in the Model Registry with ModelMetrics
whose model statistics are the job's model_quality.json (Model Monitor's model-quality
layout, docs/sagemaker.md); otherwise the pipeline fails with the verdict as its message.
"""

import boto3
from sagemaker.core.model_metrics import MetricsSource, ModelMetrics
from sagemaker.core.processing import Processor
from sagemaker.core.shapes import ProcessingInput, ProcessingOutput, ProcessingS3Input, ProcessingS3Output
from sagemaker.core.workflow.conditions import ConditionEquals
from sagemaker.core.workflow.execution_variables import ExecutionVariables
from sagemaker.core.workflow.functions import Join, JsonGet
from sagemaker.core.workflow.parameters import ParameterString
from sagemaker.core.workflow.pipeline_context import PipelineSession
from sagemaker.core.workflow.properties import PropertyFile
from sagemaker.mlops.workflow.condition_step import ConditionStep
from sagemaker.mlops.workflow.fail_step import FailStep
from sagemaker.mlops.workflow.model_step import ModelStep
from sagemaker.mlops.workflow.pipeline import Pipeline
from sagemaker.mlops.workflow.steps import ProcessingStep
from sagemaker.serve.model_builder import ModelBuilder

REGION = "us-east-1"
BUCKET = "my-ml-bucket"
ROLE = "arn:aws:iam::123456789012:role/referee-pipeline"
REFEREE_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/referee-processing:0.1.0"
# The challenger's serving image and artifacts, as a training step would give them.
SERVING_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/credit-risk-serving:2.0.0"
MODEL_GROUP = "credit-risk"

# The SDK's telemetry would call STS and its own endpoint from a thread when the steps are
# built: opted out, so that building the definition calls nothing. (A dict given here
# replaces the SDK defaults files; merge your own into it.)
SDK_DEFAULTS = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}

# A region and a default bucket given: no lookup of either, and no STS call for the account
# that would name the SDK's own bucket.
session = PipelineSession(boto_session=boto3.Session(region_name=REGION), default_bucket=BUCKET,
                          sagemaker_config=SDK_DEFAULTS)

eval_data = ParameterString(name="EvalData", default_value=f"s3://{BUCKET}/eval/")
policy = ParameterString(name="Policy", default_value=f"s3://{BUCKET}/gate/gate.json")
challenger_model = ParameterString(name="ChallengerModelData",
                                   default_value=f"s3://{BUCKET}/models/challenger/model.tar.gz")

# Each execution writes under its own prefix, so that a report is never overwritten.
evaluation_prefix = Join(on="/", values=[f"s3://{BUCKET}/referee", ExecutionVariables.PIPELINE_EXECUTION_ID,
                                         "evaluation"])


def s3_input(name: str, source: ParameterString) -> ProcessingInput:
    return ProcessingInput(input_name=name, s3_input=ProcessingS3Input(
        s3_uri=source, s3_data_type="S3Prefix", s3_input_mode="File",
        local_path=f"/opt/ml/processing/input/{name}"))


processor = Processor(role=ROLE, image_uri=REFEREE_IMAGE, instance_count=1, instance_type="ml.m5.xlarge",
                      sagemaker_session=session)

evaluation = PropertyFile(name="RefereeEvaluation", output_name="evaluation", path="evaluation.json")

gate = ProcessingStep(
    name="RefereeGate",
    step_args=processor.run(
        inputs=[s3_input("data", eval_data), s3_input("policy", policy)],
        outputs=[ProcessingOutput(output_name="evaluation", s3_output=ProcessingS3Output(
            s3_uri=evaluation_prefix, s3_upload_mode="EndOfJob",
            local_path="/opt/ml/processing/output/evaluation"))],
    ),
    property_files=[evaluation],
)

evaluation_uri = gate.properties.ProcessingOutputConfig.Outputs["evaluation"].S3Output.S3Uri

register = ModelStep(
    name="RegisterChallenger",
    # dependencies=None: the serving image holds the code, there is nothing to package (the
    # default, {"auto": True}, is deprecated and makes register() look the bucket up in S3).
    step_args=ModelBuilder(s3_model_data_url=challenger_model, image_uri=SERVING_IMAGE, role_arn=ROLE,
                           dependencies=None, sagemaker_session=session).register(
        model_package_group_name=MODEL_GROUP,
        content_types=["text/csv"],
        response_types=["text/csv"],
        inference_instances=["ml.m5.large"],
        approval_status="PendingManualApproval",
        # The Model Registry shows these statistics beside the model version.
        model_metrics=ModelMetrics(model_statistics=MetricsSource(
            content_type="application/json",
            s3_uri=Join(on="/", values=[evaluation_uri, "model_quality.json"]))),
    ),
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
    if_steps=[register],
    else_steps=[rejected],
)

pipeline = Pipeline(name="champion-challenger-gate", parameters=[eval_data, policy, challenger_model],
                    steps=[gate, check], sagemaker_session=session)

if __name__ == "__main__":
    print(pipeline.definition())
