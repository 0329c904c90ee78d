"""Coverage simulations: datasets drawn from populations whose figures are known in closed
form, evaluated by referee, and the share of 95% intervals that contain the truth.

    nice -n 19 python3 -m benchmarks.coverage --datasets 2000       # the full suite
    python3 -m benchmarks.coverage --cells binormal --datasets 200   # one scenario

Truths come from the generating distributions (truths.py), never from referee. The
interval methods measured are data (methods.py); docs/statistics.md holds the tables.
"""
