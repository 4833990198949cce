"""Territory and control: gangs expand where state presence is weak, rivals contest borders.

Sources: gangs hold ~80% of the capital in March 2024 and >85% at the end of 2024 (record [V]); holding
liberated areas is demanding and cleared ground not held returns to gangs (seed 002_d688c9cc41807fef);
violence concentrates on the borders between rivals (record: July 2022 G9/G-Pep fighting, Cite Soleil [V]).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import njit

NO_GANG = -1


@njit
def cell_strength(controller: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Gang members per cell: each group spreads its members evenly over the cells it controls."""
    counts = np.zeros(len(members), np.int64)
    for c in controller:
        if c != NO_GANG:
            counts[c] += 1
    out = np.zeros(len(controller))
    for i, c in enumerate(controller):
        if c != NO_GANG:
            out[i] = members[c] / counts[c]
    return out


def cell_side(controller: np.ndarray, alliance: np.ndarray) -> np.ndarray:
    """The side holding each cell: the group's alliance id, or -1 for no gang."""
    return np.append(alliance, NO_GANG)[controller]


def strongest_neighbour(strength: np.ndarray, controller: np.ndarray, nbr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strength and controller of the strongest gang cell among each cell's 8 neighbours."""
    vals = strength[nbr]
    k = vals.argmax(axis=1)
    rows = np.arange(len(nbr))
    return vals[rows, k], controller[nbr[rows, k]]


def border(side: np.ndarray, nbr: np.ndarray, land: np.ndarray) -> np.ndarray:
    """Cells with a land neighbour held by another side (the front lines)."""
    other = (side[nbr] != side[:, None]) & land[nbr]
    return other.any(axis=1) & land


def hostile_neighbour(side: np.ndarray, nbr: np.ndarray, land: np.ndarray) -> np.ndarray:
    """Gang cells with a neighbour held by a gang of another alliance (gang-against-gang front)."""
    ns = side[nbr]
    hostile = (ns != side[:, None]) & (ns != NO_GANG) & land[nbr]
    return hostile.any(axis=1) & (side != NO_GANG)


@njit
def fronts(side: np.ndarray, nbr_land_t: np.ndarray, land: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`border` and :func:`hostile_neighbour` of the same sides in one pass over the cells.

    ``nbr_land_t`` is :func:`land_neighbours_t` of the neighbour table: a neighbour off land is replaced by
    the cell itself, which never differs from it, so no land mask is needed for the neighbours.
    """
    n = len(side)
    front = np.zeros(n, np.bool_)
    hostile = np.zeros(n, np.bool_)
    for i in range(n):
        s = side[i]
        for k in range(nbr_land_t.shape[0]):
            other = side[nbr_land_t[k, i]]
            if other != s:
                front[i] = land[i]
                if other != NO_GANG and s != NO_GANG:
                    hostile[i] = True
    return front, hostile


def land_neighbours_t(nbr: np.ndarray, land: np.ndarray) -> np.ndarray:
    """The neighbour table transposed to shape ``(8, n_cells)``, with every neighbour off land replaced by the
    cell itself (as a missing neighbour already is), for :func:`fronts`."""
    nbr_t = np.ascontiguousarray(nbr.T)
    return np.where(land[nbr_t], nbr_t, np.arange(nbr.shape[0]))


# take_probability never exceeds its rate by more than rounding (1 - exp(-x) <= x): a draw u >= rate + this
# slack cannot take or flip a cell, so those cells need no further work (the results are the same)
_DRAW_SLACK = 1e-12


def take_probability(attacker: np.ndarray, defence: np.ndarray, rate: float) -> np.ndarray:
    """Daily chance that an attacker of the given strength takes a cell with the given defence.

    A hazard ``rate * a / (a + d)``: it is ``rate`` against no defence and falls as defence grows.
    """
    total = attacker + defence
    ratio = np.divide(attacker, total, out=np.zeros_like(attacker, dtype=float), where=total > 0)
    return 1.0 - np.exp(-rate * ratio)


def expand(controller: np.ndarray, strength: np.ndarray, defence: np.ndarray, land: np.ndarray,
           nbr: np.ndarray, rate: float, cautious: np.ndarray, guarded: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Gangs take weakly defended neighbouring cells; returns the new controller array.

    The strongest neighbouring group may take a cell with no gang with probability
    :func:`take_probability`; a ``cautious`` (low-profile) group never moves into a ``guarded`` cell (one
    with security presence). ``u`` are uniform draws per cell.
    """
    out = controller.copy()
    cells, owners = expansion(controller, strength, defence, land, nbr, rate, cautious, guarded, u)
    out[cells] = owners
    return out


def expansion(controller: np.ndarray, strength: np.ndarray, defence: np.ndarray | float, land: np.ndarray,
              nbr: np.ndarray, rate: np.ndarray | float, cautious: np.ndarray, guarded: np.ndarray | bool,
              u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`expand` changes: ``(cells taken, the group taking each)``, the same arguments
    (``defence``, ``rate`` and ``guarded`` per cell or one for all)."""
    n = len(controller)
    return _expansion(controller, strength, _per_cell(defence, n, float), land, nbr, _per_cell(rate, n, float),
                      cautious, _per_cell(guarded, n, bool), u)


@njit
def _expansion(controller, strength, defence, land, nbr, rate, cautious, guarded, u):
    cells = np.empty(len(controller), np.int64)
    owners = np.empty(len(controller), np.int64)
    taken = 0
    for i in range(len(controller)):
        # only land cells of no gang whose draw is below the rate can be taken (_DRAW_SLACK)
        if controller[i] != NO_GANG or not land[i] or u[i] >= rate[i] + _DRAW_SLACK:
            continue
        best = 0  # the strongest neighbour, the first listed among equals (argmax)
        for k in range(1, nbr.shape[1]):
            if strength[nbr[i, k]] > strength[nbr[i, best]]:
                best = k
        att = strength[nbr[i, best]]
        owner = controller[nbr[i, best]]
        if att > 0 and u[i] < _take_probability(att, defence[i], rate[i]) and not (cautious[max(owner, 0)] and guarded[i]):
            cells[taken] = i
            owners[taken] = owner
            taken += 1
    return cells[:taken], owners[:taken]


def contest(controller: np.ndarray, strength: np.ndarray, alliance: np.ndarray, nbr: np.ndarray,
            land: np.ndarray, rate: float, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rival (other-alliance) gangs take border cells from each other; returns (controller, flipped mask)."""
    cells, owners = rivalry(controller, strength, cell_side(controller, alliance), nbr, land, rate, u)
    out = controller.copy()
    out[cells] = owners
    flip = np.zeros(len(controller), dtype=bool)
    flip[cells] = True
    return out, flip


def rivalry(controller: np.ndarray, strength: np.ndarray, side: np.ndarray, nbr: np.ndarray, land: np.ndarray,
            rate: np.ndarray | float, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What :func:`contest` changes: ``(cells flipped, the group taking each)``; ``side`` is
    ``cell_side(controller, alliance)`` and ``rate`` per cell or one for all."""
    return _rivalry(controller, strength, side, nbr, land, _per_cell(rate, len(controller), float), u)


@njit
def _rivalry(controller, strength, side, nbr, land, rate, u):
    cells = np.empty(len(controller), np.int64)
    owners = np.empty(len(controller), np.int64)
    flipped = 0
    for i in range(len(controller)):
        # only gang cells whose draw is below the rate can flip (_DRAW_SLACK)
        if side[i] == NO_GANG or controller[i] == NO_GANG or u[i] >= rate[i] + _DRAW_SLACK:
            continue
        att = 0.0  # the strongest hostile neighbour, the first listed among equals (argmax)
        owner = controller[nbr[i, 0]]
        for k in range(nbr.shape[1]):
            j = nbr[i, k]
            if side[j] != side[i] and side[j] != NO_GANG and land[j] and strength[j] > att:
                att = strength[j]
                owner = controller[j]
        if att > 0 and u[i] < _take_probability(att, strength[i], rate[i]):
            cells[flipped] = i
            owners[flipped] = owner
            flipped += 1
    return cells[:flipped], owners[:flipped]


@njit
def advance(rng: np.random.Generator, controller: np.ndarray, members: np.ndarray, strength: np.ndarray,
            presence: np.ndarray, community_resistance: float, land: np.ndarray, nbr: np.ndarray,
            expansion_rate: float, retake_multiplier: float, cleared_on: np.ndarray, recent_after: int,
            confront: np.ndarray, side_of: np.ndarray, contest_rate: float, held_until: np.ndarray) -> np.ndarray:
    """A day of territory, in place: gangs expand (:func:`expand`), then rivals contest (:func:`contest`).

    A cell's defence is ``community_resistance`` plus the security presence; gangs return
    ``retake_multiplier`` times faster to cells cleared after day ``recent_after``; low-profile groups
    (not ``confront``) avoid cells with presence. ``side_of`` maps a controller (-1 last) to its side.
    Holds end in cells a gang takes. Draws a uniform per cell for each stage. Returns the new strengths.
    """
    n = len(controller)
    rate = np.empty(n)
    for i in range(n):
        rate[i] = expansion_rate * (retake_multiplier if cleared_on[i] > recent_after else 1.0)
    u = np.empty(n)
    for i in range(n):
        u[i] = rng.random()
    cells, owners = _expansion(controller, strength, community_resistance + presence, land, nbr, rate,
                               ~confront, presence > 0, u)
    controller[cells] = owners
    stale = len(cells) > 0
    if contest_rate > 0:
        if stale:
            strength = cell_strength(controller, members)
            stale = False
        for i in range(n):
            u[i] = rng.random()
        cells, owners = _rivalry(controller, strength, side_of[controller], nbr, land, np.full(n, contest_rate), u)
        controller[cells] = owners
        stale = len(cells) > 0
    for i in range(n):
        if controller[i] != NO_GANG:
            held_until[i] = -1
    return cell_strength(controller, members) if stale else strength


@njit
def contested_cells(front: np.ndarray, gang_front: np.ndarray, presence: np.ndarray, land: np.ndarray,
                    nbr: np.ndarray) -> np.ndarray:
    """Cells fought over: gang-against-gang fronts, and front cells with security presence in or next to them."""
    near = presence > 0
    for i in range(len(presence)):
        if presence[i] > 0 and land[i]:
            for k in range(nbr.shape[1]):
                near[nbr[i, k]] = True
    return gang_front | (front & near)


@njit
def _take_probability(attacker: float, defence: float, rate: float) -> float:
    """:func:`take_probability` of one cell."""
    total = attacker + defence
    return 1.0 - np.exp(-rate * (attacker / total if total > 0 else 0.0))


def _per_cell(values, n: int, dtype: type) -> np.ndarray:
    """A per-cell array as it is; one value for all cells as an array of ``n``."""
    return np.full(n, values, dtype) if np.ndim(values) == 0 else np.asarray(values, dtype)


def initial_territory(x_km: np.ndarray, y_km: np.ndarray, land: np.ndarray, bases: np.ndarray,
                      weights: np.ndarray, share: float, protected: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """Initial control: weighted Voronoi growth from each group's base until ``share`` of land cells.

    A cell's cost to a group is its distance to the group's base divided by the square root of the
    group's weight, times a little noise; the cheapest land cells overall go to their cheapest group.
    Bases are always held; ``protected`` cells (key sites, state-held at the start) never are.
    """
    d = np.hypot(x_km[:, None] - x_km[bases][None, :], y_km[:, None] - y_km[bases][None, :])
    cost = d / np.sqrt(weights)[None, :] * rng.uniform(0.85, 1.15, size=d.shape)
    best = cost.argmin(axis=1)
    best_cost = np.where(land, cost.min(axis=1), np.inf)
    best_cost[protected] = np.inf
    best_cost[bases] = -1.0
    n_take = max(len(np.unique(bases)), int(round(share * land.sum())))
    order = np.argsort(best_cost, kind="stable")[:n_take]
    controller = np.full(len(land), NO_GANG, dtype=np.int64)
    controller[order] = best[order]
    controller[bases] = np.arange(len(bases))
    return controller
