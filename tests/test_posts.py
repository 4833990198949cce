"""Posts on cleared ground (papsim/mechanisms/posture.py, operations.py): held by one unit each until lost in a
fight or until fewer units can hold them (the oldest kept), not for a fixed time."""

from __future__ import annotations

import numpy as np

from papsim.mechanisms import posture
from papsim.model import PortAuPrince
from papsim.scenario import load_scenario

POST = posture.POST_HELD_UNTIL


def test_the_oldest_posts_are_kept_when_fewer_units_can_hold_them():
    held = np.array([POST - 5, POST - 2, POST - 9, -1])  # posts set up on days 5, 2 and 9; cell 3 none
    assert posture.keep_holds(held, 10, 2, np.ones(4, bool)).tolist() == [0, 1]
    assert held.tolist() == [POST - 5, POST - 2, 10, -1]  # the newest lapses today
    held = np.array([POST - 5, POST - 2])
    assert posture.keep_holds(held, 10, 5, np.array([True, False])).tolist() == [0]  # a gang holds cell 1


def _run(post_share: float, days: int) -> PortAuPrince:
    model = PortAuPrince(load_scenario("scenarios/mss_as_deployed.toml").replace(post_share=post_share), rng=3,
                         days=days)
    posts_on = []
    for _ in range(days):
        model.step()
        posts_on.append(int((model.unit_role == posture.HOLD).sum()))
    model.posts_on = posts_on
    return model


def test_posts_last_until_lost_and_take_their_share_of_the_units():
    days = 240
    model = _run(0.3, days)
    posts = model.held_until[model.held_until > POST - days - 1]
    assert len(posts) > 0 and max(model.posts_on) > 0
    # no timer: posts set up more than 120 days ago are still held
    assert (POST - posts < days - 120).any()
    held = model.unit_role == posture.HOLD
    raid_capable = np.isin(model.unit_role, (posture.HOLD, posture.OPERATION, posture.RESERVE)).sum()
    assert held.sum() <= 0.3 * raid_capable + 1
    assert (model.controller[model.unit_cell[held]] == -1).all()  # a post stands on ground no gang holds


def test_without_posts_cleared_ground_is_left():
    model = _run(0.0, 120)
    assert max(model.posts_on) == 0
    held = model.held_until > model.days  # only the cells cleared today, until tomorrow's posture
    assert (model.cleared_on[held] == model.day).all()
