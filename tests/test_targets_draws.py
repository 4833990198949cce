"""Targets and holds: ``posture.choose_targets`` draws one tie-breaking uniform per valid cell (none when it
chooses nothing) and picks the best valid cells, best first; the functions changed with it
(``posture.keep_holds``, ``posture.target_scores``, ``retaliation.update_intensity_near_events``) keep the
rules they replace; and each compiled twin gives its NumPy function's bits and generator state.

The compiled halves are skipped while the twin is not usable (``papsim.kernels.twin``).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from papsim import kernels
from papsim.citymap import moore_neighbours
from papsim.mechanisms import posture, retaliation
from bitwise import same

POSTURE = kernels.twin("posture")
RETALIATION = kernels.twin("retaliation")
compiled_posture = pytest.mark.skipif(not POSTURE.usable, reason=f"posture twin: {POSTURE.reason}")
compiled_retaliation = pytest.mark.skipif(not RETALIATION.usable, reason=f"retaliation twin: {RETALIATION.reason}")


def score_cases() -> Iterator[tuple[np.ndarray, int, int]]:
    """(score, n_ops, seed): exact ties, no valid cell, nothing to choose, more to choose than valid cells,
    then many random scores with ties, -inf, inf and NaN cells, negative and large scores."""
    yield np.array([1.0, 2.0, 2.0, -np.inf, 2.0]), 2, 1
    yield np.array([5.0, 5.0, 5.0, 5.0]), 4, 2
    yield np.full(4, -np.inf), 3, 3
    yield np.zeros(0), 2, 4
    yield np.arange(6.0), 0, 5
    yield np.arange(6.0), -1, 6
    yield np.array([3.0, -np.inf, 1.0]), 10, 7
    for seed in range(400):
        g = np.random.default_rng(seed)
        n = int(g.integers(0, 80))
        score = np.round(g.uniform(-2, 4, n)) * g.choice([1.0, 1e6, 1e-3])
        score[g.random(n) < g.choice([0.0, 0.3, 0.9, 1.0])] = -np.inf
        score[g.random(n) < 0.05] = g.choice([np.inf, np.nan])
        yield score, int(g.integers(0, n + 4)), 1000 + seed


def defined_targets(score: np.ndarray, n_ops: int, uniforms: np.ndarray) -> np.ndarray:
    """The definition, on every cell: keys from the valid cells' uniforms (in cell order), the ``n_ops`` best
    keys, best first, equal keys to the lower index (a stable sort of them all)."""
    valid = np.isfinite(score)
    key = np.full(len(score), -np.inf)
    key[valid] = score[valid] + uniforms * 1e-6 * (np.abs(score[valid]) + 1.0)
    return np.argsort(-key, kind="stable")[:min(max(n_ops, 0), int(valid.sum()))]


def after_draws(seed: int, count: int) -> np.random.Generator:
    """A generator of ``seed`` that has drawn ``count`` uniforms."""
    rng = np.random.default_rng(seed)
    rng.random(count)
    return rng


def test_targets_are_the_best_valid_cells_best_first():
    for score, n_ops, seed in score_cases():
        n_valid = int(np.isfinite(score).sum())
        uniforms = np.random.default_rng(seed).random(n_valid)
        got = posture.choose_targets(score, n_ops, np.random.default_rng(seed))
        assert got.dtype == np.int64
        assert np.array_equal(got, defined_targets(score, n_ops, uniforms)), (score, n_ops)
        assert len(got) == min(max(n_ops, 0), n_valid)
        assert np.isfinite(score[got]).all()  # never a -inf (or inf, NaN) cell
        assert len(np.unique(got)) == len(got)


def test_one_uniform_is_drawn_per_valid_cell_and_none_when_nothing_is_chosen():
    for score, n_ops, seed in score_cases():
        rng = np.random.default_rng(seed)
        posture.choose_targets(score, n_ops, rng)
        drawn = int(np.isfinite(score).sum()) if n_ops > 0 else 0
        assert same(rng, after_draws(seed, drawn)), (score, n_ops)


def test_ties_go_to_the_lower_index():
    score = np.array([1.0, 2.0, 2.0, -np.inf, 2.0, 2.0])

    class Zeros(np.random.Generator):  # no jitter: every tie is exact
        def random(self, size=None):
            return np.zeros(size)
    rng = Zeros(np.random.PCG64(0))
    assert posture.choose_targets(score, 3, rng).tolist() == [1, 2, 4]
    assert posture.choose_targets(score, 10, rng).tolist() == [1, 2, 4, 5, 0]


def test_choosing_among_candidates_is_the_full_grid_choice():
    """The model scores only its candidate cells (patrols: public front cells; raids: gang cells): the same
    cells and draws as the whole grid with -inf elsewhere."""
    for seed in range(200):
        g = np.random.default_rng(seed)
        n = int(g.integers(1, 90))
        values = np.round(g.uniform(0, 5, n))
        candidates = (g.random(n) < g.uniform(0, 1)).nonzero()[0]
        full = np.full(n, -np.inf)
        full[candidates] = values[candidates]
        n_ops = int(g.integers(0, n + 2))
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        got = candidates[posture.choose_targets(values[candidates], n_ops, mine)]
        assert np.array_equal(got, posture.choose_targets(full, n_ops, theirs))
        assert same(mine, theirs)


@compiled_posture
def test_compiled_choose_targets_gives_the_same_bits():
    for score, n_ops, seed in score_cases():
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        expected = posture.choose_targets(score, n_ops, mine)
        got = POSTURE.built.choose_targets(score.copy(), n_ops, theirs)
        assert same(expected, got), (score, n_ops)
        assert same(mine, theirs), (score, n_ops)


# --- holds ------------------------------------------------------------------------------------------
def hold_cases() -> Iterator[tuple[np.ndarray, int, int, np.ndarray]]:
    """(held_until, day, capacity, free): ties at the last hold kept, retaken holds, no capacity."""
    yield np.array([5, 9, 9, -1, 9]), 3, 2, np.ones(5, bool)
    yield np.array([5, 9, 9, -1, 9]), 3, 2, np.array([True, False, True, True, True])
    yield np.array([5, 9]), 3, 0, np.ones(2, bool)
    yield np.array([5, 9]), 9, 4, np.ones(2, bool)
    yield np.zeros(0, np.int64), 0, 3, np.zeros(0, bool)
    for seed in range(400):
        g = np.random.default_rng(seed)
        n = int(g.integers(1, 60))
        yield g.integers(-1, 8, n), int(g.integers(0, 5)), int(g.integers(0, n + 2)), g.random(n) < 0.8


def defined_holds(held_until: np.ndarray, day: int, capacity: int, free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rule as the model applied it before: the mask of the ``capacity`` holds with the most days left
    (lower index among equals), of those the ones in free cells, every other hold lapsing. Returns (the
    cells kept, the days held after)."""
    held = np.flatnonzero(held_until > day)
    keep = np.zeros(len(held_until), bool)
    if capacity > 0 and len(held):
        keep[held[np.argsort(-held_until[held], kind="stable")[:capacity]]] = True
    kept = keep & free
    after = held_until.copy()
    after[(held_until > day) & ~kept] = day
    return kept.nonzero()[0], after


def test_holds_kept_follow_the_rule():
    for held_until, day, capacity, free in hold_cases():
        cells, after = defined_holds(held_until, day, capacity, free)
        changed = held_until.copy()
        assert np.array_equal(posture.keep_holds(changed, day, capacity, free), cells)
        assert np.array_equal(changed, after)


@compiled_posture
def test_compiled_keep_holds_gives_the_same_bits():
    for held_until, day, capacity, free in hold_cases():
        mine, theirs = held_until.copy(), held_until.copy()
        expected = posture.keep_holds(mine, day, capacity, free)
        assert same(expected, POSTURE.built.keep_holds(theirs, day, capacity, free))
        assert same(mine, theirs)


def test_target_scores_are_the_full_grid_scores_of_the_gang_cells():
    g = np.random.default_rng(4)
    n = 300
    controller = g.integers(-1, 4, n)
    population, strength, distance = g.random(n) * 1e3, g.random(n) * 30, g.random(n) * 5
    frontier = g.random(n) < 0.3
    cells = (controller >= 0).nonzero()[0]
    full = {"border": frontier * 1e6 + population, "population": population, "strength": strength,
            "sites": -distance}
    for rule in posture.TARGET_RULES:
        got = posture.target_scores(rule, cells, population, strength, frontier, distance)
        assert same(got, full[rule][cells]), rule
    with pytest.raises(ValueError, match="unknown target rule"):
        posture.target_scores("nearest", cells, population, strength, frontier, distance)


# --- retaliation ------------------------------------------------------------------------------------
def intensity_cases() -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, float]]:
    """(intensity, events, nbr, nbr_valid, jump, decay) on random grids, with no events, a few or many."""
    for seed in range(60):
        g = np.random.default_rng(seed)
        width, height = int(g.integers(1, 20)), int(g.integers(1, 20))
        nbr = moore_neighbours(width, height)
        n = len(nbr)
        valid = (nbr != np.arange(n)[:, None]).astype(float)
        intensity = g.random(n) * (g.random(n) < 0.5) * g.choice([1e-300, 1.0, 50.0])
        events = np.floor(g.random(n) * 3) * (g.random(n) < g.choice([0.0, 0.02, 0.5]))
        yield intensity, events, nbr, valid, float(g.uniform(0, 2)), float(g.uniform(0, 1))


def test_intensity_update_in_place_is_the_whole_grid_update():
    for intensity, events, nbr, valid, jump, decay in intensity_cases():
        expected = retaliation.update_intensity(intensity, events, nbr, valid, jump, decay)
        assert same(retaliation.update_intensity_near_events(intensity, events, nbr, valid, jump, decay), expected)
        in_place = intensity.copy()
        out = retaliation.update_intensity_near_events(in_place, events, nbr, valid, jump, decay, out=in_place)
        assert out is in_place and same(in_place, expected)


@compiled_retaliation
def test_compiled_intensity_update_gives_the_same_bits():
    compiled = RETALIATION.built.update_intensity_near_events
    for intensity, events, nbr, valid, jump, decay in intensity_cases():
        expected = retaliation.update_intensity_near_events(intensity, events, nbr, valid, jump, decay)
        assert same(compiled(intensity, events, nbr, valid, jump, decay), expected)
        in_place = intensity.copy()
        assert compiled(in_place, events, nbr, valid, jump, decay, out=in_place) is in_place
        assert same(in_place, expected)
        elsewhere = np.full(len(intensity), np.nan)
        assert compiled(intensity, events, nbr, valid, jump, decay, out=elsewhere) is elsewhere
        assert same(elsewhere, expected)

