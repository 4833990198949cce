"""The gang economy: extortion, road tolls, kidnapping ransoms and blockades; spending on arms.

Sources: extortion, tolls on RN2 and RN8, kidnapping ransoms and blockades of fuel and ports (record:
GI-TOC, local press [S]); arms trafficked mainly from the US (record: UN experts [S]) at a rate the arms
embargo and port and border control reduce (resolution 2699 §13-14, seed 000_0ef45d2968df0eb0).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms import recruitment
from sim.mechanisms.jit import njit, pairwise_sum


@njit
def revenue(controller: np.ndarray, population: np.ndarray, road: np.ndarray, blockaded_sites: np.ndarray,
            site_cells: np.ndarray, kidnappings: np.ndarray, n_gangs: int, extortion: float, toll: float,
            blockade: float, ransom: float) -> np.ndarray:
    """Daily revenue of each group (USD) from the cells and sites it holds and the kidnappings in them."""
    per_cell = extortion * population + toll * road + ransom * kidnappings
    out = np.zeros(n_gangs)
    for i in range(len(controller)):  # each group's cells in order, as np.bincount adds
        if controller[i] >= 0:
            out[controller[i]] += per_cell[i]
    sites = np.zeros(n_gangs)
    for k in range(len(site_cells)):
        owner = controller[site_cells[k]]
        if blockaded_sites[k] and owner >= 0:
            sites[owner] += 1.0
    out += blockade * sites
    return out


@njit
def arms_offered(supply_per_day: float, embargo_effectiveness: float) -> float:
    """Weapons reaching the metro area per day after the embargo's share is stopped."""
    return supply_per_day * (1.0 - embargo_effectiveness)


@njit
def buy_arms(cash: np.ndarray, members: np.ndarray, arms: np.ndarray, offered: float,
             price: float) -> tuple[np.ndarray, np.ndarray]:
    """Groups buy weapons for unarmed members, sharing the day's supply in proportion to their cash.

    Returns ``(weapons bought, cash spent)`` per group.
    """
    demand = np.maximum(members - arms, 0.0)
    total_cash = pairwise_sum(cash)
    share = cash / total_cash if total_cash > 0 else np.zeros_like(cash)
    bought = np.minimum(np.minimum(demand, offered * share), cash / price)
    return bought, bought * price


@njit
def one_day(rng: np.random.Generator, controller: np.ndarray, population: np.ndarray, trust: np.ndarray,
            road: np.ndarray, site_cells: np.ndarray, fuel_sites: np.ndarray, kidnappings: np.ndarray,
            cash: np.ndarray, members: np.ndarray, arms: np.ndarray, displaced_share: float, trust_initial: float,
            extortion: float, toll: float, blockade: float, ransom: float, recruitment_rate: float,
            recruit_cost: float, desertion_rate: float, arms_per_day: float, embargo: float,
            arms_price: float) -> None:
    """A day of the groups' finances and ranks, in place: :func:`revenue` into ``cash``, recruits drawn
    from :func:`recruitment.recruits_expected` (paid for, within the people of the territory, less willing
    where trust in the state is high), deserters, then weapons bought (:func:`buy_arms`).

    Draws every group's recruits, then every group's deserters (NumPy draws nothing for a zero mean).
    """
    g = len(members)
    blockaded = controller[site_cells] != -1
    cash += revenue(controller, population, road, blockaded, site_cells, kidnappings, g, extortion, toll,
                    blockade, ransom)
    territory_pop = np.zeros(g)
    territory_trust = np.zeros(g)
    for i in range(len(controller)):  # each group's cells in order, as np.bincount adds
        if controller[i] != -1:
            territory_pop[controller[i]] += population[i]
            territory_trust[controller[i]] += trust[i] * population[i]
    mean_trust = np.full(g, trust_initial)
    for k in range(g):
        if territory_pop[k] > 0:
            mean_trust[k] = territory_trust[k] / territory_pop[k]
    hard = recruitment.hardship(bool((blockaded & fuel_sites).any()), displaced_share)
    wanted = recruitment.recruits_expected(members, territory_pop, mean_trust, cash, recruitment_rate, hard,
                                           recruit_cost)
    recruits = np.zeros(g)
    for k in range(g):
        if wanted[k] > 0:
            recruits[k] = min(float(rng.poisson(wanted[k])), np.floor(cash[k] / recruit_cost))
    cash -= recruits * recruit_cost
    leaving = recruitment.desertions_expected(members, desertion_rate)
    deserters = np.zeros(g)
    for k in range(g):
        if leaving[k] > 0:
            deserters[k] = rng.poisson(leaving[k])
    members[:] = np.maximum(0.0, members + recruits - deserters)
    bought, spent = buy_arms(cash, members, arms, arms_offered(arms_per_day, embargo), arms_price)
    arms += bought
    cash[:] = np.maximum(0.0, cash - spent)
