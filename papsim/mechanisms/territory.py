"""Territory and control: gangs expand where state presence is weak, rivals contest borders.

Sources: gangs hold ~80% of the capital in March 2024 and >85% at the end of 2024 (record [V]); holding
liberated areas is demanding and cleared ground not held returns to gangs (seed 002_d688c9cc41807fef);
violence concentrates on the borders between rivals (record: July 2022 G9/G-Pep fighting, Cite Soleil [V]);
groups confront the forces or keep a low profile (seed 003_95e9fba624dc4210); the Viv Ansanm coalition
(record [V]).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from papsim.mechanisms import Gangs, Grid, fighters

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = (
    "gang_members_total", "gang_arms_per_member", "gang_confront_share", "viv_ansanm_truce",
    "initial_gang_territory_share", "gang_expansion_rate", "retake_multiplier",
    "retake_memory_days", "contest_rate", "advance_share")
NO_GANG = -1


class GangSpec(Protocol):
    """A group as the city map describes it (``papsim.citymap.Gang``)."""

    name: str
    family: str
    viv_ansanm: bool
    weight: float
    base: int


class Rates(NamedTuple):
    """The parameters of a day's territorial change, and the defence the residents put up in each cell."""

    resistance: np.ndarray  # per cell, in fighter-equivalents: the vigilantes' (papsim.mechanisms.vigilantes)
    expansion_rate: float
    retake_multiplier: float
    contest_rate: float
    advance_share: float  # of the fighters of the cell a cell is taken from, who occupy it


def cell_side(controller: np.ndarray, alliance: np.ndarray) -> np.ndarray:
    """The side holding each cell: the group's alliance id, or -1 for no gang."""
    return np.append(alliance, NO_GANG)[controller]


def strongest_neighbour(strength: np.ndarray, nbr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strength and cell of the strongest cell among each row's 8 neighbours, the first listed among equals."""
    vals = strength[nbr]
    k = vals.argmax(axis=1)
    rows = np.arange(len(nbr))
    return vals[rows, k], nbr[rows, k]


def border(side: np.ndarray, nbr: np.ndarray, land: np.ndarray) -> np.ndarray:
    """Cells with a land neighbour held by another side (the front lines)."""
    other = (side[nbr] != side[:, None]) & land[nbr]
    return other.any(axis=1) & land


def hostile_neighbour(side: np.ndarray, nbr: np.ndarray, land: np.ndarray) -> np.ndarray:
    """Gang cells with a neighbour held by a gang of another alliance (gang-against-gang front)."""
    ns = side[nbr]
    hostile = (ns != side[:, None]) & (ns != NO_GANG) & land[nbr]
    return hostile.any(axis=1) & (side != NO_GANG)


def fronts(side: np.ndarray, nbr_land_t: np.ndarray, land: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`border` and :func:`hostile_neighbour` of the same sides at once (the same results, faster).

    ``nbr_land_t`` is :func:`land_neighbours_t` of the neighbour table: with the neighbours along the first
    axis, comparisons and ``any`` run over eight contiguous rows instead of eight-element rows, and a cell
    compared with itself in place of a neighbour off land never differs from it.
    """
    ns = side[nbr_land_t]
    other = ns != side
    front = other.any(axis=0) & land
    hostile = (other & (ns != NO_GANG)).any(axis=0) & (side != NO_GANG)
    return front, hostile


def controller_fronts(controller: np.ndarray, side_of: np.ndarray, nbr_land_t: np.ndarray,
                      land: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fronts` of the sides of ``controller``; ``side_of`` maps a group (the cells of no gang: the
    last entry, -1) to its side (:func:`cell_side` as a lookup table)."""
    return fronts(side_of[controller], nbr_land_t, land)


def land_neighbours_t(nbr: np.ndarray, land: np.ndarray) -> np.ndarray:
    """The neighbour table transposed to shape ``(8, n_cells)``, with every neighbour off land replaced by the
    cell itself (as a missing neighbour already is), for :func:`fronts`."""
    nbr_t = np.ascontiguousarray(nbr.T)
    return np.where(land[nbr_t], nbr_t, np.arange(nbr.shape[0]))


def update_fronts(front: np.ndarray, hostile: np.ndarray, side: np.ndarray, changed: np.ndarray,
                  nbr_land_t: np.ndarray, land: np.ndarray) -> None:
    """:func:`fronts` again, in place, for the ``changed`` cells (their side changed) and their neighbours
    only: no other cell's front can change. ``side`` is the sides after the change."""
    if len(changed) == 0:
        return
    cells = np.unique(np.concatenate((changed, nbr_land_t[:, changed].ravel())))
    ns = side[nbr_land_t[:, cells]]
    s = side[cells]
    other = ns != s
    front[cells] = other.any(axis=0) & land[cells]
    hostile[cells] = (other & (ns != NO_GANG)).any(axis=0) & (s != NO_GANG)


def refresh_fronts(front: np.ndarray, hostile: np.ndarray, before: np.ndarray, controller: np.ndarray,
                   side_of: np.ndarray, nbr_land_t: np.ndarray, land: np.ndarray) -> None:
    """Make ``front`` and ``hostile`` (:func:`controller_fronts` of ``before``) those of ``controller``, in
    place, by :func:`update_fronts` around the cells whose controller changed; ``before`` becomes
    ``controller``. The cost is in the cells that changed, not in the map."""
    changed = (before != controller).nonzero()[0]
    if len(changed) == 0:
        return
    update_fronts(front, hostile, side_of[controller], changed, nbr_land_t, land)
    before[changed] = controller[changed]


def take_probability(attacker: np.ndarray, defence: np.ndarray, rate: np.ndarray | float) -> np.ndarray:
    """Daily chance that an attacker of the given strength takes a cell with the given defence.

    A hazard ``rate * a / (a + d)``: it is ``rate`` against no defence and falls as defence grows.
    """
    total = attacker + defence
    ratio = np.divide(attacker, total, out=np.zeros_like(attacker, dtype=float), where=total > 0)
    return 1.0 - np.exp(-rate * ratio)


def expansion(controller: np.ndarray, strength: np.ndarray, defence: np.ndarray, land: np.ndarray,
              nbr: np.ndarray, front: np.ndarray, rate: np.ndarray | float, guarded: np.ndarray,
              rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gangs take weakly defended neighbouring cells: ``(cells taken, the group taking each, the cell each is
    taken from)``.

    A land cell of no gang on the ``front`` (it has a gang neighbour) whose strongest neighbouring cell has
    fighters may be taken from it with probability :func:`take_probability`, unless it is ``guarded`` (security
    presence): a cell where the forces stand changes hands only through a fight they lose (a gang attack,
    :mod:`papsim.mechanisms.attacks`), never by expansion. One uniform is drawn for every cell of the map,
    in cell order, and each cell that can be taken uses its own: a change elsewhere (another scenario on the
    same seed) moves no cell's draw, so common random numbers pair scenarios cell by cell.
    """
    uniforms = rng.random(len(controller))
    cells = ((controller == NO_GANG) & land & front).nonzero()[0]
    att, source = strongest_neighbour(strength, nbr[cells])
    able = att > 0
    cells, att, source = cells[able], att[able], source[able]
    u = uniforms[cells]
    p = take_probability(att, defence[cells], _at(rate, cells))
    taken = (u < p) & ~guarded[cells]
    return cells[taken], controller[source[taken]], source[taken]


def rivalry(controller: np.ndarray, strength: np.ndarray, side: np.ndarray, nbr: np.ndarray, land: np.ndarray,
            hostile: np.ndarray, rate: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rival (other-alliance) gangs take border cells from each other: ``(cells flipped, the group taking
    each, the cell each is taken from)``; ``side`` is ``cell_side(controller, alliance)`` and ``hostile``
    :func:`hostile_neighbour` of it.

    The strongest hostile neighbour of a gang cell takes it with probability :func:`take_probability`
    against the fighters of the cell. One uniform is drawn for every cell of the map, in cell order, and
    each gang cell with a hostile neighbour that has fighters uses its own (as in :func:`expansion`).
    """
    cells = hostile.nonzero()[0]
    around = nbr[cells]
    ns = side[around]
    hostile_strength = np.where((ns != side[cells, None]) & (ns != NO_GANG) & land[around], strength[around], 0.0)
    k = hostile_strength.argmax(axis=1)
    rows = np.arange(len(cells))
    att = hostile_strength[rows, k]
    source = around[rows, k]
    able = att > 0
    cells, att, source = cells[able], att[able], source[able]
    u = rng.random(len(controller))[cells]
    flipped = u < take_probability(att, strength[cells], rate)
    return cells[flipped], controller[source[flipped]], source[flipped]


def _at(values, cells: np.ndarray):
    """``values[cells]`` for a per-cell array; a scalar as it is."""
    return values[cells] if np.ndim(values) else values


def advance(rng: np.random.Generator, gangs: Gangs, grid: Grid, *, controller: np.ndarray, strength: np.ndarray,
            presence: np.ndarray, cleared_on: np.ndarray, recent_after: int, held_until: np.ndarray,
            front: np.ndarray, hostile: np.ndarray, rates: Rates) -> None:
    """A day of territory, in place: gangs expand (:func:`expansion`), then rivals contest (:func:`rivalry`).

    ``strength`` is the fighters per cell (:mod:`papsim.mechanisms.fighters`), ``front`` and ``hostile``
    :func:`controller_fronts` of ``controller``; all are kept current with the changes, and the groups'
    members are their fighters' sum at the end. A cell's defence is the residents' ``rates.resistance``
    plus the security presence; gangs return ``retake_multiplier`` times faster to cells cleared after day
    ``recent_after`` (holding cleared ground is demanding: seed 002); no group expands into a cell with
    presence; every cell taken in a stage is taken from the control and fighters at the start of that stage.
    A cell taken is occupied by ``rates.advance_share`` of the fighters of the cell it was taken from
    (:func:`fighters.advance_into`); the defenders of a cell a rival takes fall back first
    (:func:`fighters.retreat`). The contest runs only when ``contest_rate > 0``. Holds end in cells a gang
    takes.
    """
    land, nbr, side_of = grid.land, grid.nbr, gangs.side_of
    rate = rates.expansion_rate * np.where(cleared_on > recent_after, rates.retake_multiplier, 1.0)
    cells, owners, sources = expansion(controller, strength, rates.resistance + presence, land, nbr, front, rate,
                                       presence > 0, rng)
    controller[cells] = owners
    fighters.advance_into(strength, cells, sources, owners, controller, rates.advance_share)
    update_fronts(front, hostile, side_of[controller], cells, grid.nbr_land_t, land)
    if rates.contest_rate > 0:
        cells, owners, sources = rivalry(controller, strength, side_of[controller], nbr, land, hostile,
                                         rates.contest_rate, rng)
        losers = controller[cells]
        controller[cells] = owners
        fighters.retreat(strength, cells, losers, controller, nbr, grid.nbr_distinct)
        fighters.advance_into(strength, cells, sources, owners, controller, rates.advance_share)
        update_fronts(front, hostile, side_of[controller], cells, grid.nbr_land_t, land)
    held_until[controller != NO_GANG] = -1
    gangs.members[:] = fighters.tally(controller, strength, len(gangs.members))


def day(k: Kernels, p: Mapping, rng: np.random.Generator, gangs: Gangs, grid: Grid, *, today: int,
        controller: np.ndarray, fighters: np.ndarray, presence: np.ndarray, resistance: np.ndarray,
        cleared_on: np.ndarray, held_until: np.ndarray, front: np.ndarray, hostile: np.ndarray) -> None:
    """The day's territorial change (:func:`advance`) against the security ``presence`` and the residents'
    ``resistance`` per cell, gangs returning faster to the cells cleared within ``retake_memory_days``;
    ``controller``, the ``fighters`` per cell, the groups' members, ``front`` and ``hostile`` in place."""
    rates = Rates(resistance=resistance, expansion_rate=p["gang_expansion_rate"],
                  retake_multiplier=p["retake_multiplier"], contest_rate=p["contest_rate"],
                  advance_share=p["advance_share"])
    k.territory.advance(rng, gangs, grid, controller=controller, strength=fighters, presence=presence,
                        cleared_on=cleared_on, recent_after=today - p["retake_memory_days"],
                        held_until=held_until, front=front, hostile=hostile, rates=rates)


def contested_cells(front: np.ndarray, gang_front: np.ndarray, presence: np.ndarray, land: np.ndarray,
                    nbr: np.ndarray) -> np.ndarray:
    """Cells fought over: gang-against-gang fronts, and front cells with security presence in or next to them.

    (``front & (presence + neighbour_sum(presence) > 0)`` for ``presence >= 0``: the neighbours of the cells
    with presence are marked instead; a missing neighbour points to the cell itself.)
    """
    present = presence > 0
    near = present.copy()
    near[nbr[(present & land).nonzero()[0]]] = True
    return gang_front | (front & near)


def strongest_attacker(strength: np.ndarray, controller: np.ndarray, attacks: np.ndarray,
                       nbr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`strongest_neighbour` among the cells of groups that ``attacks`` (per group), for the rows of
    ``nbr`` (e.g. the key sites' neighbours): strength and controller, the first listed among equals."""
    attacking = np.append(attacks, False)[controller[nbr]]  # the cells of no gang (-1) read False
    vals = strength[nbr] * attacking
    k = vals.argmax(axis=1)
    rows = np.arange(len(nbr))
    return vals[rows, k], controller[nbr[rows, k]]


def initial_territory(base_distance: np.ndarray, land: np.ndarray, bases: np.ndarray, weights: np.ndarray,
                      share: float, protected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Initial control: weighted Voronoi growth from each group's base until ``share`` of land cells.

    A cell's cost to a group is its distance to the group's base (``base_distance``, cells × groups)
    divided by the square root of the group's weight, times a little noise; the cheapest land cells overall
    go to their cheapest group. Bases are always held; ``protected`` cells (key sites, state-held at the
    start) never are.
    """
    d = base_distance
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


def initial_gangs(p: Mapping, specs: Sequence[GangSpec], base_distance: np.ndarray, land: np.ndarray,
                  protected: np.ndarray, rng: np.random.Generator) -> tuple[Gangs, np.ndarray]:
    """(the groups, the initial controller): members and arms in proportion to the map's weights; the
    largest ``gang_confront_share`` of the groups confront the forces; alliances are the coalition under a
    Viv Ansanm truce, else the families (an independent group alone); :func:`initial_territory` with the
    cells' distances to the bases (``base_distance``, cells × groups)."""
    g = len(specs)
    weights = np.array([gang.weight for gang in specs])
    weights = weights / weights.sum()
    members = p["gang_members_total"] * weights
    rank = np.argsort(-weights, kind="stable")
    confront = np.zeros(g, bool)
    confront[rank[: int(round(p["gang_confront_share"] * g))]] = True
    if p["viv_ansanm_truce"]:
        keys = ["Viv Ansanm" if gang.viv_ansanm else f"solo:{gang.name}" for gang in specs]
    else:
        keys = [gang.family if gang.family != "independent" else f"solo:{gang.name}" for gang in specs]
    alliance = np.unique(keys, return_inverse=True)[1].astype(np.int64)
    # cell_side as a lookup table (small integers: cheaper to gather and compare)
    side_of = np.append(alliance, NO_GANG).astype(np.int16 if g < 2**15 else np.int64)
    bases = np.array([gang.base for gang in specs])
    controller = initial_territory(base_distance, land, bases, weights, p["initial_gang_territory_share"], protected,
                                   rng)
    gangs = Gangs(members=members, arms=members * p["gang_arms_per_member"], cash=np.zeros(g), confront=confront,
                  alliance=alliance, side_of=side_of)
    return gangs, controller
