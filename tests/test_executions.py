"""Summary executions: a binomial share of each operation's captives, lowered by oversight, taken out of the
arrests and logged per operation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from papsim.mechanisms import executions
from papsim.mechanisms.operations import RAID_LOG

ARRESTED = RAID_LOG.index("arrested")


def _raids(cells, gangs, arrested):
    rows = np.zeros((len(cells), len(RAID_LOG)))
    rows[:, RAID_LOG.index("cell")] = cells
    rows[:, RAID_LOG.index("gang")] = gangs
    rows[:, ARRESTED] = arrested
    return rows


def test_oversight_lowers_the_probability():
    assert executions.probability(0.8, 0.5) == pytest.approx(0.4)
    assert executions.probability(0.8, 1.0) == 0.0


def test_the_executed_are_a_binomial_share_of_the_captives():
    n, held, q = 4000, 5, 0.4
    raids = _raids(np.arange(n), np.zeros(n), np.full(n, float(held)))
    out = executions.day({"execution_share": 0.8, "oversight_strength": 0.5}, np.random.default_rng(3), raids, n)
    counts = np.bincount(out.per_cell.astype(int), minlength=held + 1)
    expected = n * np.array([math.comb(held, k) * q**k * (1 - q) ** (held - k) for k in range(held + 1)])
    assert ((counts - expected) ** 2 / expected).sum() < 20.5  # chi-square, 5 degrees of freedom: p ~ 0.001
    assert out.per_cell.sum() == out.executed


def test_the_executed_leave_the_arrests_and_are_logged_by_operation():
    raids = _raids([7, 3, 9], [2, 0, 1], [3.0, 0.0, 4.0])
    out = executions.day({"execution_share": 1.0, "oversight_strength": 0.0}, np.random.default_rng(0), raids, 10)
    assert out.executed == 7.0 and raids[:, ARRESTED].tolist() == [0.0, 0.0, 0.0]  # all executed at q = 1
    assert out.log.tolist() == [[7.0, 2.0, 3.0], [9.0, 1.0, 4.0]]  # (cell, gang, executed), operations with any
    assert out.per_cell[[7, 9]].tolist() == [3.0, 4.0]


def test_full_oversight_or_no_operation_draws_nothing():
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    raids = _raids([1], [0], [5.0])
    out = executions.day({"execution_share": 0.8, "oversight_strength": 1.0}, rng, raids, 3)
    assert out.executed == 0.0 and raids[0, ARRESTED] == 5.0 and len(out.log) == 0
    out = executions.day({"execution_share": 0.8, "oversight_strength": 0.0}, rng, _raids([], [], []), 3)
    assert out.executed == 0.0 and rng.bit_generator.state == state


def test_the_same_seed_gives_the_same_executions():
    def once():
        raids = _raids(np.arange(30), np.zeros(30), np.full(30, 3.0))
        return executions.day({"execution_share": 0.5, "oversight_strength": 0.2}, np.random.default_rng(11),
                              raids, 30).per_cell
    assert (once() == once()).all()

