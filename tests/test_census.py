"""The day's census: its counts are the sums they name, per commune and for the city, in a fixed order."""

from __future__ import annotations

import numpy as np
import pytest

from papsim import kernels
from papsim.kernels import NUMPY
from papsim.mechanisms import census
from bitwise import same


def cells(seed: int, n: int = 300, communes: int = 5) -> dict:
    g = np.random.default_rng(seed)
    held = g.random(n) < 0.4
    contested = g.random(n) < 0.2
    starts = np.r_[0, np.sort(g.choice(np.arange(1, n), communes - 1, replace=False))]
    units = int(g.integers(0, 40))
    return {"population": g.gamma(2.0, 400.0, n) * (g.random(n) < 0.9), "held": held,
            "secure": ~held & ~contested, "contested": contested, "trust": g.random(n),
            "held_until": g.integers(-1, 40, n), "today": 20, "urban": g.random(n) < 0.5,
            "killed": g.poisson(0.05, n).astype(float), "displaced": g.random(n) * 50,
            "commune_starts": starts, "unit_cell": g.integers(-1, n, units), "unit_personnel": g.random(units) * 150,
            "cell_commune": np.searchsorted(starts, np.arange(n), side="right") - 1}


def test_the_counts_are_the_sums_they_name():
    a = cells(1)
    city, table = census.day(NUMPY, **a)
    pop, held = a["population"], a["held"]
    assert city.residents == pytest.approx(pop.sum())
    assert city.gang_held_residents == pytest.approx(pop[held].sum())
    assert city.secure_residents == pytest.approx(pop[a["secure"]].sum())
    assert city.trust_residents == pytest.approx((a["trust"] * pop).sum())
    assert city.contested_cells == a["contested"].sum()
    assert city.cells_held == (a["held_until"] > a["today"]).sum()
    commune = a["cell_commune"]
    assert table.shape == (len(census.COMMUNE_ROWS), len(a["commune_starts"]))
    for c in range(len(a["commune_starts"])):
        inside = commune == c
        expected = [(held & a["urban"] & inside).sum(), pop[held & inside].sum(), pop[inside].sum(),
                    a["killed"][inside].sum(), a["displaced"][inside].sum(),
                    a["unit_personnel"][(a["unit_cell"] >= 0) & inside[a["unit_cell"]]].sum()]
        assert table[:, c] == pytest.approx(expected)
    assert table[2].sum() == pytest.approx(city.residents)  # the communes part the city


def test_sums_do_not_depend_on_the_machine_blas():
    a = cells(2, n=5000)
    city = census.day(NUMPY, **a)[0]
    assert city.trust_residents == float((a["trust"] * a["population"]).sum())  # pairwise, not np.dot
    assert city.gang_held_residents == float(np.where(a["held"], a["population"], 0.0).sum())


def test_the_twin_gives_the_same_bits_on_random_cells():
    state = kernels.twins()["census"]
    if not state.usable:
        pytest.skip(f"census: {state.reason}")
    for seed in range(100):
        g = np.random.default_rng(seed)
        n = int(g.integers(1, 700))
        a = cells(seed, n=n, communes=int(g.integers(1, min(n, 12) + 1)))
        a["population"][g.random(n) < 0.1] = -0.0  # signed zeros keep their sign in the sums
        expected = NUMPY.census.count(*a.values())
        assert same(expected, state.built.count(*a.values())), seed
