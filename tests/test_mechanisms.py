"""Each mechanism alone, against analytic results and its stated invariants."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from papsim.citymap import moore_neighbours
from papsim.mechanisms import (combat, economy, funding, personnel, phases, population, posture, recruitment,
                            retaliation, territory, trust)


def line_world(n=5):
    """A 1 x n strip of land with its neighbour table."""
    nbr = moore_neighbours(n, 1)
    return nbr, np.ones(n, bool)


# --- combat -----------------------------------------------------------------------------------------
def test_stochastic_attrition_follows_lanchester_square_law():
    """Mean of many replicates of daily stochastic attrition matches the square-law ODE within 2%."""
    a, b, blue0, red0, days, reps = 0.01, 0.006, 900.0, 700.0, 40, 400
    rng = np.random.default_rng(7)
    blue = np.full(reps, blue0)
    red = np.full(reps, red0)
    for _ in range(days):
        bl, rl = combat.engage(blue, red, a, b, rng)
        blue, red = blue - bl, red - rl
    sol = solve_ivp(lambda t, y: [-b * y[1], -a * y[0]], (0, days), [blue0, red0], rtol=1e-10, atol=1e-8)
    expected_blue, expected_red = sol.y[:, -1]
    assert abs(blue.mean() - expected_blue) / expected_blue < 0.02
    assert abs(red.mean() - expected_red) / expected_red < 0.02
    # the square law's invariant: a B^2 - b R^2 is conserved by the deterministic solution
    remaining = combat.lanchester_remaining(np.array(blue0), np.array(red0), a, b, dt=days)
    assert a * remaining[0] ** 2 - b * remaining[1] ** 2 == pytest.approx(a * blue0 ** 2 - b * red0 ** 2, rel=1e-9)


def test_engage_never_takes_more_than_present():
    rng = np.random.default_rng(1)
    blue = rng.integers(0, 20, 500).astype(float)
    red = rng.integers(0, 20, 500).astype(float)
    bl, rl = combat.engage(blue, red, 0.5, 0.5, rng)
    assert (bl >= 0).all() and (rl >= 0).all() and (bl <= blue).all() and (rl <= red).all()


def test_one_sided_fight_is_linear_when_a_side_cannot_shoot():
    blue, red = combat.lanchester_remaining(np.array(100.0), np.array(50.0), 0.0, 0.1, dt=2.0)
    assert blue == pytest.approx(100 - 0.1 * 50 * 2) and red == pytest.approx(50.0)


def test_arrests_are_capped_by_detention_capacity():
    rng = np.random.default_rng(0)
    killed, arrested = combat.split_arrests(np.array([100.0, 100.0]), 1.0, 50.0, rng)
    assert arrested.sum() <= 50 and (killed == 0).all()
    killed, arrested = combat.split_arrests(np.array([1000.0]), 0.7, 1e9, rng)
    assert killed[0] + arrested[0] == 1000 and 0.6 < arrested[0] / 1000 < 0.8


def test_caution_cuts_civilian_harm():
    loose = combat.civilian_harm_expected(np.array(10.0), np.array(2.0), 1.0, 0.3, caution=0.0)
    careful = combat.civilian_harm_expected(np.array(10.0), np.array(2.0), 1.0, 0.3, caution=1.0)
    assert loose == pytest.approx(6.0) and careful == pytest.approx(6.0 * 0.2)


# --- territory --------------------------------------------------------------------------------------
def fronts_of(controller, side, nbr, land):
    """(front, hostile) of the sides on a small world."""
    return territory.fronts(side, territory.land_neighbours_t(nbr, land), land)


def test_expansion_only_into_free_cells_without_security_presence():
    nbr, land = line_world(5)
    controller = np.array([0, -1, -1, -1, 1])
    strength = np.array([50.0, 0, 0, 0, 50.0])
    front, _ = fronts_of(controller, territory.cell_side(controller, np.array([0, 1])), nbr, land)
    guarded = np.array([False, False, False, True, False])
    cells, owners, sources = territory.expansion(controller, strength, np.zeros(5), land, nbr, front, 1e9, guarded,
                                                 np.random.default_rng(1))
    assert cells.tolist() == [1] and owners.tolist() == [0]  # cell 3 is guarded: only a fight can take it
    assert sources.tolist() == [0]  # taken from the group's cell next to it
    cells, _, _ = territory.expansion(controller, strength, np.zeros(5), land, nbr, front, 1e9, np.ones(5, bool),
                                   np.random.default_rng(1))
    assert len(cells) == 0  # guarded everywhere: nothing taken, however strong the gangs
    cells, _, _ = territory.expansion(controller, strength, np.zeros(5), land, nbr, front, 0.0, np.zeros(5, bool),
                                   np.random.default_rng(1))
    assert len(cells) == 0  # a rate of 0 takes nothing


def test_expansion_and_rivalry_draw_one_uniform_per_cell_each_cell_its_own():
    """Each stage draws one uniform for every cell of the map, whatever can change; a cell's fate depends on
    its own draw, so a change elsewhere (another scenario on the same seed) does not move it."""
    nbr, land = line_world(9)
    controller = np.array([0, -1, -1, -1, -1, -1, 1, 1, 2])
    strength = np.array([10.0, 0, 0, 0, 0, 0, 0, 0, 30.0])  # group 1 (cells 6 and 7) has no fighters
    side = territory.cell_side(controller, np.array([0, 1, 2]))
    front, hostile = fronts_of(controller, side, nbr, land)
    for stage in ("expansion", "rivalry"):
        rng, twin = np.random.default_rng(4), np.random.default_rng(4)
        if stage == "expansion":
            territory.expansion(controller, strength, np.zeros(9), land, nbr, front, 0.3, np.zeros(9, bool), rng)
        else:
            territory.rivalry(controller, strength, side, nbr, land, hostile, 0.3, rng)
        twin.random(9)
        assert rng.random() == twin.random()
    u = np.random.default_rng(8).random(9)  # u[1] is far above u[5]
    rate = -np.log(1 - (u[5] + 0.1))  # cell 5 is taken (attacker against no defence) with p = u[5] + 0.1
    alone = np.array([0.0, 0, 0, 0, 0, 0, 5.0, 0, 30.0])  # only cell 5 can be taken (group 0 has no fighters)
    both = alone.copy()
    both[0] = 10.0  # cell 1, listed before cell 5, can be taken too
    taken = [territory.expansion(controller, s, np.zeros(9), land, nbr, front, rate, np.zeros(9, bool),
                                 np.random.default_rng(8))[0].tolist() for s in (alone, both)]
    assert taken == [[5], [5]]  # cell 5 keeps its draw u[5] (drawn per candidate, it would get u[1]: not taken)


def test_fronts_kept_current_around_changes_equal_a_full_computation():
    rng = np.random.default_rng(2)
    width, height = 12, 9
    nbr = moore_neighbours(width, height)
    land = rng.random(width * height) < 0.8
    side_of = np.array([0, 0, 1, -1], dtype=np.int16)
    nbr_t = territory.land_neighbours_t(nbr, land)
    before = np.where(land, rng.integers(-1, 3, width * height), -1)
    front, hostile = territory.controller_fronts(before, side_of, nbr_t, land)
    for _ in range(50):
        after = before.copy()
        flip = rng.random(len(after)) < 0.05
        after[flip & land] = rng.integers(-1, 3, (flip & land).sum())
        territory.refresh_fronts(front, hostile, before, after, side_of, nbr_t, land)
        expected = territory.controller_fronts(after, side_of, nbr_t, land)
        assert np.array_equal(before, after)
        assert np.array_equal(front, expected[0]) and np.array_equal(hostile, expected[1])


def test_take_probability_falls_with_defence():
    p = territory.take_probability(np.array([10.0, 10.0, 10.0]), np.array([0.0, 10.0, 90.0]), 0.1)
    assert p[0] == pytest.approx(1 - np.exp(-0.1)) and p[0] > p[1] > p[2] > 0


def test_rivals_contest_only_across_alliances():
    nbr, land = line_world(4)
    controller = np.array([0, 1, 2, 2])
    strength = np.array([100.0, 1.0, 1.0, 1.0])
    side = territory.cell_side(controller, np.array([0, 0, 1]))  # groups 0 and 1 allied, 2 hostile
    _, hostile = fronts_of(controller, side, nbr, land)
    cells, owners, sources = territory.rivalry(controller, strength, side, nbr, land, hostile, 1e9,
                                               np.random.default_rng(0))
    assert cells.tolist() == [1, 2] and owners.tolist() == [2, 1] and sources.tolist() == [2, 1]  # group 1 taken by hostile 2, not by its ally 0


def test_initial_territory_reaches_the_share_and_spares_protected_cells():
    rng = np.random.default_rng(3)
    x, y = np.meshgrid(np.arange(10.0), np.arange(10.0), indexing="ij")
    land = np.ones(100, bool)
    protected = np.array([55])
    bases = np.array([0, 99])
    distance = np.hypot(x.ravel()[:, None] - x.ravel()[bases], y.ravel()[:, None] - y.ravel()[bases])
    c = territory.initial_territory(distance, land, bases, np.array([0.5, 0.5]), 0.6,
                                    protected, rng)
    assert (c >= 0).sum() == 60 and c[55] == -1 and c[0] == 0 and c[99] == 1


# --- economy and recruitment ------------------------------------------------------------------------
def test_revenue_adds_up_by_group():
    controller = np.array([0, 0, 1, -1])
    pop = np.array([100.0, 200.0, 50.0, 999.0])
    road = np.array([1.0, 0.0, 0.0, 1.0])
    kid = np.array([0.0, 1.0, 0.0, 5.0])
    r = economy.revenue(controller, pop, road, np.array([True]), np.array([2]), kid, 2, 0.1, 10.0, 1000.0, 500.0)
    assert r.tolist() == pytest.approx([0.1 * 300 + 10 + 500, 0.1 * 50 + 1000])


def test_stronger_embargo_means_fewer_arms_offered():
    assert economy.arms_offered(10, 0.9) < economy.arms_offered(10, 0.1)


def test_arms_purchases_respect_cash_and_demand():
    bought, spent = economy.buy_arms(np.array([3000.0, 0.0]), np.array([10.0, 10.0]), np.array([9.0, 0.0]), 5.0, 1000.0)
    assert bought.tolist() == [1.0, 0.0] and spent.tolist() == [1000.0, 0.0]


def test_recruitment_is_limited_by_cash_and_pool():
    r = recruitment.recruits_expected(np.array([100.0, 100.0]), np.array([1e6, 100.0]), np.array([0.0, 0.0]),
                                      np.array([1e9, 1e9]), 0.1, 1.0, 100.0)
    assert r.tolist() == pytest.approx([10.0, 1.0])
    assert recruitment.recruits_expected(np.array([100.0]), np.array([1e6]), np.array([0.0]), np.array([150.0]),
                                         0.1, 1.0, 100.0)[0] == pytest.approx(1.5)


# --- personnel and funding --------------------------------------------------------------------------
def test_hnp_attrition_compounds_daily():
    s = 1000.0
    for day in range(1, 366):
        s = personnel.hnp_strength_next(s, day, 0.1, 0.0, 10_000)
    assert s == pytest.approx(1000 * (1 - 0.1 / 365) ** 365)
    assert personnel.hnp_strength_next(1000.0, 30, 0.0, 50.0, 30) == 1050.0


def test_schedule_and_ramp():
    days, pers = np.array([10, 20]), np.array([200.0, 400.0])
    assert [personnel.scheduled_personnel(d, days, pers) for d in (9, 10, 25)] == [0.0, 200.0, 400.0]
    assert personnel.ramp_personnel(59, 0, 300, 2500) == pytest.approx(600.0)
    assert personnel.ramp_personnel(10_000, 0, 300, 2500) == 2500
    assert personnel.fill_units(95, 30, 5).tolist() == [30, 30, 30, 5, 0]


def test_a_pay_day_pays_what_the_balance_allows_and_counts_unpaid_days():
    account = funding.Account(balance=50.0, received=50.0, spent=0.0, unpaid_total=0.0, unpaid_days=0)
    account, unpaid = funding.pay_day(account, 10.0, 80.0)
    assert unpaid == 20.0 and account == (0.0, 60.0, 60.0, 20.0, 1)
    account, unpaid = funding.pay_day(account, 100.0, 80.0)
    assert unpaid == 0.0 and account.balance == 20.0 and account.unpaid_days == 0


def test_deployment_stops_at_what_the_funds_cover_and_repatriates_when_unpaid():
    p = dict(hnp_academy_cohort=0.0, hnp_capital_share=1.0, hnp_on_duty_share=1.0,
             hnp_academy_interval_days=30, mss_follow_schedule=False, mss_start_day=0, mss_deploy_rate=3000.0,
             mss_target_personnel=2500, repatriation_grace_days=90, repatriation_rate=0.1, reserve_months=1.0)
    args = dict(schedule_days=np.zeros(0, int), schedule_personnel=np.zeros(0), cost_pm=1000.0,
                attrition_per_year=0.0)
    assert personnel.deploy(p, 5, 100.0, 0.0, unpaid_days=0, balance=20_000.0, **args) == (100.0, 20)
    assert personnel.deploy(p, 5, 100.0, 50.0, unpaid_days=91, balance=0.0, **args) == (100.0, 45)


def test_unit_roles_split_each_force():
    assert posture.roles(10, 0.5, 0.2) == (5, 1, 4)
    assert posture.roles(0, 0.5, 0.2) == (0, 0, 0)
    p = {"mss_static_share": 0.3, "mss_joint_patrols_day": 179}  # all static in deployment until joint patrols
    assert posture.mss_static_share(p, phases.DEPLOYMENT, 178) == 1.0
    assert posture.mss_static_share(p, phases.DEPLOYMENT, 179) == 0.3 == posture.mss_static_share(p, phases.DECISIVE, 5)


def test_funding_inflows_costs_and_affordability():
    inflow = funding.inflow_schedule(np.array([-100, 5, 400]), np.array([10.0, 20.0, 30.0]), 30, 0.5, 365)
    assert inflow[0] == 5.0 and inflow[35] == 10.0 and inflow.sum() == 15.0
    assert funding.monthly_cost_per_person(100.0, 0.4, True) == 60.0
    assert funding.affordable_total(0.0, 20000.0, 1.0) == 0.0
    assert funding.affordable_total(2e6, 20000.0, 1.0) == pytest.approx(100.0)
    assert funding.pay(50.0, 80.0) == (50.0, 30.0)


# --- posture ----------------------------------------------------------------------------------------
def test_static_units_follow_site_priority():
    per = posture.units_per_site(10, np.array([5.0, 3.0, 2.0]))
    assert per.tolist() == [5, 3, 2]
    assert posture.units_per_site(7, np.array([5.0, 5.0, 4.0])).sum() == 7


def test_joint_operations_cap_mss_units_unless_independent():
    assert posture.joint_mss_units(3, 20, 2.0, False) == 6
    assert posture.joint_mss_units(3, 20, 2.0, True) == 20


def test_targets_are_the_best_scores():
    score = np.array([-np.inf, 5.0, 1.0, 9.0])
    assert posture.choose_targets(score, 2, np.random.default_rng(0)).tolist() == [3, 1]
    assert posture.choose_targets(score, 10, np.random.default_rng(0)).tolist() == [3, 1, 2]


def test_holds_keep_the_longest():
    held = np.array([-1, 5, 9, 7])
    assert posture.keep_holds(held, 3, 2, np.ones(4, bool)).tolist() == [2, 3]
    assert held.tolist() == [-1, 3, 9, 7]  # the hold nobody can keep lapses today


# --- population ------------------------------------------------------------------------------------
def test_displacement_conserves_people():
    pop = np.array([1000.0, 500.0, 0.0])
    new, inside, out = population.displace(pop, np.array([200.0, 900.0, 0.0]), np.array([0.0, 0.0, 1.0]), 0.25)
    assert new.sum() + out == pytest.approx(pop.sum())
    assert out == pytest.approx(0.25 * 700) and new[2] == pytest.approx(inside)
    new, inside, out = population.displace(pop, np.array([100.0, 0, 0]), np.zeros(3), 0.25)
    assert inside == 0 and out == 100  # nowhere safe to go: everyone fleeing leaves


def test_humanitarian_access_counts_people_connected_to_an_anchor():
    secure = np.array([1, 1, 0, 1], bool)
    pop = np.array([10.0, 20.0, 30.0, 40.0])
    nbr = moore_neighbours(4, 1)
    assert population.humanitarian_access(secure, nbr, np.array([0]), pop) == pytest.approx(0.3)
    assert population.humanitarian_access(secure, nbr, np.array([2]), pop) == 0.0


# --- trust, retaliation, phases ------------------------------------------------------------------------
def test_trust_moves_the_right_way_and_stays_in_bounds():
    t0 = np.full(3, 0.5)
    up = trust.update(t0, np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 10.0]), 0.0, 0.0, 0.1, 0.5, 0.0, 0.0)
    assert up[0] > 0.5 and up[1] == 0.5 and up[2] == 0.0
    assert trust.misconduct_expected(3000, 1.0, 1.0) == 0.0
    assert trust.passivity(0.9, True) == pytest.approx(0.8) and trust.passivity(0.9, False) == 0.0


def test_retaliation_decays_geometrically_and_spreads():
    nbr, land = line_world(3)
    valid = ((nbr != np.arange(3)[:, None]) & land[nbr]).astype(float)
    lam = retaliation.update_intensity(np.zeros(3), np.array([0.0, 1.0, 0.0]), nbr, valid, 1.0, 0.5)
    assert lam.tolist() == [0.5, 1.0, 0.5]
    for _ in range(3):
        lam = retaliation.update_intensity(lam, np.zeros(3), nbr, valid, 1.0, 0.5)
    assert lam[1] == pytest.approx(0.125)
    assert retaliation.attack_probability(0.1, np.array([1.0]))[0] > retaliation.attack_probability(0.1, np.array([0.0]))[0]


def test_phases_move_forward_on_their_conditions():
    args = dict(decisive_threshold=0.3, stabilisation_threshold=0.5, transition_threshold=0.2, transition_days=10)
    assert phases.next_phase(0, 0.1, 0.9, 0, **args) == 0
    assert phases.next_phase(0, 0.3, 0.9, 0, **args) == 1
    assert phases.next_phase(1, 0.3, 0.4, 0, **args) == 2
    assert phases.next_phase(2, 0.3, 0.1, 9, **args) == 2
    assert phases.next_phase(2, 0.3, 0.1, 10, **args) == 3
    assert phases.first_run(np.array([1, 1, 0, 1, 1, 1], bool), 3) == 5
    p = dict(args, mss_target_personnel=100)
    assert phases.day(p, 2, 9, 50.0, 0.1) == (3, 10)  # the tenth day below the threshold
    assert phases.day(p, 2, 9, 50.0, 0.3) == (2, 0)
    assert phases.first_run(np.array([1, 0], bool), 2) is None


def test_a_side_wiped_out_within_the_day_leaves_the_square_law_survivors():
    blue, red = combat.lanchester_remaining(np.array([100.0, 0.0, 5.0]), np.array([10.0, 7.0, 0.0]),
                                            np.array([1.0, 0.5, 0.5]), np.array([1.0, 0.5, 0.0]), dt=5.0)
    assert blue[0] == pytest.approx(np.sqrt(100 ** 2 - 10 ** 2)) and red[0] == 0.0
    assert blue[1] == 0.0 and red[1] == 7.0  # nobody to fight: nothing changes
    assert blue[2] == 5.0 and red[2] == 0.0


def test_attacks_fight_each_cell_once_for_its_first_site():
    from papsim.mechanisms.attacks import _first_per_cell
    g = np.random.default_rng(0)
    for _ in range(300):
        cells = g.integers(0, 6, g.integers(1, 10))
        distinct, first = _first_per_cell(cells)
        expected, where = np.unique(cells, return_index=True)
        assert np.array_equal(distinct, expected) and np.array_equal(first, where)
