"""Peak resident memory of a process tree, sampled from /proc (Linux), for the Spark
benchmark: in local mode the driver and the executor are one JVM, and the Python workers
that run mapInArrow are its children."""

import os
import threading
import time
from typing import Dict, List


def _children(pid: int) -> List[int]:
    """Every thread's children: the JVM forks the Python daemon (pyspark.daemon, whose
    forks are the workers) from one of its many threads, not from its main thread, so
    /proc/PID/task/PID/children alone never lists it."""
    out: List[int] = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in threads:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return out


def _tree(pid: int) -> List[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += _children(p)
    return out


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (not its reaped children's: each child of the tree is
    sampled itself, up to its last sample before it exits)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return sum(int(x) for x in fields[11:13]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _rss_and_name(pid: int):
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        return int(fields["VmRSS"].split()[0]) * 1024, cmd
    except (OSError, KeyError, ValueError):
        return None, ""


class PeakRss:
    """Samples every ``interval`` seconds: the peak RSS of the JVM(s), of any one Python
    worker, of all Python workers at once, and of this process (the driver's Python)."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval = interval
        self.peak: Dict[str, int] = {"jvm": 0, "python_worker": 0, "python_workers_sum": 0, "driver_python": 0}
        self.cpu: Dict[int, float] = {}  # the last CPU seconds seen of each process of the tree
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = os.getpid()
        workers = 0
        for pid in _tree(me):
            self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
            rss, cmd = _rss_and_name(pid)
            if rss is None:
                continue
            if pid == me:
                key = "driver_python"
            elif "java" in cmd.split(" ")[0]:
                key = "jvm"
            elif "pyspark" in cmd or "python" in cmd:
                key = "python_worker"
                workers += rss
            else:
                continue
            self.peak[key] = max(self.peak[key], rss)
        self.peak["python_workers_sum"] = max(self.peak["python_workers_sum"], workers)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            time.sleep(self.interval)

    def __enter__(self) -> "PeakRss":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def cpu_seconds(self) -> float:
        """CPU seconds of the whole tree (this process, the JVM, the Python workers)."""
        return round(sum(self.cpu.values()), 1)

    def mib(self) -> Dict[str, float]:
        return {k: round(v / 2**20, 1) for k, v in self.peak.items()}
