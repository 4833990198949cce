"""The experiment subcommands: bad specs give one line and exit 2; failures exit 1; the pap-sim model runs."""

import argparse
import math
from pathlib import Path

import pandas as pd
import pytest

from papsim.errors import InputError
from papsim.experiments import models
from papsim.experiments import Store, load_spec
from papsim.registry import PARAMETERS
from papsim.cli.experiments import register

ROOT = Path(__file__).resolve().parent.parent


def flaky(factors: dict, seed: int) -> dict:
    """A toy model (importable by spec) that fails for x >= 0.75."""
    if factors["x"] >= 0.75:
        raise RuntimeError("diverged")
    return {"y": factors["x"] ** 2 + 0.01 * (seed % 7), "ok": factors["x"] < 0.5}


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The toy model is registered for these tests, as a package registers its own (entry point papsim.models)."""
    monkeypatch.setitem(models.MODELS, "test_experiments_cli:flaky", flaky)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pap-sim")
    register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(list(argv))


def call(*argv: str) -> int:
    args = parse(*argv)
    return args.func(args)


def write(tmp_path: Path, text: str, name: str = "spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


SCENARIO = (ROOT / "scenarios" / "mss_as_planned.toml").as_posix()

BAD_SPECS = {
    "unknown factor": (f'scenario = "{SCENARIO}"\n[design]\nmethod = "random"\nn = 8\n'
                       '[factors]\nnot_a_parameter = {low = 0, high = 1}\n', "factors.not_a_parameter"),
    "empty range": (f'scenario = "{SCENARIO}"\n[design]\nmethod = "random"\nn = 8\n'
                    '[factors]\ngang_expansion_rate = {low = 0.05, high = 0.05}\n', "empty range"),
    "outside the registry": (f'scenario = "{SCENARIO}"\n[design]\nmethod = "grid"\n'
                             '[factors]\nhnp_total_strength = {values = [1000, 13196]}\n', "[8000, 20000]"),
    "N not a power of two": (f'scenario = "{SCENARIO}"\n[design]\nmethod = "sobol"\nn = 1000\n'
                             '[factors]\ngang_expansion_rate = {}\n', "power of two"),
    "missing scenario": ('scenario = "no/such/scenario.toml"\n[design]\nmethod = "random"\nn = 8\n'
                         '[factors]\ngang_expansion_rate = {}\n', "does not exist"),
    "unknown key": ('model = "x:y"\nreplicate = 3\n[factors]\nx = {values = [1]}\n', "unknown key"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_spec_is_one_line_naming_file_and_key(tmp_path, case):
    text, expected = BAD_SPECS[case]
    spec = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        call("sweep", str(spec), "--out", str(tmp_path / "out"), "--executor", "serial", "-q")
    message = str(info.value)
    assert "\n" not in message and str(spec) in message and expected in message
    assert not (tmp_path / "out").exists()


def test_bad_spec_exits_2_through_the_pap_sim_cli(tmp_path, capsys):
    main = pytest.importorskip("papsim.cli").main
    text, _ = BAD_SPECS["N not a power of two"]
    assert main(["sweep", str(write(tmp_path, text)), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "power of two" in err


def test_sweep_with_failures_exits_1_then_analyze_and_discover(tmp_path, capsys):
    spec = write(tmp_path, """
        name = "flaky"
        model = "test_experiments_cli:flaky"
        seed = 3
        replicates = 2
        outputs = ["y"]
        [design]
        method = "random"
        n = 60
        [factors]
        x = {low = 0.0, high = 1.0}
    """.replace("\n        ", "\n"))
    out = tmp_path / "store"
    assert call("sweep", str(spec), "--out", str(out), "--executor", "serial", "-q") == 1
    err = capsys.readouterr().err
    assert "runs failed" in err and "failures.csv" in err
    failures = pd.read_csv(out / "tables" / "failures.csv")
    assert (failures["x"] >= 0.75).all() and failures["error"].eq("RuntimeError: diverged").all()
    # PAWN on the complete points; the failures still make the command report them
    assert call("analyze", str(out), "-q") == 0
    assert (out / "tables" / "pawn.csv").is_file()
    assert call("discover", str(out), "--success", "y < 0.1", "-q") == 0
    boxes = pd.read_csv(out / "tables" / "prim_boxes.csv")
    assert boxes.loc[0, "factor"] == "x" and boxes.loc[0, "high"] <= 0.4 and boxes.loc[0, "density"] >= 0.8
    assert (out / "figures" / "prim_boxes.png").is_file()
    with pytest.raises(InputError, match="no_such_output"):
        call("discover", str(out), "--success", "no_such_output > 1", "-q")
    assert call("discover", str(out), "--success", "y > 5") == 0  # no run meets it: a result, not a failure
    assert "holds in 0 of" in capsys.readouterr().out


def test_shipped_specs_are_valid():
    shipped = sorted((ROOT / "experiments").glob("*.toml"))
    assert {p.stem for p in shipped} >= {"deployment_levels", "morris_screening", "sobol_core", "joint_operations"}
    for path in shipped:
        spec = load_spec(path)
        assert spec.scenario and Path(spec.scenario).is_file()
    joint = load_spec(ROOT / "experiments" / "joint_operations.toml")  # the cap swept over its whole range
    cap = next(f for f in joint.factors if f.name == "mss_per_hnp_in_joint_ops")
    low, high = PARAMETERS["mss_per_hnp_in_joint_ops"].low, PARAMETERS["mss_per_hnp_in_joint_ops"].high
    assert min(cap.values) == low and max(cap.values) == high and joint.analysis.planner_by
    deployment = load_spec(ROOT / "experiments" / "deployment_levels.toml")
    assert deployment.replicates == 30 and len(deployment.factors) == 3
    sobol = load_spec(ROOT / "experiments" / "sobol_core.toml")
    assert len(sobol.factors) >= 10 and math.log2(sobol.design.n).is_integer()


def test_pap_sim_model_tiny_grid(tmp_path):
    spec = write(tmp_path, f"""
        name = "tiny"
        scenario = "{SCENARIO}"
        days = 20
        replicates = 2
        seed = 9
        common_random_numbers = true
        outputs = ["gang_population_share_final", "cost_total_usd"]
        series = ["gang_population_share", "mss_personnel"]
        [design]
        method = "grid"
        [factors]
        mss_target_personnel = {{ values = [0, 2500] }}
        funding_share_of_need = {{ values = [0.5, 1.0] }}
        [analysis]
        planner_by = ["mss_target_personnel", "funding_share_of_need"]
        success = ["gang_population_share_final < 0.9"]
    """.replace("\n        ", "\n"))
    out = tmp_path / "store"
    assert call("sweep", str(spec), "--out", str(out), "--workers", "2", "-q") == 0
    store = Store(out)
    runs = store.runs()
    assert len(runs) == 8 and runs["status"].eq("ok").all()
    assert set(store.series()["variable"]) == {"gang_population_share", "mss_personnel"}
    assert store.series()["day"].max() >= 19
    planner = pd.read_csv(out / "tables" / "planner.csv")
    assert len(planner) == 4 and planner["runs"].eq(2).all()
    assert {"gang_population_share_final_median", "gang_population_share_final_p05", "p_success_all"} <= set(planner)
    assert (out / "figures" / "heatmap_gang_population_share_final.png").is_file()
    assert (out / "figures" / "bands_cost_total_usd.png").is_file()
    # the same runs in this process give the same numbers as in worker processes
    assert call("sweep", str(spec), "--out", str(tmp_path / "serial"), "--executor", "serial", "-q") == 0
    pd.testing.assert_frame_equal(runs.drop(columns="duration_s"),
                                  Store(tmp_path / "serial").runs().drop(columns="duration_s"))
