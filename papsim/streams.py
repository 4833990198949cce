"""One random stream per mechanism, spawned from the run's seed and set to the day: common random numbers that
pair scenarios.

With one stream for a whole run, a change in one scenario (more MSS units, so more patrol targets drawn)
shifts every later draw of every mechanism, and two scenarios run with the same seed are no better paired
than two seeds. Common random numbers work only when the same random number serves the same purpose in both
runs (Law 2015, *Simulation Modeling and Analysis*, 5th ed., chapter 11, on synchronising common random
numbers). Here each mechanism has its own counter-based Philox generator (Salmon et al. 2011, "Parallel
random numbers: as easy as 1, 2, 3", SC'11), keyed by a child of the run's ``SeedSequence``; on day ``t``
its counter is set to ``(0, t, 0, 0)``. The numbers a mechanism draws on a day therefore depend on the seed,
the mechanism and the day only: what the other mechanisms drew, and how many numbers this one drew on
earlier days, do not move them. Two streams never overlap (a day has 2**64 blocks of four 64-bit words before its counter reaches the
next day's).
"""

from __future__ import annotations

import numpy as np

SETUP = ("gangs", "units")
"""The streams that serve the initial state only (gang territory, the security units)."""
MECHANISMS = ("gangs", "units", "posture", "operations", "attacks", "territory", "population", "economy", "trust",
              "drones", "executions", "vigilantes", "recapture")
"""The streams, one per mechanism that draws (the :data:`SETUP` ones first). A new stream goes at the end:
each stream's key comes from its place in the list."""


def root(seed: int | np.random.SeedSequence | None) -> np.random.SeedSequence:
    """The run's seed as a ``SeedSequence`` (fresh entropy for ``None``)."""
    return seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)


class Streams:
    """The run's generators, one per name of :data:`MECHANISMS`, each realigned by :meth:`day`."""

    def __init__(self, seed: int | np.random.SeedSequence | None):
        seq = root(seed)
        self._bits: dict[str, np.random.Philox] = {}
        self._generators: dict[str, np.random.Generator] = {}
        for i, name in enumerate(MECHANISMS):
            child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, i))
            bits = self._bits[name] = np.random.Philox(key=child.generate_state(2, np.uint64))
            self._generators[name] = np.random.Generator(bits)
        self._states = {name: bits.state for name, bits in self._bits.items() if name not in SETUP}

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._generators[name]

    def day(self, t: int) -> None:
        """Set every daily stream to day ``t``: the first number each draws next is the first of its day ``t``
        (a set-up stream is left where it is)."""
        for name, state in self._states.items():
            bits = self._bits[name]
            state["state"]["counter"][:] = (0, t, 0, 0)
            state["buffer_pos"] = 4  # an empty buffer: the next draw starts a block
            state["has_uint32"] = 0
            bits.state = state
