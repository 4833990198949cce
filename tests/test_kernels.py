"""The compiled kernels give the NumPy kernels' numbers to the last bit, and leave the generator where they do.

Arguments are recorded from runs of several scenarios (every call the NumPy kernels receive), then each
call is replayed through both sets on copies: every result, every array changed in place and the state of
the generator must be identical. Whole runs must then give identical outputs. The compiled set must be
built for these tests (``pip install -e .``); ``PAP_SIM_KERNELS=numpy`` states that a machine has none, and
skips them.
"""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest

import papsim
from papsim import kernels
from papsim.errors import InputError
from papsim.kernels import NUMPY, Kernels
from papsim.model import PortAuPrince
from papsim.scenario import load_scenario

FUNCTIONS = [name for name in Kernels._fields if name != "name"]
SCENARIOS = ["baseline", "mss_as_planned", "gsf_5550", "posture_dynamic", "posture_clear_hold", "no_mission",
             "force_density_benchmark"]

no_compiler = os.environ.get(kernels.ENV) == "numpy"
pytestmark = pytest.mark.skipif(no_compiler, reason="PAP_SIM_KERNELS=numpy: no compiled kernels on this machine")


@pytest.fixture(scope="module")
def fast() -> Kernels:
    compiled = kernels.compiled()
    assert compiled is not None, kernels.compiled_status()
    return compiled


@pytest.fixture(scope="module")
def replayed(fast) -> dict[str, list]:
    """Runs of several scenarios and seeds (150 days) on the NumPy kernels, in which every kernel call is
    also made on copies of its arguments by the compiled set: per function, whether each call gave the
    same bits (results, arrays changed in place, generator state)."""
    outcomes: dict[str, list] = {name: [] for name in FUNCTIONS}

    def checking(name):
        reference, compiled = getattr(NUMPY, name), getattr(fast, name)

        def call(*args):
            theirs = copy.deepcopy(args)
            got = compiled(*theirs)
            expected = reference(*args)
            outcomes[name].append(same(expected, got) and same(args, theirs))
            return expected
        return call

    spy = Kernels(name="numpy", **{name: checking(name) for name in FUNCTIONS})
    for scenario in SCENARIOS:
        for seed in (1, 2):
            model = PortAuPrince(load_scenario(f"scenarios/{scenario}.toml"), rng=seed, days=150, kernels="numpy")
            model.kernels = spy
            for _ in range(model.days):
                model.step()
    return outcomes


def same(a, b) -> bool:
    """Equal to the last bit: values (nan equal to nan), signs of zero, shapes and dtypes; recursively."""
    if isinstance(a, np.random.Generator):
        return a.bit_generator.state == b.bit_generator.state
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    if isinstance(a, (int, float, np.number)) and not isinstance(a, bool):
        return np.float64(a).tobytes() == np.float64(b).tobytes()
    return a == b


def replay(fast: Kernels, name: str, args: tuple) -> None:
    mine, theirs = copy.deepcopy(args), copy.deepcopy(args)
    expected = getattr(NUMPY, name)(*mine)
    got = getattr(fast, name)(*theirs)
    assert same(expected, got), f"{name}: results differ"
    assert same(mine, theirs), f"{name}: arguments changed in place (or the generator) differ"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_call_in_runs_gives_the_same_bits(replayed, name):
    outcomes = replayed[name]
    assert outcomes, f"no run called {name}"
    assert all(outcomes), f"{name}: {outcomes.count(False)} of {len(outcomes)} calls differ"


def test_edge_cases_give_the_same_bits(fast):
    rng = np.random.default_rng(3)
    empty = np.zeros(0)
    replay(fast, "poisson_where_positive", (rng, empty))
    replay(fast, "poisson_where_positive", (rng, np.array([0.0, 2.5, 0.0, 1e-3])))
    replay(fast, "engage", (empty, empty, empty, empty, rng))
    replay(fast, "engage", (np.array([10.0, 0.0, 5.0]), np.array([0.0, 8.0, 5.0]), np.array([0.1, 0.2, 0.0]),
                            np.array([0.3, 0.0, 0.0]), rng))
    replay(fast, "choose_targets", (np.array([1.0, 2.0, 2.0, -np.inf, 2.0]), 2, np.zeros(5)))  # exact ties
    replay(fast, "choose_targets", (np.full(4, -np.inf), 3, rng.random(4)))
    replay(fast, "choose_targets", (rng.random(6), 0, rng.random(6)))
    replay(fast, "keep_holds", (np.array([5, 9, 9, -1, 9]), 3, 2))
    replay(fast, "keep_holds", (np.array([5, 9]), 3, 0))
    replay(fast, "cell_strength", (np.array([-1, 0, 0, 2, -1]), np.array([4.0, 7.0, 3.0])))
    replay(fast, "cell_strength", (np.full(3, -1), np.zeros(2)))
    for seed in range(200):  # random cases with many ties, invalid cells, capacities below the holds
        g = np.random.default_rng(seed)
        n = int(g.integers(1, 60))
        score = np.round(g.uniform(0, 4, n)) * g.choice([1.0, 1e6])
        score[g.random(n) < 0.3] = -np.inf
        jitter = g.random(n) if seed % 2 else np.zeros(n)
        replay(fast, "choose_targets", (score, int(g.integers(0, n + 3)), jitter))
        replay(fast, "keep_holds", (g.integers(-1, 8, n), int(g.integers(0, 5)), int(g.integers(0, n + 2))))
        size = int(g.integers(0, 6))
        fight = [g.choice([0.0, 3.0, 40.0]) * g.random(size) for _ in range(4)]
        replay(fast, "engage", (*fight, g))
    for seed in range(40):  # random grids for the access flood fill, with and without secure anchors
        g = np.random.default_rng(seed)
        shape = (int(g.integers(1, 25)), int(g.integers(1, 25)))
        secure = g.random(shape) < g.uniform(0.1, 0.9)
        people = g.random(shape) * 100 * (g.random(shape) < 0.8)
        anchors = g.integers(0, secure.size, int(g.integers(0, 4)))
        replay(fast, "humanitarian_access", (secure, anchors, people))


def test_whole_runs_are_identical(monkeypatch):
    for scenario in ("baseline", "gsf_5550_underfunded", "policy_oversight_weak", "posture_patrol", "calibrated"):
        results = {}
        for choice in ("numpy", "compiled"):
            monkeypatch.setenv(kernels.ENV, choice)
            results[choice] = papsim.run(f"scenarios/{scenario}.toml", seed=7, days=200)
        a, b = results["numpy"], results["compiled"]
        assert a.timeseries.equals(b.timeseries), scenario
        assert same(list(a.summary.values()), list(b.summary.values())), scenario


def test_bad_choice_is_one_clear_error(monkeypatch):
    monkeypatch.setenv(kernels.ENV, "fast")
    with pytest.raises(InputError, match="PAP_SIM_KERNELS = 'fast' is not allowed; expected one of auto, compiled, numpy"):
        kernels.select()
    assert kernels.select("numpy") is NUMPY


def test_missing_or_stale_build(monkeypatch):
    monkeypatch.setattr(kernels, "_load", lambda: (None, "the compiled kernels are not built (test)", False))
    with pytest.raises(InputError, match="'compiled', but the compiled kernels are not built"):
        kernels.select("compiled")
    assert kernels.select("auto") is NUMPY
    monkeypatch.setattr(kernels, "_load", lambda: (None, "built from another version of _kernels.pyx", True))
    with pytest.warns(RuntimeWarning, match="another version.*running the NumPy kernels"):
        assert kernels.select("auto") is NUMPY


def test_the_build_is_current(fast):
    assert kernels.select("auto") is fast and fast.name == "compiled"
