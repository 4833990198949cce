"""The guards' counter-attacks on lost key sites (papsim/mechanisms/recapture.py): a site a gang took is won
back only in a fight its guards win, and the run's lost sites come back."""

from __future__ import annotations

import numpy as np

import papsim
from papsim.mechanisms import Gangs, Grid, distinct_neighbours, operations, personnel, posture, recapture, territory
from papsim.registry import defaults
from papsim.scenario import load_scenario

N = 6  # cells in a row: 0 1 2 3 4 5, the key site at cell 2


def row_grid() -> Grid:
    nbr = np.arange(N)[:, None].repeat(8, axis=1)
    nbr[:, 0] = np.maximum(np.arange(N) - 1, 0)
    nbr[:, 1] = np.minimum(np.arange(N) + 1, N - 1)
    land = np.ones(N, bool)
    sites = np.array([2])
    return Grid(land=land, nbr=nbr, nbr_valid=(nbr != np.arange(N)[:, None]).astype(float),
                nbr_distinct=distinct_neighbours(nbr), nbr_land_t=territory.land_neighbours_t(nbr, land),
                road=np.zeros(N), area_km2=0.25, mean_population=1000.0, site_cells=sites, site_nbr=nbr[sites],
                site_value=np.ones(1), site_distance=np.abs(np.arange(N) - 2) * 0.5,
                site_reach=np.array([[0, 0, 0], [1, 2, 3]]),
                prison_sites=np.zeros(1, bool), fuel_sites=np.zeros(1, bool))


def guards_at(cell: int, people: float) -> personnel.Units:
    """Two static units of ``people`` personnel at ``cell`` (effectiveness 0.8 a person)."""
    staffed = np.full(2, people)
    return personnel.Units(force=np.zeros(2, np.int64), is_mss=np.zeros(2, bool), fill_offset=np.zeros(2, np.int64),
                           training=np.ones(2), equipment=np.ones(2), readiness=np.ones(2), morale=np.ones(2),
                           personnel=staffed, effectiveness=0.8 * staffed, role=np.full(2, posture.STATIC),
                           cell=np.full(2, cell, np.int64), n_hnp=2)


def no_operations() -> operations.Outcome:
    return operations.Outcome(0, 0, np.zeros(3), np.zeros(N), 0.0, 1000.0, 0.0,
                              np.zeros((0, len(operations.RAID_LOG))))


def counter_attack(p: dict, units: personnel.Units, fighters_at_site: float, seed: int = 0):
    controller = np.array([-1, 0, 0, 0, -1, -1])
    strength = np.array([0.0, 10.0, fighters_at_site, 10.0, 0.0, 0.0])
    members = np.array([strength.sum()])
    gangs = Gangs(members=members, arms=members.copy(), cash=np.zeros(1), confront=np.ones(1, bool),
                  alliance=np.zeros(1, np.int64), side_of=np.array([0, -1], np.int16))
    cleared_on = np.full(N, -10)
    out = recapture.day(p, np.random.default_rng(seed), units, gangs, row_grid(), today=7, ops=no_operations(),
                        detained=0.0, controller=controller, strength=strength, trust=np.full(N, 0.5),
                        reprisals=np.zeros(N), population=np.full(N, 1000.0), cleared_on=cleared_on,
                        events=np.zeros(N))
    return out, controller, strength, gangs, cleared_on


def test_strong_guards_win_back_their_site_and_its_fighters_fall_back():
    p = dict(defaults(), recapture_rate=50.0)  # a counter-attack every day
    out, controller, strength, gangs, cleared_on = counter_attack(p, guards_at(2, 150.0), 5.0)
    assert out.operations == 1 and out.cleared == 1 and len(out.log) == 1
    assert controller[2] == territory.NO_GANG and strength[2] == 0.0
    assert cleared_on[2] == 7
    # the survivors fell back to the group's neighbouring cells; the members are the fighters' sum
    assert strength[1] > 0 and strength[3] > 0 and gangs.members[0] == strength.sum()
    logged = dict(zip(operations.RAID_LOG, out.log[0]))
    assert logged["cell"] == 2 and logged["personnel"] == 300.0 and logged["cleared"] == 1.0
    assert strength.sum() == 25.0 - logged["gang_killed"] - logged["arrested"]


def test_a_site_is_not_won_back_without_guards_a_fight_or_a_win():
    p = dict(defaults(), recapture_rate=50.0)
    ops = no_operations()
    elsewhere = counter_attack(p, guards_at(4, 150.0), 5.0)  # guards not at the lost site
    assert elsewhere[0] is not ops and elsewhere[0].operations == 0 and elsewhere[1][2] == 0
    never = counter_attack(dict(p, recapture_rate=0.0), guards_at(2, 150.0), 5.0)
    assert never[0].operations == 0 and never[1][2] == 0
    beaten = counter_attack(p, guards_at(2, 2.0), 400.0)  # four guards against hundreds
    assert beaten[0].operations == 1 and beaten[0].cleared == 0 and beaten[1][2] == 0


def test_the_lost_sites_of_the_offensive_come_back():
    """Same seed over 2024: with the guards' counter-attacks the key sites taken in the coalition's offensive are
    closed for fewer days than when they almost never counter-attack, and some site taken is won back."""
    scenario = load_scenario("scenarios/mss_as_deployed.toml")
    keen = papsim.run(scenario, seed=0, days=300)
    slow = papsim.run(scenario.replace(recapture_rate=0.005), seed=0, days=300)
    taken = keen.events[(keen.events["kind"] == "attack") & (keen.events["outcome"] == "taken")]
    assert len(taken) > 0
    assert keen.sites["days_closed"].sum() < slow.sites["days_closed"].sum()
    assert keen.sites["held_at_end"].sum() > slow.sites["held_at_end"].sum()
    won_back = keen.events[(keen.events["kind"] == "operation") & (keen.events["outcome"] == "cleared")
                           & keen.events["cell"].isin(taken["cell"])]
    assert len(won_back) > 0
