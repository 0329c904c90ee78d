"""The benchmark's SparkSession: local[2] (the machine's two vCPUs), the driver's memory
as given (local mode: the driver JVM is also the executor)."""

import os
import sys

from pyspark.sql import SparkSession


def session(master: str = "local[2]", memory: str = "6g"):
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers import the same referee
    spark = (SparkSession.builder.master(master).appName("referee benchmark")
             .config("spark.ui.enabled", "false")
             .config("spark.driver.memory", memory)
             .config("spark.sql.shuffle.partitions", "16")
             .getOrCreate())
    spark.sparkContext.setLogLevel("WARN")
    return spark
