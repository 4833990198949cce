"""Each compiled twin gives its NumPy module's numbers to the last bit, and leaves the generator where it does.

Arguments are recorded from runs of several scenarios (every call the NumPy functions receive), then each
call is replayed through the twin on copies: every result, every array changed in place and the state of
the generator must be identical. Whole runs must then give identical outputs.

A twin is held to that only while it is current (it records the hash of the NumPy modules it twins): a
stale twin is skipped with the reason. A current twin that is not built is skipped on a machine without a
C compiler, and fails in CI (``CI`` set), which always has one.
"""

from __future__ import annotations

import copy
import os
from types import SimpleNamespace

import numpy as np
import pytest

import papsim
from papsim import kernels
from papsim.citymap import moore_neighbours
from papsim.errors import InputError
from papsim.kernels import NUMPY, TWINS, Kernels, Twin
from papsim.mechanisms import attacks, territory
from papsim.model import PortAuPrince
from papsim.scenario import load_scenario
from bitwise import same

# twinned functions a run calls only from inside other twins (posture.place, operations.raid), not through the
# kernels: their edge cases are replayed below and in tests/test_targets_draws.py
NOT_CALLED_IN_RUNS = {("posture", "choose_targets")}
CASES = [(module, name) for module, names in TWINS.items() for name in names if (module, name) not in NOT_CALLED_IN_RUNS]
SCENARIOS = ["baseline", "mss_as_planned", "gsf_5550", "posture_dynamic", "posture_clear_hold", "no_mission",
             "force_density_benchmark"]
STATES = kernels.twins()


def held_to_equality(state: Twin) -> None:
    """Go on if the twin is usable; else skip (stale, or not built on a machine without a compiler) or fail
    (current but not built, in CI)."""
    if state.usable:
        return
    if not state.stale and os.environ.get("CI"):
        pytest.fail(f"{state.module}: the twin is current but {state.reason} (CI builds every twin)")
    pytest.skip(f"{state.module}: {state.reason}")


def twin_of(module: str):
    held_to_equality(STATES[module])
    return STATES[module].built


@pytest.fixture(scope="module")
def replayed() -> dict[tuple[str, str], list[bool]]:
    """Runs of several scenarios and seeds (150 days) on the NumPy functions, in which every call to a
    function with a usable twin is also made on copies of its arguments by the twin: per function, whether
    each call gave the same bits (results, arrays changed in place, generator state)."""
    outcomes: dict[tuple[str, str], list[bool]] = {case: [] for case in CASES}

    def checking(module, name):
        reference = getattr(getattr(NUMPY, module), name)
        if not STATES[module].usable:
            return reference
        compiled = getattr(STATES[module].built, name)

        def call(*args, **kwargs):
            theirs_args, theirs_kwargs = copy.deepcopy((args, kwargs))
            got = compiled(*theirs_args, **theirs_kwargs)
            expected = reference(*args, **kwargs)
            outcomes[module, name].append(same(expected, got) and same((args, kwargs), (theirs_args, theirs_kwargs)))
            return expected
        return call

    spy = Kernels("numpy", **{module: SimpleNamespace(compiled=False, **{name: checking(module, name)
                                                                         for name in names})
                              for module, names in TWINS.items()})
    for scenario in SCENARIOS:
        for seed in (1, 2):
            model = PortAuPrince(load_scenario(f"scenarios/{scenario}.toml"), rng=seed, days=150, kernels="numpy")
            model.kernels = spy
            for _ in range(model.days):
                model.step()
    return outcomes


def replay(module: str, name: str, *args) -> None:
    fast = twin_of(module)
    mine, theirs = copy.deepcopy(args), copy.deepcopy(args)
    expected = getattr(getattr(NUMPY, module), name)(*mine)
    got = getattr(fast, name)(*theirs)
    assert same(expected, got), f"{module}.{name}: results differ"
    assert same(mine, theirs), f"{module}.{name}: arguments changed in place (or the generator) differ"


@pytest.mark.parametrize(("module", "name"), CASES)
def test_every_call_in_runs_gives_the_same_bits(replayed, module, name):
    held_to_equality(STATES[module])
    outcomes = replayed[module, name]
    assert outcomes, f"no run called {module}.{name}"
    assert all(outcomes), f"{module}.{name}: {outcomes.count(False)} of {len(outcomes)} calls differ"


def test_assault_edge_cases_give_the_same_bits():
    """Fights for attacked sites with no guards, wiped-out sides, several units per cell, groups without
    weapons and cells without residents."""
    terms = attacks.Terms(mass=3.0, security_lethality=0.05, gang_lethality=0.03, clear_ratio=1.5, harm_ratio=0.2)
    for seed in range(300):
        g = np.random.default_rng(seed)
        n, groups, units = int(g.integers(5, 40)), int(g.integers(1, 5)), int(g.integers(0, 12))
        cells = np.sort(g.choice(n, int(g.integers(1, min(n, 6) + 1)), replace=False)).astype(np.int64)
        personnel = g.choice([0.0, 20.0, 150.0]) * g.random(units)
        replay("attacks", "assault", g, cells, g.integers(0, groups, len(cells)),
               g.choice([0.0, 2.0, 60.0]) * g.random(len(cells)), g.choice(np.r_[cells, -1], units),
               personnel, personnel * g.random(units), g.random(units) < 0.5,
               g.choice([0.0, 50.0, 500.0]) * g.random(groups), g.choice([0.0, 1.0, 300.0]) * g.random(groups),
               g.choice([0.0, 3000.0]) * g.random(n), 1500.0, g.integers(-1, groups, n), g.integers(-1, 9, n),
               np.zeros(n), terms)


def test_posture_edge_cases_give_the_same_bits():
    rng = np.random.default_rng(3)
    replay("posture", "choose_targets", np.array([1.0, 2.0, 2.0, -np.inf, 2.0]), 2, rng)  # equal scores
    replay("posture", "choose_targets", np.full(4, -np.inf), 3, rng)
    replay("posture", "choose_targets", rng.random(6), 0, rng)
    replay("posture", "keep_holds", np.array([5, 9, 9, -1, 9]), 3, 2, np.ones(5, bool))
    replay("posture", "keep_holds", np.array([5, 9]), 3, 0, np.ones(2, bool))
    for seed in range(200):  # random cases with many ties, invalid cells, capacities below the holds
        g = np.random.default_rng(seed)
        n = int(g.integers(1, 60))
        score = np.round(g.uniform(0, 4, n)) * g.choice([1.0, 1e6])
        score[g.random(n) < 0.3] = -np.inf
        replay("posture", "choose_targets", score, int(g.integers(0, n + 3)), g)
        replay("posture", "keep_holds", g.integers(-1, 8, n), int(g.integers(0, 5)), int(g.integers(0, n + 2)),
               g.random(n) < 0.8)


def test_territory_and_population_edge_cases_give_the_same_bits():
    nbr = moore_neighbours(3, 2)
    for controller in (np.full(6, -1), np.array([-1, 0, 0, 2, -1, 1]), np.zeros(6, np.int64)):
        replay("territory", "controller_fronts", controller, np.array([0, 1, 0, -1], np.int16),
               territory.land_neighbours_t(nbr, np.ones(6, bool)), np.ones(6, bool))
    for seed in range(40):  # random grids for the access flood fill, with and without secure anchors
        g = np.random.default_rng(seed)
        width, height = int(g.integers(1, 25)), int(g.integers(1, 25))
        secure = g.random(width * height) < g.uniform(0.1, 0.9)
        people = g.random(width * height) * 100 * (g.random(width * height) < 0.8)
        anchors = g.integers(0, secure.size, int(g.integers(0, 4)))
        replay("population", "humanitarian_access", secure, moore_neighbours(width, height), anchors, people)


def test_whole_runs_are_identical(monkeypatch):
    for state in STATES.values():
        held_to_equality(state)
    for scenario in ("baseline", "gsf_5550_underfunded", "policy_oversight_weak", "posture_patrol", "calibrated"):
        results = {}
        for choice in ("numpy", "compiled"):
            monkeypatch.setenv(kernels.ENV, choice)
            results[choice] = papsim.run(f"scenarios/{scenario}.toml", seed=7, days=200)
        a, b = results["numpy"], results["compiled"]
        assert a.timeseries.equals(b.timeseries), scenario
        assert same(list(a.summary.values()), list(b.summary.values())), scenario


def test_the_builds_are_current():
    for state in STATES.values():
        held_to_equality(state)
    chosen = kernels.select("auto")
    assert chosen.name == "compiled" and chosen.compiled == tuple(TWINS)
    assert kernels.compiled() is not None


def test_bad_choice_is_one_clear_error(monkeypatch):
    monkeypatch.setenv(kernels.ENV, "fast")
    with pytest.raises(InputError, match="PAP_SIM_KERNELS = 'fast' is not allowed; expected one of auto, compiled, "
                                         "numpy"):
        kernels.select()
    assert kernels.select("numpy") is NUMPY


# --- per-module selection, without a compiler: builds faked with the NumPy functions --------------------
@pytest.fixture
def built(monkeypatch) -> set[str]:
    """Fake current builds of every twin; remove a module from the returned set to unbuild it."""
    present = set(TWINS)
    sources = {module: kernels.source_hash(module) for module in TWINS}

    def fake(module):
        if module not in present:
            return None, "not built (test)"
        return SimpleNamespace(BUILT_FROM=sources[module],
                               **{name: getattr(getattr(NUMPY, module), name) for name in TWINS[module]}), ""
    monkeypatch.setattr(kernels, "_built", fake)
    return present


def changed(monkeypatch, *modules: str) -> None:
    """Make the NumPy sources of ``modules`` look changed since their twins were written."""
    real = kernels.numpy_hash
    monkeypatch.setattr(kernels, "numpy_hash", lambda m: "0" * 64 if m in modules else real(m))


def test_a_changed_numpy_module_falls_back_alone(built, monkeypatch):
    assert kernels.select("auto").name == "compiled"
    changed(monkeypatch, "trust")
    with pytest.warns(RuntimeWarning, match=r"trust: stale: papsim/mechanisms/trust.py changed .*update the twin "
                                            r"and its recorded hash; running its NumPy functions"):
        chosen = kernels.select("auto")
    assert chosen.trust is NUMPY.trust
    assert chosen.compiled == tuple(m for m in TWINS if m != "trust")
    assert chosen.name == f"mixed (compiled: {', '.join(chosen.compiled)})"
    with pytest.raises(InputError, match=r"'compiled', but these twins are not usable: trust: stale"):
        kernels.select("compiled")
    assert kernels.compiled() is None


def test_a_twin_falls_back_with_every_numpy_module_it_twins(built, monkeypatch):
    changed(monkeypatch, "combat")  # the attacks, operations and posture twins reproduce combat's functions
    with pytest.warns(RuntimeWarning, match="combat.py changed"):
        chosen = kernels.select("auto")
    assert {m for m in TWINS if m not in chosen.compiled} == {"attacks", "operations", "posture"}


def test_a_twin_not_built_falls_back_alone(built):
    built.discard("posture")
    with pytest.warns(RuntimeWarning, match="posture: not built .test.; to build it: pip install -e ."):
        chosen = kernels.select("auto")
    assert chosen.posture is NUMPY.posture and chosen.compiled == tuple(m for m in TWINS if m != "posture")
    with pytest.raises(InputError, match="posture: not built"):
        kernels.select("compiled")


def test_a_build_older_than_its_twin_falls_back(built, monkeypatch):
    real = kernels.source_hash
    monkeypatch.setattr(kernels, "source_hash", lambda m: "f" * 64 if m == "economy" else real(m))
    with pytest.warns(RuntimeWarning, match="economy: built from another version of economy.pyx"):
        assert "economy" not in kernels.select("auto").compiled


def test_no_build_at_all_runs_numpy_quietly(built, recwarn):
    built.clear()
    assert kernels.select("auto") is NUMPY
    assert not recwarn.list  # a machine without a compiler: nothing to report
    with pytest.raises(InputError, match="attacks: not built.*trust: not built"):
        kernels.select("compiled")


def test_a_current_twin_not_built_fails_only_in_ci(monkeypatch):
    missing = Twin("trust", usable=False, stale=False, reason="not built (test)", built=None)
    stale = Twin("trust", usable=False, stale=True, reason="stale (test)", built=None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        held_to_equality(missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="trust: the twin is current but not built"):
        held_to_equality(missing)
    with pytest.raises(pytest.skip.Exception, match="stale"):
        held_to_equality(stale)
