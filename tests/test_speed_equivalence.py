"""The fast paths give exactly the numbers of the straightforward code they replace (docs/performance.md).

Every speed-up of the daily loop keeps the arithmetic of the code before it. Where a fast path draws only
for the cells that can change (territory's stages: one uniform per cell that can be taken or flipped,
instead of one per cell of the map), it is checked against the whole-grid rule given those same draws.
Here each fast path is checked against that code, kept below as the reference, on many random inputs,
including ties, zero strengths and draws next to the rates.
"""

import copy

import numpy as np
import pytest

import papsim
from papsim.citymap import moore_neighbours
from papsim.mechanisms import combat, economy, population, posture, retaliation, territory
from papsim.model import PortAuPrince

NO_GANG = territory.NO_GANG


# ---- the reference code (as it was before the speed-ups) ----------------------------------------------
def ref_cell_strength(controller, members):  # the members spread evenly: the fighters of a test city
    n_gangs = len(members)
    counts = np.bincount(controller[controller >= 0], minlength=n_gangs)
    density = np.append(np.divide(members, counts, out=np.zeros(n_gangs), where=counts > 0), 0.0)
    return density[controller]


def ref_expand(controller, strength, defence, land, nbr, rate, guarded, u):
    att, source = territory.strongest_neighbour(strength, nbr)
    owner = controller[source]
    free = (controller == NO_GANG) & land & (att > 0)
    p = territory.take_probability(att, defence, rate)
    taken = free & (u < p) & ~guarded
    out = controller.copy()
    out[taken] = owner[taken]
    return out


def ref_contest(controller, strength, alliance, nbr, land, rate, u):
    side = territory.cell_side(controller, alliance)
    hostile_strength = np.where((side[nbr] != side[:, None]) & (side[nbr] != NO_GANG) & land[nbr], strength[nbr], 0.0)
    k = hostile_strength.argmax(axis=1)
    rows = np.arange(len(nbr))
    att = hostile_strength[rows, k]
    owner = controller[nbr[rows, k]]
    p = territory.take_probability(att, strength, rate)
    flip = (controller != NO_GANG) & (att > 0) & (u < p)
    out = controller.copy()
    out[flip] = owner[flip]
    return out, flip


def ref_choose_targets(score, n_ops, uniforms):
    """The definition: the n best keys, best first, equal keys in index order (a stable sort of them all);
    ``uniforms`` the jitter of the valid cells, in cell order."""
    valid = np.isfinite(score)
    n = int(min(n_ops, valid.sum()))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    key = np.full(len(score), -np.inf)
    key[valid] = score[valid] + uniforms * 1e-6 * (np.abs(score[valid]) + 1.0)
    return np.argsort(-key, kind="stable")[:n]


def ref_humanitarian_access(secure, anchors, pop):
    from scipy import ndimage
    labels, _ = ndimage.label(secure, structure=np.ones((3, 3), dtype=bool))
    flat = labels.reshape(-1)
    reach = flat[anchors]
    reach = reach[reach > 0]
    total = pop.sum()
    if len(reach) == 0 or total <= 0:
        return 0.0
    return float(pop.reshape(-1)[np.isin(flat, reach)].sum() / total)


def ref_revenue(controller, population, road, blockaded_sites, site_cells, kidnappings, n_gangs, extortion, toll,
                blockade, ransom):
    held = controller >= 0
    cells = controller[held]
    per_cell = extortion * population[held] + toll * road[held] + ransom * kidnappings[held]
    out = np.bincount(cells, weights=per_cell, minlength=n_gangs).astype(float)
    site_owner = controller[site_cells]
    mask = blockaded_sites & (site_owner >= 0)
    out += blockade * np.bincount(site_owner[mask], minlength=n_gangs)
    return out


def ref_lanchester(blue, red, a, b, dt=1.0):
    blue, red, a, b = (np.asarray(x, float) for x in (blue, red, a, b))
    k = np.sqrt(a * b)
    kt = k * dt
    sinh_over_k = np.where(k > 0, np.sinh(kt) / np.where(k > 0, k, 1.0), dt)
    c = np.cosh(kt)
    blue_t = blue * c - b * red * sinh_over_k
    red_t = red * c - a * blue * sinh_over_k
    with np.errstate(divide="ignore", invalid="ignore"):
        blue_wins = np.where(red > 0, np.sqrt(np.maximum(blue ** 2 - np.where(a > 0, b / a, np.inf) * red ** 2, 0.0)), blue)
        red_wins = np.where(blue > 0, np.sqrt(np.maximum(red ** 2 - np.where(b > 0, a / b, np.inf) * blue ** 2, 0.0)), red)
    red_out, blue_out = red_t <= 0, blue_t <= 0
    blue_t = np.where(red_out, blue_wins, np.where(blue_out, 0.0, blue_t))
    red_t = np.where(blue_out, red_wins, np.where(red_out, 0.0, red_t))
    return np.clip(blue_t, 0.0, blue), np.clip(red_t, 0.0, red)


# ---- random cities --------------------------------------------------------------------------------------
def random_city(rng, width=None, height=None, n_gangs=None):
    width = width or int(rng.integers(3, 25))
    height = height or int(rng.integers(3, 25))
    n = width * height
    nbr = moore_neighbours(width, height)
    land = rng.random(n) < rng.uniform(0.3, 1.0)
    g = n_gangs or int(rng.integers(1, 8))
    controller = np.where(land & (rng.random(n) < rng.uniform(0.2, 0.9)), rng.integers(0, g, n), NO_GANG)
    members = np.round(rng.uniform(0, 400, g)) * rng.choice([0.5, 1.0], g)
    members[rng.random(g) < 0.15] = 0.0  # groups with no members left
    alliance = rng.integers(0, max(1, g // 2) + 1, g)
    return dict(nbr=nbr, land=land, controller=controller, members=members, alliance=alliance, n=n, g=g)


SEEDS = range(300)


def test_fronts_are_border_and_hostile_neighbour():
    for seed in SEEDS:
        c = random_city(np.random.default_rng(seed))
        side = territory.cell_side(c["controller"], c["alliance"])
        front, hostile = territory.fronts(side.astype(np.int16), territory.land_neighbours_t(c["nbr"], c["land"]),
                                          c["land"])
        assert np.array_equal(front, territory.border(side, c["nbr"], c["land"]))
        assert np.array_equal(hostile, territory.hostile_neighbour(side, c["nbr"], c["land"]))


def draws_at(cells, rng, n):
    """The uniforms a stage draws from a copy of ``rng``: one per cell of the grid, each cell its own; the
    cells other than ``cells`` get 1.0, a draw that can change nothing."""
    u = np.ones(n)
    u[cells] = copy.deepcopy(rng).random(n)[cells]
    return u


def test_expansion_is_expand_on_the_whole_grid():
    """Drawing only for the cells that can be taken gives what the whole-grid rule gives with those draws."""
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        c = random_city(rng)
        n, g = c["n"], c["g"]
        strength = ref_cell_strength(c["controller"], c["members"])
        defence = rng.choice([0.0, 15.0]) + rng.random(n) * rng.choice([0.0, 50.0])
        rate = rng.choice([0.05, 0.3, 1e9]) * (np.where(rng.random(n) < 0.3, 5.0, 1.0) if seed % 2 else 1.0)
        guarded = rng.random(n) < 0.2
        side = territory.cell_side(c["controller"], c["alliance"])
        front = territory.border(side, c["nbr"], c["land"])
        att, _ = territory.strongest_neighbour(strength, c["nbr"])
        can = ((c["controller"] == NO_GANG) & c["land"] & (att > 0)).nonzero()[0]
        u = draws_at(can, rng, n)
        cells, owners, _ = territory.expansion(c["controller"], strength, defence, c["land"], c["nbr"], front,
                                               rate, guarded, rng)
        out = c["controller"].copy()
        out[cells] = owners
        ref = ref_expand(c["controller"], strength, defence, c["land"], c["nbr"], rate, guarded, u)
        assert np.array_equal(out, ref)


def test_rivalry_is_contest_on_the_whole_grid():
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        c = random_city(rng)
        n = c["n"]
        strength = ref_cell_strength(c["controller"], c["members"])
        rate = float(rng.choice([0.02, 0.5, 1e9]))
        side = territory.cell_side(c["controller"], c["alliance"])
        hostile = territory.hostile_neighbour(side, c["nbr"], c["land"])
        ns = side[c["nbr"]]
        facing = np.where((ns != side[:, None]) & (ns != NO_GANG) & c["land"][c["nbr"]], strength[c["nbr"]], 0.0)
        can = (hostile & (facing.max(axis=1) > 0)).nonzero()[0]
        u = draws_at(can, rng, n)
        cells, owners, _ = territory.rivalry(c["controller"], strength, side, c["nbr"], c["land"], hostile, rate,
                                             rng)
        out = c["controller"].copy()
        out[cells] = owners
        ref_out, ref_flip = ref_contest(c["controller"], strength, c["alliance"], c["nbr"], c["land"], rate, u)
        assert np.array_equal(out, ref_out) and np.array_equal(np.isin(np.arange(n), cells), ref_flip)


def test_retaliation_near_events_is_the_whole_grid_update():
    for seed in SEEDS[:100]:
        rng = np.random.default_rng(seed)
        c = random_city(rng)
        n = c["n"]
        valid = ((c["nbr"] != np.arange(n)[:, None]) & c["land"][c["nbr"]]).astype(float)
        intensity = rng.random(n) * rng.choice([0.0, 3.0])
        events = np.where(rng.random(n) < rng.choice([0.0, 0.02, 0.3]), rng.integers(1, 3, n), 0).astype(float)
        args = (intensity, events, c["nbr"], valid, float(rng.uniform(0, 2)), float(rng.uniform(0, 1)))
        assert np.array_equal(retaliation.update_intensity_near_events(*args), retaliation.update_intensity(*args))


def test_choose_targets_with_ties_and_invalid_cells():
    for seed in SEEDS:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(1, 300))
        score = np.round(rng.uniform(0, 5, n)) * rng.choice([1.0, 1e6])  # many equal scores
        score[rng.random(n) < 0.4] = -np.inf
        n_ops = int(rng.integers(0, n + 3))
        uniforms = np.random.default_rng(seed + 1000).random(np.isfinite(score).sum())
        assert np.array_equal(posture.choose_targets(score, n_ops, np.random.default_rng(seed + 1000)),
                              ref_choose_targets(score, n_ops, uniforms))


def test_humanitarian_access():
    for seed in SEEDS[:150]:
        rng = np.random.default_rng(seed)
        shape = (int(rng.integers(2, 30)), int(rng.integers(2, 30)))
        secure = rng.random(shape) < rng.uniform(0.1, 0.9)
        pop = rng.random(shape) * 1000 * (rng.random(shape) < 0.8)
        anchors = rng.choice(secure.size, int(rng.integers(1, 4)))
        got = population.humanitarian_access(secure.ravel(), moore_neighbours(*shape), anchors, pop.ravel())
        assert got == ref_humanitarian_access(secure, anchors, pop)


def test_revenue():
    for seed in SEEDS[:100]:
        rng = np.random.default_rng(seed)
        c = random_city(rng)
        n, g = c["n"], c["g"]
        sites = rng.choice(n, 5)
        args = (c["controller"], rng.random(n) * 3000, (rng.random(n) < 0.2).astype(float), rng.random(5) < 0.5, sites,
                rng.poisson(0.1, n).astype(float), g, 0.05, 10.0, 1000.0, 500.0)
        assert np.array_equal(economy.revenue(*args), ref_revenue(*args))


def test_lanchester_with_and_without_a_side_wiped_out():
    rng = np.random.default_rng(1)
    for _ in range(2000):
        k = int(rng.integers(1, 6))
        blue = np.round(rng.uniform(0, 120, k)) * (rng.random(k) < 0.9)
        red = rng.uniform(0, 60, k) * (rng.random(k) < 0.9)
        a = rng.uniform(0, 0.5, k) * (rng.random(k) < 0.9)
        b = rng.uniform(0, 0.5, k) * (rng.random(k) < 0.9)
        for got, want in zip(combat.lanchester_remaining(blue, red, a, b), ref_lanchester(blue, red, a, b)):
            assert np.array_equal(got, want)


def test_few_draws_one_by_one_are_the_array_draws():
    for seed in range(500):
        rng = np.random.default_rng(seed)
        k = int(rng.integers(0, 12))
        lam = rng.choice([0.0, 0.01, 0.7, 4.0, 12.0, 300.0], k) * rng.random(k)
        n = rng.integers(0, 200, k)
        p = float(rng.choice([0.0, 0.3, 0.5, 1.0]))
        one, two = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
        assert np.array_equal(combat.poisson(one, lam), two.poisson(lam))
        assert np.array_equal(combat.binomial(one, n, p), two.binomial(n, p))
        assert one.random() == two.random()  # the streams are in the same place


def test_poisson_of_the_nonzero_means_only_is_the_full_draw():
    for seed in range(50):
        rng = np.random.default_rng(seed)
        lam = np.where(rng.random(500) < 0.5, rng.random(500) * rng.choice([0.01, 3.0, 40.0]), 0.0)
        drawn, reference = np.random.default_rng(seed), np.random.default_rng(seed)
        assert np.array_equal(combat.poisson_where_positive(drawn, lam), reference.poisson(lam).astype(float))
        assert drawn.random() == reference.random()


def test_the_grid_is_built_on_demand_and_shows_the_model_state(baseline):
    plain = papsim.run(baseline, seed=4, days=20)
    model = PortAuPrince(baseline, rng=4, days=20)
    for day in range(20):
        model.step()
        if day == 7:
            grid = model.grid  # building the grid mid-run changes nothing
            assert np.array_equal(grid.controller.data.reshape(-1)[model.city.cells], model.controller)
    cells = model.city.cells
    assert np.array_equal(model.grid.controller.data.reshape(-1)[cells], model.controller)
    assert np.array_equal(model.grid.population.data.reshape(-1)[cells], model.population)
    off_land = ~model.city.land.reshape(-1)
    assert (model.grid.controller.data.reshape(-1)[off_land] == -1).all()
    assert (model.grid.population.data.reshape(-1)[off_land] == 0).all()
    assert {"controller", "population", "trust", "security", "gang_strength"} <= set(model.grid._mesa_property_layers)
    ts = model.recorder.frame(baseline.start_date)
    assert ts.equals(plain.timeseries)
