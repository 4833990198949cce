"""Force posture: static protection of key sites versus dynamic operations, targets and joint operations.

Sources: resolution 2699 mandates support to HNP-led joint operations and protection of the airport,
ports, schools, hospitals and key intersections (seed 000_0ef45d2968df0eb0); active patrolling of public
spaces and the demands of holding liberated areas (seed 002_d688c9cc41807fef).
"""

from __future__ import annotations

import numpy as np

TARGET_RULES = ("border", "population", "strength", "sites")


def units_per_site(n_static: int, priority: np.ndarray) -> np.ndarray:
    """Static units at each site, in proportion to priority (largest remainder, ties to the first listed)."""
    if n_static <= 0 or len(priority) == 0:
        return np.zeros(len(priority), dtype=np.int64)
    quota = n_static * priority / priority.sum()
    base = np.floor(quota).astype(np.int64)
    rest = n_static - base.sum()
    order = np.argsort(-(quota - base), kind="stable")[:rest]
    base[order] += 1
    return base


def joint_mss_units(hnp_dynamic: int, mss_dynamic: int, mss_per_hnp: float, independent: bool) -> int:
    """MSS units that can take part in operations: HNP-led joint operations cap them unless independent."""
    if independent:
        return mss_dynamic
    return int(min(mss_dynamic, np.floor(mss_per_hnp * hnp_dynamic)))


def target_scores(rule: str, controller: np.ndarray, population: np.ndarray, strength: np.ndarray,
                  frontier: np.ndarray, site_distance: np.ndarray) -> np.ndarray:
    """Score of each gang cell as a target under ``rule`` (higher is chosen first; -inf for no gang)."""
    if rule == "border":
        score = frontier * 1e6 + population
    elif rule == "population":
        score = population.astype(float)
    elif rule == "strength":
        score = strength.astype(float)
    elif rule == "sites":
        score = -site_distance
    else:
        raise ValueError(f"unknown target rule {rule!r}; expected one of {TARGET_RULES}")
    return np.where(controller >= 0, score, -np.inf)


def choose_targets(score: np.ndarray, n_ops: int, jitter: np.ndarray) -> np.ndarray:
    """Indices of the ``n_ops`` best-scoring cells, best first; fewer if fewer are valid (finite).

    A cell's key is its score plus a tie-breaking ``jitter`` (uniform draws) of a millionth of the score's
    size; equal keys go to the lower index.
    """
    valid = np.isfinite(score).nonzero()[0]
    n = int(min(n_ops, len(valid)))
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    s = score[valid]
    key = np.full(len(score), -np.inf)
    key[valid] = s + jitter[valid] * 1e-6 * (np.abs(s) + 1.0)
    np.negative(key, out=key)
    top = np.sort(np.argpartition(key, n - 1)[:n])
    last = key[top].max()
    if np.count_nonzero(key == last) > np.count_nonzero(key[top] == last):  # equals of the last left out
        top = np.concatenate((np.flatnonzero(key < last), np.flatnonzero(key == last)))[:n]
    return top[np.argsort(key[top], kind="stable")]


def keep_holds(held_until: np.ndarray, day: int, capacity: int) -> np.ndarray:
    """Holds that the available units can keep: the ``capacity`` with the most days left (the lower index
    among equals); returns a mask."""
    held = np.flatnonzero(held_until > day)
    keep = np.zeros(len(held_until), bool)
    if capacity <= 0 or len(held) == 0:
        return keep
    if len(held) > capacity:
        held = held[np.argsort(-held_until[held], kind="stable")[:capacity]]
    keep[held] = True
    return keep
