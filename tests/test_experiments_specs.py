"""Specs that cannot mean what they say are refused or warned about before any run; discovery checks its
boxes on held-out runs; small designs and failing analyses are said in one line, never as a failed run."""

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from papsim.cli.experiments import register
from papsim.errors import InputError
from papsim.experiments import models
from papsim.experiments import Spec, Store, load_spec, sweep
from papsim.experiments import discovery
from papsim.present import experiment_files

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = (ROOT / "scenarios" / "mss_as_planned.toml").as_posix()


def call(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pap-sim")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def pap(days: int, factors: dict, **extra) -> dict:
    return {"name": "s", "scenario": SCENARIO, "days": days, "design": {"method": "random", "n": 40},
            "factors": factors} | extra


def test_a_day_factor_beyond_the_horizon_is_refused_or_cut():
    with pytest.raises(InputError, match=r"factors.mss_start_day.*horizon.*days = 365") as info:
        Spec.from_dict(pap(365, {"mss_start_day": {"low": 0, "high": 730}}))
    assert "\n" not in str(info.value)
    spec = Spec.from_dict(pap(365, {"mss_start_day": {}}))  # the registry's range, cut to the horizon
    assert spec.factors[0].high == 365 and "range cut to [0, 365]" in spec.warnings[0]
    sobol = load_spec(ROOT / "experiments" / "sobol_core.toml")
    start = next(f for f in sobol.factors if f.name == "mss_start_day")
    assert start.high <= sobol.days


def test_horizon_outputs_follow_days():
    spec = Spec.from_dict(pap(180, {"gang_expansion_rate": {}},
                              outputs=["gang_population_share_horizon", "deaths_civilian_to_horizon"],
                              analysis={"success": ["gang_population_share_horizon < 0.5"]}))
    assert spec.outputs == ("gang_population_share_day180", "deaths_civilian_to_day180")
    assert spec.analysis.success == ("gang_population_share_day180 < 0.5",)
    odd = Spec.from_dict(pap(100, {"gang_expansion_rate": {}}, outputs=["gang_population_share_horizon"]))
    assert odd.outputs == ("gang_population_share_final",)  # no summary at day 100: the value at the end
    with pytest.raises(InputError, match=r"outputs\[0\].*gang_population_share_day365.*cannot exist.*days = 180"):
        Spec.from_dict(pap(180, {"gang_expansion_rate": {}}, outputs=["gang_population_share_day365"]))
    with pytest.raises(InputError, match=r"analysis.success\[0\].*no_such_output"):
        Spec.from_dict(pap(180, {"gang_expansion_rate": {}}, analysis={"success": ["no_such_output < 1"]}))
    for name in ("deployment_levels", "morris_screening", "sobol_core"):  # written with _horizon names
        assert "_horizon" in (ROOT / "experiments" / f"{name}.toml").read_text(), name


def test_methods_the_design_cannot_support_are_refused():
    with pytest.raises(InputError, match="PAWN with 10 slices needs at least 20 design points"):
        Spec.from_dict({"name": "x", "model": "m:f", "design": {"method": "random", "n": 8},
                        "factors": {"x": {"low": 0, "high": 1}}, "analysis": {"methods": ["pawn"]}})
    with pytest.raises(InputError, match="'group' is for Sobol' designs"):
        Spec.from_dict({"name": "x", "model": "m:f", "design": {"method": "random", "n": 40},
                        "factors": {"x": {"low": 0, "high": 1, "group": "g"}}})


def toy(factors: dict, seed: int) -> dict:
    return {"y": factors["x"] + 0.1 * factors["k"] / 100 + 0.05 * (seed % 3)}


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The toy model is registered for these tests, as a package registers its own (entry point papsim.models)."""
    monkeypatch.setitem(models.MODELS, "test_experiments_specs:toy", toy)


def write_toy(tmp_path, n: int, methods: str, slices: int = 10) -> Path:
    path = tmp_path / "toy.toml"
    path.write_text(f'name = "toy"\nmodel = "test_experiments_specs:toy"\nseed = 2\noutputs = ["y"]\n'
                    f'[design]\nmethod = "random"\nn = {n}\n'
                    '[factors]\nx = {low = 0.0, high = 1.0}\nk = {low = 0, high = 100, kind = "int"}\n'
                    f'[analysis]\nmethods = {methods}\npawn_slices = {slices}\n')
    return path


def test_sweep_warns_that_it_does_not_run_the_analysis_methods(tmp_path, capsys):
    spec = write_toy(tmp_path, 40, '["pawn"]')
    assert call("sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial", "-q") == 0
    err = capsys.readouterr().err
    assert "warning:" in err and "pawn are not run by `sweep`" in err and len(err.strip().splitlines()) == 1


def test_small_design_gets_a_note_not_a_crash(tmp_path, capsys):
    spec = write_toy(tmp_path, 6, '["pawn"]', slices=2)
    assert call("sensitivity", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial") == 0
    out, err = capsys.readouterr()
    assert "too small for a convergence check" in out and "run failed" not in err and "problem" not in err
    assert not list((tmp_path / "s" / "figures").glob("convergence_*"))
    assert (tmp_path / "s" / "tables" / "pawn.csv").is_file()


def test_an_analysis_error_never_says_the_run_failed(tmp_path, capsys, monkeypatch):
    spec = write_toy(tmp_path, 40, '["pawn"]')

    def broken(*args, **kwargs):
        raise IndexError("index 0 is out of bounds")

    monkeypatch.setattr(experiment_files.analysis, "indices", broken)
    assert call("sensitivity", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial", "-q") == 1
    err = capsys.readouterr().err
    assert "pawn: output 'y': the analysis could not be done (IndexError" in err and "run failed" not in err
    monkeypatch.setattr(experiment_files, "sensitivity", broken)
    assert call("analyze", str(tmp_path / "s"), "-q") == 1
    assert "the analysis could not be done (the runs are stored)" in capsys.readouterr().err


def test_discover_with_an_integer_factor_and_a_criterion_no_run_meets(tmp_path, capsys):
    spec = write_toy(tmp_path, 200, "[]")
    assert call("sweep", str(spec), "--out", str(tmp_path / "s"), "--executor", "serial", "-q") == 0
    # the integer factor k used to crash PRIM's pasting step with a TypeError under pandas 3
    assert call("discover", str(tmp_path / "s"), "--success", "y < 0.4 and k < 50", "-q") == 0
    boxes = pd.read_csv(tmp_path / "s" / "tables" / "prim_boxes.csv")
    assert {"density_holdout", "coverage_holdout", "qp_low", "qp_high"} <= set(boxes.columns)
    assert set(boxes["factor"]) <= {"x", "k"}
    assert call("discover", str(tmp_path / "s"), "--success", "y > 100") == 0
    assert "holds in 0 of 200 runs; no box to find" in capsys.readouterr().out


def noise(factors: dict, seed: int) -> dict:
    return {"y": float(np.random.default_rng(seed).random() < 0.5)}


def test_an_overfitted_box_shows_on_held_out_runs(tmp_path):
    """Success at random (no factor matters): PRIM still finds a dense box on the runs it sees, but on
    the held-out runs its density falls back to about one half, and its quasi-p-values are large."""
    factors = {f"x{i}": {"low": 0.0, "high": 1.0} for i in range(6)}
    spec = Spec.from_dict({"name": "noise", "seed": 8, "factors": factors,
                           "design": {"method": "random", "n": 400}})
    store = sweep(spec, noise, tmp_path / "s", executor="serial", progress=False).store
    boxes = discovery.prim(store, "y > 0.5", threshold=0.75, max_boxes=1)
    box = boxes.stats.iloc[0]
    assert box["density"] >= 0.75 and box["runs_holdout"] > 0
    assert box["density_holdout"] < box["density"] - 0.15
    assert math.isfinite(box["coverage_holdout"])
    qp = boxes.limits[["qp_low", "qp_high"]].min(axis=1)
    assert (qp > 0.01).any()
