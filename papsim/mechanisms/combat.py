"""Engagements between security forces and gangs: stochastic Lanchester attrition, aimed as far as
intelligence allows.

Two laws, each solved over one day, with losses drawn as Poisson counts around the expected losses so that
the mean path of many replicates follows the ODE (verified against ``scipy.integrate.solve_ivp`` and the
laws' invariants in the tests):

- the **square law** ``dB/dt = -b R``, ``dR/dt = -a B`` (aimed fire on both sides; Lanchester 1916), solved
  exactly: a gang attack on a guarded site, whose attackers show themselves;
- the **intelligence-limited law** of an operation in a gang-held neighbourhood (Deitchman 1962's guerrilla
  model with Kress & Szechtman 2009's intelligence; Kress & MacKay 2014): the gang's fire is aimed,
  ``dB/dt = -b R``; a share ``i`` of the forces' fire is aimed (the intelligence: where and who the fighters
  are) and the rest is unaimed, finding fighters only in proportion to their share of the people in the
  cell and striking residents otherwise: ``dR/dt = -a B (i + (1 - i) R / (R + P))``, ``dH/dt = a B (1 - i)
  P / (R + P)`` (``H``: the unaimed fire that fell among the ``P`` residents). At ``i = 1`` it is the square
  law; at ``i = 0`` it keeps ``R^2/2 + P R - (a / 2b) B^2`` (Deitchman's mixed law, exact in the tests).
  Solved by a fixed fourth-order Runge-Kutta scheme (``RK_STEPS`` steps a day), the same arithmetic in the
  compiled twin.

Effectiveness comes from training, equipment, readiness and morale; arrests use the mission's exceptional
detention powers (resolution 2699, seed 000_0ef45d2968df0eb0) up to the prisons' capacity; civilian harm
grows with density and falls with the caution of the rules of engagement (seed 002_d688c9cc41807fef: dense
terrain forces caution).
"""

from __future__ import annotations

import numpy as np

PARAMETERS: tuple[str, ...] = ()  # pure helpers: the steps calling them read the parameters


def lanchester_remaining(blue: np.ndarray, red: np.ndarray, a: np.ndarray, b: np.ndarray,
                         dt: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Exact square-law strengths after ``dt``.

    ``a``: red casualties per blue fighter per day; ``b``: blue casualties per red fighter per day. When a
    side is wiped out within ``dt`` the fight stops there and the winner keeps ``sqrt(B^2 - (b/a) R^2)``
    (the square law's invariant), so strengths never grow or go negative.
    """
    blue = np.asarray(blue, float)
    red = np.asarray(red, float)
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    k = np.sqrt(a * b)
    kt = k * dt
    fighting = k > 0
    sinh_over_k = np.where(fighting, np.sinh(kt) / np.where(fighting, k, 1.0), dt)
    c = np.cosh(kt)
    blue_t = blue * c - b * red * sinh_over_k
    red_t = red * c - a * blue * sinh_over_k
    red_out = red_t <= 0
    blue_out = blue_t <= 0
    if red_out.any() or blue_out.any():  # otherwise the survivors are the square-law strengths as they are
        with np.errstate(divide="ignore", invalid="ignore"):
            blue_wins = np.where(red > 0, np.sqrt(np.maximum(blue ** 2 - np.where(a > 0, b / a, np.inf) * red ** 2, 0.0)), blue)
            red_wins = np.where(blue > 0, np.sqrt(np.maximum(red ** 2 - np.where(b > 0, a / b, np.inf) * blue ** 2, 0.0)), red)
        blue_t = np.where(red_out, blue_wins, np.where(blue_out, 0.0, blue_t))
        red_t = np.where(blue_out, red_wins, np.where(red_out, 0.0, red_t))
    # np.clip(x, 0.0, top) for top >= 0, as two ufuncs (cheaper on a few values; 0.0 first keeps clip's +0.0)
    return np.minimum(np.maximum(0.0, blue_t), blue), np.minimum(np.maximum(0.0, red_t), red)


RK_STEPS = 8  # Runge-Kutta steps a day (relative error below 1e-6 even where a side loses half its strength)


def _rates(blue: np.ndarray, red: np.ndarray, residents: np.ndarray, a: np.ndarray, b: np.ndarray,
           aimed: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dB/dt, dR/dt, dH/dt)`` of the intelligence-limited law (module docstring)."""
    people = red + residents
    seen = people > 0
    on_red = np.divide(red, people, out=np.zeros_like(people), where=seen)
    on_residents = np.divide(residents, people, out=np.zeros_like(people), where=seen)
    fire = a * blue
    return -b * red, -fire * (aimed + (1.0 - aimed) * on_red), fire * (1.0 - aimed) * on_residents


def intelligence_limited_remaining(blue: np.ndarray, red: np.ndarray, residents: np.ndarray, a: np.ndarray,
                                   b: np.ndarray, aimed: np.ndarray,
                                   dt: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Strengths after ``dt`` of the intelligence-limited law, and the unaimed fire that fell among the
    ``residents`` (module docstring): ``(blue left, red left, H)``.

    ``a``: red casualties per blue fighter per day of aimed fire; ``b``: blue casualties per red fighter per
    day; ``aimed``: the share of the forces' fire that is aimed, in [0, 1]. ``RK_STEPS`` classical
    Runge-Kutta steps; strengths are kept at zero or above at every stage, and never grow.
    """
    h = dt / RK_STEPS
    blue_t, red_t, hit = blue, red, np.zeros_like(blue)
    for _ in range(RK_STEPS):
        k1 = _rates(blue_t, red_t, residents, a, b, aimed)
        k2 = _rates(np.maximum(0.0, blue_t + (h / 2.0) * k1[0]), np.maximum(0.0, red_t + (h / 2.0) * k1[1]),
                    residents, a, b, aimed)
        k3 = _rates(np.maximum(0.0, blue_t + (h / 2.0) * k2[0]), np.maximum(0.0, red_t + (h / 2.0) * k2[1]),
                    residents, a, b, aimed)
        k4 = _rates(np.maximum(0.0, blue_t + h * k3[0]), np.maximum(0.0, red_t + h * k3[1]), residents, a, b, aimed)
        blue_t = np.maximum(0.0, blue_t + (h / 6.0) * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]))
        red_t = np.maximum(0.0, red_t + (h / 6.0) * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]))
        hit = hit + (h / 6.0) * (k1[2] + 2.0 * k2[2] + 2.0 * k3[2] + k4[2])
    return np.minimum(blue_t, blue), np.minimum(red_t, red), hit


def engage(blue: np.ndarray, red: np.ndarray, a: np.ndarray, b: np.ndarray,
           rng: np.random.Generator, dt: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """One day of fighting: Poisson losses around the exact expected losses, capped by strength.

    Returns ``(blue_losses, red_losses)`` as floats holding whole numbers.
    """
    blue = np.asarray(blue, float)
    red = np.asarray(red, float)
    return _draw_losses(rng, blue, red, *lanchester_remaining(blue, red, a, b, dt))


def _draw_losses(rng: np.random.Generator, blue: np.ndarray, red: np.ndarray, blue_t: np.ndarray,
                 red_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson losses around the expected ones (strength less what is left), capped by strength: every blue
    loss drawn, then every red loss; floats holding whole numbers."""
    blue_loss = np.minimum(poisson(rng, blue - blue_t), np.floor(blue))
    red_loss = np.minimum(poisson(rng, red - red_t), np.floor(red))
    return blue_loss.astype(float), red_loss.astype(float)


def engage_with_intelligence(blue: np.ndarray, red: np.ndarray, residents: np.ndarray, a: np.ndarray,
                             b: np.ndarray, aimed: np.ndarray,
                             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One day of an operation under the intelligence-limited law: Poisson losses around the expected
    losses, capped by strength, as :func:`engage` (every blue loss drawn, then every red loss). Returns
    ``(blue_losses, red_losses, unaimed fire among residents)``."""
    blue_t, red_t, hit = intelligence_limited_remaining(blue, red, residents, a, b, aimed)
    return (*_draw_losses(rng, blue, red, blue_t, red_t), hit)


_FEW = 8  # up to this many draws, one by one is cheaper than one array call (whose checks cost ~5 us)


def poisson(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """``rng.poisson(lam)``: the same numbers and the same stream (NumPy draws an array element by element
    with the scalar routine), drawn one by one when there are only a few."""
    if isinstance(lam, np.ndarray) and lam.ndim == 1 and len(lam) <= _FEW:
        return np.array([rng.poisson(x) for x in lam.tolist()], dtype=np.int64)
    return rng.poisson(lam)


def poisson_where_positive(rng: np.random.Generator, lam: np.ndarray) -> np.ndarray:
    """``rng.poisson(lam)`` as floats for non-negative means, drawn only where ``lam > 0``.

    NumPy's generator returns 0 for a zero mean without drawing, so the numbers and the stream are those
    of drawing for every cell; most cells (sea, open country, cells of no gang) have a zero mean.
    """
    out = np.zeros(len(lam))
    cells = lam.nonzero()[0]
    if len(cells):
        out[cells] = rng.poisson(lam[cells])
    return out


def binomial(rng: np.random.Generator, n: np.ndarray, p: float) -> np.ndarray:
    """``rng.binomial(n, p)`` for integer counts ``n`` and one probability ``p``: as :func:`poisson`."""
    if isinstance(n, np.ndarray) and n.ndim == 1 and len(n) <= _FEW and np.ndim(p) == 0:
        return np.array([rng.binomial(k, p) for k in n.tolist()], dtype=np.int64)
    return rng.binomial(n, p)


def effectiveness(training: np.ndarray, equipment: np.ndarray, readiness: np.ndarray,
                  morale: np.ndarray) -> np.ndarray:
    """Fighting effectiveness of a unit in [0, 1]: the product of its four factors."""
    return training * equipment * readiness * morale


def aimed_share(base: float, trust: np.ndarray, weight: float, reprisals: np.ndarray) -> np.ndarray:
    """The share of an operation's fire that is aimed (its intelligence), in [0, 1]: ``base`` where residents'
    trust is 0.5 and nobody fears reprisals, more where they trust the state (``weight`` per unit of trust;
    tips come from residents who trust it, Kress & Szechtman 2009), less where the gang has lately struck
    back (informants' safety: divided by ``1 + reprisals``, the cell's retaliation intensity)."""
    return np.minimum(1.0, base * np.maximum(0.0, 1.0 + weight * (trust - 0.5)) / (1.0 + reprisals))


def split_arrests(gang_losses: np.ndarray, arrest_share: float, free_capacity: float,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Split gang losses into ``(killed, arrested)``; arrests beyond the prisons' free capacity are released.

    Each loss is an arrest with probability ``arrest_share``. Released people are not losses: they stay
    with their group.
    """
    wanted = binomial(rng, gang_losses.astype(np.int64), arrest_share).astype(float)
    total = wanted.sum()
    free = max(float(free_capacity), 0.0)
    arrested = wanted if total <= free else np.floor(wanted * free / total)
    return gang_losses - wanted, arrested


def civilian_harm_expected(casualties: np.ndarray, density: np.ndarray, ref_density: float,
                           ratio: float, caution: float) -> np.ndarray:
    """Expected civilians killed: proportional to combatant casualties (or, in an operation, to the unaimed
    fire that fell among residents) and density, cut by caution.

    Full caution removes 80% of the harm (it cannot remove it all in dense terrain).
    """
    return ratio * casualties * (density / ref_density) * (1.0 - 0.8 * caution)


def caution_lethality(lethality: float, caution: float) -> float:
    """Cautious rules of engagement cost some lethality: up to 30% at full caution."""
    return lethality * (1.0 - 0.3 * caution)
