"""Gang attacks as choices (papsim/mechanisms/attacks.py): a group attacks a site or a held cell only where its
square-law fighting strength is enough against the guards', and a held cell it attacks can be lost."""

from __future__ import annotations

import numpy as np
import pytest

import papsim
from papsim.mechanisms import Gangs, attacks, personnel
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
