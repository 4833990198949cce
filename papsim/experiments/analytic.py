"""Sobol's G-function, an analytic test model whose first-order, total and group indices are known exactly.

G(x) = prod_i (|4 x_i - 2| + a_i) / (1 + a_i) on [0, 1]^d: a factor with a small ``a_i`` matters, one with a
large ``a_i`` hardly does. Factors are passed by name, so a test can give them names whose alphabetical
order differs from the spec's (the order SALib's sample blocks follow).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np


@dataclass(frozen=True)
class GFunction:
    """The G-function of the named factors ``a`` (name, a_i), with optional Gaussian noise of sd ``noise``."""

    a: tuple[tuple[str, float], ...]
    noise: float = 0.0
    outputs: ClassVar[tuple[str, ...]] = ("y",)  # what it returns, so a spec's output names are checked before any run

    def __call__(self, factors: dict[str, float], seed: int) -> dict[str, float]:
        y = 1.0
        for name, a in self.a:
            y *= (abs(4 * factors[name] - 2) + a) / (1 + a)
        if self.noise:
            y += self.noise * np.random.default_rng(seed).standard_normal()
        return {"y": y}

    @property
    def factors(self) -> dict[str, dict[str, float]]:
        """The spec's factors table, in the function's order."""
        return {name: {"low": 0.0, "high": 1.0} for name, _ in self.a}

    def _partial(self) -> dict[str, float]:
        return {name: 1 / (3 * (1 + a) ** 2) for name, a in self.a}

    def variance(self) -> float:
        return math.prod(1 + v for v in self._partial().values()) - 1

    def analytic(self) -> dict[str, dict[str, float]]:
        """Exact S1 and ST of every factor (without noise)."""
        v, total = self._partial(), self.variance()
        return {"S1": {n: v[n] / total for n in v},
                "ST": {n: v[n] * math.prod(1 + v[m] for m in v if m != n) / total for n in v}}

    def group(self, members: Iterable[str]) -> dict[str, float]:
        """Exact closed first-order (S1) and total (ST) index of a group of factors."""
        v, total = self._partial(), self.variance()
        members = set(members)
        inside = math.prod(1 + v[n] for n in members) - 1
        outside = math.prod(1 + v[n] for n in v if n not in members) - 1
        return {"S1": inside / total, "ST": (total - outside) / total}
