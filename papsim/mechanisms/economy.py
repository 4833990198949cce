"""The gang economy: extortion, road tolls, kidnapping ransoms and blockades; spending on arms.

Sources: extortion, tolls on RN2 and RN8, kidnapping ransoms and blockades of fuel and ports (record:
GI-TOC, local press [S]); arms trafficked mainly from the US (record: UN experts [S]) at a rate the arms
embargo and port and border control reduce (resolution 2699 §13-14, seed 000_0ef45d2968df0eb0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from papsim.mechanisms import Gangs, Grid, recruitment

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = (
    "trust_initial", "extortion_usd_per_person_day", "toll_usd_per_road_cell_day", "blockade_usd_per_site_day",
    "ransom_usd", "recruitment_rate", "recruit_cost_usd", "desertion_rate", "arms_supply_per_day",
    "arms_embargo_effectiveness", "arms_price_usd")


class Prices(NamedTuple):
    """The parameters of a day of the gang economy."""

    trust_initial: float
    extortion: float
    toll: float
    blockade: float
    ransom: float
    recruitment_rate: float
    recruit_cost: float
    desertion_rate: float
    arms_per_day: float
    embargo: float
    arms_price: float


def revenue(controller: np.ndarray, population: np.ndarray, road: np.ndarray, blockaded_sites: np.ndarray,
            site_cells: np.ndarray, kidnappings: np.ndarray, n_gangs: int, extortion: float, toll: float,
            blockade: float, ransom: float) -> np.ndarray:
    """Daily revenue of each group (USD) from the cells and sites it holds and the kidnappings in them."""
    per_cell = extortion * population + toll * road + ransom * kidnappings
    # bin 0 collects the cells of no gang and is dropped; each group's cells are summed in the same order
    out = np.bincount(controller + 1, weights=per_cell, minlength=n_gangs + 1)[1:].astype(float)
    site_owner = controller[site_cells]
    mask = blockaded_sites & (site_owner >= 0)
    out += blockade * np.bincount(site_owner[mask], minlength=n_gangs)
    return out


def arms_offered(supply_per_day: float, embargo_effectiveness: float) -> float:
    """Weapons reaching the metro area per day after the embargo's share is stopped."""
    return supply_per_day * (1.0 - embargo_effectiveness)


def buy_arms(cash: np.ndarray, members: np.ndarray, arms: np.ndarray, offered: float,
             price: float) -> tuple[np.ndarray, np.ndarray]:
    """Groups buy weapons for unarmed members, sharing the day's supply in proportion to their cash.

    Returns ``(weapons bought, cash spent)`` per group.
    """
    demand = np.maximum(members - arms, 0.0)
    total_cash = cash.sum()
    share = cash / total_cash if total_cash > 0 else np.zeros_like(cash)
    bought = np.minimum(np.minimum(demand, offered * share), cash / price)
    return bought, bought * price


def one_day(rng: np.random.Generator, gangs: Gangs, grid: Grid, *, controller: np.ndarray, population: np.ndarray,
            trust: np.ndarray, kidnappings: np.ndarray, displaced_share: float, prices: Prices) -> None:
    """A day of the groups' finances and ranks, in place: :func:`revenue` into the cash; recruits drawn
    from :func:`recruitment.recruits_expected` (paid for, within the people of the territory, less willing
    where trust in the state is high; a territory with nobody reads ``trust_initial``); deserters; then
    weapons bought (:func:`buy_arms`). Every site a group holds is blockaded. Draws every group's recruits,
    then every group's deserters.
    """
    cash, members, arms = gangs.cash, gangs.members, gangs.arms
    g = len(members)
    site_cells = grid.site_cells
    blockaded = controller[site_cells] != -1
    cash += revenue(controller, population, grid.road, blockaded, site_cells, kidnappings, g, prices.extortion,
                    prices.toll, prices.blockade, prices.ransom)
    # per group, over its cells in order (bin 0 collects the cells of no gang and is dropped)
    group = controller + 1
    territory_pop = np.bincount(group, weights=population, minlength=g + 1)[1:]
    territory_trust = np.bincount(group, weights=trust * population, minlength=g + 1)[1:]
    mean_trust = np.divide(territory_trust, territory_pop, out=np.full(g, prices.trust_initial),
                           where=territory_pop > 0)
    hard = recruitment.hardship(bool((blockaded & grid.fuel_sites).any()), displaced_share)
    recruits = rng.poisson(recruitment.recruits_expected(members, territory_pop, mean_trust, cash,
                                                         prices.recruitment_rate, hard, prices.recruit_cost)
                           ).astype(float)
    recruits = np.minimum(recruits, np.floor(cash / prices.recruit_cost))
    cash -= recruits * prices.recruit_cost
    deserters = rng.poisson(recruitment.desertions_expected(members, prices.desertion_rate))
    members[:] = np.maximum(0.0, members + recruits - deserters)
    bought, spent = buy_arms(cash, members, arms, arms_offered(prices.arms_per_day, prices.embargo),
                             prices.arms_price)
    arms += bought
    cash[:] = np.maximum(0.0, cash - spent)


def day(k: Kernels, p: Mapping, rng: np.random.Generator, gangs: Gangs, grid: Grid, *, controller: np.ndarray,
        population: np.ndarray, trust: np.ndarray, kidnappings: np.ndarray, displaced_share: float) -> None:
    """The day of the gang economy (:func:`one_day`) at the scenario's prices, in place."""
    prices = Prices(p["trust_initial"], p["extortion_usd_per_person_day"], p["toll_usd_per_road_cell_day"],
                    p["blockade_usd_per_site_day"], p["ransom_usd"], p["recruitment_rate"], p["recruit_cost_usd"],
                    p["desertion_rate"], p["arms_supply_per_day"], p["arms_embargo_effectiveness"],
                    p["arms_price_usd"])
    k.economy.one_day(rng, gangs, grid, controller=controller, population=population, trust=trust,
                      kidnappings=kidnappings, displaced_share=displaced_share, prices=prices)
