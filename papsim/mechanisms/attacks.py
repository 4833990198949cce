"""Gang attacks on key sites: confronting groups next to an open site attack it, more often after violence
nearby (:mod:`papsim.mechanisms.retaliation`), and take it if the guards are beaten.

Sources: attacks on the forces by groups that confront them (seed 003_95e9fba624dc4210); ≥22 police
stations attacked Feb-Apr 2024 (record [S]); 3,700-4,700 detainees escaped the prisons stormed in Mar 2024
(record [S]); 48 HNP killed and 75 injured in 2023 (record [V]).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from papsim.mechanisms import Gangs, Grid, combat, personnel, retaliation, territory
from papsim.mechanisms.operations import HNP_DEATH_SHARE

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("gang_attack_rate", "gang_attack_mass", "security_lethality", "roe_caution",
                               "gang_lethality", "clear_ratio", "civilian_harm_ratio")


class Outcome(NamedTuple):
    """What a day's attacks did."""

    attacks: int
    deaths: np.ndarray  # (gang members, HNP, MSS) killed
    civilians: np.ndarray  # civilians killed per cell
    hnp: float  # personnel left
    mss: float
    detained: float  # detainees left in the prisons
    closed: np.ndarray  # per site: attacked or held by a gang today


def day(k: Kernels, p: Mapping, rng: np.random.Generator, units: personnel.Units, gangs: Gangs, grid: Grid, *,
        strength: np.ndarray, controller: np.ndarray, intensity: np.ndarray, held_until: np.ndarray,
        events: np.ndarray, population: np.ndarray, hnp: float, mss: float, detained: float) -> Outcome:
    """The day's attacks on open key sites, one uniform draw per site.

    The strongest confronting neighbour of a site attacks with :func:`retaliation.attack_probability`
    (worked out only for the open sites with a confronting neighbour), massing ``gang_attack_mass`` times its
    cell strength, against the units posted in the cell (the square law, :func:`combat.engage`); it takes the
    cell when the guards left are fewer than the clearing ratio times its survivors. Several sites in one
    cell are fought for once, by the first site listed, cell by cell in cell order. Civilians are harmed as
    in an operation, without caution. A prison taken frees its share of the detainees, who join the group
    holding it. ``controller``, gang members, ``held_until`` and ``events`` (one per attack) in place.

    Most days see no attack: those are told apart first with plain floats (:func:`_may_attack`), and only a
    day that may see one works the attacks out as arrays (the same draws and numbers either way).
    """
    sites = grid.site_cells
    att, owner = k.territory.strongest_attacker(strength, controller, gangs.confront, grid.site_nbr)
    draw = rng.random(len(sites))
    held = controller[sites]
    if not _may_attack(p["gang_attack_rate"], draw, att, held, intensity, sites):
        return Outcome(0, np.zeros(3), np.zeros(len(controller)), hnp, mss, detained, held != territory.NO_GANG)
    civilians = np.zeros(len(controller))
    deaths = np.zeros(3)
    able = ((held == territory.NO_GANG) & (att > 0)).nonzero()[0]
    attacked = able[draw[able] < retaliation.attack_probability(p["gang_attack_rate"], intensity[sites[able]])]
    if len(attacked):
        members = gangs.members
        fought: dict[int, int] = {}  # cell -> the first site listed in it
        for cell, site in zip(sites[attacked].tolist(), attacked.tolist()):
            fought.setdefault(cell, site)
        cells = np.array(sorted(fought), dtype=sites.dtype)
        first = np.array([fought[cell] for cell in cells.tolist()], dtype=np.int64)
        attackers = owner[first]
        red = p["gang_attack_mass"] * att[first]
        guards = units.cell == cells[:, None]
        blue = (guards * units.personnel).sum(axis=1)
        blue_eff = (guards * units.effectiveness).sum(axis=1)
        armed = np.minimum(1.0, gangs.arms[attackers] / np.maximum(members[attackers], 1e-9))
        a = combat.caution_lethality(p["security_lethality"], p["roe_caution"]) * blue_eff / np.maximum(blue, 1e-9)
        blue_loss, red_loss = k.combat.engage(blue, red, a, p["gang_lethality"] * armed, rng)
        captured = (blue - blue_loss) * p["clear_ratio"] <= (red - red_loss)
        members[:] = np.maximum(0.0, members - np.bincount(attackers, weights=red_loss, minlength=len(members)))
        force_loss = (guards * units.personnel * (blue_loss / np.maximum(blue, 1e-9))[:, None]).sum(axis=0)
        hnp_loss = force_loss[: units.n_hnp].sum()
        mss_loss = force_loss[units.n_hnp:].sum()
        hnp = max(0.0, hnp - hnp_loss)
        mss = max(0.0, math.floor(mss - mss_loss))
        deaths[:] = (red_loss.sum(), HNP_DEATH_SHARE * hnp_loss, HNP_DEATH_SHARE * mss_loss)
        density = population[cells] / grid.mean_population
        harm = combat.civilian_harm_expected(blue_loss + red_loss, density, 1.0, p["civilian_harm_ratio"], 0.0)
        civilians[cells] = k.combat.poisson_where_positive(rng, harm)  # distinct cells of a zero array
        taken = cells[captured]
        controller[taken] = attackers[captured]
        held_until[taken] = -1
        events[cells] += 1.0
        if len(taken) and detained > 0:
            prisons_taken = grid.prison_sites & (sites[:, None] == taken).any(axis=1)
            if prisons_taken.any():
                freed = detained * prisons_taken.sum() / grid.prison_sites.sum()
                detained -= freed
                np.add.at(members, controller[sites[prisons_taken]], freed / prisons_taken.sum())
    closed = controller[sites] != territory.NO_GANG
    closed[attacked] = True
    return Outcome(len(attacked), deaths, civilians, hnp, mss, detained, closed)


# how far below the draw an attack probability worked out with math.exp may fall and still let the site be
# attacked by np.exp's: both are within a few units in the last place of exp, far less than this
_SURE = 1e-9


def _may_attack(rate: float, draw: np.ndarray, att: np.ndarray, held: np.ndarray, intensity: np.ndarray,
                sites: np.ndarray) -> bool:
    """Whether a site may be attacked today: an open site (``held`` by no gang) with a confronting neighbour
    (``att > 0``) whose draw is below its :func:`retaliation.attack_probability`, give or take ``_SURE``. When
    it says no, no site is attacked (the probabilities of ``attack_probability``, with ``np.exp``, differ
    from these by far less than ``_SURE``); when it says yes, :func:`day` decides with those.
    Plain floats: cheaper than arrays for a dozen sites."""
    for site, u, a, h in zip(sites.tolist(), draw.tolist(), att.tolist(), held.tolist()):
        if h == territory.NO_GANG and a > 0 and u < 1.0 - math.exp(-rate * (1.0 + intensity.item(site))) + _SURE:
            return True
    return False
