"""The fighters per cell (papsim/mechanisms/fighters.py): where members stand, how they move, and that a run
keeps them on their group's ground, in their group's count."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from papsim.citymap import moore_neighbours
from papsim.mechanisms import distinct_neighbours, fighters
from papsim.model import PortAuPrince
from papsim.scenario import load_scenario


def strip(n: int):
    """A 1 x n strip: its neighbour table and distinct neighbours."""
    nbr = moore_neighbours(n, 1)
    return nbr, distinct_neighbours(nbr)


def test_the_preferred_spread_draws_fighters_to_the_fronts():
    controller = np.array([0, 0, 0, 1, -1])
    front = np.array([False, False, True, True, True])
    spread = fighters.preferred(controller, np.array([60.0, 7.0]), fighters.weights(front, 3.0))
    assert spread.tolist() == pytest.approx([10.0, 10.0, 40.0, 7.0, 0.0])  # a front cell draws 1 + 3 times
    assert fighters.tally(controller, spread, 2).tolist() == pytest.approx([60.0, 7.0])
    even = fighters.initial({"front_pull": 0.0}, controller, np.array([60.0, 7.0]), front)
    assert even.tolist() == pytest.approx([20.0, 20.0, 20.0, 7.0, 0.0])  # no pull: members spread evenly


def test_redeployment_relaxes_exponentially_and_keeps_the_members():
    """With a fixed target, the gap closes as (1 - rate)^t, the analytic solution of the daily relaxation."""
    controller = np.array([0, 0, 0, 0, 1, 1])
    weight = fighters.weights(np.array([True, False, False, False, True, False]), 2.0)
    f0 = np.array([0.0, 0.0, 0.0, 40.0, 1.0, 9.0])
    members = fighters.tally(controller, f0, 2)
    target = fighters.preferred(controller, members, weight)
    f, rate = f0.copy(), 0.15
    for day in range(1, 31):
        fighters.redeploy(f, controller, members, weight, rate)
        assert np.allclose(f - target, (1 - rate) ** day * (f0 - target), atol=1e-12)
        assert fighters.tally(controller, f, 2) == pytest.approx(members)


def test_losses_leave_where_they_happen_and_never_below_zero():
    f = np.array([5.0, 2.0, 0.0])
    fighters.remove(f, np.array([0, 1, 0, 1]), np.array([1.0, 3.0, 0.5, 0.0]))
    assert f.tolist() == [3.5, 0.0, 0.0]


def test_survivors_of_a_lost_cell_fall_back_evenly_or_scatter_when_cut_off():
    nbr, distinct = strip(6)
    controller = np.array([0, -1, 0, 0, 1, 1])  # cell 1 just cleared (was group 0's); cell 4 just taken by 1
    f = np.array([4.0, 9.0, 2.0, 1.0, 0.0, 3.0])
    fighters.retreat(f, np.array([1]), np.array([0]), controller, nbr, distinct)
    assert f.tolist() == [8.5, 0.0, 6.5, 1.0, 0.0, 3.0]  # half each to cells 0 and 2, nobody lost
    f[4] = 6.0
    controller[4] = -1  # cell 4 lost by group 1, whose only other cell is 5
    fighters.retreat(f, np.array([4]), np.array([1]), controller, nbr, distinct)
    assert f[4] == 0.0 and f[5] == 9.0
    controller[:] = [0, -1, 0, 0, -1, -1]
    f[5] = 3.0
    fighters.retreat(f, np.array([5]), np.array([1]), controller, nbr, distinct)  # group 1 has no cell left
    assert f[5] == 0.0 and f.sum() == pytest.approx(16.0)  # cut off, they scatter


def test_two_cells_that_change_hands_with_each_other_keep_each_groups_fighters_apart():
    """Cell 1 (group 0) taken by group 1 and cell 2 (group 1) taken by group 0 on the same day: each group's
    defenders fall back to its own ground, read before any moves."""
    nbr, distinct = strip(4)
    after = np.array([0, 1, 0, 1])
    f = np.array([1.0, 10.0, 20.0, 1.0])
    fighters.retreat(f, np.array([1, 2]), np.array([0, 1]), after, nbr, distinct)
    # group 0's 10 fall back to its cells 0 and 2; group 1's 20 to its cells 1 and 3
    assert f.tolist() == [6.0, 10.0, 5.0, 11.0]


def test_a_cell_taken_is_occupied_from_the_cell_it_was_taken_from():
    controller = np.array([0, 0, 0, 1])
    f = np.array([8.0, 0.0, 0.0, 4.0])
    fighters.advance_into(f, np.array([1, 2]), np.array([0, 0]), np.array([0, 0]), controller, 0.5)
    assert f.tolist() == [2.0, 4.0, 2.0, 4.0]  # the source sends half, then half of what is left
    fighters.advance_into(f, np.array([2]), np.array([3]), np.array([0]), controller, 0.5)
    assert f.tolist() == [2.0, 4.0, 2.0, 4.0]  # a source that is not the new owner's sends nobody
    nbr, distinct = strip(4)
    controller[3] = 0
    f = np.array([1.0, 6.0, 0.0, 0.0])
    fighters.occupy({"advance_share": 0.5}, f, np.array([2]), np.array([0]), controller, nbr, distinct)
    assert f.tolist() == [1.0, 3.0, 3.0, 0.0]  # from the owner's neighbour with the most fighters


def test_changes_of_whole_groups_follow_where_they_stand():
    controller = np.array([0, 0, 1, 1, -1, 2])
    f = np.array([2.0, 6.0, 0.0, 0.0, 0.0, 0.0])
    members = np.array([16.0, 10.0, 5.0])
    controller_without_2 = controller.copy()
    controller_without_2[5] = -1
    fighters.reconcile(f, controller_without_2, members)
    assert f.tolist() == [4.0, 12.0, 5.0, 5.0, 0.0, 0.0]  # in proportion; evenly where none stood
    assert members.tolist() == [16.0, 10.0, 0.0]  # a group without ground keeps no members


def test_a_run_keeps_the_fighters_on_their_groups_ground_and_in_their_count():
    """Every day of a year of the replay: no fighter on a cell of no gang, none negative, each group's members
    the sum of its cells' fighters; and the fronts hold more fighters per cell than the rear."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a stale twin runs its NumPy functions
        model = PortAuPrince(load_scenario("scenarios/mss_as_deployed.toml"), rng=3, days=200)
    front_share, rear_share = [], []
    for _ in range(model.days):
        model.step()
        f, controller = model.gang_strength, model.controller
        assert (f >= 0).all() and not f[controller < 0].any()
        assert fighters.tally(controller, f, len(model.gang_members)) == pytest.approx(model.gang_members)
        front = model._fronts()[0] & (controller >= 0)
        front_share.append(f[front].mean())
        rear_share.append(f[~front & (controller >= 0)].mean())
    assert np.mean(front_share) > 1.5 * np.mean(rear_share)


def test_the_gangs_predation_follows_their_fighters():
    """Killings of residents by gangs: the rate at the start's mean fighters per cell, in proportion to the
    fighters standing in the cell, none where no fighter stands (contested cells aside)."""
    from papsim.mechanisms import population
    people = np.array([1e6, 1e6, 1e6, 1e6])
    pressure = np.array([1.0, 2.0, 0.0, 0.0])
    contested = np.array([False, False, False, True])
    lam = population.deaths_expected(people, pressure, contested, 3.0, 0.5)
    assert lam.tolist() == pytest.approx([3.0, 6.0, 0.0, 0.5])
