"""Type stubs for referee's compiled core (python/src/module.cpp)."""

import os
from typing import Any, Callable, ClassVar, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

# exit_code: the CLI's exit code for the kind (src/common/exit_codes.hpp).
class RefereeError(Exception):
    exit_code: ClassVar[int]
class PolicyError(RefereeError): ...
class DataError(RefereeError): ...
class IoError(RefereeError): ...
class CancelledError(RefereeError): ...
class UsageError(RefereeError, ValueError): ...

# The vocabulary's tables (include/referee/vocabulary.hpp, src/render/palette.hpp).
METRIC_CATALOGUE: Tuple[Tuple[str, str, bool], ...]  # (name, task, higher_is_better), catalogue order
VERDICTS: Tuple[str, ...]                             # PASS, WARN, FAIL, INCONCLUSIVE, SKIPPED
VERDICT_COLOURS: Dict[str, str]                       # verdict name -> CSS colour of the HTML report
MUTED_COLOUR: str
VERDICT_EXIT_CODES: Dict[str, int]                    # verdict name -> the CLI's exit code

# A path as str, bytes or os.PathLike (read as os.fsencode gives it); {limit name: positive int}.
_Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
_Limits = Optional[Mapping[str, int]]

class Policy:
    @staticmethod
    def from_json(text: Union[str, bytes], origin: Union[str, bytes] = "policy", limits: _Limits = None) -> Policy: ...
    @staticmethod
    def load(path: _Path, limits: _Limits = None) -> Policy: ...
    @property
    def task(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def json(self) -> str: ...
    def is_positive_label(self, text: str) -> bool: ...
    @property
    def columns(self) -> Dict[str, Any]: ...
    # label, champion, challenger: str; weight, cluster, id: str or None; categorical, drift:
    # List[str]; latency, cost, error: {"champion": str or None, "challenger": str or None};
    # classes: List[str]; class_columns: {"champion": {"prefix": str, "columns": List[str]}, ...}
    @property
    def metrics(self) -> List[str]: ...  # the evaluation's figures, in report order
    def rule_metric_index(self, rule: int) -> int: ...
    def resolve_class_columns(self, available: List[str]) -> Tuple[List[str], List[str], List[str]]: ...

_ModelArrays = Tuple[Optional[npt.NDArray[np.float64]], Optional[npt.NDArray[np.float64]]]
_LatencyArrays = Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
_Encoded = Tuple[str, npt.NDArray[np.uint32], List[str]]

# seed: 0..2**64-1 or None; threads: 1..1024 or None (all cores); anything else a UsageError.
# Run on a thread of their own: Ctrl-C raises KeyboardInterrupt promptly.
def evaluate_csv(path: _Path, policy: Policy, seed: Any, threads: Any,
                 progress: Optional[Callable[[float], None]], latency_file: Optional[_Path] = ...,
                 latency_ms: Optional[_LatencyArrays] = ...,
                 drift_reference: Optional[_Path] = ..., limits: _Limits = ...) -> Tuple[str, str, str, str, str]: ...
def evaluate_arrays(policy: Policy, label: Optional[npt.NDArray[np.float64]], champion: npt.NDArray[np.float64],
                    challenger: npt.NDArray[np.float64], weight: Optional[npt.NDArray[np.float64]],
                    cluster_codes: Optional[npt.NDArray[np.uint32]], cluster_dictionary: List[str],
                    seed: Any, threads: Any,
                    progress: Optional[Callable[[float], None]],
                    categorical: List[_Encoded] = ..., latency_columns: _ModelArrays = ...,
                    cost_columns: _ModelArrays = ..., error_columns: _ModelArrays = ...,
                    drift: List[_Encoded] = ..., latency_file: Optional[_Path] = ...,
                    latency_ms: Optional[_LatencyArrays] = ...,
                    drift_reference: Optional[_Path] = ..., limits: _Limits = ...,
                    class_scores: Optional[Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = ...,
                    class_columns: List[str] = ...) -> Tuple[str, str, str, str, str]: ...
# The policy's task, threshold, score kind and column names; y is None for the outcome task.
def point_metrics(policy: Policy, y: Optional[npt.NDArray[np.float64]], score: npt.NDArray[np.float64],
                  weight: Optional[npt.NDArray[np.float64]], class_scores: Optional[npt.NDArray[np.float64]] = ...,
                  class_columns: List[str] = ...,
                  label_text: Optional[Tuple[npt.NDArray[np.uint32], List[str]]] = ...) -> Dict[str, Tuple[Optional[float], str]]: ...
# The core's rules for seed, threads and threshold: a UsageError for a value outside them.
def check_arguments(seed: Any = None, threads: Any = None, threshold: Any = 0.5) -> None: ...
# The CLI's --limit NAME=VALUE texts, read by the core: {name: value}; UsageError otherwise.
def parse_limits(assignments: Iterable[str]) -> Dict[str, int]: ...

# The CSV reader's number parser over text cells: DataError naming origin, 1-based row and
# column (never the cell); TypeError for a cell that is not a str.
def write_outputs(files: Sequence[Tuple[str, _Path, str]], limits: _Limits = None) -> None: ...
def verify_report(path: _Path, rerun: Callable[[int], str],
                  limits: _Limits = None) -> Tuple[Optional[Tuple[str, str, str, str]], bytes]: ...
def attestation_text(report: Union[str, bytes], report_path: _Path, policy_file: Optional[_Path],
                     subjects: Sequence[str], reproduced: bool, limits: _Limits = None) -> str: ...
def check_output(path: _Path) -> None: ...
def parse_numbers(values: Iterable[str], column: str, origin: str) -> npt.NDArray[np.float64]: ...
def float_row_ids(values: npt.NDArray[np.float64], column: str) -> Tuple[npt.NDArray[np.uint32], List[str]]: ...
def integer_row_ids(values: npt.NDArray[np.int64]) -> Tuple[npt.NDArray[np.uint32], List[str]]: ...

class CaseExpectation: ...

# A `referee test` case's {"expect", "rules"} as JSON; UsageError for a mistake in it.
def parse_case_expectation(policy: Policy, expected: Union[str, bytes], limits: _Limits = None) -> CaseExpectation: ...
# "verdict: expected X, got Y" and "rule R: expected X, got Y (reason)"; rules in policy order.
def case_differences(policy: Policy, expected: CaseExpectation, verdict: str,
                     rules: List[Tuple[str, str]]) -> List[str]: ...
# The core's check of a load test's samples: DataError naming origin, model and position.
def validate_latency_samples(champion: npt.NDArray[np.float64], challenger: npt.NDArray[np.float64],
                             origin: str) -> None: ...
def escape_message(text: str) -> str: ...
