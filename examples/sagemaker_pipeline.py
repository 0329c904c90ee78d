"""A SageMaker Pipeline with referee as its evaluation step. NOT RUN HERE: it needs AWS
credentials, an ECR image built from docker/Dockerfile and the sagemaker SDK.

The ProcessingStep runs the referee image on the evaluation table and the policy; its
evaluation.json is a PropertyFile, and the ConditionStep reads the verdict with JsonGet.
The model is registered only when the gate passes; otherwise the pipeline fails with the
reason. evaluation.json's binary_classification_metrics.auc is the challenger's AUC.
"""

from sagemaker.processing import ProcessingInput, ProcessingOutput, Processor
from sagemaker.workflow.condition_step import ConditionStep
from sagemaker.workflow.conditions import ConditionEquals
from sagemaker.workflow.fail_step import FailStep
from sagemaker.workflow.functions import Join, JsonGet
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.properties import PropertyFile
from sagemaker.workflow.steps import ProcessingStep

ROLE = "arn:aws:iam::123456789012:role/referee-processing"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/referee-processing:0.1.0"

eval_data = ParameterString(name="EvalData", default_value="s3://my-bucket/eval/")
policy = ParameterString(name="Policy", default_value="s3://my-bucket/gate/gate.json")

processor = Processor(role=ROLE, image_uri=IMAGE, instance_count=1, instance_type="ml.m5.xlarge")

evaluation = PropertyFile(name="RefereeEvaluation", output_name="evaluation", path="evaluation.json")

gate = ProcessingStep(
    name="RefereeGate",
    processor=processor,
    inputs=[
        ProcessingInput(source=eval_data, destination="/opt/ml/processing/input/data"),
        ProcessingInput(source=policy, destination="/opt/ml/processing/input/policy"),
    ],
    outputs=[ProcessingOutput(output_name="evaluation", source="/opt/ml/processing/output/evaluation")],
    property_files=[evaluation],
)

passed = ConditionEquals(
    left=JsonGet(step_name=gate.name, property_file=evaluation, json_path="referee.passed"),
    right=True,
)

rejected = FailStep(
    name="ChallengerRejected",
    error_message=Join(on=" ", values=[
        "referee verdict:",
        JsonGet(step_name=gate.name, property_file=evaluation, json_path="referee.verdict"),
    ]),
)

register_steps = []  # e.g. a RegisterModel step whose ModelMetrics use model_quality.json

check = ConditionStep(name="GatePassed", conditions=[passed], if_steps=register_steps, else_steps=[rejected])

pipeline = Pipeline(name="champion-challenger-gate", parameters=[eval_data, policy], steps=[gate, check])

if __name__ == "__main__":
    print(pipeline.definition())
