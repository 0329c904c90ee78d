"""The interval methods the suite measures: each is the policy's ``bootstrap`` fragment that
selects it, so a new method is one line here.

The interval referee uses when the policy names none is measured too, whatever it is: the
runner asks referee which method its default resolves to (run.py, ``resolve_methods``) and
either marks that row of the table "(default)" or, if the default is none of these, adds
it as a method of its own. Figures whose interval referee chooses itself (the
order-statistic interval of a latency percentile, percentile intervals for disparities over
more than two groups, or any interval a later version picks per figure) are reported under
the policy's method, with the interval the report names in the table's last column.
"""

from __future__ import annotations

from typing import Dict

METHODS: Dict[str, dict] = {
    "percentile": {"interval": "percentile"},
    "bca": {"interval": "bca"},
    # With issue 18's score intervals for paired proportions merged, this line measures the
    # plain bootstrap beside them in the same run (a method the installed referee refuses
    # is left out with a note):
    # "bca, bootstrap only": {"interval": "bca", "paired_proportions": "bootstrap"},
}

# The policy fragment that leaves the choice to referee.
DEFAULT: Dict[str, dict] = {"default": {}}
