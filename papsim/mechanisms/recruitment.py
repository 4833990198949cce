"""Recruitment and losses of gang members.

Recruits come from the population near gang territory, driven by hardship, low trust in the state and the
group's cash; children are 30-50% of members and child recruitment rose 70% in a year (record: UNICEF,
Nov 2024 [V]). Members are lost through deaths, arrests (see combat) and desertion.
"""

from __future__ import annotations

import numpy as np

PARAMETERS: tuple[str, ...] = ()  # pure helpers: the steps calling them read the parameters


def hardship(fuel_blockaded: bool, displaced_share: float) -> float:
    """Hardship index in [0.5, 1]: a base, plus fuel blockades (Varreux, record [V]) and displacement.

    Assumption: the record names poverty and unemployment as root causes (seed 002) but gives no index.
    """
    return min(1.0, 0.5 + 0.3 * float(fuel_blockaded) + displaced_share)


def recruits_expected(members: np.ndarray, territory_population: np.ndarray, trust: np.ndarray,
                      cash: np.ndarray, rate: float, hardship_index: float, cost: float) -> np.ndarray:
    """Expected recruits per group per day.

    ``rate * members * hardship * (1 - trust)``, limited by what the group can pay (``cash / cost``) and by
    1% of the population in its territory (the pool of young people within reach, an assumption).
    """
    wanted = rate * members * hardship_index * (1.0 - trust)
    return np.minimum(np.minimum(wanted, cash / cost), 0.01 * territory_population)


def desertions_expected(members: np.ndarray, rate: float) -> np.ndarray:
    """Expected members leaving each group per day."""
    return rate * members
