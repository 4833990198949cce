"""Force posture: static protection of key sites versus dynamic operations, targets and joint operations.

Sources: resolution 2699 mandates support to HNP-led joint operations and protection of the airport,
ports, schools, hospitals and key intersections (seed 000_0ef45d2968df0eb0); active patrolling of public
spaces and the demands of holding liberated areas (seed 002_d688c9cc41807fef).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import njit

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


@njit
def choose_targets(score: np.ndarray, n_ops: int, jitter: np.ndarray) -> np.ndarray:
    """Indices of the ``n_ops`` best-scoring cells, best first; fewer if fewer are valid (finite).

    A cell's key is its score plus a tie-breaking ``jitter`` (uniform draws) of a millionth of the score's
    size; equal keys go to the lower index. The best keys are kept in a sorted buffer, so the work is one
    pass over the cells for the few targets of a day.
    """
    best = np.empty(max(n_ops, 0), np.int64)
    keys = np.empty(max(n_ops, 0))
    found = 0
    for i in range(len(score)):
        s = score[i]
        if not np.isfinite(s):
            continue
        key = s + jitter[i] * 1e-6 * (abs(s) + 1.0)
        if found == n_ops and (n_ops == 0 or key <= keys[found - 1]):
            continue
        j = found if found < n_ops else n_ops - 1  # the new key goes in at j or above
        while j > 0 and keys[j - 1] < key:
            keys[j] = keys[j - 1]
            best[j] = best[j - 1]
            j -= 1
        keys[j] = key
        best[j] = i
        found = min(found + 1, n_ops)
    return best[:found]


def keep_holds(held_until: np.ndarray, day: int, capacity: int) -> np.ndarray:
    """Holds that the available units can keep: the ``capacity`` with the most days left; returns a mask."""
    held = np.flatnonzero(held_until > day)
    keep = np.zeros(len(held_until), bool)
    if capacity <= 0 or len(held) == 0:
        return keep
    if len(held) > capacity:
        held = held[np.argsort(-held_until[held], kind="stable")[:capacity]]
    keep[held] = True
    return keep
