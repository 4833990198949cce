"""Displacement stocks: flight, arrivals, returns, the secure streak and the start, against their invariants."""

import numpy as np
import pytest

from papsim.kernels import NUMPY
from papsim.mechanisms import displacement as dsp
from papsim.mechanisms import population, settlement
from papsim.mechanisms.displacement import HOSTED, OUTSIDE, SITES, Stocks

P = {"displaced_site_share": 0.4, "return_after_days": 3, "return_rate": 0.05}


def _empty(n: int) -> Stocks:
    """No displaced people on ``n`` cells."""
    return Stocks(np.zeros((3, n)), np.zeros((2, n)))


def stocks_of(origin, present) -> Stocks:
    return Stocks(np.array(origin, float), np.array(present, float))


def test_flight_counts_net_losses_only():
    before = np.array([100.0, 50.0, 80.0, 10.0])
    deaths = np.array([2.0, 0.0, 0.0, 1.0])
    after = np.array([90.0, 60.0, 80.0, 9.0])  # cell 1 hosted, cell 2 unchanged, cell 3 only lost its dead
    assert dsp.flight(before, after, deaths) == pytest.approx([8.0, 0.0, 0.0, 0.0])


def test_flight_of_the_population_step_sums_to_left_plus_hosted():
    pop = np.array([1000.0, 2000.0, 500.0, 3000.0])
    flee = np.array([100.0, 0.0, 50.0, 0.0])
    host = pop * np.array([0, 1, 0, 1])
    after, inside, left = population.displace(pop, flee, host, 0.3)
    gain = np.maximum(after - pop, 0.0)
    fled = dsp.flight(pop, after, np.zeros(4))
    assert fled == pytest.approx(flee)
    assert fled.sum() == pytest.approx(left + gain.sum())
    assert gain.sum() == pytest.approx(inside)


def test_arrivals_conserve_totals_and_split_by_site_share():
    start = _empty(4)
    fled = np.array([30.0, 0.0, 10.0, 0.0])
    gain = np.array([0.0, 21.0, 0.0, 7.0])
    new = dsp.arrive(start, fled, gain, 12.0, 0.25)
    t = dsp.totals(new)
    assert t["displaced_outside"] == pytest.approx(12.0)
    assert t["displaced_in_sites"] == pytest.approx(0.25 * 28.0)
    assert t["displaced_hosted"] == pytest.approx(0.75 * 28.0)
    assert sum(t.values()) == pytest.approx(fled.sum())
    # by origin in proportion to fled (3:1), by place in proportion to the gains (3:1), none elsewhere
    assert new.origin[:, 0] == pytest.approx(3 * new.origin[:, 2])
    assert new.origin[:, [1, 3]].sum() == 0.0
    assert new.present[:, 1] == pytest.approx(3 * new.present[:, 3])
    assert new.present[:, [0, 2]].sum() == 0.0
    assert new.present.sum(axis=1) == pytest.approx(new.origin[:2].sum(axis=1))
    assert start.origin.sum() == 0.0 and start.present.sum() == 0.0  # the input stocks are not changed


def test_arrivals_with_no_flight_add_nothing():
    new = dsp.arrive(_empty(3), np.zeros(3), np.zeros(3), 0.0, 0.5)
    assert new.origin.sum() == 0.0 and new.present.sum() == 0.0


def test_returns_only_where_the_streak_reached_the_threshold():
    s = stocks_of([[10, 10, 10], [20, 20, 20], [5, 5, 5]], [[0, 0, 30], [0, 0, 60]])
    streak = np.array([59, 60, 200])
    new, change, returned = dsp.returns(s, streak, 60, 0.1)
    assert new.origin[:, 0] == pytest.approx([10, 20, 5])  # one day short
    assert new.origin[:, 1] == pytest.approx([9, 18, 4.5])
    assert new.origin[:, 2] == pytest.approx([9, 18, 4.5])
    assert returned == pytest.approx(2 * 3.5)
    assert change[1] == pytest.approx(3.5)
    assert change[2] == pytest.approx(3.5 - 2.0 - 4.0)  # + its own returns, - the city's departures it hosted
    assert change[0] == 0.0


def test_returns_leave_each_place_in_proportion_to_its_present_stock():
    s = stocks_of([[40, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 10, 30], [0, 0, 0]])
    new, change, returned = dsp.returns(s, np.array([100, 0, 0]), 60, 0.25)
    assert returned == pytest.approx(10.0)
    assert new.present[SITES] == pytest.approx([0.0, 7.5, 22.5])
    assert change == pytest.approx([10.0, -2.5, -7.5])


def test_an_origin_stock_decays_geometrically_while_secure():
    rate, days = 0.01, 250
    s = stocks_of([[1000, 0], [3000, 0], [500, 0]], [[0, 1000], [0, 3000]])
    streak = np.array([0, 0])
    total = 0.0
    for _ in range(days):
        streak = dsp.secure_streak(streak, np.array([True, False]))
        s, _, back = dsp.returns(s, np.maximum(streak, 60), 60, rate)
        total += back
    kept = (1 - rate) ** days
    assert s.origin[:, 0] == pytest.approx(np.array([1000, 3000, 500]) * kept, rel=1e-12)
    assert s.present[:, 1] == pytest.approx(np.array([1000, 3000]) * kept, rel=1e-12)
    assert total == pytest.approx(4500 * (1 - kept), rel=1e-12)


def test_city_residents_plus_outside_are_conserved_over_days_with_the_population_step():
    """Over a loop of the real population step, arrivals and returns: residents + OUTSIDE + deaths is constant,
    and the city's stocks by origin equal those by place."""
    rng = np.random.default_rng(3)
    n = 12
    pop = rng.uniform(500, 5000, n)
    land = np.ones(n, bool)
    rates = population.Rates(300.0, 0.5, 2.0, 40.0, 0.01, 0.3)
    held0 = np.zeros(n, bool)
    held0[:4] = True
    pop, stocks = dsp.at_start(pop, held0, 3000.0, P["displaced_site_share"])
    streak = np.zeros(n, int)
    start_total, dead, returned = pop.sum(), 0.0, 0.0
    for day in range(40):
        held = held0.copy() if day < 10 else np.roll(held0, day // 10)
        contested = np.zeros(n, bool)
        contested[(4 + day // 10) % n] = True
        before, gained = pop.copy(), np.zeros(n)
        deaths, killed, _, _, left, secure = population.one_day(
            rng, pop, held=held, pressure=held.astype(float), contested=contested & ~held, patrolled=np.zeros(n),
            land=land,
            civilians_killed=np.zeros(n), violence=np.zeros(n), displaced=gained, rates=rates)
        stocks, change, back = dsp.day(NUMPY, P, stocks, streak, before=before, after=pop, deaths=killed,
                                       hosted_gain=gained, left=left, secure=secure)
        pop += change
        dead += deaths
        returned += back
        assert (pop >= 0).all()
        t = dsp.totals(stocks)
        assert pop.sum() + t["displaced_outside"] + dead == pytest.approx(start_total, rel=1e-12)
        assert stocks.present.sum(axis=1) == pytest.approx(stocks.origin[:2].sum(axis=1), rel=1e-9)
    assert returned > 0 and dead > 0 and t["displaced_outside"] > 0  # the loop exercised every flow


def test_day_is_streak_then_arrivals_then_returns():
    s = stocks_of([[10, 0, 0], [10, 0, 0], [10, 0, 0]], [[0, 10, 0], [0, 0, 10]])
    streak = np.array([2, 5, 0])
    secure = np.array([True, False, True])
    before, after = np.array([100.0, 100.0, 100.0]), np.array([100.0, 90.0, 104.0])
    kw = dict(before=before, after=after, deaths=np.zeros(3), hosted_gain=np.array([0.0, 0.0, 4.0]), left=6.0)
    new, change, back = dsp.day(NUMPY, P, s, streak, secure=secure, **kw)
    assert streak.tolist() == [3, 0, 1]  # in place
    arrived = dsp.arrive(s, dsp.flight(before, after, np.zeros(3)), kw["hosted_gain"], 6.0, 0.4)
    expect, expect_change, expect_back = dsp.returns(arrived, np.array([3, 0, 1]), 3, 0.05)
    assert new.origin == pytest.approx(expect.origin) and new.present == pytest.approx(expect.present)
    assert change == pytest.approx(expect_change) and back == pytest.approx(expect_back) and back > 0


def test_at_start_conserves_people_and_puts_origins_in_gang_held_cells():
    pop = np.array([1000.0, 3000.0, 2000.0, 4000.0])
    held = np.array([True, True, False, False])
    new, s = dsp.at_start(pop, held, 800.0, 0.3)
    assert new.sum() == pytest.approx(pop.sum())
    expected, hosted = settlement.displace_from_held(pop, held, 800.0)
    assert new == pytest.approx(expected)
    assert s.origin[:, ~held].sum() == 0.0 and s.present[:, held].sum() == 0.0
    assert s.origin[:, 0].sum() == pytest.approx(200.0) and s.origin[:, 1].sum() == pytest.approx(600.0)
    assert s.origin[OUTSIDE].sum() == 0.0
    assert dsp.totals(s)["displaced_in_sites"] == pytest.approx(0.3 * 800.0)
    assert s.present[SITES] == pytest.approx(0.3 * hosted) and s.present[HOSTED] == pytest.approx(0.7 * hosted)


def test_at_start_with_nothing_held_displaces_nobody():
    pop = np.array([10.0, 20.0])
    new, s = dsp.at_start(pop, np.zeros(2, bool), 5.0, 0.5)
    assert new == pytest.approx(pop) and s.origin.sum() == 0.0 and s.present.sum() == 0.0


def test_secure_streak_counts_consecutive_days():
    streak = np.zeros(3, int)
    pattern = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [1, 1, 1]]  # 4, 3 and 3 secure days in all
    for secure in pattern:
        streak = dsp.secure_streak(streak, np.array(secure, bool))
    assert streak.tolist() == [4, 1, 2]
    assert streak.dtype == int


def test_stocks_stay_non_negative_when_everyone_returns():
    rng = np.random.default_rng(0)
    origin = rng.uniform(0, 100, (3, 20))
    present = rng.uniform(0, 100, (2, 20))
    present *= (origin[:2].sum(axis=1) / present.sum(axis=1) * (1 - 1e-15))[:, None]  # a hair below: rounding
    new, change, returned = dsp.returns(Stocks(origin, present), np.full(20, 1000), 60, 1.0)
    assert (new.origin >= 0).all() and (new.present >= 0).all()
    assert new.origin.sum() == pytest.approx(0.0, abs=1e-9) and new.present.sum() == 0.0
    assert returned == pytest.approx(origin.sum())
    assert change.sum() == pytest.approx(origin[OUTSIDE].sum())  # the city's own movers cancel out


def test_only_the_displaced_still_present_go_home():
    origin = np.array([[100.0, 0.0], [0.0, 0.0], [0.0, 0.0]])  # 100 from cell 0 in sites
    present = np.array([[0.0, 40.0], [0.0, 0.0]])  # only 40 are still there (the rest died or fled again)
    new, change, returned = dsp.returns(Stocks(origin, present), np.array([100, 0]), 60, 0.5)
    assert returned == pytest.approx(40.0) and change.tolist() == pytest.approx([40.0, -40.0])
    assert new.origin[SITES].tolist() == pytest.approx([60.0, 0.0]) and new.present.sum() == pytest.approx(0.0)


def test_settle_keeps_the_displaced_within_the_residents():
    stocks = Stocks(np.zeros((3, 3)), np.array([[30.0, 5.0, 0.0], [30.0, 5.0, 0.0]]))
    settled = dsp.settle(stocks, np.array([20.0, 50.0, 7.0]))
    assert settled.present[:, 0].tolist() == pytest.approx([10.0, 10.0])  # 60 shrunk to the 20 residents
    assert settled.present[:, 1:].tolist() == stocks.present[:, 1:].tolist()


def test_a_return_rate_outside_zero_one_is_refused():
    with pytest.raises(ValueError):
        dsp.returns(_empty(2), np.zeros(2), 60, 1.5)


def test_totals_are_floats_with_the_reported_keys():
    t = dsp.totals(_empty(2))
    assert set(t) == {"displaced_in_sites", "displaced_hosted", "displaced_outside"}
    assert all(isinstance(v, float) for v in t.values())
