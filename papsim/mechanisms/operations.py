"""HNP-led operations: a day's raids on gang cells, from the units sent to the fights' consequences.

Each operation is fought by its units against the gang members of the target cell and a share of those in
the group's neighbouring cells (reinforcements; low-profile groups engage less), with the square law of
:mod:`papsim.mechanisms.combat`; losses split into killed and arrested; the security forces lose people and
morale; civilians are harmed in proportion to the casualties and the density; a cell where the survivors
outnumber the gang by the clearing ratio is cleared, and held for a while. Sources: resolution 2699 (seed
000_0ef45d2968df0eb0: HNP-led joint operations, detention powers); seed 002_d688c9cc41807fef (dense
terrain, holding ground); 48 HNP killed and 75 injured in 2023 (record [V]).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from papsim.mechanisms import Gangs, Grid, combat, fighters, personnel, posture, territory

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = (
    "operation_tempo", "units_per_operation", "target_rule", "security_lethality", "intelligence_base",
    "gang_lethality", "roe_caution", "gang_reinforcement_share", "low_profile_engagement", "trust_intel_weight",
    "arrest_share", "detention_capacity", "civilian_harm_ratio", "clear_ratio")
HNP_DEATH_SHARE = 48 / (48 + 75)  # record: 48 HNP killed, 75 injured in 2023 [V] -> killed share of casualties [D]
RAID_LOG: tuple[str, ...] = ("cell", "gang", "personnel", "mss_personnel", "fighters", "aimed", "gang_killed",
                             "arrested", "hnp_losses", "mss_losses", "civilians_killed", "cleared")
"""The columns of :func:`raid`'s log, one row per operation in the order of its targets: the target cell and
its group, the personnel sent (of them MSS), the gang fighters engaged, the share of the forces' fire that
was aimed (the operation's intelligence), the gang members killed and arrested, the security casualties
(killed and wounded) of each force, the residents killed, and 1 if the cell was cleared."""


class RaidTerms(NamedTuple):
    """The parameters of a day's raids, and the prisons' free places."""

    target_rule: str  # posture.TARGET_RULES
    units_per_operation: int
    lethality: float
    intelligence_base: float
    gang_lethality: float
    caution: float
    reinforcement_share: float
    low_profile_engagement: float
    intel_weight: float
    arrest_share: float
    free_detention: float  # places left in the prisons
    harm_ratio: float
    clear_ratio: float


class Outcome(NamedTuple):
    """What a day's operations did."""

    operations: int
    cleared: int
    deaths: np.ndarray  # (gang members, HNP, MSS) killed
    civilians: np.ndarray  # civilians killed per cell
    arrested: float
    hnp: float  # personnel left
    mss: float
    log: np.ndarray  # one row per operation (RAID_LOG)


def fight(rng: np.random.Generator, targets: np.ndarray, raiders: np.ndarray, joins: np.ndarray,
          units: personnel.Units, gangs: Gangs, grid: Grid, *, strength: np.ndarray, controller: np.ndarray,
          trust: np.ndarray, presence: np.ndarray, population: np.ndarray, reprisals: np.ndarray,
          terms: RaidTerms) -> tuple[np.ndarray, np.ndarray, float, float, float, float, np.ndarray]:
    """Fight one operation in each of the distinct ``targets`` cells; raider ``raiders[r]`` joins operation
    ``joins[r]`` (the fights of :func:`raid`, and of :func:`papsim.mechanisms.recapture.day`).

    Fought under the intelligence-limited law (:func:`combat.engage_with_intelligence`): the share of the
    forces' fire that is aimed comes from the residents' trust and the gang's recent reprisals in the cell
    (:func:`combat.aimed_share`); the unaimed rest finds fighters among the cell's residents and harms
    residents in proportion to the target's density relative to the city's (``grid.mean_population`` per
    land cell), cut by caution. Adds the operations' effectiveness to ``presence`` and updates the raiders'
    morale, the groups' arms and the fighters per cell (``strength``) in place: the fighters lost leave the
    target and its supporting neighbours in proportion to what each brought to the fight. Draws every
    operation's security losses, then gang losses, then arrests, then civilians killed. Returns ``(cleared,
    civilians killed)`` per operation, the totals ``(gang members killed, arrested, HNP losses, MSS
    losses)`` and the log of the operations (:data:`RAID_LOG`).
    """
    n = len(targets)
    members, arms, nbr = gangs.members, gangs.arms, grid.nbr
    persons = np.bincount(joins, weights=units.personnel[raiders], minlength=n)
    eff = np.bincount(joins, weights=units.effectiveness[raiders], minlength=n)
    mss_persons = np.bincount(joins, weights=units.personnel[raiders] * units.force[raiders], minlength=n)
    presence[targets] += eff  # distinct cells

    gang = controller[targets]
    around = nbr[targets]
    helpers = terms.reinforcement_share * (strength[around] * (controller[around] == gang[:, None])
                                           * grid.nbr_valid[targets])
    present = strength[targets] + helpers.sum(axis=1)  # the fighters who can join the fight
    engaged = present * np.where(gangs.confront[gang], 1.0, terms.low_profile_engagement)
    armed = np.minimum(1.0, arms[gang] / np.maximum(members[gang], 1e-9))
    a = combat.caution_lethality(terms.lethality, terms.caution) * eff / np.maximum(persons, 1e-9)
    aimed = combat.aimed_share(terms.intelligence_base, trust[targets], terms.intel_weight, reprisals[targets])
    blue_loss, red_loss, unaimed = combat.engage_with_intelligence(persons, engaged, population[targets], a,
                                                                   terms.gang_lethality * armed, aimed, rng)
    killed, arrested = combat.split_arrests(red_loss, terms.arrest_share, terms.free_detention, rng)
    lost = killed + arrested
    part = np.divide(lost, present, out=np.zeros(n), where=present > 0)
    fighters.remove(strength, np.concatenate((targets, around.ravel())),
                    np.concatenate((part * strength[targets], (part[:, None] * helpers).ravel())))
    arms[:] = np.maximum(0.0, arms - 0.5 * np.bincount(gang, weights=lost, minlength=len(members)))
    mss_loss = blue_loss * mss_persons / np.maximum(persons, 1e-9)
    morale = units.morale
    morale[raiders] = np.maximum(0.3, morale[raiders] - 0.5 * (blue_loss / np.maximum(persons, 1e-9))[joins])

    density = population[targets] / grid.area_km2 / (grid.mean_population / grid.area_km2)
    harm = combat.civilian_harm_expected(unaimed, density, 1.0, terms.harm_ratio, terms.caution)
    civilians = combat.poisson(rng, harm).astype(float)
    cleared = persons - blue_loss >= terms.clear_ratio * (engaged - red_loss)
    hnp_loss = blue_loss - mss_loss
    log = np.column_stack((targets, gang, persons, mss_persons, engaged, aimed, killed, arrested, hnp_loss,
                           mss_loss, civilians, cleared)).astype(float)
    return (cleared, civilians, float(killed.sum()), float(arrested.sum()), float(hnp_loss.sum()),
            float(mss_loss.sum()), log)


def raid(rng: np.random.Generator, raiders: np.ndarray, units: personnel.Units, gangs: Gangs, grid: Grid, *,
         n_ops: int, today: int, hold: int, controller: np.ndarray, strength: np.ndarray, frontier: np.ndarray,
         population: np.ndarray, trust: np.ndarray, reprisals: np.ndarray, presence: np.ndarray,
         held_until: np.ndarray, cleared_on: np.ndarray, events: np.ndarray,
         terms: RaidTerms) -> tuple[int, int, np.ndarray, float, float, float, float, np.ndarray]:
    """The day's raids, from the choice of targets to the cells cleared (one compiled call a day).

    ``strength`` is the fighters per cell (:mod:`papsim.mechanisms.fighters`); up to ``n_ops`` targets are the best
    gang cells by ``terms.target_rule`` (:func:`posture.target_scores`; one uniform draw per gang cell breaks ties,
    none when ``n_ops <= 0``: :func:`posture.choose_targets`). Without a target nothing else changes. Otherwise the
    first ``units_per_operation`` raiders per target go (role ``posture.OPERATION``, raider ``r`` to target
    ``r % n``) and fight (:func:`fight`); cleared cells lose their gang (their surviving fighters fall back to their
    group's neighbouring cells: :func:`fighters.retreat`), are held until ``today + hold`` and marked cleared today;
    ``events`` gains one per operation; the groups' members are their fighters' sum after the fights. ``units``, the
    fighters, the gangs' members and arms, ``controller``, ``presence``, ``held_until``, ``cleared_on`` and
    ``events`` in place.

    Returns ``(operations, cells cleared, civilians killed per cell, gang members killed, arrested, HNP
    losses, MSS losses, the log of the operations)`` (:data:`RAID_LOG`; no rows without an operation).
    """
    gang_cells = (controller >= 0).nonzero()[0]
    score = posture.target_scores(terms.target_rule, gang_cells, population, strength, frontier, grid.site_distance)
    targets = gang_cells[posture.choose_targets(score, n_ops, rng)]
    civilians = np.zeros(len(controller))
    n = len(targets)
    if n == 0:
        return 0, 0, civilians, 0.0, 0.0, 0.0, 0.0, np.zeros((0, len(RAID_LOG)))
    raiders = raiders[: n * terms.units_per_operation]
    units.role[raiders] = posture.OPERATION
    joins = np.arange(len(raiders)) % n  # raider r goes to target r % n
    units.cell[raiders] = targets[joins]
    cleared, killed_civilians, killed, arrested, hnp_loss, mss_loss, log = fight(
        rng, targets, raiders, joins, units, gangs, grid, strength=strength, controller=controller, trust=trust,
        presence=presence, population=population, reprisals=reprisals, terms=terms)
    civilians[targets] = killed_civilians  # distinct cells of a zero array
    done = targets[cleared]
    losers = controller[done]
    controller[done] = territory.NO_GANG
    fighters.retreat(strength, done, losers, controller, grid.nbr, grid.nbr_distinct)
    gangs.members[:] = fighters.tally(controller, strength, len(gangs.members))
    held_until[done] = today + hold
    cleared_on[done] = today
    events[targets] += 1.0
    return n, len(done), civilians, killed, arrested, hnp_loss, mss_loss, log


def raid_terms(p: Mapping, detained: float) -> RaidTerms:
    """The day's :class:`RaidTerms`, with ``detained`` in the prisons."""
    return RaidTerms(p["target_rule"], p["units_per_operation"], p["security_lethality"], p["intelligence_base"],
                     p["gang_lethality"], p["roe_caution"], p["gang_reinforcement_share"],
                     p["low_profile_engagement"], p["trust_intel_weight"], p["arrest_share"],
                     p["detention_capacity"] - detained, p["civilian_harm_ratio"], p["clear_ratio"])


def day(k: Kernels, p: Mapping, rng: np.random.Generator, units: personnel.Units, gangs: Gangs, grid: Grid,
        raiders: np.ndarray, *, today: int, hnp: float, mss: float, detained: float,
        controller: np.ndarray, gang_strength: np.ndarray, presence: np.ndarray, frontier: np.ndarray,
        population: np.ndarray, trust: np.ndarray, reprisals: np.ndarray, held_until: np.ndarray,
        cleared_on: np.ndarray, events: np.ndarray) -> Outcome:
    """The day's operations: ``operation_tempo`` of the free units go, ``units_per_operation`` to a target,
    on the best gang cells by the ``target_rule`` (one uniform draw per gang cell breaks ties, none on a day
    without operations: :func:`posture.choose_targets`), and fight (:func:`raid`, all in one call). Cleared
    cells lose their gang and become posts (held until ``posture.POST_HELD_UNTIL − today``: until lost, or
    until fewer units can hold them, :func:`posture.keep_holds`).
    ``units``, the fighters per cell (``gang_strength``), ``controller``, the gangs' members and arms,
    ``presence``, ``held_until``, ``cleared_on`` and ``events`` (one per operation) in place. ``reprisals``:
    the cells' retaliation intensity (informants' fear)."""
    per_op = p["units_per_operation"]
    terms = raid_terms(p, detained)
    n_ops, cleared, civilians, killed, arrested, hnp_loss, mss_loss, log = k.operations.raid(
        rng, raiders, units, gangs, grid, n_ops=int(len(raiders) * p["operation_tempo"]) // per_op, today=today,
        hold=posture.POST_HELD_UNTIL - 2 * today, controller=controller,
        strength=gang_strength, frontier=frontier, population=population, trust=trust, reprisals=reprisals,
        presence=presence, held_until=held_until, cleared_on=cleared_on, events=events, terms=terms)
    if n_ops == 0:
        return Outcome(0, 0, np.zeros(3), civilians, 0.0, hnp, mss, log)
    return Outcome(n_ops, cleared, np.array((killed, HNP_DEATH_SHARE * hnp_loss, HNP_DEATH_SHARE * mss_loss)),
                   civilians, arrested, max(0.0, hnp - hnp_loss), max(0.0, math.floor(mss - mss_loss)), log)
