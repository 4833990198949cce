"""Trust: support for the mission and the state, per cell.

About 70% of Haitians favoured an international force in 2023 (seed 001_c89b9ae9724bcb68). Trust rises
with visible security, falls with civilian harm and misconduct (which an oversight mechanism lowers:
resolution 2699, seed 000; vetting and oversight concerns, seed 001) and with a passive, static-only
posture ("passive force" perception, seed 002_d688c9cc41807fef). Trust feeds intelligence and recruitment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("trust_initial", "misconduct_rate", "oversight_strength", "unit_size",
                               "trust_gain_presence", "trust_loss_harm", "trust_loss_misconduct", "passivity_penalty")


class Rates(NamedTuple):
    """The parameters of a day of trust: presence is seen as units present, ``unit_size`` people each."""

    unit_size: float
    gain: float
    harm_loss: float
    misconduct_loss: float
    passivity_penalty: float


def initial(p: Mapping, land: np.ndarray) -> np.ndarray:
    """Trust at the start: ``trust_initial`` on land, 0 elsewhere."""
    return np.where(land, p["trust_initial"], 0.0)


def misconduct_expected(personnel: float, rate_per_1000_month: float, oversight: float) -> float:
    """Expected misconduct incidents per day among ``personnel``, after oversight prevents its share."""
    return personnel / 1000.0 * rate_per_1000_month / 30.0 * (1.0 - oversight)


def passivity(static_share: float, deployed: bool) -> float:
    """Passivity index in [0, 1]: how far the posture is static beyond one half, once a force is deployed."""
    return max(0.0, 2.0 * (static_share - 0.5)) if deployed else 0.0


def update(trust: np.ndarray, presence: np.ndarray, harm_per_1000: np.ndarray, incidents: float,
           passivity_index: float, gain: float, harm_loss: float, misconduct_loss: float,
           passivity_penalty: float) -> np.ndarray:
    """Tomorrow's trust in each cell, clipped to [0, 1].

    ``presence`` in [0, 1] is visible security in the cell; ``harm_per_1000`` civilians killed by
    operations per 1,000 residents today; ``incidents`` misconduct incidents today (felt everywhere).
    """
    change = (gain * presence * (1.0 - trust) - harm_loss * harm_per_1000
              - misconduct_loss * incidents - passivity_penalty * passivity_index)
    return np.minimum(np.maximum(0.0, trust + change), 1.0)  # np.clip(..., 0.0, 1.0), cheaper


def one_day(rng: np.random.Generator, trust: np.ndarray, presence: np.ndarray, *, civilians_killed: np.ndarray,
            population: np.ndarray, land: np.ndarray, expected_incidents: float, passivity_index: float,
            rates: Rates) -> None:
    """:func:`update` of the land cells, in place, with today's misconduct incidents drawn first (one Poisson
    draw of mean ``expected_incidents``): presence is seen as units present (at most one), harm as civilians
    killed in operations and attacks per 1,000 residents; off land trust stays 0."""
    incidents = rng.poisson(expected_incidents)
    visible = np.minimum(1.0, presence / rates.unit_size)
    harm = np.divide(civilians_killed * 1000.0, population, out=np.zeros_like(civilians_killed),
                     where=population > 0)
    trust[:] = np.where(land, update(trust, visible, harm, incidents, passivity_index, rates.gain, rates.harm_loss,
                                     rates.misconduct_loss, rates.passivity_penalty), 0.0)


def day(k: Kernels, p: Mapping, rng: np.random.Generator, trust: np.ndarray, presence: np.ndarray, *,
        personnel: float, mss_deployed: bool, mss_static_share: float, civilians_killed: np.ndarray,
        population: np.ndarray, land: np.ndarray) -> None:
    """The day's trust, in place: misconduct incidents drawn among all ``personnel`` (one Poisson draw),
    passivity of the MSS posture, then :func:`update` of the land cells (:func:`one_day`, one call)."""
    k.trust.one_day(rng, trust, presence, civilians_killed=civilians_killed, population=population, land=land,
                    expected_incidents=misconduct_expected(personnel, p["misconduct_rate"], p["oversight_strength"]),
                    passivity_index=passivity(mss_static_share, mss_deployed),
                    rates=Rates(p["unit_size"], p["trust_gain_presence"], p["trust_loss_harm"],
                                p["trust_loss_misconduct"], p["passivity_penalty"]))
