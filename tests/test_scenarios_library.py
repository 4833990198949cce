"""The scenario library: every file loads and runs, numbers carry their sources, the chain inherits calibration."""

import datetime as dt
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

import papsim
from papsim.outcomes import SERIES_NAMES as OUTPUT_NAMES

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.toml"))
LIBRARY = ("no_mission", "mss_as_deployed", "mss_as_planned", "mss_underfunded", "gsf_5550",
           "force_density_benchmark", "posture_static", "posture_dynamic", "posture_clear_hold", "posture_patrol",
           "policy_arms_embargo", "policy_oversight_strong", "policy_oversight_weak", "policy_drone_strikes")


def test_the_library_is_complete():
    names = {p.stem for p in FILES}
    assert set(LIBRARY) <= names
    assert "calibrated" in names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_scenario_loads_and_runs_a_short_horizon(path):
    scenario = papsim.load_scenario(path)
    result = papsim.run(scenario, seed=3, days=5)
    ts = result.timeseries
    assert len(ts) == 6
    assert np.isfinite(ts[list(OUTPUT_NAMES)].to_numpy()).all()
    assert abs(result.summary["population_conservation_error"]) < 1e-9 * ts["population_in_city"].iloc[0]


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_parameter_line_carries_a_source_or_note(path):
    """A number in [parameters] without a comment beside it cannot be audited."""
    in_parameters = False
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_parameters = stripped == "[parameters]"
            continue
        if in_parameters and re.match(r"^[a-z_]+\s*=", stripped):
            assert "#" in stripped, f"{path.name}: '{stripped}' has no source comment"


def test_every_scenario_inherits_the_calibrated_values_unless_it_sets_its_own():
    with (SCENARIOS / "calibrated.toml").open("rb") as fh:
        calibrated = tomllib.load(fh)["parameters"]
    assert calibrated
    for path in FILES:
        scenario = papsim.load_scenario(path)
        chain, own = path, set()
        while True:  # collect the parameters set along the chain below calibrated.toml
            with chain.open("rb") as fh:
                raw = tomllib.load(fh)
            if chain.name == "calibrated.toml":
                break
            own |= set(raw.get("parameters", {}))
            parent = raw.get("scenario", {}).get("extends")
            assert parent, f"{path.name} does not reach calibrated.toml through 'extends'"
            chain = (chain.parent / parent).resolve()
        for name, value in calibrated.items():
            if name not in own:
                assert scenario[name] == pytest.approx(value), (path.name, name)


def test_mss_as_deployed_replays_the_record():
    s = papsim.load_scenario(SCENARIOS / "mss_as_deployed.toml")
    assert s.start_date == dt.date(2024, 1, 1)
    assert s.start_date + dt.timedelta(days=s.days) == dt.date(2025, 12, 31)
    assert [(a.date, a.personnel) for a in s.arrivals] == [
        (dt.date(2024, 6, 25), 200), (dt.date(2024, 7, 16), 400), (dt.date(2025, 1, 15), 550),
        (dt.date(2025, 2, 15), 800), (dt.date(2025, 7, 1), 1000)]
    assert sum(p.amount_usd for p in s.pledges) == pytest.approx(400e6)  # ~$400M received by Nov 2024 (seed 002)
    assert s["hnp_total_strength"] == 13196 and s["mss_follow_schedule"] and not s["un_support_office"]


def test_mission_levers_differ_as_named():
    load = lambda name: papsim.load_scenario(SCENARIOS / f"{name}.toml")  # noqa: E731
    none = load("no_mission")
    assert none["mss_target_personnel"] == 0 and none.arrivals == () and none.pledges == ()
    assert load("gsf_5550")["mss_target_personnel"] == 5550 and load("gsf_5550")["un_support_office"]
    assert load("mss_underfunded")["funding_share_of_need"] == 0 and load("mss_underfunded")["pledge_scale"] == 1
    assert load("force_density_benchmark")["mss_target_personnel"] + 13196 * 0.5 == pytest.approx(52000, rel=0.01)
    assert load("posture_static")["mss_static_share"] > load("posture_dynamic")["mss_static_share"]
    assert load("posture_clear_hold")["post_share"] > load("posture_dynamic")["post_share"]
    assert load("posture_patrol")["patrol_share"] == 0.6
    embargo = "arms_embargo_effectiveness"
    assert load("policy_arms_embargo")[embargo] > load("mss_as_planned")[embargo]
    assert load("policy_oversight_strong")["oversight_strength"] > load("policy_oversight_weak")["oversight_strength"]
    drones = ("drone_strikes_per_day", "drone_start_day")  # from March 2025 (day 425), off in the plan itself
    assert load("policy_drone_strikes")[drones[0]] > load("mss_as_deployed")[drones[0]] > 0
    assert load("mss_as_planned")[drones[0]] == 0 and load("mss_as_deployed")[drones[1]] == 425


def test_no_mission_never_deploys_anyone():
    ts = papsim.run(SCENARIOS / "no_mission.toml", seed=1, days=40).timeseries
    assert ts["mss_personnel"].max() == 0 and ts["funds_received"].max() == 0
