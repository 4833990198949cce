"""The day's entry points made cheaper keep their numbers: each compiled twin gives its NumPy reference's bits.

``operations.raid`` (a day's raids from the choice of targets on, in one call), ``territory.advance`` (a day's
expansion and contest, the fighters following), ``trust.one_day`` (with the day's misconduct draw), and
``economy.one_day`` are replayed on
many random inputs through the NumPy function and the built twin, on copies: every result, every array
changed in place and the generator's state after the call must be identical. Edge cases: no operations, no
gang cells, more operations than gang cells, every target rule, cells without people, no events. The
compiled half is skipped when the twin is not usable (``papsim.kernels.twin``).

``attacks.day`` has no twin: its quick test of a day without attacks (``attacks._may_attack``) must never
say no when the array rule (``retaliation.attack_probability``) attacks a site, draws next to the
probabilities included.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from papsim import kernels
from papsim.citymap import moore_neighbours
from papsim.scenario import load_scenario
from papsim.mechanisms import (Gangs, Grid, attacks, displacement, distinct_neighbours, economy, fighters, operations,
                               personnel, posture, retaliation, territory, vigilantes)
from papsim.mechanisms import trust
from bitwise import same, built_twin

NO_GANG = territory.NO_GANG


def replay(reference, twin, *args, **kwargs):
    """Call both on copies of the arguments; their results, arguments after and generators must agree."""
    mine, theirs = copy.deepcopy((args, kwargs)), copy.deepcopy((args, kwargs))
    expected = reference(*mine[0], **mine[1])
    got = twin(*theirs[0], **theirs[1])
    assert same(expected, got), "results differ"
    assert same(mine, theirs), "arguments changed in place (or the generator) differ"
    return expected


# --- random cities -------------------------------------------------------------------------------------
def city(g: np.random.Generator):
    width, height = int(g.integers(1, 20)), int(g.integers(1, 20))
    n = width * height
    nbr = moore_neighbours(width, height)
    land = g.random(n) < g.uniform(0.5, 1.0)
    n_gangs = int(g.integers(1, 6))
    share = g.choice([0.0, g.uniform(0.05, 0.9), 1.0])  # no gang cells, some, every land cell
    controller = np.where(land & (g.random(n) < share), g.integers(0, n_gangs, n), NO_GANG).astype(np.int64)
    # fighters per cell on the gangs' cells (none in some groups), the members their sums
    strength = np.round(g.uniform(0, 60, n), 1) * (controller >= 0) * (g.random(n_gangs) >= 0.15)[controller]
    members = fighters.tally(controller, strength, n_gangs)
    gangs = Gangs(members=members, arms=members * g.uniform(0.2, 1.5, n_gangs), cash=g.uniform(0, 5e4, n_gangs)
                  * (g.random(n_gangs) < 0.8), confront=g.random(n_gangs) < 0.6,
                  alliance=np.arange(n_gangs), side_of=np.append(np.arange(n_gangs), NO_GANG).astype(np.int16))
    n_sites = int(g.integers(1, min(n, 6) + 1))
    sites = g.choice(n, n_sites, replace=False)
    population = np.round(g.uniform(0, 3000, n)) * (g.random(n) < 0.85)
    population[g.random(n) < 0.05] = g.choice([1e9, 0.5])  # a few extreme cells
    grid = Grid(land=land, nbr=nbr, nbr_valid=(nbr != np.arange(n)[:, None]).astype(float),
                nbr_distinct=distinct_neighbours(nbr),
                nbr_land_t=territory.land_neighbours_t(nbr, land), road=(g.random(n) < 0.3).astype(float),
                area_km2=float(g.choice([0.04, 0.25])), mean_population=float(population.mean() + 1.0),
                site_cells=sites, site_nbr=nbr[sites], site_value=np.ones(n_sites),
                site_distance=np.round(g.uniform(0, 5, n), 1),
                site_reach=np.array((np.arange(n_sites), sites)),
                prison_sites=g.random(n_sites) < 0.3, fuel_sites=g.random(n_sites) < 0.3)
    return n, controller, gangs, grid, population, strength


def units_of(g: np.random.Generator, n_units: int) -> personnel.Units:
    n_hnp = int(g.integers(0, n_units + 1))
    force = (np.arange(n_units) >= n_hnp).astype(np.int64)
    staffed = np.round(g.uniform(0, 30, n_units)) * (g.random(n_units) < 0.9)
    return personnel.Units(force=force, is_mss=force.astype(bool), fill_offset=np.zeros(n_units, np.int64),
                           training=g.uniform(0.3, 1, n_units), equipment=g.uniform(0.3, 1, n_units),
                           readiness=g.uniform(0.3, 1, n_units), morale=g.uniform(0.3, 1, n_units),
                           personnel=staffed, effectiveness=staffed * g.uniform(0.1, 1, n_units),
                           role=g.integers(0, 6, n_units), cell=g.integers(-1, 3, n_units), n_hnp=n_hnp)


def raid_case(seed: int):
    g = np.random.default_rng(seed)
    n, controller, gangs, grid, population, strength = city(g)
    n_units = int(g.integers(0, 30))
    units = units_of(g, n_units)
    raiders = g.permutation(n_units)[: int(g.integers(0, n_units + 1))].astype(np.int64)
    per_op = int(g.integers(1, 4))
    # no operation, a few, more than the gang cells
    n_ops = int(g.choice([0, len(raiders) // per_op, n + 3, -1]))
    score_rule = str(g.choice(posture.TARGET_RULES))
    frontier = g.random(n) < 0.4
    if score_rule == "sites" and g.random() < 0.3:  # equal scores: ties broken by the draws, then by index
        grid = grid._replace(site_distance=np.round(grid.site_distance))
    terms = operations.RaidTerms(
        target_rule=score_rule, units_per_operation=per_op, lethality=float(g.uniform(0.01, 3.0)),
        intelligence_base=float(g.uniform(0.02, 1.0)), gang_lethality=float(g.uniform(0.01, 0.3)), caution=float(g.uniform(0, 1)),
        reinforcement_share=float(g.uniform(0, 1)), low_profile_engagement=float(g.uniform(0, 1)),
        intel_weight=float(g.uniform(0, 1)), arrest_share=float(g.uniform(0, 1)),
        free_detention=float(g.choice([-5.0, 0.0, 3.0, 1e6])), harm_ratio=float(g.uniform(0, 0.5)),
        clear_ratio=float(g.uniform(0.5, 3)))
    args = (np.random.default_rng(seed + 10_000), raiders, units, gangs, grid)
    kwargs = dict(n_ops=n_ops, today=int(g.integers(1, 400)), hold=int(g.integers(0, 60)), controller=controller,
                  strength=strength, frontier=frontier, population=population,
                  trust=g.choice([0.0, 0.5, 1.0], n) * g.random(n), reprisals=2.0 * g.random(n) * (g.random(n) < 0.3),
                  presence=g.random(n) * (g.random(n) < 0.2),
                  held_until=g.integers(-1, 50, n), cleared_on=np.full(n, -10**6), events=np.zeros(n),
                  terms=terms)
    return args, kwargs


# --- operations -----------------------------------------------------------------------------------------
def test_raid_is_the_choice_of_targets_then_the_fights():
    """The NumPy reference: targets as posture chooses them among the gang cells by their fighters, then
    fight; the fighters lost leave the cells that fought, the survivors of a cleared cell fall back (or
    scatter), and the members are the fighters' sums."""
    for seed in range(150):
        args, kwargs = raid_case(seed)
        rng, raiders, units, gangs, grid = copy.deepcopy(args)
        kw = copy.deepcopy(kwargs)
        n_ops, cleared, civilians, killed, arrested, hnp_loss, mss_loss, log = operations.raid(
            rng, raiders, units, gangs, grid, **kw)
        check = np.random.default_rng(seed + 10_000)
        strength = kwargs["strength"]
        cells = (kwargs["controller"] >= 0).nonzero()[0]
        score = posture.target_scores(kwargs["terms"].target_rule, cells, kwargs["population"], strength,
                                      kwargs["frontier"], grid.site_distance)
        targets = cells[posture.choose_targets(score, kwargs["n_ops"], check)]
        assert n_ops == len(targets) and n_ops <= max(kwargs["n_ops"], 0)
        assert log.shape == (n_ops, len(operations.RAID_LOG))  # the log: one row per operation, adding up
        row = dict(zip(operations.RAID_LOG, log.T))
        assert np.array_equal(row["cell"], targets) and np.array_equal(row["gang"], kwargs["controller"][targets])
        assert np.allclose([row["gang_killed"].sum(), row["arrested"].sum(), row["hnp_losses"].sum(),
                            row["mss_losses"].sum()], [killed, arrested, hnp_loss, mss_loss])
        assert np.array_equal(row["civilians_killed"], civilians[targets]) and row["cleared"].sum() == cleared
        assert (row["mss_personnel"] <= row["personnel"]).all()
        assert np.array_equal(kw["events"], np.bincount(targets, minlength=len(kw["events"])).astype(float))
        assert cleared == int(np.count_nonzero((kw["controller"] == NO_GANG) & (kwargs["controller"] != NO_GANG)))
        if n_ops == 0:
            assert same(rng, check) and not civilians.any() and same(kw["strength"], strength)
            assert same(kw["controller"], kwargs["controller"]) and same(units, args[2])
        else:
            after = kw["strength"]
            assert (after >= 0).all() and not after[kw["controller"] == NO_GANG].any()
            assert np.array_equal(gangs.members, fighters.tally(kw["controller"], after, len(gangs.members)))
            # nobody appears: the fighters after are at most those before, less the killed and arrested
            assert after.sum() <= strength.sum() - killed - arrested + 1e-9 * (1 + strength.sum())
            assert (units.role[raiders[: n_ops * kwargs["terms"].units_per_operation]] == posture.OPERATION).all()
            assert np.isin(civilians.nonzero()[0], targets).all()


def test_compiled_raid_gives_the_numpy_bits():
    twin = built_twin("operations")
    days = {"none": 0, "some": 0}
    for seed in range(400):
        args, kwargs = raid_case(seed)
        n_ops = replay(operations.raid, twin.raid, *args, **kwargs)[0]
        days["some" if n_ops else "none"] += 1
    assert min(days.values()) > 40, days  # both kinds of day were replayed


def test_compiled_raid_edge_cases():
    twin = built_twin("operations")
    args, kwargs = raid_case(3)
    n = len(kwargs["controller"])
    replay(operations.raid, twin.raid, *args, **dict(kwargs, controller=np.full(n, NO_GANG)))  # no gang cells
    replay(operations.raid, twin.raid, *args, **dict(kwargs, n_ops=0))  # no operations: no draw
    for rule in posture.TARGET_RULES:
        replay(operations.raid, twin.raid, *args,
               **dict(kwargs, n_ops=n + 5, terms=kwargs["terms"]._replace(target_rule=rule)))
    with pytest.raises(ValueError, match="unknown target rule"):
        twin.raid(*copy.deepcopy(args), **dict(copy.deepcopy(kwargs), terms=kwargs["terms"]._replace(
            target_rule="nearest")))


# --- territory -------------------------------------------------------------------------------------------
def advance_case(seed: int):
    g = np.random.default_rng(seed)
    n, controller, gangs, grid, population, strength = city(g)
    # alliances of one or several groups: rivals contest, allies do not
    alliance = g.integers(0, max(1, len(gangs.members) - int(g.integers(0, 2))), len(gangs.members))
    gangs = gangs._replace(alliance=alliance, side_of=np.append(alliance, NO_GANG).astype(np.int16))
    front, hostile = territory.controller_fronts(controller, gangs.side_of, grid.nbr_land_t, grid.land)
    rates = territory.Rates(resistance=g.uniform(0, 30, n) * (g.random(n) < 0.5),
                            expansion_rate=float(g.choice([0.05, 1.0, 1e3])), retake_multiplier=float(g.uniform(1, 3)),
                            contest_rate=float(g.choice([0.0, 0.5, 1e3])), advance_share=float(g.uniform(0.1, 0.9)))
    kwargs = dict(controller=controller, strength=strength, presence=g.random(n) * (g.random(n) < 0.2),
                  cleared_on=g.integers(-50, 50, n), recent_after=0, held_until=g.integers(-1, 50, n), front=front,
                  hostile=hostile, rates=rates)
    return (np.random.default_rng(seed + 20_000), gangs, grid), kwargs


def test_advance_keeps_the_fighters_with_their_groups():
    """Fighters follow control: none on cells of no gang, none created (those cut off scatter), the members
    their sums; a cell taken is occupied by the advance share of the cell it was taken from."""
    for seed in range(150):
        args, kwargs = advance_case(seed)
        rng, gangs, grid = copy.deepcopy(args)
        kw = copy.deepcopy(kwargs)
        territory.advance(rng, gangs, grid, **kw)
        after, controller = kw["strength"], kw["controller"]
        assert (after >= 0).all() and not after[controller == NO_GANG].any()
        assert after.sum() <= kwargs["strength"].sum() * (1 + 1e-12) + 1e-12
        assert np.array_equal(gangs.members, fighters.tally(controller, after, len(gangs.members)))
        taken = (kwargs["controller"] == NO_GANG) & (controller != NO_GANG)
        assert (after[taken] > 0).all()  # each was taken from a cell with fighters, and some came


def test_compiled_advance_gives_the_numpy_bits():
    twin = built_twin("territory")
    changed = 0
    for seed in range(300):
        args, kwargs = advance_case(seed)
        before = kwargs["controller"].copy()
        replay(territory.advance, twin.advance, *args, **kwargs)
        mine = copy.deepcopy(kwargs)
        territory.advance(*copy.deepcopy(args), **mine)
        changed += int((mine["controller"] != before).any())
    assert changed > 100  # days on which control changed were replayed


# --- trust and economy --------------------------------------------------------------------
def trust_case(seed: int):
    g = np.random.default_rng(seed)
    n = int(g.integers(1, 400))
    civilians = np.round(g.uniform(0, 3, n)) * (g.random(n) < 0.1)
    civilians[g.random(n) < 0.02] = -0.0
    presence = g.uniform(0, 120, n) * (g.random(n) < g.uniform(0, 1))
    population = np.round(g.uniform(0, 2000, n)) * (g.random(n) < 0.8)
    rates = trust.Rates(unit_size=float(g.choice([25, 50, 0.5])), gain=float(g.uniform(0, 0.05)),
                        harm_loss=float(g.uniform(0, 0.1)), misconduct_loss=float(g.uniform(0, 0.01)),
                        passivity_penalty=float(g.uniform(0, 0.01)))
    args = (np.random.default_rng(seed + 1), g.random(n) * (g.random(n) < 0.95), presence)
    kwargs = dict(civilians_killed=civilians, population=population, land=g.random(n) < 0.9,
                  expected_incidents=float(g.choice([0.0, g.uniform(0, 3), g.uniform(10, 40)])),
                  passivity_index=float(g.uniform(0, 1)), rates=rates)
    return args, kwargs


def test_compiled_trust_day_gives_the_numpy_bits():
    twin = built_twin("trust")
    for seed in range(300):
        replay(trust.one_day, twin.one_day, *trust_case(seed)[0], **trust_case(seed)[1])
    args, kwargs = trust_case(1)
    for bad in (-1.0, np.nan):
        with pytest.raises(ValueError):
            twin.one_day(*copy.deepcopy(args), **dict(kwargs, expected_incidents=bad))
        with pytest.raises(ValueError):
            trust.one_day(*copy.deepcopy(args), **dict(kwargs, expected_incidents=bad))


def test_trust_day_draws_the_incidents_once():
    args, kwargs = trust_case(5)
    kwargs["expected_incidents"] = 2.5
    rng = args[0]
    expected = copy.deepcopy(rng)
    incidents = expected.poisson(2.5)
    t = args[1].copy()
    trust.one_day(*args, **kwargs)
    assert same(rng, expected)
    reference = np.where(kwargs["land"], trust.update(
        t, np.minimum(1.0, args[2] / kwargs["rates"].unit_size),
        np.divide(kwargs["civilians_killed"] * 1000.0, kwargs["population"], out=np.zeros(len(t)),
                  where=kwargs["population"] > 0), incidents, kwargs["passivity_index"], kwargs["rates"].gain,
        kwargs["rates"].harm_loss, kwargs["rates"].misconduct_loss, kwargs["rates"].passivity_penalty), 0.0)
    assert same(args[1], reference)


def test_compiled_economy_day_gives_the_numpy_bits():
    twin = built_twin("economy")
    for seed in range(300):
        g = np.random.default_rng(seed)
        n, controller, gangs, grid, population, _ = city(g)
        prices = economy.Prices(*[float(x) for x in g.uniform(0.01, 1, 11) * [1, 0.5, 100, 1000, 5000, 0.01,
                                                                             300, 0.001, 20, 1, 800]])
        replay(economy.one_day, twin.one_day, np.random.default_rng(seed), gangs, grid, controller=controller,
               population=population, trust=g.random(n), kidnappings=np.round(g.uniform(0, 2, n)) * (g.random(n) < 0.1),
               displaced_share=float(g.uniform(0, 0.5)), prices=prices)


def test_compiled_vigilantes_day_gives_the_numpy_bits():
    """Random cities with and without brigades, killings capped by residents and by the charged groups'
    members (none, few, many), means past the summed range (the bisection's), and days without any mean."""
    twin = built_twin("vigilantes")
    kills = 0
    for seed in range(300):
        g = np.random.default_rng(seed)
        n, controller, gangs, grid, population, _ = city(g)
        rates = vigilantes.Rates(float(g.uniform(0, 60)), float(g.uniform(0.5, 10)), float(g.uniform(1, 50)),
                                 float(g.uniform(1, 30)), float(g.choice([0.0, 1e-4, 0.05, 30.0])),
                                 float(g.uniform(0, 1)))
        out = replay(vigilantes.one_day, twin.one_day, np.random.default_rng(seed),
                     g.uniform(0, 40, n) * (g.random(n) < 0.5), controller=controller, nbr=grid.nbr,
                     valid=grid.nbr_distinct, border=g.random(n) < 0.4, violence=g.uniform(0, 20, n) * (g.random(n) < 0.3),
                     presence=g.choice([0.0, 30.0], n), land=grid.land, population=population,
                     strength=np.where(controller >= 0, g.uniform(0, 80, n), 0.0),
                     members=g.choice([0.0, 3.0, 1e4], len(gangs.members)), rates=rates)
        kills += len(out.log)
    assert kills > 100


def test_compiled_fighters_day_gives_the_numpy_bits():
    """Groups with fighters, with cells but no fighters (spread evenly), with members but no cell (kept at
    none), members changed for whole groups, fronts and pulls of every size."""
    twin = built_twin("fighters")
    for seed in range(300):
        g = np.random.default_rng(seed)
        n, controller, gangs, _, _, strength = city(g)
        members = gangs.members * g.choice([0.0, 0.5, 1.0, 3.0], len(gangs.members)) + g.choice([0.0, 7.0])
        front = g.random(n) < g.uniform(0, 1)
        replay(fighters.reconcile, twin.reconcile, strength, controller, members)
        replay(fighters.one_day, twin.one_day, strength, controller, members, front,
               pull=float(g.choice([0.0, 2.0, 10.0])), rate=float(g.uniform(0.01, 1.0)))


def test_compiled_displacement_day_gives_the_numpy_bits():
    """Days with and without flight and hosts, present stocks above the residents, returns called for beyond
    the places' present stocks, return rates 0 and 1, streaks at the threshold."""
    twin = built_twin("displacement")
    for seed in range(300):
        g = np.random.default_rng(seed)
        n = int(g.integers(1, 200))
        before = np.round(g.uniform(0, 3000, n)) * (g.random(n) < 0.9)
        deaths = np.minimum(np.round(g.uniform(0, 3, n)) * (g.random(n) < 0.2), before)
        moved = g.uniform(0, 1, n) * (g.random(n) < g.choice([0.0, 0.3]))
        gain = g.uniform(0, 500, n) * (g.random(n) < g.choice([0.0, 0.3]))
        after = before - deaths - moved * (before - deaths) + gain
        stocks = displacement.Stocks(g.uniform(0, 400, (3, n)) * (g.random((3, n)) < 0.5),
                                     g.uniform(0, 5000, (2, n)) * (g.random((2, n)) < g.choice([0.02, 0.5])))
        rates = displacement.Rates(float(g.uniform(0, 1)), float(g.choice([0.0, 3.0, 30.0])),
                                   float(g.choice([0.0, 0.02, 1.0])))
        replay(displacement.one_day, twin.one_day, stocks, g.integers(0, 40, n), before=before, after=after,
               deaths=deaths, hosted_gain=gain, left=float(g.choice([0.0, 120.0])), secure=g.random(n) < 0.6,
               rates=rates)


# --- attacks ----------------------------------------------------------------------------------------------
def test_a_day_said_without_attacks_has_none():
    """``_may_attack`` no ⇒ no site attacked by the array rule, draws right at the probabilities included."""
    said_yes = said_no = 0
    for seed in range(3000):
        g = np.random.default_rng(seed)
        n_sites = int(g.integers(1, 16))
        n = n_sites + int(g.integers(0, 30))
        sites = g.choice(n, n_sites, replace=False)
        rate = float(g.choice([0.0, g.uniform(0, 0.2), g.uniform(0.5, 5)])) * np.where(  # per site: offensive
            g.random(n_sites) < 0.3, g.uniform(0, 3, n_sites), 1.0)
        intensity = g.uniform(0, 6, n) * (g.random(n) < 0.5)
        held = np.where(g.random(n_sites) < g.choice([0.0, 0.5, 1.0]), g.integers(0, 4, n_sites), NO_GANG)
        att = g.uniform(0, 50, n_sites) * (g.random(n_sites) < 0.6)
        prob = retaliation.attack_probability(rate, intensity[sites])
        draw = g.random(n_sites)
        near = g.random(n_sites) < 0.3  # draws on, or one step either side of, the probability
        draw[near] = np.nextafter(prob[near], g.choice([-1.0, 2.0], near.sum()) * (g.random(near.sum()) < 0.7))
        attacked = (held == NO_GANG) & (att > 0) & (draw < prob)
        may = attacks._may_attack(rate, draw, att, held, intensity, sites)
        assert may or not attacked.any(), seed
        said_yes, said_no = said_yes + may, said_no + (not may)
    assert said_yes > 300 and said_no > 300


def test_whole_runs_agree_on_either_kernels(monkeypatch):
    """Runs through days with and without operations and attacks give the same numbers on NumPy and compiled
    kernels (every twin must be usable)."""
    import papsim
    if kernels.compiled() is None:
        pytest.skip("not every twin is usable")
    results = {}
    for choice in ("numpy", "compiled"):
        monkeypatch.setenv(kernels.ENV, choice)
        bold = load_scenario("scenarios/posture_dynamic.toml").replace(gang_attack_resolve=0.1)  # attacks happen
        results[choice] = papsim.run(bold, seed=11, days=150)
    assert results["numpy"].timeseries.equals(results["compiled"].timeseries)
    assert results["numpy"].timeseries["gang_attacks"].gt(0).any()
    assert results["numpy"].timeseries["gang_attacks"].eq(0).any()
