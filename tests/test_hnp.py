"""The HNP's condition: the fading memory of officers killed against its analytic steady state, attrition that
rises with the deaths as the record's 2023 does, and a capacity that relaxes exactly to its level."""

from __future__ import annotations

import math

import pytest

from papsim.mechanisms import hnp

P = {"hnp_attrition_base": 0.03, "hnp_attrition_per_death": 0.002, "hnp_grief_days": 90,
     "hnp_killed_reference": 40.0, "hnp_capacity_loss": 0.3, "hnp_capacity_recovery_days": 30}


def test_a_steady_killing_rate_is_remembered_as_that_rate():
    recent = 0.0
    per_day = 48 / 365
    for _ in range(5000):
        recent = hnp.remember(recent, per_day, P["hnp_grief_days"])
    assert recent == pytest.approx(per_day / (1 - math.exp(-1 / 90)), rel=1e-9)  # the geometric series' limit
    assert hnp.killed_per_year(recent, P["hnp_grief_days"]) == pytest.approx(48.0, rel=1e-9)


def test_one_death_fades_geometrically():
    recent = hnp.remember(0.0, 1.0, 30)
    for _ in range(30):
        recent = hnp.remember(recent, 0.0, 30)
    assert recent == pytest.approx(math.exp(-1.0), rel=1e-12)


def test_attrition_of_2023_comes_from_its_officer_deaths():
    assert hnp.attrition_per_year(P, 0.0) == P["hnp_attrition_base"]
    steady_48 = 48 / 365 / (1 - math.exp(-1 / 90))
    assert hnp.attrition_per_year(P, steady_48) == pytest.approx(0.126, abs=1e-9)  # 1,663 of 13,196 left [V]


def test_capacity_tends_to_its_level_exactly_and_loses_half_at_the_reference():
    steady = 40 / 365 / (1 - math.exp(-1 / 90))  # 40 a year: the reference
    assert hnp.capacity_target(P, steady) == pytest.approx(1 - 0.15)
    assert hnp.capacity_target(P, 0.0) == 1.0
    state = hnp.State(steady, 1.0)
    target = hnp.capacity_target(P, steady * math.exp(-1 / 90))
    after = hnp.day(P, state, 0.0)
    assert after.recent_killed == pytest.approx(steady * math.exp(-1 / 90))
    assert after.capacity == pytest.approx(target + (1.0 - target) * math.exp(-1 / 30), rel=1e-12)
    for _ in range(2000):  # with deaths going on the capacity settles at the level of their rate
        state = hnp.day(P, state, 40 / 365)
    assert state.capacity == pytest.approx(0.85, rel=1e-6)


def test_the_start_is_no_memory_and_full_capacity():
    assert hnp.initial() == (0.0, 1.0)
    assert hnp.day(P, hnp.initial(), 0.0) == (0.0, 1.0)
