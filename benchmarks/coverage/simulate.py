"""One simulated dataset: drawn from its scenario by seed, evaluated by referee once per
interval method, each cell's interval scored against its truth."""

from __future__ import annotations

import json
import time
import zlib
from typing import Dict, List, Tuple

import numpy as np

import referee

from .cells import SCENARIOS, Scenario
from .tally import Score, score

# (scenario name, dataset index, {method: bootstrap fragment}, resamples)
Task = Tuple[str, int, Dict[str, dict], int]


def dataset(scenario: Scenario, index: int) -> Dict[str, np.ndarray]:
    """Dataset ``index`` of a scenario: a pure function of the scenario's name and the index."""
    return scenario.draw(np.random.default_rng([zlib.crc32(scenario.name.encode()), index]))


def policy(scenario: Scenario, fragment: dict, resamples: int, seed: int) -> dict:
    bootstrap = {"resamples": resamples, "confidence": 0.95, "seed": seed, **fragment}
    return {**scenario.policy, "bootstrap": bootstrap}


def evaluate(scenario: Scenario, data: Dict[str, np.ndarray], fragment: dict, resamples: int, seed: int) -> dict:
    # one thread per evaluation: the runner's processes are the parallelism
    report = referee.evaluate(data, policy(scenario, fragment, resamples, seed), threads=1)
    return json.loads(report.to_json())


def run_dataset(task: Task) -> Tuple[List[Score], float]:
    """The dataset's scores, and the CPU seconds they took."""
    started = time.process_time()
    name, index, methods, resamples = task
    scenario = SCENARIOS[name]
    data = dataset(scenario, index)
    scores: List[Score] = []
    for method, fragment in methods.items():
        report = evaluate(scenario, data, fragment, resamples, seed=index + 1)
        for cell in scenario.cells:
            figure, named = cell.locate(report)
            outcome, width = score(figure, cell.truth)
            scores.append((cell.name, method, outcome, width, named or report["bootstrap"]["interval"]))
    return scores, time.process_time() - started
