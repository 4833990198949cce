"""Force posture: static protection of key sites versus dynamic operations, targets and joint operations.

Sources: resolution 2699 mandates support to HNP-led joint operations and protection of the airport,
ports, schools, hospitals and key intersections (seed 000_0ef45d2968df0eb0); active patrolling of public
spaces and the demands of holding liberated areas (seed 002_d688c9cc41807fef); ground cleared held by
permanent posts of 30-40 (MINUSTAH's Bel Air checkpoint of 2005, Cite Soleil's strongpoints of 2007, "Strong
Point 16" still held in 2010; record additions 9 [V]).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from papsim.mechanisms import combat, personnel, phases, territory

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("unit_size", "hnp_static_share", "mss_static_share", "patrol_share",
                               "mss_per_hnp_in_joint_ops", "mss_independent_ops", "mss_joint_patrols_day",
                               "post_share")
TARGET_RULES = ("border", "population", "strength", "sites")
STATIC, PATROL, HOLD, OPERATION, RESERVE = 1, 2, 3, 4, 5  # unit roles (papsim.agents.ROLES)
POST_HELD_UNTIL = 10**9
"""A post set up on day ``t`` (a cell an operation cleared) is held until day ``POST_HELD_UNTIL − t``, which no
run reaches: it is held until lost in a fight or until fewer units can hold the posts, and
:func:`keep_holds`, which keeps the most days left, keeps the oldest."""


class Deployment(NamedTuple):
    """Where the units are this morning."""

    presence: np.ndarray  # effectiveness present per cell
    raiders: np.ndarray  # ids of the units free for operations, best placed first
    patrolled: np.ndarray  # 1.0 in patrolled cells


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


def target_scores(rule: str, cells: np.ndarray, population: np.ndarray, strength: np.ndarray,
                  frontier: np.ndarray, site_distance: np.ndarray) -> np.ndarray:
    """Score of each of ``cells`` (the gang cells) as a target under ``rule``, higher chosen first; worked
    out for those cells only, as the other cells are never targets."""
    if rule == "border":
        return frontier[cells] * 1e6 + population[cells]
    if rule == "population":
        return population[cells].astype(float, copy=False)
    if rule == "strength":
        return strength[cells].astype(float, copy=False)
    if rule == "sites":
        return -site_distance[cells]
    raise ValueError(f"unknown target rule {rule!r}; expected one of {TARGET_RULES}")


def choose_targets(score: np.ndarray, n_ops: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of the ``n_ops`` best-scoring cells, best first; fewer if fewer are valid (finite).

    A valid cell's key is its score plus a tie-breaking jitter of a millionth of the score's size: one
    uniform draw per valid cell, in cell order (``rng.random(number of valid cells)``; invalid cells draw
    nothing, and nothing is drawn at all when ``n_ops <= 0``, as nothing is chosen). Equal keys go to the
    lower index.
    """
    if n_ops <= 0:
        return np.zeros(0, dtype=np.int64)
    valid = np.isfinite(score).nonzero()[0]
    s = score[valid]
    key = s + rng.random(len(valid)) * 1e-6 * (np.abs(s) + 1.0)
    np.negative(key, out=key)
    n = min(n_ops, len(valid))
    if n == len(valid):
        return valid[np.argsort(key, kind="stable")]
    top = np.sort(np.argpartition(key, n - 1)[:n])
    last = key[top].max()
    if np.count_nonzero(key == last) > np.count_nonzero(key[top] == last):  # equals of the last left out
        top = np.concatenate((np.flatnonzero(key < last), np.flatnonzero(key == last)))[:n]
    return valid[top[np.argsort(key[top], kind="stable")]]


def keep_holds(held_until: np.ndarray, day: int, capacity: int, free: np.ndarray) -> np.ndarray:
    """Keep the holds the available units can: of the cells held after ``day``, the ``capacity`` with the
    most days left (the lower index among equals; of posts, the oldest: :data:`POST_HELD_UNTIL`), manned where
    no gang has retaken the cell (``free``).
    Every other hold lapses today (``held_until`` set to ``day``, in place). Returns the cells kept, in
    index order."""
    held = (held_until > day).nonzero()[0]
    kept = free[held]
    if len(held) > capacity:
        chosen = np.zeros(len(held), bool)
        chosen[np.argsort(-held_until[held], kind="stable")[:max(capacity, 0)]] = True
        kept &= chosen
    held_until[held[~kept]] = day
    return held[kept]


def roles(active: int, static_share: float, patrol_share: float) -> tuple[int, int, int]:
    """(static, patrol, raid-capable) unit counts of one force with ``active`` units."""
    n_static = int(round(active * static_share))
    n_patrol = int(round((active - n_static) * patrol_share))
    return n_static, n_patrol, active - n_static - n_patrol


def mss_static_share(p: Mapping, phase: int, day: int) -> float:
    """The MSS guards key sites only during deployment until ``mss_joint_patrols_day`` (the record: its first
    joint patrol with the HNP on 28 Jun 2024, three days after the first contingent landed), then follows
    its posture."""
    return 1.0 if phase == phases.DEPLOYMENT and day < p["mss_joint_patrols_day"] else p["mss_static_share"]


def staff(units: personnel.Units, hnp: float, mss: float, unit_size: int) -> tuple[int, int]:
    """Fill the units with today's personnel (:func:`personnel.fill`) and set their effectiveness (personnel
    times :func:`combat.effectiveness`), in place; returns the (HNP, MSS) units with anyone in them."""
    personnel.fill(units, hnp, mss, unit_size)
    np.multiply(units.personnel, combat.effectiveness(units.training, units.equipment, units.readiness,
                                                      units.morale), out=units.effectiveness)
    nh = units.n_hnp
    return int(np.count_nonzero(units.personnel[:nh])), int(np.count_nonzero(units.personnel[nh:]))


def place(units: personnel.Units, active_hnp: int, active_mss: int, static_hnp: int, static_mss: int,
          patrol_hnp: int, joint_mss: int, static_cells: np.ndarray, hold_cells: np.ndarray, free: np.ndarray,
          frontier: np.ndarray, population: np.ndarray,
          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Roles and places of the staffed units (:func:`staff`), from the role counts of :func:`assign`: the first
    ``static_hnp`` active HNP units and ``static_mss`` active MSS units guard ``static_cells`` (one each, in
    that order); the next ``patrol_hnp`` HNP units and the MSS units before ``joint_mss`` (the first in joint
    operations) may patrol; the rest are raid-capable, the first of them holding ``hold_cells`` (at most as
    many as they are: :func:`keep_holds`). Patrols go to the most populous front cells (``frontier``) no gang
    holds (``free``) and no guard or holder is in (:func:`choose_targets`: one uniform draw per such cell, in
    cell order, none without patrols); the patrols left without a cell and the raid-capable units not holding
    wait in reserve. ``units.role`` and ``units.cell`` in place (0 and -1 for the units without a role).

    Returns (effectiveness present per cell, the units free for operations, 1.0 in patrolled cells)."""
    eff, role, cell = units.effectiveness, units.role, units.cell
    nh = units.n_hnp
    role[:] = 0
    cell[:] = -1
    ids = np.arange(nh + active_mss)  # the active units: HNP from 0, MSS from nh
    hnp_ids, mss_ids = ids[:active_hnp], ids[nh:]
    # in one array: the static units, the patrols (MSS beyond the joint operations too), the raid-capable
    by_role = np.concatenate((hnp_ids[:static_hnp], mss_ids[:static_mss],
                              hnp_ids[static_hnp:static_hnp + patrol_hnp], mss_ids[static_mss:joint_mss],
                              hnp_ids[static_hnp + patrol_hnp:], mss_ids[joint_mss:]))
    n_static = static_hnp + static_mss
    n_patrol = patrol_hnp + joint_mss - static_mss
    static, patrol, capable = by_role[:n_static], by_role[n_static:n_static + n_patrol], by_role[n_static + n_patrol:]

    role[static] = STATIC
    cell[static] = static_cells
    # np.add.at(zeros, static_cells, ...) in one call: bincount adds in the same order (its zeros are
    # integers when there is no static unit, hence the cast, free otherwise)
    presence = np.bincount(static_cells, weights=eff[static], minlength=len(free)).astype(float, copy=False)

    holders = capable[:len(hold_cells)]
    role[holders] = HOLD
    cell[holders] = hold_cells
    presence[hold_cells] += eff[holders]  # distinct cells (keep_holds)

    public = (frontier & free).nonzero()[0]
    public = public[presence[public] == 0]  # the front cells no gang holds and no unit guards
    patrol_cells = public[choose_targets(population[public], len(patrol), rng)]
    patrollers = patrol[:len(patrol_cells)]
    role[patrol] = RESERVE
    role[patrollers] = PATROL
    cell[patrollers] = patrol_cells
    presence[patrol_cells] += eff[patrollers]  # distinct cells
    patrolled = np.zeros(len(free))
    patrolled[patrol_cells] = 1.0
    raiders = capable[len(hold_cells):]
    role[raiders] = RESERVE
    return presence, raiders, patrolled


def assign(k: Kernels, p: Mapping, rng: np.random.Generator, units: personnel.Units, *, hnp: float, mss: float,
           phase: int, day: int, controller: np.ndarray, held_until: np.ndarray, frontier: np.ndarray,
           population: np.ndarray, posts: Callable[[int], np.ndarray]) -> Deployment:
    """Fill the units (:func:`staff`), give them roles and places (:func:`place`): static guards at the sites
    (``posts(n)``: the cells of :func:`units_per_site` for ``n`` static units), posts on cleared ground, one
    unit each, up to ``post_share`` of the raid-capable units (:func:`keep_holds`; posts nobody can keep
    lapse today, in ``held_until``), patrols of the most populous
    public front cells (one uniform draw per such cell, none without patrols: :func:`choose_targets`); the
    rest wait for operations. MSS units beyond what HNP units can lead in joint operations
    (:func:`joint_mss_units`) patrol instead. ``units`` in place."""
    kp = k.posture
    active_h, active_m = kp.staff(units, hnp, mss, p["unit_size"])
    static_h, patrol_h, dynamic_h = roles(active_h, p["hnp_static_share"], p["patrol_share"])
    static_m, _, dynamic_m = roles(active_m, mss_static_share(p, phase, day), p["patrol_share"])
    joint = joint_mss_units(dynamic_h, dynamic_m, p["mss_per_hnp_in_joint_ops"], p["mss_independent_ops"])
    free = controller == territory.NO_GANG
    # post_share of the raid-capable units (the HNP beyond static and patrols, the MSS in joint operations)
    # hold posts
    hold_cells = kp.keep_holds(held_until, day, int(p["post_share"] * (dynamic_h + joint)), free)
    return Deployment(*kp.place(units, active_h, active_m, static_h, static_m, patrol_h, active_m - joint,
                              posts(static_h + static_m), hold_cells, free, frontier, population, rng))
