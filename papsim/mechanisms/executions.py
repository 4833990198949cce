"""Summary executions: the security forces' gravest misconduct, as a rate among the people an operation holds,
that oversight lowers and that costs the forces the residents' trust.

Sources (record additions §2): 281 alleged summary executions with the HNP's specialised units in 2024
(BINUH) [S]; at least 106 in Q3 2024, six of them children of about ten [V]; 80 by the HNP in Q4 2024 [V];
the victims are people in the forces' hands, suspected of belonging to gangs. Resolution 2699 asks for a
compliance mechanism (seed 000), and no independent body existed (seed 002): ``oversight_strength`` is the
share of misconduct it prevents, as for the other incidents (:mod:`papsim.mechanisms.trust`). Harm by the
forces costs more trust than harm by gangs (Lyall, Blair & Imai 2013, *APSR* 107: 679-705; Condra &
Shapiro 2012, *AJPS* 56: 167-187): an execution weighs on the trust of its cell as a resident killed in an
operation does.

Each operation's captives (``operations.RAID_LOG``'s ``arrested``, in whole persons) are executed each with
the probability ``execution_share × (1 − oversight_strength)`` (a binomial count per operation, drawn from a
uniform of its cell); the executed are removed from the arrested (they never reach a prison) and counted as
gang members killed by the security forces. ``execution_share`` is an assumption with a range, set so that the default run's arrests give the
record's order of magnitude (about 70 a quarter).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from papsim.mechanisms import quantiles
from papsim.mechanisms.operations import RAID_LOG

PARAMETERS: tuple[str, ...] = ("execution_share", "oversight_strength")
EXECUTION_LOG: tuple[str, ...] = ("cell", "gang", "gang_killed")
"""The columns of :func:`day`'s log, one row per operation with an execution: the target cell, its group
and the number executed (gang members killed by the security forces)."""
_CELL, _GANG, _ARRESTED = (RAID_LOG.index(c) for c in ("cell", "gang", "arrested"))


class Outcome(NamedTuple):
    """A day's executions."""

    executed: float  # in all
    per_cell: np.ndarray  # executed per cell (for the trust of the cells)
    log: np.ndarray  # EXECUTION_LOG rows


def probability(share: float, oversight: float) -> float:
    """The chance that a captive is executed: the share the units would execute, less what oversight prevents."""
    return share * (1.0 - oversight)


def day(p: Mapping, rng: np.random.Generator, raids: np.ndarray, n_cells: int) -> Outcome:
    """The executions after the day's operations (``raids``: the rows of ``operations.RAID_LOG``, distinct
    cells): a binomial count per operation from one uniform per cell of the map (none drawn on a day without
    operations or when no captive can be executed). The executed leave their operation's ``arrested`` in
    ``raids``, in place."""
    per_cell = np.zeros(n_cells)
    q = probability(p["execution_share"], p["oversight_strength"])
    if len(raids) == 0 or q <= 0:
        return Outcome(0.0, per_cell, np.zeros((0, len(EXECUTION_LOG))))
    held = np.floor(raids[:, _ARRESTED])
    cells = raids[:, _CELL].astype(np.int64)
    # one uniform per cell of the map, turned into the binomial count (papsim.mechanisms.quantiles): a cell's
    # draw does not move with the other operations of the day (scenarios on the same seed stay paired)
    executed = quantiles.binomial(rng.random(n_cells)[cells], held, q)
    raids[:, _ARRESTED] -= executed
    np.add.at(per_cell, cells, executed)
    hit = executed > 0
    log = np.column_stack((raids[hit, _CELL], raids[hit, _GANG], executed[hit]))
    return Outcome(float(executed.sum()), per_cell, log)
