"""Retaliation: an attack raises the short-term chance of further attacks nearby (a self-exciting process).

Each cell carries an intensity that jumps with attacks and operations in it and around it and decays
geometrically day by day, like a discrete Hawkes process. Source: the attack killing three anti-gang
officers (seed 003_95e9fba624dc4210) and ≥22 police stations attacked Feb-Apr 2024 (record [S]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from papsim.mechanisms import Grid

if TYPE_CHECKING:
    from papsim.kernels import Kernels

PARAMETERS: tuple[str, ...] = ("retaliation_jump", "retaliation_decay")


def neighbour_sum(values: np.ndarray, nbr: np.ndarray, nbr_valid: np.ndarray) -> np.ndarray:
    """Sum of each cell's real Moore neighbours' values."""
    return (values[nbr] * nbr_valid).sum(axis=1)


def update_intensity(intensity: np.ndarray, events: np.ndarray, nbr: np.ndarray, nbr_valid: np.ndarray,
                     jump: float, decay: float) -> np.ndarray:
    """Decay yesterday's intensity and add ``jump`` per event in the cell, half as much per event next door."""
    return decay * intensity + jump * (events + 0.5 * neighbour_sum(events, nbr, nbr_valid))


def update_intensity_near_events(intensity: np.ndarray, events: np.ndarray, nbr: np.ndarray,
                                 nbr_valid: np.ndarray, jump: float, decay: float,
                                 out: np.ndarray | None = None) -> np.ndarray:
    """:func:`update_intensity` with the same numbers, worked out only in and next to the cells with events,
    into ``out`` (a new array if None; ``intensity`` itself updates it in place, with no copy).

    Elsewhere ``events`` and their neighbour sum are zero, so the update is the decay alone. Needs
    ``intensity >= 0``, ``events >= 0`` and a finite ``jump`` (always so in the model).
    """
    out = np.multiply(decay, intensity, out=out)
    hit = events.nonzero()[0]
    if len(hit):
        near = np.zeros(len(events), dtype=bool)
        near[hit] = True
        near[nbr[hit]] = True
        cells = near.nonzero()[0]
        out[cells] += jump * (events[cells] + 0.5 * neighbour_sum(events, nbr[cells], nbr_valid[cells]))
    return out


def attack_probability(base_rate: float, intensity: np.ndarray) -> np.ndarray:
    """Daily attack probability: the base hazard multiplied by ``1 + intensity``."""
    return 1.0 - np.exp(-base_rate * (1.0 + intensity))


def day(k: Kernels, p: Mapping, intensity: np.ndarray, events: np.ndarray, grid: Grid) -> None:
    """Tonight's intensity, in place, from today's operations and attacks (:func:`update_intensity_near_events`)."""
    k.retaliation.update_intensity_near_events(intensity, events, grid.nbr, grid.nbr_valid, p["retaliation_jump"],
                                               p["retaliation_decay"], out=intensity)
