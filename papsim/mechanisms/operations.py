"""HNP-led operations: a day's raids on gang cells, from the units sent to the fights' consequences.

Each operation is fought by its units against the gang members of the target cell and a share of those in
the group's neighbouring cells (reinforcements; low-profile groups engage less), with the square law of
:mod:`papsim.mechanisms.combat`; losses split into killed and arrested; the security forces lose people and
morale; civilians are harmed in proportion to the casualties and the density; a cell where the survivors
outnumber the gang by the clearing ratio is cleared. Sources: resolution 2699 (seed 000_0ef45d2968df0eb0:
HNP-led joint operations, detention powers); seed 002_d688c9cc41807fef (dense terrain, holding ground).
"""

from __future__ import annotations

import numpy as np

from papsim.mechanisms import combat


def raid(rng: np.random.Generator, targets: np.ndarray, raiders: np.ndarray, personnel: np.ndarray,
         effectiveness: np.ndarray, is_mss: np.ndarray, morale: np.ndarray, strength: np.ndarray,
         controller: np.ndarray, nbr: np.ndarray, nbr_valid: np.ndarray, confront: np.ndarray,
         members: np.ndarray, arms: np.ndarray, trust: np.ndarray, presence: np.ndarray, population: np.ndarray,
         area_km2: float, mean_population: float, lethality: float, gang_lethality: float, caution: float,
         reinforcement_share: float, low_profile_engagement: float, intel_weight: float, arrest_share: float,
         free_detention: float, harm_ratio: float,
         clear_ratio: float) -> tuple[np.ndarray, np.ndarray, float, float, float, float]:
    """Fight one operation in each of the distinct ``targets`` cells; raider ``r`` joins operation ``r % n``.

    Civilian harm grows with the target's density relative to the city's (``mean_population`` per land
    cell). Adds the operations' effectiveness to ``presence`` and updates the raiders' ``morale`` and the
    groups' ``members`` and ``arms`` in place. Draws every operation's security losses, then gang losses,
    then arrests, then civilians killed. Returns ``(cleared, civilians killed)`` per operation and the
    totals ``(gang members killed, arrested, HNP losses, MSS losses)``.
    """
    n = len(targets)
    g = len(members)
    op_of = np.arange(len(raiders)) % n
    persons = np.bincount(op_of, weights=personnel[raiders], minlength=n)
    eff = np.bincount(op_of, weights=effectiveness[raiders], minlength=n)
    mss_persons = np.bincount(op_of, weights=personnel[raiders] * is_mss[raiders], minlength=n)
    presence[targets] += eff  # distinct cells

    gang = controller[targets]
    around = nbr[targets]
    support = (strength[around] * (controller[around] == gang[:, None]) * nbr_valid[targets]).sum(axis=1)
    engaged = ((strength[targets] + reinforcement_share * support)
               * np.where(confront[gang], 1.0, low_profile_engagement))
    armed = np.minimum(1.0, arms[gang] / np.maximum(members[gang], 1e-9))
    a = (combat.caution_lethality(lethality, caution) * eff / np.maximum(persons, 1e-9)
         * combat.intelligence_factor(trust[targets], intel_weight))
    blue_loss, red_loss = combat.engage(persons, engaged, a, gang_lethality * armed, rng)
    killed, arrested = combat.split_arrests(red_loss, arrest_share, free_detention, rng)
    lost = np.bincount(gang, weights=killed + arrested, minlength=g)
    members[:] = np.maximum(0.0, members - lost)
    arms[:] = np.maximum(0.0, arms - 0.5 * lost)
    mss_loss = blue_loss * mss_persons / np.maximum(persons, 1e-9)
    morale[raiders] = np.maximum(0.3, morale[raiders] - 0.5 * (blue_loss / np.maximum(persons, 1e-9))[op_of])

    density = population[targets] / area_km2 / (mean_population / area_km2)
    harm = combat.civilian_harm_expected(blue_loss + red_loss, density, 1.0, harm_ratio, caution)
    civilians = combat.poisson(rng, harm).astype(float)
    cleared = persons - blue_loss >= clear_ratio * (engaged - red_loss)
    return (cleared, civilians, float(killed.sum()), float(arrested.sum()), float((blue_loss - mss_loss).sum()),
            float(mss_loss.sum()))
