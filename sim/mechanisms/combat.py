"""Engagements between security forces and gangs: stochastic Lanchester (square law) attrition.

The square law ``dB/dt = -b R``, ``dR/dt = -a B`` is solved exactly over one day and losses are drawn as
Poisson counts around the exact expected losses, so the mean path of many replicates follows the ODE
(verified against ``scipy.integrate.solve_ivp`` in the tests). Effectiveness comes from training,
equipment, readiness and morale; arrests use the mission's exceptional detention powers (resolution 2699,
seed 000_0ef45d2968df0eb0) up to the prisons' capacity; civilian harm grows with density and falls with
the caution of the rules of engagement (seed 002_d688c9cc41807fef: dense terrain forces caution).
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.jit import njit, pairwise_sum


def lanchester_remaining(blue: np.ndarray, red: np.ndarray, a: np.ndarray | float, b: np.ndarray | float,
                         dt: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact square-law strengths after ``dt`` (arrays or numbers, broadcast together).

    ``a``: red casualties per blue fighter per day; ``b``: blue casualties per red fighter per day. When a
    side is wiped out within ``dt`` the fight stops there and the winner keeps ``sqrt(B^2 - (b/a) R^2)``
    (the square law's invariant), so strengths never grow or go negative.
    """
    blue, red, a, b = np.broadcast_arrays(*(np.asarray(x, float) for x in (blue, red, a, b)))
    blue_t, red_t = _lanchester(blue.ravel(), red.ravel(), a.ravel(), b.ravel(), float(dt))
    return blue_t.reshape(blue.shape), red_t.reshape(blue.shape)


@njit
def _lanchester(blue, red, a, b, dt):
    blue_t = np.empty(len(blue))
    red_t = np.empty(len(blue))
    for i in range(len(blue)):
        blue_t[i], red_t[i] = remaining(blue[i], red[i], a[i], b[i], dt)
    return blue_t, red_t


@njit
def remaining(blue: float, red: float, a: float, b: float, dt: float) -> tuple[float, float]:
    """:func:`lanchester_remaining` of one fight."""
    k = np.sqrt(a * b)
    kt = k * dt
    sinh_over_k = np.sinh(kt) / k if k > 0 else dt
    c = np.cosh(kt)
    blue_t = blue * c - b * red * sinh_over_k
    red_t = red * c - a * blue * sinh_over_k
    red_out = red_t <= 0
    blue_out = blue_t <= 0
    if red_out or blue_out:  # a side is wiped out within dt: the other keeps the invariant's strength
        blue_wins = np.sqrt(max(blue * blue - (b / a if a > 0 else np.inf) * (red * red), 0.0)) if red > 0 else blue
        red_wins = np.sqrt(max(red * red - (a / b if b > 0 else np.inf) * (blue * blue), 0.0)) if blue > 0 else red
        blue_t, red_t = (blue_wins if red_out else 0.0), (red_wins if blue_out else 0.0)
    return min(max(0.0, blue_t), blue), min(max(0.0, red_t), red)


def engage(blue: np.ndarray, red: np.ndarray, a: np.ndarray | float, b: np.ndarray | float,
           rng: np.random.Generator, dt: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One day of fighting: Poisson losses around the exact expected losses, capped by strength.

    Returns ``(blue_losses, red_losses)`` as floats holding whole numbers.
    """
    blue, red, a, b = np.broadcast_arrays(*(np.asarray(x, float) for x in (blue, red, a, b)))
    blue_loss, red_loss = fight(rng, blue.ravel(), red.ravel(), a.ravel(), b.ravel(), float(dt))
    return blue_loss.reshape(blue.shape), red_loss.reshape(blue.shape)


@njit
def fight(rng: np.random.Generator, blue: np.ndarray, red: np.ndarray, a: np.ndarray, b: np.ndarray,
          dt: float) -> tuple[np.ndarray, np.ndarray]:
    """:func:`engage` of 1-D arrays: every blue loss is drawn, then every red loss, fight by fight."""
    blue_t, red_t = _lanchester(blue, red, a, b, dt)
    blue_loss = np.empty(len(blue))
    red_loss = np.empty(len(blue))
    for i in range(len(blue)):
        blue_loss[i] = min(draw_poisson(rng, blue[i] - blue_t[i]), np.floor(blue[i]))
    for i in range(len(blue)):
        red_loss[i] = min(draw_poisson(rng, red[i] - red_t[i]), np.floor(red[i]))
    return blue_loss, red_loss


@njit
def draw_poisson(rng: np.random.Generator, lam: float) -> float:
    """``rng.poisson(lam)``: NumPy draws nothing for a zero mean, and neither does this."""
    return float(rng.poisson(lam)) if lam > 0 else 0.0


@njit
def effectiveness(training: np.ndarray, equipment: np.ndarray, readiness: np.ndarray,
                  morale: np.ndarray) -> np.ndarray:
    """Fighting effectiveness of a unit in [0, 1]: the product of its four factors."""
    return training * equipment * readiness * morale


@njit
def intelligence_factor(trust: np.ndarray, weight: float) -> np.ndarray:
    """Operations find their targets better where residents trust the state: 1 at trust 0.5."""
    return np.maximum(0.1, 1.0 + weight * (trust - 0.5))


@njit
def split_arrests(gang_losses: np.ndarray, arrest_share: float, free_capacity: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split gang losses into ``(killed, arrested)``; arrests beyond the prisons' free capacity are released.

    Each loss is an arrest with probability ``arrest_share``. Released people are not losses: they stay
    with their group.
    """
    wanted = np.empty(len(gang_losses))
    for i in range(len(gang_losses)):
        wanted[i] = rng.binomial(int(gang_losses[i]), arrest_share)
    total = pairwise_sum(wanted)
    free = max(free_capacity, 0.0)
    arrested = wanted if total <= free else np.floor(wanted * free / total)
    return gang_losses - wanted, arrested


@njit
def civilian_harm_expected(casualties: np.ndarray, density: np.ndarray, ref_density: float,
                           ratio: float, caution: float) -> np.ndarray:
    """Expected civilians killed: proportional to combatant casualties and density, cut by caution.

    Full caution removes 80% of the harm (it cannot remove it all in dense terrain).
    """
    return ratio * casualties * (density / ref_density) * (1.0 - 0.8 * caution)


@njit
def caution_lethality(lethality: float, caution: float) -> float:
    """Cautious rules of engagement cost some lethality: up to 30% at full caution."""
    return lethality * (1.0 - 0.3 * caution)
