"""The intelligence-limited law of an operation (``combat.intelligence_limited_remaining``) against its
differential equations, its two limits (the square law at full intelligence, Deitchman's mixed law without
any) and its Poisson draws; the aimed share against trust and reprisals."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from papsim.mechanisms import combat


def _law(blue, red, residents, a, b, aimed):
    def rates(_, y):
        people = y[1] + residents
        fire = a * y[0]
        return [-b * y[1], -fire * (aimed + (1 - aimed) * y[1] / people), fire * (1 - aimed) * residents / people]
    return solve_ivp(rates, (0.0, 1.0), [blue, red, 0.0], rtol=1e-12, atol=1e-12).y[:, -1]


CASES = [(90.0, 25.0, 3000.0, 0.02, 0.004, 0.3), (60.0, 40.0, 200.0, 0.3, 0.05, 0.0),
         (30.0, 80.0, 50.0, 0.5, 0.2, 0.7), (120.0, 40.0, 8000.0, 0.1, 0.01, 1.0)]


@pytest.mark.parametrize("blue, red, residents, a, b, aimed", CASES)
def test_the_law_follows_its_differential_equations(blue, red, residents, a, b, aimed):
    got = combat.intelligence_limited_remaining(*(np.array([x]) for x in (blue, red, residents, a, b, aimed)))
    assert np.concatenate(got) == pytest.approx(_law(blue, red, residents, a, b, aimed), rel=1e-6, abs=1e-9)


def test_full_intelligence_is_the_square_law():
    blue, red = np.array([90.0, 50.0, 20.0]), np.array([25.0, 60.0, 5.0])
    a, b = np.array([0.05, 0.2, 0.01]), np.array([0.01, 0.05, 0.3])
    left_b, left_r, hit = combat.intelligence_limited_remaining(blue, red, np.array([500.0, 0.0, 1e4]), a, b,
                                                                np.ones(3))
    exact_b, exact_r = combat.lanchester_remaining(blue, red, a, b)
    assert left_b == pytest.approx(exact_b, rel=1e-9) and left_r == pytest.approx(exact_r, rel=1e-9)
    assert (hit == 0).all()  # aimed fire strikes no resident


def test_a_side_wiped_out_stops_the_fight_with_the_square_laws_survivors():
    """Aimed fire that destroys the gang within the day: the forces keep sqrt(B^2 - (b/a) R^2), to the
    accuracy of the Runge-Kutta step in which the gang falls."""
    blue, red, a, b = np.array([120.0, 60.0, 50.0]), np.array([10.0, 30.0, 20.0]), np.array([1.0, 0.8, 3.0]), \
        np.array([0.01, 0.05, 0.1])
    left_b, left_r, _ = combat.intelligence_limited_remaining(blue, red, np.full(3, 8000.0), a, b, np.ones(3))
    assert (left_r == 0).all()
    assert left_b == pytest.approx(np.sqrt(blue ** 2 - b / a * red ** 2), rel=1e-4)


def test_without_intelligence_deitchmans_invariant_holds():
    """Unaimed fire: dR/dB = a B / (b (R + P)), so R^2/2 + P R - a B^2 / (2 b) is kept."""
    blue, red, residents = np.array([80.0, 40.0]), np.array([30.0, 70.0]), np.array([400.0, 60.0])
    a, b = np.array([0.4, 0.9]), np.array([0.02, 0.01])
    left_b, left_r, _ = combat.intelligence_limited_remaining(blue, red, residents, a, b, np.zeros(2))
    kept = lambda B, R: R ** 2 / 2 + residents * R - a * B ** 2 / (2 * b)  # noqa: E731
    assert kept(left_b, left_r) == pytest.approx(kept(blue, red), rel=1e-9)
    assert (left_r < red).all() and (left_b < blue).all()


def test_less_intelligence_kills_fewer_fighters_and_more_residents():
    aimed = np.linspace(0.0, 1.0, 11)
    n = len(aimed)
    _, red, hit = combat.intelligence_limited_remaining(np.full(n, 90.0), np.full(n, 25.0), np.full(n, 3000.0),
                                                        np.full(n, 0.02), np.full(n, 0.004), aimed)
    assert (np.diff(red) < 0).all() and (np.diff(hit) < 0).all() and hit[-1] == 0


def test_strengths_never_grow_nor_go_negative():
    g = np.random.default_rng(4)
    n = 500
    blue, red = g.uniform(0, 200, n) * (g.random(n) < 0.9), g.uniform(0, 200, n) * (g.random(n) < 0.9)
    left_b, left_r, hit = combat.intelligence_limited_remaining(blue, red, g.uniform(0, 5000, n) * (g.random(n) < 0.8),
                                                                g.uniform(0, 5, n), g.uniform(0, 5, n), g.random(n))
    assert ((0 <= left_b) & (left_b <= blue) & (0 <= left_r) & (left_r <= red) & (hit >= 0)).all()


def test_the_draws_are_poisson_around_the_expected_losses():
    n = 20_000
    blue, red, residents = np.full(n, 90.0), np.full(n, 25.0), np.full(n, 3000.0)
    a, b, aimed = np.full(n, 0.05), np.full(n, 0.01), np.full(n, 0.4)
    blue_loss, red_loss, _ = combat.engage_with_intelligence(blue, red, residents, a, b, aimed,
                                                             np.random.default_rng(8))
    left_b, left_r, _ = combat.intelligence_limited_remaining(blue[:1], red[:1], residents[:1], a[:1], b[:1], aimed[:1])
    for loss, mean in ((blue_loss, blue[0] - left_b[0]), (red_loss, red[0] - left_r[0])):
        assert loss.mean() == pytest.approx(mean, abs=4 * np.sqrt(mean / n))
        assert loss.var() == pytest.approx(mean, rel=0.1)


def test_the_aimed_share_rises_with_trust_and_falls_with_reprisals():
    trust = np.array([0.0, 0.5, 1.0, 1.0])
    reprisals = np.array([0.0, 0.0, 0.0, 1.0])
    aimed = combat.aimed_share(0.4, trust, 1.0, reprisals)
    assert aimed == pytest.approx([0.2, 0.4, 0.6, 0.3])
    assert combat.aimed_share(0.9, np.array([1.0]), 2.0, np.zeros(1))[0] == 1.0  # at most all fire aimed
    assert combat.aimed_share(0.4, np.array([0.0]), 4.0, np.zeros(1))[0] == 0.0  # never below none
