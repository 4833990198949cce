"""Settlement at the start: the 2019 residents carried to the start date, the built-up capital, and the people
already displaced from gang-held ground (:func:`displace_from_held`; :mod:`papsim.mechanisms.displacement`
records them as stocks).

Sources: IHSI/UNFPA 2019 estimates by communal section (OCHA COD-AB, the map data); growth is an assumption
(``population_growth_per_year``, Haiti ~1.2% a year, UN WPP [NV]); ~200,000 displaced in Oct 2023 (seed 004)
and >310,000 nationally in Dec 2023, 94% from the West (IOM) [V]: the record's displacement before the start
(``displaced_at_start``). The built-up capital (``urban_density_km2``) is where the record's territory
shares apply (gangs hold ~80% of the capital, UN via AP [V]); it is a measurement choice, not a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

PARAMETERS: tuple[str, ...] = ("population_growth_per_year", "urban_density_km2")
ESTIMATE_DATE = dt.date(2019, 7, 1)  # the IHSI/UNFPA 2019 estimates are taken as mid-year


def grown(population_2019: np.ndarray, growth_per_year: float, start: dt.date) -> np.ndarray:
    """Residents on ``start``: the 2019 estimate compounded at ``growth_per_year`` (exactly ``(1+g)^years``)."""
    years = (start - ESTIMATE_DATE).days / 365.25
    return population_2019 * (1.0 + growth_per_year) ** years


def urban_cells(population: np.ndarray, commune: np.ndarray, n_communes: int, area_km2: float,
                threshold_km2: float) -> np.ndarray:
    """The built-up capital: cells with at least ``threshold_km2`` residents per km2, plus the densest cell of
    every commune (so that every commune has a territory share at every resolution)."""
    urban = population / area_km2 >= threshold_km2
    for c in range(n_communes):
        cells = np.flatnonzero(commune == c)
        if len(cells):
            urban[cells[np.argmax(population[cells])]] = True
    return urban


def displace_from_held(population: np.ndarray, gang_held: np.ndarray, count: float) -> tuple[np.ndarray, np.ndarray]:
    """``count`` people moved out of the gang-held cells (in proportion to their residents, at most all of
    them) into the cells no gang holds (in proportion to theirs). Returns ``(population, displaced hosted per
    cell)``; the total is unchanged."""
    held_pop = np.where(gang_held, population, 0.0)
    free_pop = np.where(gang_held, 0.0, population)
    moved = min(float(count), float(held_pop.sum())) if free_pop.sum() > 0 else 0.0
    if moved <= 0:
        return population.copy(), np.zeros_like(population)
    hosted = moved * free_pop / free_pop.sum()
    return population - moved * held_pop / held_pop.sum() + hosted, hosted


def initial(p: Mapping, population_2019: np.ndarray, commune: np.ndarray, n_communes: int, area_km2: float,
            start: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(residents on the start date, the built-up capital's cells) before any displacement."""
    population = grown(population_2019, p["population_growth_per_year"], start)
    return population, urban_cells(population, commune, n_communes, area_km2, p["urban_density_km2"])
