"""Vigilantes (Bwa Kalé): vigilance relaxes exactly exponentially to a target that is 0 away from the gangs and
in gang-held cells, rises with violence, falls with police presence and is bounded; gang-held cells reset
to 0; killings are Poisson in vigilance times the bordering gang members, split by the gang share, capped by
residents and by the charged group's members; each neighbour counted once."""

from __future__ import annotations

import math

import numpy as np
import pytest

from papsim.kernels import NUMPY
from papsim.mechanisms import distinct_neighbours, vigilantes as vg

P = dict(vigilante_max_per_cell=40.0, vigilante_violence_scale=5.0, vigilante_protection_scale=30.0,
         vigilante_response_days=14.0, vigilante_killing_rate=2.5e-4, vigilante_gang_share=0.5)


def moore(rows: int, cols: int) -> np.ndarray:
    """The Moore table of a rows x cols grid (row-major cells), a missing neighbour padded with the cell."""
    table = np.zeros((rows * cols, 8), np.int64)
    steps = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]
    for r in range(rows):
        for c in range(cols):
            for k, (dr, dc) in enumerate(steps):
                rr, cc = r + dr, c + dc
                inside = 0 <= rr < rows and 0 <= cc < cols
                table[r * cols + c, k] = rr * cols + cc if inside else r * cols + c
    return table


def pairs(n: int) -> np.ndarray:
    """``n`` pairs of cells (2i free, 2i+1 gang-held), each free cell's only neighbour its gang cell."""
    table = np.repeat(np.arange(2 * n)[:, None], 8, axis=1)
    table[0::2, 0] = np.arange(1, 2 * n, 2)
    return table


def strip(n: int = 5, gang_cells=(0,)):
    """A 1 x n strip: controller -1 except group 0 in ``gang_cells``; land, 1,000 residents per cell."""
    controller = np.full(n, -1)
    controller[list(gang_cells)] = 0
    nbr = moore(1, n)
    return dict(controller=controller, nbr=nbr, valid=distinct_neighbours(nbr), land=np.ones(n, bool), violence=np.zeros(n),
                presence=np.zeros(n), population=np.full(n, 1000.0), strength=np.where(controller >= 0, 50.0, 0.0),
                members=np.array([500.0]))


def _target(city, p=P):
    t = vg.threat(vg.bordering(city["controller"], city["nbr"]), city["violence"], p["vigilante_violence_scale"])
    return vg.target(t, city["presence"], controller=city["controller"], land=city["land"],
                     population=city["population"], max_per_cell=p["vigilante_max_per_cell"],
                     protection_scale=p["vigilante_protection_scale"])


def _day(p, rng, v, **city):
    """:func:`vg.day` with the border of the city's control (the model passes its front line)."""
    return vg.day(NUMPY, p, rng, v, border=vg.bordering(city["controller"], city["nbr"]), **city)


def test_the_moore_helper_pads_with_the_cell_itself():
    t = moore(3, 3)
    assert sorted(t[4]) == [0, 1, 2, 3, 5, 6, 7, 8]
    assert sorted(set(t[0])) == [0, 1, 3, 4] and (t[0] == 0).sum() == 5


def test_one_day_follows_the_exact_exponential():
    city = strip()
    v = np.zeros(5)
    out = _day(dict(P, vigilante_killing_rate=0.0), np.random.default_rng(0), v, **city)
    level = 40.0 * 0.5  # the border cell: threat 1 -> 1 / 2 of the most, no violence, no presence
    assert v[1] == pytest.approx(level * (1.0 - math.exp(-1.0 / 14.0)), rel=1e-12)
    assert v[0] == 0.0 and (v[2:] == 0.0).all()  # gang-held, away from the gangs
    assert not out.residents_killed.any() and not out.members_killed.any() and out.log.shape == (0, 4)


def test_n_days_match_the_closed_form():
    city = strip()
    v = np.array([0.0, 35.0, 0.0, 10.0, 3.0])
    v0 = v.copy()
    level = _target(city)
    for _ in range(23):
        _day(dict(P, vigilante_killing_rate=0.0), np.random.default_rng(0), v, **city)
    expected = level + (v0 - level) * math.exp(-23.0 / 14.0)
    expected[0] = 0.0
    np.testing.assert_allclose(v, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(vg.relax(v0, level, 14.0, days=23.0)[1:], expected[1:], rtol=1e-12)
    assert v[3] < v0[3] and v[1] < v0[1]  # above the target (0 and 20) they fall


def test_the_target_is_zero_away_from_gangs_and_in_gang_cells():
    city = dict(nbr=moore(3, 3), controller=np.array([0, -1, -1, -1, -1, -1, -1, -1, -1]),
                land=np.ones(9, bool), violence=np.zeros(9), presence=np.zeros(9), population=np.full(9, 1000.0))
    level = _target(city)
    assert level[0] == 0.0  # gang-held
    assert (level[[1, 3, 4]] == 20.0).all() and (level[[2, 5, 6, 7, 8]] == 0.0).all()
    violent = _target(dict(city, violence=np.full(9, 1e3)))
    assert (violent[[0, 2, 5, 6, 7, 8]] == 0.0).all()  # violence alone makes no threat off the border
    for key, cell in (("land", 1), ("population", 3)):  # off land, or without residents: none either
        changed = dict(city, **{key: np.where(np.arange(9) == cell, 0, city[key]).astype(city[key].dtype)})
        assert _target(changed)[cell] == 0.0 and _target(changed)[4] == 20.0


def test_the_target_rises_with_violence_falls_with_presence_and_is_bounded():
    city = strip(n=2)
    levels = []
    for deaths in (0.0, 1.0, 5.0, 50.0, 1e9):
        levels.append(_target(dict(city, violence=np.array([0.0, deaths])))[1])
    assert all(a < b for a, b in zip(levels, levels[1:])) and levels[-1] <= 40.0
    assert levels[2] == pytest.approx(40.0 * 2.0 / 3.0)  # threat 2 at the violence scale
    assert levels[-1] == pytest.approx(40.0, rel=1e-6)
    guarded = [_target(dict(city, presence=np.array([0.0, s])))[1] for s in (0.0, 10.0, 30.0, 300.0)]
    assert all(a > b for a, b in zip(guarded, guarded[1:]))
    assert guarded[2] == pytest.approx(guarded[0] / 2.0)  # presence at the protection scale halves it


def test_a_gang_taking_the_cell_resets_vigilance():
    city = strip(gang_cells=(0, 1))
    v = np.array([0.0, 30.0, 25.0, 0.0, 0.0])
    _day(P, np.random.default_rng(3), v, **city)
    assert v[1] == 0.0 and v[2] > 0.0


def test_zero_rate_kills_nobody():
    city = strip()
    v = np.full(5, 40.0)
    out = vg.killings(np.random.default_rng(1), v, controller=city["controller"], nbr=city["nbr"],
                      population=city["population"], strength=city["strength"] * 1e6, members=city["members"],
                      killing_rate=0.0, gang_share=0.5)
    assert not out.residents_killed.any() and not out.members_killed.any() and len(out.log) == 0


def _pairs_city(n: int, strength: float = 20.0, members: float = 1e9, population: float = 1e9):
    controller = np.tile([-1, 0], n)
    return dict(controller=controller, nbr=pairs(n), population=np.full(2 * n, population),
                strength=np.where(controller >= 0, strength, 0.0), members=np.array([members]))


def test_the_mean_kill_is_rate_times_vigilance_times_bordering_members():
    n, rate, vigil, strength = 20000, 2.5e-3, 30.0, 20.0
    city = _pairs_city(n, strength)
    v = np.tile([vigil, 0.0], n)
    out = vg.killings(np.random.default_rng(7), v, killing_rate=rate, gang_share=0.5, **city)
    kills = (out.residents_killed + np.bincount(out.log[:, 0].astype(int), weights=out.log[:, 3],
                                                minlength=2 * n))[0::2]
    lam = rate * vigil * strength  # 1.5 a cell
    assert abs(kills.mean() - lam) < 4.0 * math.sqrt(lam / n)
    assert not out.residents_killed[1::2].any()  # gang cells have no vigilantes


def test_the_gang_share_splits_the_kills():
    n, share = 20000, 0.6
    city = _pairs_city(n)
    out = vg.killings(np.random.default_rng(11), np.tile([30.0, 0.0], n), killing_rate=2.5e-3, gang_share=share,
                      **city)
    gang, residents = out.members_killed.sum(), out.residents_killed.sum()
    total = gang + residents
    assert abs(gang / total - share) < 4.0 * math.sqrt(share * (1 - share) / total)
    one_sided = vg.killings(np.random.default_rng(11), np.tile([30.0, 0.0], n), killing_rate=2.5e-3,
                            gang_share=1.0, **city)
    assert one_sided.residents_killed.sum() == 0 and one_sided.members_killed.sum() > 0


def test_residents_killed_do_not_exceed_the_residents():
    city = _pairs_city(50, population=2.7)
    out = vg.killings(np.random.default_rng(5), np.tile([40.0, 0.0], 50), killing_rate=1.0, gang_share=0.0, **city)
    assert (out.residents_killed[0::2] == 2.0).all() and out.members_killed.sum() == 0.0


def test_a_group_loses_at_most_its_members_scaled_over_its_cells():
    # 3 x 3: group 0 holds cell 0, group 1 holds cell 8; free cells around them kill with a huge rate
    controller = np.array([0, -1, -1, -1, -1, -1, -1, -1, 1])
    members = np.array([3.0, 1e9])
    strength = np.where(controller >= 0, 100.0, 0.0)
    v = np.where(controller < 0, 40.0, 0.0)
    out = vg.killings(np.random.default_rng(2), v, controller=controller, nbr=moore(3, 3),
                      population=np.full(9, 1e6), strength=strength, members=members, killing_rate=1.0,
                      gang_share=1.0)
    assert out.members_killed[0] == pytest.approx(3.0)
    rows = {int(c): g for c, _, _, g in out.log}
    group0 = [rows.get(c, 0.0) for c in (1, 3)]  # charged to group 0 only (cell 4 borders both: ties to first)
    assert sum(group0) + rows.get(4, 0.0) == pytest.approx(3.0)
    assert out.members_killed[1] == pytest.approx(sum(rows.get(c, 0.0) for c in (5, 7)))
    assert all(float(rows.get(c, 0.0)).is_integer() for c in (5, 7)) and out.members_killed[1] > 1000


def test_the_same_seed_gives_the_same_day():
    def run(seed):
        city = strip(n=7, gang_cells=(0, 6))
        v = np.full(7, 10.0)
        out = _day(dict(P, vigilante_killing_rate=0.05), np.random.default_rng(seed), v, **city)
        return v, out
    (v1, a), (v2, b), (_, c) = run(4), run(4), run(5)
    np.testing.assert_array_equal(v1, v2)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))


def test_a_neighbour_listed_twice_is_counted_once():
    # cell 0 free; its table lists cell 1 (group 0) twice, cells 2 and 3 (group 1) once each
    controller = np.array([-1, 0, 1, 1])
    nbr = np.repeat(np.arange(4)[:, None], 8, axis=1)
    nbr[0, :4] = [1, 1, 2, 3]
    strength = np.array([0.0, 10.0, 7.0, 5.0])
    many = vg.killings(np.random.default_rng(0), np.array([1.0, 0, 0, 0]), controller=controller, nbr=nbr,
                       population=np.full(4, 1e9), strength=strength, members=np.array([1e9, 1e9]),
                       killing_rate=1000.0, gang_share=0.0)  # mean 1,000 x 22 members next door (not 32)
    assert abs(many.residents_killed[0] - 22_000.0) < 5 * 22_000.0 ** 0.5
    assert vg.charged_group(controller, nbr)[0] == 1  # two distinct cells of group 1 against one of group 0
    tie = nbr.copy()
    tie[0, :4] = [1, 1, 2, 0]  # one cell each (and the cell itself): the first listed
    assert vg.charged_group(controller, tie)[0] == 0
    out = vg.killings(np.random.default_rng(0), np.array([1.0, 0, 0, 0]), controller=controller, nbr=nbr,
                      population=np.full(4, 100.0), strength=strength, members=np.array([1e6, 1e6]),
                      killing_rate=100.0, gang_share=1.0)
    assert out.members_killed[0] == 0.0 and out.members_killed[1] > 0.0
    assert not vg.bordering(np.array([-1, -1]), np.zeros((2, 8), np.int64)).any()  # self-padding is no border


def test_the_log_matches_the_arrays():
    n = 400
    city = _pairs_city(n, strength=5.0, population=3.0)
    out = vg.killings(np.random.default_rng(9), np.tile([10.0, 0.0], n), killing_rate=0.01, gang_share=0.5,
                      **city)
    cells = out.log[:, 0].astype(int)
    assert out.log.shape[1] == len(vg.KILL_LOG) == 4 and (np.diff(cells) > 0).all() and 0 < len(cells) < n
    np.testing.assert_array_equal(out.log[:, 1], vg.charged_group(city["controller"], city["nbr"])[cells])
    np.testing.assert_array_equal(out.log[:, 2], out.residents_killed[cells])
    assert out.residents_killed.sum() == out.log[:, 2].sum()  # no killing outside the log
    assert out.members_killed.sum() == pytest.approx(out.log[:, 3].sum())
    assert ((out.log[:, 2] + out.log[:, 3]) > 0).all()


def test_the_day_kills_from_the_new_vigilance_and_reads_its_parameters():
    read = set()

    class Seen(dict):
        def __getitem__(self, key):
            read.add(key)
            return dict.__getitem__(self, key)

    city = strip(gang_cells=(0,))
    city["strength"] = np.where(city["controller"] >= 0, 1e6, 0.0)
    v = np.zeros(5)
    out = _day(Seen(P, vigilante_killing_rate=1.0), np.random.default_rng(1), v, **city)
    assert v[1] > 0 and out.log[:, 0].tolist() == [1.0]  # started at 0: only today's vigilance kills
    assert read == set(vg.PARAMETERS)
