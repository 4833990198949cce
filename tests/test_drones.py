"""Armed drones: off unless a scenario turns them on, never before their day, strikes on the strongest gang
cells that kill in proportion to the aimed share and harm residents in proportion to density and the rest;
each strike a row of the events log, its dead counted as killed by the security forces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import papsim
from papsim.mechanisms import Gangs, Grid, drones

ROOT = Path(__file__).resolve().parent.parent


def _city(n: int = 6):
    members = np.array([40.0, 10.0])
    gangs = Gangs(members=members.copy(), arms=members.copy(), cash=np.zeros(2), confront=np.ones(2, bool),
                  alliance=np.arange(2), side_of=np.arange(3))
    grid = Grid(land=np.ones(n, bool), nbr=np.zeros((n, 8), np.int64), nbr_valid=np.zeros((n, 8)),
                nbr_distinct=np.zeros((n, 8), bool),
                nbr_land_t=np.zeros((8, n), np.int64), road=np.zeros(n), area_km2=0.25, mean_population=1000.0,
                site_cells=np.zeros(0, np.int64), site_nbr=np.zeros((0, 8), np.int64), site_value=np.zeros(0),
                site_distance=np.zeros(n), site_reach=np.zeros((2, 0), np.int64), prison_sites=np.zeros(0, bool),
                fuel_sites=np.zeros(0, bool))
    controller = np.array([-1, 0, 0, 1, 1, -1])
    strength = np.array([0.0, 20.0, 20.0, 5.0, 5.0, 0.0])
    return gangs, grid, controller, strength


def test_strikes_hit_the_strongest_cells_and_kill_by_the_aimed_share():
    gangs, grid, controller, strength = _city()
    population = np.full(6, 2000.0)
    args = dict(controller=controller, strength=strength, population=population, trust=np.full(6, 0.5),
                reprisals=np.zeros(6), fighters_per_strike=4.0, harm_per_strike=1.0, intel_weight=1.0)
    killed, civilians, log = drones.strike(np.random.default_rng(1), 3, gangs, grid, intelligence_base=1.0, **args)
    row = dict(zip(drones.STRIKE_LOG, log.T))
    assert list(row["cell"]) == [1, 2, 3]  # the strongest gang cells, ties to the lower cell
    assert (row["aimed"] == 1.0).all() and not civilians.any()  # fully aimed: nobody else is hurt
    assert killed == row["gang_killed"].sum() and gangs.members.sum() == pytest.approx(50.0 - killed)
    n = 1000  # without intelligence: no fighter, only residents at density (2) x harm (n / 2)
    g, gr, c, s = _city()
    killed, civilians, _ = drones.strike(np.random.default_rng(2), 1, g, gr, intelligence_base=0.0,
                                         **dict(args, harm_per_strike=n / 2.0))
    assert killed == 0 and civilians[1] == pytest.approx(n, rel=0.1)


def test_the_mean_kill_follows_the_aimed_share():
    gangs, grid, controller, strength = _city()
    strength = strength * 100
    kills = [drones.strike(np.random.default_rng(s), 1, gangs, grid, controller=controller, strength=strength,
                           population=np.full(6, 1000.0), trust=np.full(6, 0.5), reprisals=np.ones(6),
                           fighters_per_strike=3.0, harm_per_strike=0.0, intelligence_base=0.8,
                           intel_weight=1.0)[0] for s in range(4000)]
    assert np.mean(kills) == pytest.approx(3.0 * 0.8 / 2.0, rel=0.05)  # reprisals 1 halve the aim


def test_no_strike_before_the_day_or_while_off():
    gangs, grid, controller, strength = _city()
    base = dict(drone_strikes_per_day=2.0, drone_start_day=100, drone_fighters_per_strike=2.0,
                drone_harm_per_strike=0.5, intelligence_base=0.3, trust_intel_weight=1.0)
    kw = dict(controller=controller, strength=strength, population=np.full(6, 1000.0), trust=np.full(6, 0.5),
              reprisals=np.zeros(6))
    rng = np.random.default_rng(3)
    state = rng.bit_generator.state
    for p, today in ((base, 99), (dict(base, drone_strikes_per_day=0.0), 500)):
        out = drones.day(p, rng, gangs, grid, today=today, **kw)
        assert out.strikes == 0 and len(out.log) == 0 and rng.bit_generator.state == state  # no draw either
    drones.day(base, rng, gangs, grid, today=100, **kw)
    assert rng.bit_generator.state != state  # from its day on, it draws


def test_a_run_with_drones_logs_every_strike_and_counts_its_dead():
    scenario = papsim.load_scenario(ROOT / "scenarios" / "baseline.toml").replace(
        drone_strikes_per_day=3.0, drone_start_day=30)
    result = papsim.run(scenario, seed=1, days=90)
    ts, events = result.timeseries, result.events
    strikes = events[events["kind"] == "drone strike"]
    assert len(strikes) == ts["drone_strikes"].sum() > 0 and (strikes["day"] >= 30).all()
    assert (strikes["initiator"] == "security forces").all()
    assert events["killed_gang"].sum() == pytest.approx(ts["deaths_gang"].sum())
    victims = ts[["deaths_civilian", "deaths_gang", "deaths_hnp", "deaths_mss"]].sum(axis=1)
    assert np.allclose(ts["deaths_by_gangs"] + ts["deaths_by_security"] + ts["deaths_by_vigilantes"], victims)
    off = papsim.run(scenario.replace(drone_strikes_per_day=0.0), seed=1, days=29).timeseries
    assert off["gang_population_share"].tolist() == ts["gang_population_share"].iloc[:30].tolist()  # same streams
