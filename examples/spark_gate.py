"""The Spark app of examples/sagemaker_pyspark.py: the referee gate over a Parquet prefix,
run by spark-submit in a SageMaker PySparkProcessor job (or on EMR, Glue, Databricks).

    spark-submit spark_gate.py --data s3a://bucket/shadow/ --policy gate.json --out DIR

It is ``python -m referee.spark`` (docs/spark.md) with its logging at INFO, so the gate's
progress lines go to the job's log (CloudWatch for a Processing job). The referee wheel must
be installed on the driver and the executors (docs/spark.md, "Packaging").
"""

import logging
import sys

from referee.spark import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.exit(main())
