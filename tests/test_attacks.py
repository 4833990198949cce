"""Gang attacks as choices (papsim/mechanisms/attacks.py): a group attacks a site or a held cell only where its
square-law fighting strength is enough against the guards', and a held cell it attacks can be lost."""

from __future__ import annotations

import numpy as np
import pytest

import papsim
from papsim.mechanisms import Gangs, attacks, personnel
from papsim.registry import defaults
from papsim.scenario import load_scenario

P = {"security_lethality": 0.05, "roe_caution": 0.0, "gang_lethality": 0.02, "gang_attack_mass": 2.0,
     "gang_attack_resolve": 1.0}


def guards(cells: list[int], people: list[float]) -> personnel.Units:
    """Units of ``people`` personnel (effectiveness 0.5 a person) posted at ``cells``."""
    n = len(cells)
    staffed = np.array(people, float)
    return personnel.Units(force=np.zeros(n, np.int64), is_mss=np.zeros(n, bool), fill_offset=np.zeros(n, np.int64),
                           training=np.ones(n), equipment=np.ones(n), readiness=np.ones(n), morale=np.ones(n),
                           personnel=staffed, effectiveness=0.5 * staffed, role=np.ones(n, np.int64),
                           cell=np.array(cells, np.int64), n_hnp=n)


GANGS = Gangs(members=np.array([100.0, 100.0]), arms=np.array([100.0, 50.0]), cash=np.zeros(2),
              confront=np.ones(2, bool), alliance=np.arange(2), side_of=np.array([0, 1, -1], np.int16))


def test_fighting_strengths_are_lethality_times_numbers_squared():
    held, attackers = attacks.fighting_strengths(P, guards([3, 3, 5], [30, 10, 20]), GANGS, np.array([3, 5]),
                                                 np.array([0, 1]), np.array([20.0, 20.0]), 8)
    # guards: 40 at cell 3 and 20 at cell 5, each aiming 0.05 x 0.5; attackers 2 x 20, armed fully or half
    assert held == pytest.approx([0.025 * 40 ** 2, 0.025 * 20 ** 2])
    assert attackers == pytest.approx([0.02 * 40 ** 2, 0.02 * 0.5 * 40 ** 2])


def test_a_group_attacks_only_what_it_expects_to_win_unless_bolder():
    units = guards([3, 5], [40, 20])
    cells, groups, fighters = np.array([3, 5, 6]), np.array([0, 0, 1]), np.array([20.0, 20.0, 1.0])
    assert attacks.worth_attacking(P, units, GANGS, cells, groups, fighters, 8).tolist() == [False, True, True]
    bold = dict(P, gang_attack_resolve=0.0)  # every target, however well guarded
    assert attacks.worth_attacking(bold, units, GANGS, cells, groups, fighters, 8).all()
    shy = dict(P, gang_attack_resolve=4.0)  # only the unguarded cell 6
    assert attacks.worth_attacking(shy, units, GANGS, cells, groups, fighters, 8).tolist() == [False, False, True]


def test_bolder_groups_attack_more_and_some_attacks_take_their_target():
    """Same seed: resolve 0 attacks every guarded target it can reach, resolve 4 almost none; attacks can
    succeed (events with outcome 'taken'; that ground changes hands only so: test_forces_and_residents)."""
    scenario = load_scenario("scenarios/mss_as_deployed.toml").replace(gang_attack_rate=0.1)
    bold = papsim.run(scenario.replace(gang_attack_resolve=0.0), seed=2, days=120)
    shy = papsim.run(scenario.replace(gang_attack_resolve=4.0), seed=2, days=120)
    assert bold.timeseries["gang_attacks"].sum() > 5 * max(1.0, shy.timeseries["gang_attacks"].sum())
    taken = bold.events[(bold.events["kind"] == "attack") & (bold.events["outcome"] == "taken")]
    assert len(taken) > 0


def test_the_offensive_is_its_dated_window():
    p = {"offensive_start_day": 59, "offensive_days": 54}
    assert [attacks.offensive(p, t) for t in (58, 59, 112, 113)] == [False, True, True, False]
    assert not any(attacks.offensive(dict(p, offensive_days=0), t) for t in range(200))


def test_reach_is_the_cells_within_the_distance_and_always_the_neighbours():
    x, y = np.arange(10) * 0.5, np.zeros(10)  # a row of 500 m cells
    nbr = np.array([[4, 6, 5, 5, 5, 5, 5, 5], [0, 1, 1, 1, 1, 1, 1, 1]])  # sites at cells 5 and 1
    site, cell = attacks.reach({"offensive_reach_km": 1.0}, (x, y), np.array([5, 1]), nbr)
    assert cell[site == 0].tolist() == [3, 4, 5, 6, 7] and cell[site == 1].tolist() == [0, 1, 2, 3]
    site, cell = attacks.reach({"offensive_reach_km": 0.1}, (x, y), np.array([5, 1]), nbr)
    assert cell[site == 0].tolist() == [4, 5, 6]  # too short a reach still takes in the attackers' own cells


def test_the_coalition_brings_its_confronting_allies_within_reach():
    gangs = Gangs(members=np.full(4, 100.0), arms=np.full(4, 100.0), cash=np.zeros(4),
                  confront=np.array([True, True, False, True]), alliance=np.array([0, 0, 0, 1]),
                  side_of=np.array([0, 0, 0, 1, -1], np.int16))
    controller = np.array([0, 1, 2, 3, -1, 1])
    fighters = np.array([10.0, 20.0, 30.0, 40.0, 0.0, 5.0])
    reach = np.array([[0, 0, 0, 0, 0, 1, 1, 2], [0, 1, 2, 3, 4, 3, 5, 0]])  # cell 5 is in site 1's reach only
    brought = attacks.coalition(gangs, reach, fighters, controller, np.array([0, 3, -1]))
    # site 0, led by group 0: its ally 1 joins, the low-profile ally 2 and the rival 3 do not
    assert brought[0].tolist() == [10.0, 20.0, 0.0, 0.0]
    assert brought[1].tolist() == [0.0, 0.0, 0.0, 40.0]  # led by group 3: group 1's cell 5 is not its ally
    assert not brought[2].any()  # no attacker, nobody comes


def test_the_offensive_takes_key_sites_the_groups_alone_could_not():
    """Same seed: in the offensive's weeks the coalition takes key sites; without the offensive, no group
    attacks them in those weeks (a site's guards outgun one group's fighters)."""
    scenario = load_scenario("scenarios/mss_as_deployed.toml")
    window = (59 <= np.arange(400)) & (np.arange(400) < 113)
    runs = {days: papsim.run(scenario.replace(offensive_days=days), seed=1, days=130) for days in (0, 54)}
    taken = {days: r.events[(r.events["kind"] == "attack") & (r.events["outcome"] == "taken")
                            & window[r.events["day"].to_numpy()]] for days, r in runs.items()}
    assert len(taken[54]) >= 5 and len(taken[0]) == 0
    kinds = set(runs[54].sites.loc[runs[54].sites["days_closed"] > 0, "kind"])
    assert "police_station" in kinds and kinds & {"port", "prison", "hospital", "palace", "airport"}


def test_groups_attack_the_sites_they_value_more_more_often():
    """Two unguarded sites next to the same group, worth 1 and 0.2 (their priorities over the highest): the
    first is attacked about five times as often (daily probabilities 1 − e^(−0.05) and 1 − e^(−0.01))."""
    from papsim.kernels import select
    from tests.test_recapture import row_grid

    grid = row_grid()._replace(site_cells=np.array([2, 4]), site_value=np.array([1.0, 0.2]))
    grid = grid._replace(site_nbr=grid.nbr[grid.site_cells], site_reach=np.zeros((2, 0), np.int64))
    p = dict(defaults(), gang_attack_rate=0.05, offensive_days=0)
    nobody = guards([], [])
    attacked = np.zeros(2)
    for seed in range(6000):
        members = np.array([60.0])
        gangs = Gangs(members=members, arms=members.copy(), cash=np.zeros(1), confront=np.ones(1, bool),
                      alliance=np.zeros(1, np.int64), side_of=np.array([0, -1], np.int16))
        controller = np.array([-1, 0, -1, 0, -1, 0])
        hits = attacks.day(select("numpy"), p, np.random.default_rng(seed), nobody, gangs, grid, today=10,
                           strength=np.array([0.0, 20.0, 0.0, 20.0, 0.0, 20.0]), controller=controller,
                           intensity=np.zeros(6), held_until=np.full(6, -1), events=np.zeros(6),
                           population=np.full(6, 1000.0), posts=np.zeros(0, np.int64), hnp=100.0, mss=0.0,
                           detained=0.0)
        attacked += hits.closed
    assert 3.5 < attacked[0] / attacked[1] < 7.0
    assert 0.04 < attacked[0] / 6000 < 0.06
