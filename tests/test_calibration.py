"""pap-sim calibrate: APMC on the experiments engine, end to end on a tiny budget; the patterns and their
distance; the committed result. (APMC itself, on a model with a known posterior: test_analyses_apmc.py.)"""

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import papsim
from papsim.analyses import apmc, calibration, patterns
from papsim.cli import main
from papsim.experiments.models import PapSim, View

CALIBRATED = Path(__file__).resolve().parent.parent / "scenarios" / "calibrated.toml"


def test_calibrate_runs_end_to_end_on_a_tiny_budget(tmp_path):
    out, toml = tmp_path / "cal", tmp_path / "calibrated.toml"
    code = main(["calibrate", "--budget", "4", "--replicates", "2", "--out", str(out), "--calibrated", str(toml),
                 "--executor", "serial", "-q"])
    assert code == 0
    for name in ("tables/posterior_sample.csv", "tables/posterior_summary.csv", "tables/calibration_patterns.csv",
                 "tables/calibration_generations.csv", "tables/calibration_particles.csv",
                 "figures/calibration_bands.png", "figures/posterior.png", "calibration.json",
                 "gen-00/manifest.json"):
        assert (out / name).is_file(), name
    scenario = papsim.load_scenario(toml)  # a valid scenario file
    text = toml.read_text()
    for word in ("Method:", "Budget: 4 runs", "Distance:", "Acceptance:", "date:"):
        assert word in text
    for name in (*calibration.FACTORS, patterns.SHARE):
        assert name in scenario.params
    table = pd.read_csv(out / "tables" / "calibration_patterns.csv")
    assert list(table["pattern"]) == [p.name for p in patterns.PATTERNS]
    summary = pd.read_csv(out / "tables" / "posterior_summary.csv")
    assert ((summary["posterior_p05"] >= summary["prior_low"] - 1e-9)
            & (summary["posterior_p95"] <= summary["prior_high"] + 1e-9)).all()


def test_bad_budget_is_an_input_error(tmp_path):
    assert main(["calibrate", "--budget", "3", "--replicates", "2", "--out", str(tmp_path / "x"),
                 "--calibrated", str(tmp_path / "c.toml"), "--executor", "serial", "-q"]) == 2


def test_errors_are_zero_at_the_centre_and_one_at_the_bounds():
    def stats(attr):
        return pd.DataFrame([{p.statistic: getattr(p, attr) * (0.8 if p.national else 1.0)
                              for p in patterns.PATTERNS}])

    shares = np.array([0.8])
    assert np.allclose(patterns.errors(stats("centre"), shares), 0.0)
    assert np.allclose(patterns.errors(stats("high"), shares), 1.0)
    bounded = [p.low < p.centre for p in patterns.PATTERNS]
    assert np.allclose(patterns.errors(stats("low"), shares)[0, bounded], -1.0)
    assert patterns.distance(patterns.errors(stats("high"), shares))[0] == 1.0


def test_apmc_concentrates_on_a_known_optimum():
    """On a cheap stand-in for the model, over the calibration's own prior, APMC's tolerance falls and its
    posterior closes in on the truth."""
    low, high = calibration.bounds()
    truth = (low + high) / 2

    def simulate(generation, thetas):
        table = pd.DataFrame(thetas, columns=list(calibration.PARAMS))
        table["distance"] = np.sqrt((((thetas - truth) / (high - low)) ** 2).mean(axis=1))
        return table

    post = apmc.apmc(simulate, calibration.PARAMS, low, high, budget_sets=600, particles=100, alpha=0.5,
                     min_acceptance=0.0, rng=np.random.default_rng(1))
    eps = post.generations["epsilon"].to_numpy()
    assert len(eps) == 11 and (np.diff(eps) <= 1e-12).all() and eps[-1] < 0.7 * eps[0]
    assert post.kept["weight"].sum() == pytest.approx(1.0)
    x = post.kept[list(calibration.PARAMS)].to_numpy()
    centre = (post.kept["weight"].to_numpy() @ x - truth) / (high - low)
    spread = x.std(axis=0) / (high - low)
    assert (np.abs(centre) < 0.1).all() and (spread < 0.2).all()  # a uniform prior has a spread of 0.29


def test_statistics_count_flows_over_the_calendar_periods():
    """The runs report values at the days the patterns need (the view); the statistics are totals of flows
    and changes of states between them."""
    start = dt.date(2024, 1, 1)
    days = 366
    ts = pd.DataFrame({"day": np.arange(days + 1)})
    for col in ("deaths_civilian", "deaths_gang", "deaths_hnp", "deaths_mss", "kidnappings"):
        ts[col] = 0.0
    ts.loc[1:, "deaths_civilian"] = 1.0  # one death a day
    ts.loc[1:, "kidnappings"] = 2.0
    ts["displaced_total"] = np.arange(days + 1) * 10.0
    ts["gang_territory_share"] = 0.5
    values = View(at=patterns.at_days(start)).outputs(ts, {})
    stats = patterns.statistics(values, start)
    assert stats["killed_2024_q1"] == 91 and stats["killed_2024_h1"] == 182 and stats["killed_2024"] == 366
    assert stats["kidnapped_2024"] == 732
    assert stats["displaced_2024_q1"] == 910 and stats["displaced_2024_q2"] == 910
    assert stats["territory_2024_12"] == 0.5
    assert set(stats) == {p.statistic for p in patterns.PATTERNS}


def test_a_generation_runs_the_one_wrapper():
    """The calibration runs the pap-sim wrapper: factor parameter_set picks a row of the generation's sets."""
    scenario = papsim.load_scenario(calibration.CALIBRATION_SCENARIO)
    low, high = calibration.bounds()
    thetas = np.vstack([low, high])
    model = calibration.model(scenario, thetas)
    assert isinstance(model, PapSim) and model.days == calibration.window_days(scenario) == 366
    assert dict(model.parameter_sets[1]) == dict(zip(calibration.FACTORS, high[:len(calibration.FACTORS)]))
    assert model.view.daily == patterns.DAILY


def test_the_committed_calibration_states_how_it_was_made():
    text = CALIBRATED.read_text()
    for word in ("Method:", "Budget:", "date:", "Distance:", "Acceptance:", "Chosen set:"):
        assert word in text
    with CALIBRATED.open("rb") as fh:
        params = tomllib.load(fh)["parameters"]
    assert set(params) == {*calibration.FACTORS, patterns.SHARE}
