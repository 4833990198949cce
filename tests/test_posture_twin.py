"""The posture twin's ``staff`` and ``place`` give the NumPy functions' bits and random stream.

Random units and cities, with the edge cases of a day's posture: units with nobody in them, no static units,
no patrols, more holds than raid-capable units (capped by ``keep_holds``), no free front cells, equal and
invalid populations. Every result, every array changed in place and the generator's state must be identical.
The compiled half is skipped when the twin is not usable (stale or not built).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from papsim import kernels
from papsim.mechanisms import personnel, phases, posture
from bitwise import same

POSTURE = kernels.twin("posture")
compiled = pytest.mark.skipif(not POSTURE.usable, reason=f"posture twin: {POSTURE.reason}")


def random_units(g: np.random.Generator, size: int) -> personnel.Units:
    n_hnp, n_mss = int(g.integers(0, 14)), int(g.integers(0, 14))
    n = n_hnp + n_mss
    force = np.r_[np.zeros(n_hnp, int), np.ones(n_mss, int)]

    def factor():
        x = g.random(n)
        x[g.random(n) < 0.1] = 0.0
        return x
    offset = size * np.r_[np.arange(n_hnp), np.arange(n_mss)]
    if g.random() < 0.2:
        offset = offset.astype(float)
    return personnel.Units(force=force, is_mss=force == 1, fill_offset=offset, training=factor(),
                           equipment=factor(), readiness=factor(), morale=factor(), personnel=g.random(n),
                           effectiveness=g.random(n), role=g.integers(0, 6, n), cell=g.integers(-1, 9, n),
                           n_hnp=n_hnp)


def random_day(seed: int):
    """(units, staffing arguments, placing arguments after staffing, generator) of one random day."""
    g = np.random.default_rng(seed)
    size = int(g.choice([1, 15, 30]))
    units = random_units(g, size)
    hnp = float(g.choice([0.0, g.uniform(0, 14 * size), 14.0 * size, 3.5]))
    mss = float(g.choice([0, int(g.integers(0, 14 * size)), 1e6]))
    staffing = (hnp, mss, size)
    active_h, active_m = posture.staff(copy.deepcopy(units), *staffing)
    p = {"hnp_static_share": g.choice([0.0, g.random(), 1.0]), "patrol_share": g.choice([0.0, 0.6 * g.random()]),
         "mss_static_share": g.choice([0.0, g.random()]), "mss_per_hnp_in_joint_ops": g.uniform(0.5, 5.0),
         "mss_independent_ops": bool(g.random() < 0.3), "mss_joint_patrols_day": int(g.integers(0, 300))}
    phase = int(g.choice([phases.DEPLOYMENT, phases.DEPLOYMENT + 1]))
    static_h, patrol_h, dynamic_h = posture.roles(active_h, p["hnp_static_share"], p["patrol_share"])
    static_m, _, dynamic_m = posture.roles(active_m, posture.mss_static_share(p, phase, int(g.integers(0, 300))), p["patrol_share"])
    joint = posture.joint_mss_units(dynamic_h, dynamic_m, p["mss_per_hnp_in_joint_ops"], p["mss_independent_ops"])
    n_cells = int(g.integers(1, 70))
    free = g.random(n_cells) < g.choice([0.0, 0.7, 1.0])
    frontier = g.random(n_cells) < g.choice([0.0, 0.5, 1.0])
    population = np.round(g.uniform(0, 5, n_cells)) * g.choice([1.0, 1e3])  # many equal populations
    population[g.random(n_cells) < 0.1] = -np.inf
    static_cells = np.sort(g.integers(0, n_cells, static_h + static_m))  # several guards at a site too
    held_until = g.integers(-1, 12, n_cells)
    hold_cells = posture.keep_holds(held_until, 5, dynamic_h + joint, free)  # as many holds as there can be
    placing = (active_h, active_m, static_h, static_m, patrol_h, active_m - joint, static_cells, hold_cells, free,
               frontier, population)
    return units, staffing, placing, g


def run_both(function: str, units, args, rng=None):
    """(NumPy (result, units, rng), compiled (result, units, rng)) of ``function`` on copies."""
    outcomes = []
    for module in (posture, POSTURE.built):
        mine_units, mine_args, mine_rng = copy.deepcopy((units, args, rng))
        extra = () if rng is None else (mine_rng,)
        outcomes.append((getattr(module, function)(mine_units, *mine_args, *extra), mine_units, mine_rng))
    return outcomes


SEEDS = range(400)


@compiled
@pytest.mark.parametrize("seed", SEEDS)
def test_staff_gives_the_same_bits(seed):
    units, staffing, _, _ = random_day(seed)
    expected, got = run_both("staff", units, staffing)
    assert same(expected, got)


@compiled
@pytest.mark.parametrize("seed", SEEDS)
def test_place_gives_the_same_bits_and_draws(seed):
    units, staffing, placing, g = random_day(seed)
    posture.staff(units, *staffing)
    expected, got = run_both("place", units, placing, g)
    assert same(expected[0], got[0]), "results differ"
    assert same(expected[1], got[1]), "units differ"
    assert same(expected[2], got[2]), "generator states differ"


def test_the_random_days_cover_the_edge_cases():
    seen = set()
    for seed in SEEDS:
        units, staffing, placing, g = random_day(seed)
        before = copy.deepcopy(g.bit_generator.state)
        posture.staff(units, *staffing)
        active_h, active_m, static_h, static_m, patrol_h, joint_m, static_cells, hold_cells, free, frontier, _ = placing
        presence, raiders, patrolled = posture.place(units, *placing, g)
        n_patrol = patrol_h + joint_m - static_m
        seen.add("empty unit" if (units.personnel == 0).any() else "")
        seen.add("no static" if static_h + static_m == 0 else "static")
        seen.add("no patrol" if n_patrol == 0 else "patrol")
        seen.add("no draws" if g.bit_generator.state == before else "draws")
        seen.add("holds capped" if len(hold_cells) == len(raiders) + len(hold_cells) and len(hold_cells) else "")
        seen.add("no free front" if not (frontier & free).any() else "")
        seen.add("patrols without cells" if n_patrol > patrolled.sum() > 0 else "")
        assert np.count_nonzero(units.role == posture.PATROL) == patrolled.sum()
        assert np.array_equal(units.cell[units.role == posture.STATIC], static_cells)
    assert {"empty unit", "no static", "static", "no patrol", "patrol", "no draws", "draws", "holds capped",
            "no free front", "patrols without cells"} <= seen


@compiled
def test_place_checks_its_cells():
    units, staffing, placing, g = random_day(next(s for s in SEEDS if random_day(s)[2][2] > 0))
    posture.staff(units, *staffing)
    wrong = list(placing)
    wrong[6] = wrong[6][:-1]
    with pytest.raises(ValueError, match="static_cells"):
        POSTURE.built.place(units, *wrong, g)
    with pytest.raises(TypeError, match="population"):
        POSTURE.built.place(units, *placing[:-1], placing[-1].astype(np.float32), g)
