"""Gang fighters per cell: where each group's members stand, and how they move.

A group's members stand in the cells it holds (``fighters``: per cell, of the cell's controller; a group's
members are their sum over its cells, :func:`tally`), and they move only for a cause:

- **redeployment** (:func:`redeploy`): each day a share ``fighter_redeploy_rate`` of the gap to the
  group's preferred spread closes, a front cell (facing a rival or the state) drawing ``front_pull`` times
  the fighters of a quiet one. Gangs mass on their fronts (record: the G9/G-Pèp fighting of July 2022 in
  Cité Soleil, the Viv Ansanm offensives of 2024 [V]); the rate and the pull are assumptions with ranges.
- **advance** (:func:`advance_into`): a cell taken is occupied by ``advance_share`` of the fighters of the
  cell it was taken from (assumption with a range).
- **retreat** (:func:`retreat`): the survivors of a cell lost (cleared by an operation, taken by a rival)
  fall back evenly to the neighbouring cells their group still holds; cut off, they scatter and leave the
  group (MINUSTAH's 2005-2007 operations broke groups by taking their ground: record additions §9 [V]).
- **losses where they happen** (:func:`remove`: operations, drone strikes, vigilantes) and changes of a
  whole group (:func:`reconcile`: recruits, desertions, escapees who join, the fighters a group masses for
  an attack on a site) in proportion to where the group stands.

Every function keeps the fighters of the cells of no gang at zero; the order of additions is fixed (cell
order, then neighbour order), so that a compiled twin gives the same bits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("fighter_redeploy_rate", "front_pull", "advance_share")


def tally(controller: np.ndarray, fighters: np.ndarray, n_gangs: int) -> np.ndarray:
    """Members per group: the sum of its cells' fighters, in cell order."""
    return np.bincount(controller + 1, weights=fighters, minlength=n_gangs + 1)[1:]


def weights(front: np.ndarray, pull: float) -> np.ndarray:
    """How strongly each cell draws its group's fighters: ``1 + pull`` on a front, 1 elsewhere."""
    return 1.0 + pull * front


def preferred(controller: np.ndarray, members: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Each group's ``members`` spread over its cells in proportion to their ``weight`` (0 off a group)."""
    g = len(members)
    total = np.bincount(controller + 1, weights=weight, minlength=g + 1)[1:]
    per_weight = np.zeros(g + 1)  # the last entry is read by the cells of no gang (index -1)
    np.divide(members, total, out=per_weight[:g], where=total > 0)
    return weight * per_weight[controller]


def initial(p: Mapping, controller: np.ndarray, members: np.ndarray, front: np.ndarray) -> np.ndarray:
    """The fighters at the start: each group's members in their preferred spread (:func:`preferred`) with the
    pull of the ``front``."""
    return preferred(controller, members, weights(front, p["front_pull"]))


def redeploy(fighters: np.ndarray, controller: np.ndarray, members: np.ndarray, weight: np.ndarray,
             rate: float) -> None:
    """A day of redeployment, in place: a share ``rate`` of the gap to the preferred spread of each group's
    ``members`` (its fighters' sum) closes; a relaxation, ``f - target`` shrinks by ``1 - rate`` a day."""
    fighters += rate * (preferred(controller, members, weight) - fighters)


def remove(fighters: np.ndarray, cells: np.ndarray, amounts: np.ndarray) -> None:
    """Losses where they happen, in place: ``amounts`` leave the ``cells`` (added up per cell in the order
    listed), none below zero."""
    lost = np.zeros(len(fighters))
    np.add.at(lost, cells, amounts)
    np.maximum(fighters - lost, 0.0, out=fighters)


def retreat(fighters: np.ndarray, cells: np.ndarray, losers: np.ndarray, controller: np.ndarray, nbr: np.ndarray,
            distinct: np.ndarray) -> None:
    """The fighters of the ``cells`` lost by the groups ``losers`` (all read and set to zero first) fall
    back, in place, evenly over the distinct neighbours (``distinct``:
    :func:`papsim.mechanisms.distinct_neighbours`) that their group holds in ``controller`` (after the
    change), cell by cell in the order listed; cut off, they scatter (they leave the group)."""
    around = nbr[cells]
    ok = distinct[cells] & (controller[around] == losers[:, None])
    count = ok.sum(axis=1)
    leaving = fighters[cells]
    fighters[cells] = 0.0
    each = np.divide(leaving, count, out=np.zeros(len(cells)), where=count > 0)
    np.add.at(fighters, around[ok], np.broadcast_to(each[:, None], ok.shape)[ok])


def advance_into(fighters: np.ndarray, cells: np.ndarray, sources: np.ndarray, owners: np.ndarray,
                 controller: np.ndarray, share: float) -> None:
    """Each taken cell is occupied, in place, by ``share`` of the fighters of its ``sources`` cell, taken
    from it, if the source is still held by the cell's new owner (else nobody comes); a source sending to
    several cells sends to them one after another, in the order listed (a day takes tens of cells)."""
    go = controller[sources] == owners
    for cell, source in zip(cells[go].tolist(), sources[go].tolist()):
        moved = share * fighters[source]
        fighters[source] -= moved
        fighters[cell] += moved


def occupy(p: Mapping, fighters: np.ndarray, cells: np.ndarray, owners: np.ndarray, controller: np.ndarray,
           nbr: np.ndarray, distinct: np.ndarray) -> None:
    """The ``cells`` just taken by the groups ``owners`` outside the day's territorial change (sites taken
    in an attack) are occupied by ``advance_share`` of the fighters of the owner's neighbouring cell with the
    most (:func:`advance_into`, the first listed among equals; nobody comes without one)."""
    around = nbr[cells]
    mine = np.where(distinct[cells] & (controller[around] == owners[:, None]), fighters[around], -1.0)
    k = mine.argmax(axis=1)
    rows = np.arange(len(cells))
    has = mine[rows, k] >= 0
    advance_into(fighters, cells[has], around[rows, k][has], owners[has], controller, p["advance_share"])


def reconcile(fighters: np.ndarray, controller: np.ndarray, members: np.ndarray) -> None:
    """Bring each group's fighters to its ``members`` (changed for the whole group), in place: scaled in
    proportion where it has fighters, spread evenly over its cells where it has none; a group holding no cell
    keeps no members (``members`` set to zero in place)."""
    held = tally(controller, fighters, len(members))
    cells = np.bincount(controller + 1, minlength=len(members) + 1)[1:]
    members[cells == 0] = 0.0
    scale = np.divide(members, held, out=np.zeros(len(members)), where=held > 0)
    even = np.divide(members, cells, out=np.zeros(len(members)), where=(held <= 0) & (cells > 0))
    g = controller >= 0
    c = controller[g]
    fighters[g] = np.where(held[c] > 0, fighters[g] * scale[c], even[c])


def one_day(fighters: np.ndarray, controller: np.ndarray, members: np.ndarray, front: np.ndarray, *, pull: float,
            rate: float) -> None:
    """The end of a day, in place: the fighters brought to the groups' members (:func:`reconcile`: the
    day's recruits, desertions and changes of whole groups), then redeployed towards the ``front`` with its
    ``pull`` at ``rate`` (:func:`redeploy`), the members their new sums."""
    reconcile(fighters, controller, members)
    redeploy(fighters, controller, members, weights(front, pull), rate)
    members[:] = tally(controller, fighters, len(members))


def day(k: Kernels, p: Mapping, fighters: np.ndarray, controller: np.ndarray, members: np.ndarray,
        front: np.ndarray) -> None:
    """The end of a day at the scenario's rates (:func:`one_day`, one call of the kernels ``k``)."""
    k.fighters.one_day(fighters, controller, members, front, pull=p["front_pull"], rate=p["fighter_redeploy_rate"])
