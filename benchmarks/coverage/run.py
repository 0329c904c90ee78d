"""The coverage suite's one command.

    nice -n 19 python3 -m benchmarks.coverage --datasets 2000 --write-doc

runs every scenario (cells.py) with every interval method (methods.py), at most two
processes, and prints the table; ``--write-doc`` replaces the table in
docs/statistics.md, ``--json`` keeps the tallies. Results are written after each scenario,
so an interrupted run keeps what finished.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import referee

from .cells import SCENARIOS
from .methods import DEFAULT, METHODS
from .simulate import dataset, evaluate, policy, run_dataset
from .tally import Tally, markdown_table, ordered, tally_scores

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "statistics.md"
BEGIN, END = "<!-- coverage-table:begin -->", "<!-- coverage-table:end -->"
MAX_PROCESSES = 2  # the machine has two cores, shared


def resolve_methods(methods: Dict[str, dict], resamples: int) -> Tuple[Dict[str, dict], str]:
    """The methods to run and the name of referee's default among them. The default is
    found by asking referee: the bootstrap settings its report records when the policy names
    none. If those are one of ``methods``' it is not run twice; otherwise it is run as
    "default". A method this referee's policy parser refuses (an option of a later
    version) is left out, and said so."""
    probe = SCENARIOS["binormal_n200"]
    data = dataset(probe, 0)
    resolved: Dict[str, dict] = {}
    for name, fragment in {**DEFAULT, **methods}.items():
        try:
            resolved[name] = evaluate(probe, data, fragment, resamples, 1)["bootstrap"]
        except referee.PolicyError as e:
            print(f"method {name} left out: this referee refuses it ({e})", file=sys.stderr)
    default = resolved.pop("default")
    runnable = {name: methods[name] for name in resolved}
    same = [name for name, bootstrap in resolved.items() if bootstrap == default]
    if same:
        return runnable, same[0]
    return {**runnable, **DEFAULT}, "default"


def refused_task(name: str) -> Optional[str]:
    """Why this referee cannot run the scenario's task (a task of a later version, such as
    multiclass before issue 15's core), or None: its policy parsed by the core."""
    try:
        referee.Policy.from_json(json.dumps(policy(SCENARIOS[name], {}, 100, 1)))
    except referee.PolicyError as e:
        if "$.task" in str(e):
            return str(e)
        raise
    return None


def runnable_scenarios(names: List[str]) -> List[str]:
    """The scenarios this referee can run; the others are left out, and said so."""
    kept = []
    for name in names:
        why = refused_task(name)
        if why:
            print(f"scenario {name} left out: this referee refuses its task ({why})", file=sys.stderr)
        else:
            kept.append(name)
    return kept


def selected_scenarios(spec: str) -> List[str]:
    if spec == "all":
        return list(SCENARIOS)
    names = [s.strip() for s in spec.split(",") if s.strip()]
    unknown = [s for s in names if s not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenario(s) {', '.join(unknown)}; known: {', '.join(SCENARIOS)}")
    return names


def run_scenario(pool: Optional["multiprocessing.pool.Pool"], name: str, datasets: int, methods: Dict[str, dict],
                 resamples: int, tallies: Dict[Tuple[str, str], Tally]) -> float:
    """Tallies the scenario's datasets; returns the CPU seconds they took."""
    scenario = SCENARIOS[name]
    tasks = [(name, i, methods, resamples) for i in range(datasets)]
    results = pool.imap_unordered(run_dataset, tasks, chunksize=4) if pool else map(run_dataset, tasks)
    truths = {c.name: c.truth for c in scenario.cells}
    cpu = 0.0
    for scores, seconds in results:
        tally_scores(scores, scenario.rows, truths, tallies)
        cpu += seconds
    return cpu


def write_outputs(args: argparse.Namespace, table: str, footer: str, tallies: List[Tally]) -> None:
    if args.json:
        Path(args.json).write_text(json.dumps([t.as_dict() for t in tallies], indent=1) + "\n")
    if args.write_doc:
        text = DOC.read_text()
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{BEGIN}\n{table}\n{footer}\n{END}{tail}")


def checkout() -> str:
    """The checkout's commit, so a table names the code it measured (the installed referee
    should be built from it)."""
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return found.stdout.strip() or "unknown"


def footer_line(args: argparse.Namespace, names: List[str], wall: float, cpu: float) -> str:
    return (f"{args.datasets} datasets per cell, B = {args.resamples}, {args.processes} processes on "
            f"{os.cpu_count()} CPUs, {wall / 60:.1f} min ({cpu / 60:.1f} CPU min), "
            f"{time.strftime('%Y-%m-%d', time.gmtime())}, referee {referee.__version__} at {checkout()}; "
            f"scenarios: {', '.join(names)}.")


def parse_arguments(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks.coverage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", default="all", help=f"scenarios, comma-separated, or all ({', '.join(SCENARIOS)})")
    parser.add_argument("--datasets", type=int, default=2000, help="datasets per scenario (default 2000)")
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples B (default 1000)")
    parser.add_argument("--processes", type=int, default=MAX_PROCESSES, choices=range(1, MAX_PROCESSES + 1))
    parser.add_argument("--json", help="also write the tallies as JSON to this file")
    parser.add_argument("--write-doc", action="store_true", help="replace the table in docs/statistics.md")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_arguments(argv)
    os.nice(max(0, 19 - os.nice(0)))  # a background job on a shared machine, however started
    names = runnable_scenarios(selected_scenarios(args.cells))
    methods, default = resolve_methods(METHODS, args.resamples)
    tallies: Dict[Tuple[str, str], Tally] = {}
    cells: List[str] = []
    started, cpu = time.time(), 0.0
    pool = multiprocessing.Pool(args.processes) if args.processes > 1 else None
    try:
        for done, name in enumerate(names, 1):
            begun = time.time()
            seconds = run_scenario(pool, name, args.datasets, methods, args.resamples, tallies)
            cpu += seconds
            cells += [c.name for c in SCENARIOS[name].cells]
            print(f"{name}: {args.datasets} datasets x {len(methods)} methods: {time.time() - begun:.0f} s, "
                  f"{seconds:.0f} CPU s", file=sys.stderr, flush=True)
            table = markdown_table(ordered(tallies, cells, list(methods)), default)
            footer = footer_line(args, names[:done], time.time() - started, cpu)
            write_outputs(args, table, footer, ordered(tallies, cells, list(methods)))
    finally:
        if pool:
            pool.close()
            pool.join()
    print(table + "\n" + footer)
    return 0
