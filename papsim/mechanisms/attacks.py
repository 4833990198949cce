"""Gang attacks on key sites: confronting groups next to an open site attack it, more often after violence
nearby (:mod:`papsim.mechanisms.retaliation`), and take it if the guards are beaten. During the coalition's
offensive the groups of the attacker's alliance that confront the forces mass their fighters from within reach
of a site, and attack sites more often (:func:`coalition`).

Sources: attacks on the forces by groups that confront them (seed 003_95e9fba624dc4210); ≥22 police
stations attacked Feb-Apr 2024 (record [S]); 3,700-4,700 detainees escaped the prisons stormed in Mar 2024
(record [S]); the prisons held them at the start (``detained_at_start``); 48 HNP killed and 75 injured
in 2023 (record [V]); the Viv Ansanm offensive from 29 Feb 2024 massed the coalition's groups against police
stations, the prisons (2-3 Mar), the airport (4 Mar) and the port (6-7 Mar) (record additions 7a, 3d [V]).
A site's value to the gangs is its protection priority over the highest (assumption: the gangs value the
sites as the state does; the offensive's stated aim was the Prime Minister's resignation, record 7a [V]).
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
                               "gang_lethality", "clear_ratio", "civilian_harm_ratio", "escapee_join_share",
                               "gang_attack_resolve",
                               "offensive_start_day", "offensive_days", "offensive_attack_rate",
                               "offensive_reach_km")
ASSAULT_LOG: tuple[str, ...] = ("cell", "gang", "personnel", "mss_personnel", "fighters", "gang_killed",
                                "hnp_losses", "mss_losses", "civilians_killed", "taken")
"""The columns of :func:`assault`'s log, one row per fight in the order of its cells: the attacked cell and
the attacking group, the guards' personnel (of them MSS) and the fighters massed, the attackers killed, the
guards' casualties (killed and wounded) of each force, the residents killed, and 1 if the cell was taken."""


class Outcome(NamedTuple):
    """What a day's attacks did."""

    attacks: int  # fights: the sites of one cell are attacked together
    deaths: np.ndarray  # (gang members, HNP, MSS) killed
    civilians: np.ndarray  # civilians killed per cell
    hnp: float  # personnel left
    mss: float
    detained: float  # detainees left in the prisons
    closed: np.ndarray  # per site: attacked or held by a gang today
    log: np.ndarray  # one row per fight (ASSAULT_LOG)


def day(k: Kernels, p: Mapping, rng: np.random.Generator, units: personnel.Units, gangs: Gangs, grid: Grid, *,
        today: int, strength: np.ndarray, controller: np.ndarray, intensity: np.ndarray, held_until: np.ndarray,
        events: np.ndarray, population: np.ndarray, posts: np.ndarray, hnp: float, mss: float,
        detained: float) -> Outcome:
    """The day's attacks on the open key sites and on the ``posts`` (the cells units hold on cleared ground):
    one uniform draw per site, then one per post.

    The strongest confronting neighbour of a target attacks with :func:`retaliation.attack_probability`
    (worked out only for the open targets with a confronting neighbour), massing ``gang_attack_mass`` times
    the fighters of its cell (during the offensive, :func:`offensive`, the fighters its coalition brings to a
    site, :func:`coalition`, at ``offensive_attack_rate``; a site's rate is scaled by its value to the gangs,
    ``grid.site_value``), against the units posted in the cell (the square law, :func:`combat.engage`); it
    takes the cell when the guards left are fewer than the clearing ratio times its survivors: a post, like a
    site, holds as long as its guards win. Several targets in one cell are fought for once, by the first
    listed (sites before posts), cell by cell in cell order. Civilians are harmed as in an operation, without
    caution. The attackers' losses leave the groups in proportion to the fighters each brought. A prison
    taken frees its share of the detainees, of whom ``escapee_join_share`` join the group holding it (the
    rest scatter). ``controller``, gang members, ``held_until`` and ``events`` (one per attack) in place.

    Most days see no attack: those are told apart first with plain floats (:func:`_may_attack`), and only a
    day that may see one works the attacks out as arrays (the same draws and numbers either way).
    """
    sites = grid.site_cells
    targets = np.concatenate((sites, posts))
    att, owner = k.territory.strongest_attacker(strength, controller, gangs.confront,
                                                np.concatenate((grid.site_nbr, grid.nbr[posts])))
    draw = rng.random(len(targets))
    held = controller[targets]
    rate = np.full(len(targets), p["gang_attack_rate"])
    bring = None  # per target the fighters each group brings, during the offensive
    if offensive(p, today):
        bring = np.zeros((len(targets), len(gangs.members)))
        led = np.arange(len(sites), len(targets))
        led = led[owner[led] >= 0]
        bring[led, owner[led]] = att[led]  # a post is attacked by its strongest neighbour alone
        bring[:len(sites)] = coalition(gangs, grid.site_reach, strength, controller, owner[:len(sites)])
        att = bring.sum(axis=1)
        rate[:len(sites)] = p["offensive_attack_rate"]
    rate[:len(sites)] *= grid.site_value
    if not _may_attack(rate, draw, att, held, intensity, targets):
        return Outcome(0, np.zeros(3), np.zeros(len(controller)), hnp, mss, detained,
                       held[:len(sites)] != territory.NO_GANG, np.zeros((0, len(ASSAULT_LOG))))
    able = ((held == territory.NO_GANG) & (att > 0)).nonzero()[0]
    able = able[worth_attacking(p, units, gangs, targets[able], owner[able], att[able], len(controller))]
    attacked = able[draw[able] < retaliation.attack_probability(rate[able], intensity[targets[able]])]
    deaths = np.zeros(3)
    fights = 0
    if len(attacked):
        cells, first = _first_per_cell(targets[attacked])  # each cell fought for by its first target
        fights = len(cells)
        first = attacked[first]
        terms = Terms(p["gang_attack_mass"], combat.caution_lethality(p["security_lethality"], p["roe_caution"]),
                      p["gang_lethality"], p["clear_ratio"], p["civilian_harm_ratio"])
        killed, hnp_loss, mss_loss, civilians, taken, log = k.attacks.assault(
            rng, cells, owner[first], att[first], units.cell, units.personnel, units.effectiveness, units.is_mss,
            gangs.members, gangs.arms, population, grid.mean_population, controller, held_until, events, terms)
        lost = log[:, ASSAULT_LOG.index("gang_killed")]
        if bring is None:
            by_group = np.bincount(owner[first], weights=lost, minlength=len(gangs.members))
        else:
            brought = bring[first]
            by_group = (brought / brought.sum(axis=1, keepdims=True) * lost[:, None]).sum(axis=0)
        gangs.members[:] = np.maximum(0.0, gangs.members - by_group)
        hnp = max(0.0, hnp - hnp_loss)
        mss = max(0.0, math.floor(mss - mss_loss))
        deaths[:] = (killed, HNP_DEATH_SHARE * hnp_loss, HNP_DEATH_SHARE * mss_loss)
        if len(taken) and detained > 0:
            prisons_taken = grid.prison_sites & (sites[:, None] == taken).any(axis=1)
            if prisons_taken.any():
                freed = detained * prisons_taken.sum() / grid.prison_sites.sum()
                detained -= freed
                np.add.at(gangs.members, controller[sites[prisons_taken]],
                          p["escapee_join_share"] * freed / prisons_taken.sum())
    else:
        civilians, log = np.zeros(len(controller)), np.zeros((0, len(ASSAULT_LOG)))
    closed = controller[sites] != territory.NO_GANG
    closed[attacked[attacked < len(sites)]] = True
    return Outcome(fights, deaths, civilians, hnp, mss, detained, closed, log)


def offensive(p: Mapping, today: int) -> bool:
    """Whether ``today`` falls in the coalition's offensive: ``offensive_days`` from ``offensive_start_day``
    (record: the Viv Ansanm offensive of 29 Feb-22 Apr 2024 [V]; a scenario input until the coalition's
    strategy is a state of the model)."""
    return p["offensive_start_day"] <= today < p["offensive_start_day"] + p["offensive_days"]


def reach(p: Mapping, centres_km: tuple[np.ndarray, np.ndarray], site_cells: np.ndarray,
          site_nbr: np.ndarray) -> np.ndarray:
    """``(2, m)``: the pairs (site, cell) of the cells within ``offensive_reach_km`` of each site's cell or next
    to it (so an attacker's own cell is always in reach), site by site in cell order."""
    x, y = centres_km
    near = np.hypot(x[None, :] - x[site_cells, None], y[None, :] - y[site_cells, None]) <= p["offensive_reach_km"]
    near[np.arange(len(site_cells))[:, None], site_nbr] = True
    return np.array(near.nonzero())


def coalition(gangs: Gangs, site_reach: np.ndarray, fighters: np.ndarray, controller: np.ndarray,
              leads: np.ndarray) -> np.ndarray:
    """``(sites, groups)``: the fighters each group brings to an attack on each site led by ``leads`` (-1: no
    attacker, nobody comes): all those standing within reach (:func:`reach`) of the groups of the lead's
    alliance that confront the forces. Record: the coalition's groups massed together in its offensive [V]."""
    site, cell = site_reach
    group = controller[cell]
    lead = leads[site]
    joins = (group >= 0) & (lead >= 0)
    joins[joins] = gangs.confront[group[joins]] & (gangs.alliance[group[joins]] == gangs.alliance[lead[joins]])
    n = len(gangs.members)
    return np.bincount(site[joins] * n + group[joins], weights=fighters[cell[joins]],
                       minlength=len(leads) * n).reshape(len(leads), n)


def fighting_strengths(p: Mapping, units: personnel.Units, gangs: Gangs, cells: np.ndarray, groups: np.ndarray,
                       fighters: np.ndarray, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """The square law's fighting strengths (lethality × number², Lanchester 1916) of the guards of ``cells``
    and of the ``groups`` attacking them with ``gang_attack_mass`` times their cell's ``fighters``."""
    posted = units.cell >= 0
    guards = np.bincount(units.cell[posted], weights=units.personnel[posted], minlength=n_cells)[cells]
    eff = np.bincount(units.cell[posted], weights=units.effectiveness[posted], minlength=n_cells)[cells]
    a = combat.caution_lethality(p["security_lethality"], p["roe_caution"]) * eff / np.maximum(guards, 1e-9)
    armed = np.minimum(1.0, gangs.arms[groups] / np.maximum(gangs.members[groups], 1e-9))
    red = p["gang_attack_mass"] * fighters
    return a * guards ** 2, p["gang_lethality"] * armed * red ** 2


def worth_attacking(p: Mapping, units: personnel.Units, gangs: Gangs, cells: np.ndarray, groups: np.ndarray,
                    fighters: np.ndarray, n_cells: int) -> np.ndarray:
    """Whether each group chooses to attack its target: its fighting strength is at least
    ``gang_attack_resolve`` times the guards' (:func:`fighting_strengths`; 1: it attacks what it expects to
    win, below 1 it is bolder, 0 attacks every target). Groups weigh the defence before they attack (the
    record's successful attacks, on the prisons in March 2024 and the HUEH, massed hundreds against few
    guards [V]); an assumption with a range."""
    guards, attackers = fighting_strengths(p, units, gangs, cells, groups, fighters, n_cells)
    return attackers >= p["gang_attack_resolve"] * guards


class Terms(NamedTuple):
    """The parameters of an assault on a site."""

    mass: float  # gang_attack_mass: fighters massed per member of the attacking cell
    security_lethality: float  # of the guards, after the cost of cautious rules (combat.caution_lethality)
    gang_lethality: float
    clear_ratio: float
    harm_ratio: float  # civilian_harm_ratio


def assault(rng: np.random.Generator, cells: np.ndarray, attackers: np.ndarray, strength: np.ndarray,
            unit_cell: np.ndarray, personnel: np.ndarray, effectiveness: np.ndarray, is_mss: np.ndarray,
            members: np.ndarray, arms: np.ndarray, population: np.ndarray, mean_population: float,
            controller: np.ndarray, held_until: np.ndarray, events: np.ndarray,
            terms: Terms) -> tuple[float, float, float, np.ndarray, np.ndarray, np.ndarray]:
    """The day's fights for the attacked site ``cells`` (distinct, increasing), each by the group
    ``attackers`` massing ``terms.mass`` times its cell ``strength`` against the units posted there.

    The guards' personnel and effectiveness are added unit by unit; the square law (:func:`combat.engage`),
    the attackers armed as far as the lead group's weapons go; a cell is taken when the guards left are fewer
    than the clearing ratio times the attackers left. The attackers' losses are in the log (the caller takes
    them from the groups that fought); the guards' losses are
    shared by the units of each cell in proportion to their personnel and added up per force, unit by unit.
    Civilians are harmed as in an operation, without caution (:func:`combat.civilian_harm_expected`, drawn
    where positive). ``controller``, ``held_until`` and ``events`` (one per fight) in place.
    Returns ``(gang members killed, HNP lost, MSS lost, civilians killed per cell, cells taken, the log of
    the fights)`` (:data:`ASSAULT_LOG`).
    """
    red = terms.mass * strength
    posted = np.isin(unit_cell, cells)
    where = np.searchsorted(cells, unit_cell[posted])  # the fight of each unit posted at an attacked cell
    blue = np.bincount(where, weights=personnel[posted], minlength=len(cells))
    blue_eff = np.bincount(where, weights=effectiveness[posted], minlength=len(cells))
    blue_mss = np.bincount(where, weights=personnel[posted] * is_mss[posted], minlength=len(cells))
    armed = np.minimum(1.0, arms[attackers] / np.maximum(members[attackers], 1e-9))
    a = terms.security_lethality * blue_eff / np.maximum(blue, 1e-9)
    blue_loss, red_loss = combat.engage(blue, red, a, terms.gang_lethality * armed, rng)
    captured = (blue - blue_loss) * terms.clear_ratio <= (red - red_loss)
    share = personnel[posted] * (blue_loss / np.maximum(blue, 1e-9))[where]  # each posted unit's losses
    lost = np.bincount(is_mss[posted], weights=share, minlength=2)
    per_fight = np.zeros((len(cells), 2))
    np.add.at(per_fight, (where, is_mss[posted].astype(np.int64)), share)  # unit by unit, as the totals
    harm = combat.civilian_harm_expected(blue_loss + red_loss, population[cells] / mean_population, 1.0,
                                         terms.harm_ratio, 0.0)
    civilians = np.zeros(len(controller))
    civilians[cells] = combat.poisson_where_positive(rng, harm)
    taken = cells[captured]
    log = np.column_stack((cells, attackers, blue, blue_mss, red, red_loss, per_fight[:, 0], per_fight[:, 1],
                           civilians[cells], captured)).astype(float)
    controller[taken] = attackers[captured]
    held_until[taken] = -1
    events[cells] += 1.0
    return float(red_loss.sum()), float(lost[0]), float(lost[1]), civilians, taken, log


def _first_per_cell(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``cells`` in increasing order and where each first appears (``np.unique`` with
    ``return_index``, without its cost for a handful of sites)."""
    order = np.argsort(cells, kind="stable")
    ordered = cells[order]
    first = np.ones(len(cells), bool)
    first[1:] = ordered[1:] != ordered[:-1]
    return ordered[first], order[first]


# how far below the draw an attack probability worked out with math.exp may fall and still let the site be
# attacked by np.exp's: both are within a few units in the last place of exp, far less than this
_SURE = 1e-9


def _may_attack(rate: np.ndarray, draw: np.ndarray, att: np.ndarray, held: np.ndarray, intensity: np.ndarray,
                sites: np.ndarray) -> bool:
    """Whether a site may be attacked today: an open site (``held`` by no gang) with a confronting neighbour
    (``att > 0``) whose draw is below its :func:`retaliation.attack_probability`, give or take ``_SURE``. When
    it says no, no site is attacked (the probabilities of ``attack_probability``, with ``np.exp``, differ
    from these by far less than ``_SURE``); when it says yes, :func:`day` decides with those.
    Plain floats: cheaper than arrays for a dozen sites."""
    for site, u, a, h, r in zip(sites.tolist(), draw.tolist(), att.tolist(), held.tolist(), rate.tolist()):
        if h == territory.NO_GANG and a > 0 and u < 1.0 - math.exp(-r * (1.0 + intensity.item(site))) + _SURE:
            return True
    return False
