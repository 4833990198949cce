"""The population's draws and humanitarian access: the law of the Poisson fields, the twins' bits, the grid.

``population.poisson_field`` draws independent Poisson counts per cell, each by inverting the distribution
function at the cell's own uniform: its counts are checked against the Poisson law, and a change of one
cell's mean must move no other cell's count (common random numbers). The compiled twin must give
the NumPy functions' bits on random inputs. ``population.humanitarian_access`` works on the model's land cells
and their neighbour table: it must give the full grid's 8-connected labelling (``scipy.ndimage.label``).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from scipy import ndimage, stats

from papsim import kernels
from papsim.citymap import moore_neighbours
from papsim.mechanisms import population

LAM = np.array([0.0, 0.3, 2.0, 0.0, 5.0, 0.05, 1.2, 0.0])  # zero means inside and at the end
DRAWS = 20_000


@pytest.fixture(scope="module")
def fields() -> np.ndarray:
    """``DRAWS`` independent fields of means ``LAM``, one per row."""
    rng = np.random.default_rng(12)
    return np.array([population.poisson_field(rng, LAM) for _ in range(DRAWS)])


# --- (a) the law of the sampler ---------------------------------------------------------------
def test_a_cell_of_zero_mean_never_gets_an_event(fields):
    assert not fields[:, LAM == 0].any()
    assert fields.dtype == float and np.array_equal(fields, np.round(fields))


def test_each_cell_is_poisson_of_its_mean(fields):
    positive = LAM > 0
    mean, var = fields.mean(axis=0)[positive], fields.var(axis=0, ddof=1)[positive]
    lam = LAM[positive]
    assert np.all(np.abs(mean - lam) < 5 * np.sqrt(lam / DRAWS))  # five standard errors
    assert var == pytest.approx(lam, rel=0.08)  # Poisson: the variance is the mean
    zero = (fields[:, positive] == 0).mean(axis=0)
    assert zero == pytest.approx(np.exp(-lam), abs=0.012)  # P(no event) = exp(-lam)


def test_the_total_is_poisson_and_the_cells_are_independent(fields):
    total = fields.sum(axis=1)
    big = LAM.sum()
    assert abs(total.mean() - big) < 5 * np.sqrt(big / DRAWS)
    assert total.var(ddof=1) == pytest.approx(big, rel=0.05)
    values, counts = np.unique(np.minimum(total, 16), return_counts=True)  # chi-square of the total's law
    expected = stats.poisson.pmf(np.arange(17), big)
    expected[16] = stats.poisson.sf(15, big)
    assert np.array_equal(values, np.arange(17))
    assert stats.chisquare(counts, expected * DRAWS).pvalue > 1e-3
    corr = np.corrcoef(fields[:, LAM > 0].T)  # a Poisson total split: no correlation (a fixed total would have)
    assert np.abs(corr[~np.eye(len(corr), dtype=bool)]).max() < 0.04


def test_the_events_fall_in_proportion_to_the_means(fields):
    positive = LAM > 0
    events = fields.sum(axis=0)[positive]
    share = LAM[positive] / LAM.sum()
    assert stats.chisquare(events, share * events.sum()).pvalue > 1e-3
    assert stats.chisquare(events, np.roll(share, 1) * events.sum()).pvalue < 1e-9  # it sees weights one cell off


def test_each_cell_inverts_its_own_uniform_and_a_change_elsewhere_moves_nothing():
    lam = np.array([0.5, 0.0, 3.0, 1.5, 12.0, 0.02])
    rng, replay = np.random.default_rng(5), np.random.default_rng(5)
    counts = population.poisson_field(rng, lam)
    u = replay.random(len(lam))  # one uniform per cell, zero means included, and nothing else
    positive = lam > 0
    assert np.array_equal(counts[positive], stats.poisson.ppf(u[positive], lam[positive]))
    assert counts[~positive].tolist() == [0.0] and rng.random() == replay.random()
    for cell in range(len(lam)):  # another scenario: one cell's mean changed, on the same seed
        other = lam.copy()
        other[cell] = 4.0 * lam[cell] + 1.0
        moved = population.poisson_field(np.random.default_rng(5), other)
        keep = np.arange(len(lam)) != cell
        assert np.array_equal(moved[keep], counts[keep])


# --- random inputs ----------------------------------------------------------------------------------------
def random_cells(g: np.random.Generator) -> dict:
    """A random map: a full grid, its land (the model's cells, in a random order), their Moore neighbour
    table on land (a missing or off-land neighbour is the cell itself), as ``papsim.citymap`` builds it."""
    width, height = int(g.integers(1, 25)), int(g.integers(1, 25))
    land = g.random(width * height) < g.uniform(0.2, 1.0)
    if not land.any():
        land[g.integers(0, land.size)] = True
    cells = g.permutation(np.flatnonzero(land))
    index_of = np.full(land.size, -1, dtype=np.int64)
    index_of[cells] = np.arange(len(cells))
    full = index_of[moore_neighbours(width, height)[cells]]
    nbr = np.where(full >= 0, full, np.arange(len(cells))[:, None])
    return dict(width=width, height=height, cells=cells, nbr=nbr, n=len(cells))


def random_access(g: np.random.Generator) -> tuple[dict, np.ndarray, np.ndarray, np.ndarray]:
    """``(map, secure, anchors, population)``: no anchor, repeated anchors, no people, as drawn."""
    c = random_cells(g)
    n = c["n"]
    secure = g.random(n) < g.uniform(0.0, 1.0)
    anchors = g.integers(0, n, int(g.integers(0, 4)))
    if len(anchors) and g.random() < 0.2:
        anchors[:] = anchors[0]  # the same cell twice or more
    people = g.random(n) * 100 * (g.random(n) < 0.8) * (g.random() < 0.9)  # sometimes nobody
    return c, secure, anchors, people


def random_day(g: np.random.Generator) -> tuple[np.random.Generator, np.ndarray, dict]:
    """Arguments of ``population.one_day``: few to many events, zero rates, empty cells."""
    n = int(g.integers(0, 300))
    held = g.random(n) < g.uniform(0, 1)
    contested = g.random(n) < g.uniform(0, 0.3)
    people = np.round(g.uniform(0, 5000, n)) * (g.random(n) < 0.85)
    scale = float(g.choice([0.0, 1.0, 30.0]))
    rates = population.Rates(predation_per_million=scale * g.uniform(0, 80), border_rate=scale * g.uniform(0, 0.05),
                             kidnap_per_million=scale * g.uniform(0, 40), displaced_per_death=g.uniform(0, 20),
                             front_flight_rate=g.uniform(0, 0.02), out_share=g.uniform(0, 1))
    pressure = held * g.choice([0.0, 1.0, 3.0]) * g.random(n)  # fighters relative to the start, on gang ground
    args = dict(held=held, pressure=pressure, contested=contested, patrolled=g.random(n) * (g.random(n) < 0.3),
                land=g.random(n) < 0.95, civilians_killed=g.poisson(0.05, n).astype(float),
                violence=g.random(n) * 3, displaced=g.random(n) * 10, rates=rates)
    return np.random.default_rng(int(g.integers(0, 2**32))), people, args


# --- (b) the compiled twin's bits -------------------------------------------------------------------------
def bits(a) -> object:
    """A value's exact bits, recursively (arrays with their dtype and shape; floats with their sign)."""
    if isinstance(a, np.random.Generator):
        return a.bit_generator.state
    if isinstance(a, (tuple, list)):
        return type(a), tuple(bits(x) for x in a)
    if isinstance(a, dict):
        return {k: bits(v) for k, v in a.items()}
    if isinstance(a, np.ndarray):
        return a.dtype.str, a.shape, a.tobytes()
    if isinstance(a, float):
        return np.float64(a).tobytes()
    return a


@pytest.fixture(scope="module")
def compiled():
    state = kernels.twin("population")
    if not state.usable:
        pytest.skip(f"population: {state.reason}")
    return state.built


def test_one_day_compiled_gives_the_numpy_bits(compiled):
    for seed in range(300):
        rng, people, args = random_day(np.random.default_rng(seed))
        mine, theirs = copy.deepcopy((rng, people, args)), copy.deepcopy((rng, people, args))
        expected = population.one_day(mine[0], mine[1], **mine[2])
        got = compiled.one_day(theirs[0], theirs[1], **theirs[2])
        assert bits(got) == bits(expected), seed
        assert bits(theirs) == bits(mine), seed  # population, violence, displaced and the generator


def test_one_day_compiled_gives_the_numpy_bits_for_means_past_the_summed_range(compiled):
    """Means of a thousand a cell and more (beyond quantiles.SUMMED_BELOW): the twin calls the reference's
    bisection and gives its bits."""
    rng, people, args = random_day(np.random.default_rng(1))
    n = len(people)
    args = dict(args, held=np.ones(n, bool), pressure=np.full(n, 2.0),
                rates=args["rates"]._replace(predation_per_million=2e5))
    people = np.full(n, 5000.0)  # 2e5 x 1e-6 x 5000 x 2 = 2,000 expected deaths a cell
    mine, theirs = copy.deepcopy((rng, people, args)), copy.deepcopy((rng, people, args))
    expected = population.one_day(mine[0], mine[1], **mine[2])
    got = compiled.one_day(theirs[0], theirs[1], **theirs[2])
    assert bits(got) == bits(expected) and bits(theirs) == bits(mine)
    assert n == 0 or expected[1].mean() > 1000  # the deaths (capped by the residents) are of that order


def test_humanitarian_access_compiled_gives_the_numpy_bits(compiled):
    for seed in range(400):
        c, secure, anchors, people = random_access(np.random.default_rng(seed))
        args = (secure, c["nbr"], anchors, people)
        expected = population.humanitarian_access(*args)
        assert bits(compiled.humanitarian_access(*args)) == bits(expected), seed


# --- (c) the model's cells give the full grid's labelling -------------------------------------------------
def grid_access(c: dict, secure: np.ndarray, anchors: np.ndarray, people: np.ndarray) -> float:
    """The former definition, on the full ``(width, height)`` grid: 8-connected labels of the secure ground."""
    size = c["width"] * c["height"]
    secure_grid, people_grid = np.zeros(size, bool), np.zeros(size)
    secure_grid[c["cells"]], people_grid[c["cells"]] = secure, people
    labels = ndimage.label(secure_grid.reshape(c["width"], c["height"]), structure=np.ones((3, 3), bool))[0].ravel()
    reach = labels[c["cells"][anchors]]
    reach = reach[reach > 0]
    total = people_grid.sum()
    if len(reach) == 0 or total <= 0:
        return 0.0
    return float(people_grid[np.isin(labels, reach)].sum() / total)


def test_humanitarian_access_on_the_cells_is_the_full_grid_labelling():
    reached_some = 0
    for seed in range(400):
        c, secure, anchors, people = random_access(np.random.default_rng(seed))
        got = population.humanitarian_access(secure, c["nbr"], anchors, people)
        assert got == pytest.approx(grid_access(c, secure, anchors, people), rel=1e-12, abs=1e-15), seed
        reached_some += 0 < got < 1
    assert reached_some > 50  # the random maps are not all trivial


def test_humanitarian_access_examples():
    nbr = np.array([[0, 1, 0, 0, 0, 0, 0, 0], [0, 2, 1, 1, 1, 1, 1, 1], [1, 3, 2, 2, 2, 2, 2, 2],
                    [2, 3, 3, 3, 3, 3, 3, 3]])  # a row of four cells
    secure = np.array([True, True, False, True])
    people = np.array([10.0, 20.0, 30.0, 40.0])
    assert population.humanitarian_access(secure, nbr, np.array([0]), people) == pytest.approx(0.3)
    assert population.humanitarian_access(secure, nbr, np.array([3, 3]), people) == pytest.approx(0.4)
    assert population.humanitarian_access(secure, nbr, np.array([2]), people) == 0.0  # the anchor is not secure
    assert population.humanitarian_access(secure, nbr, np.zeros(0, dtype=np.int64), people) == 0.0
    assert population.humanitarian_access(secure, nbr, np.array([0]), np.zeros(4)) == 0.0
