"""One wrapper of the simulation (papsim/experiments/models.py:PapSim) for sweeps, comparisons and the
calibration; its views; and the model names of older stores."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import papsim
from papsim.analyses import calibration, compare
from papsim.errors import InputError
from papsim.experiments import Spec
from papsim.experiments.models import LEGACY_MODELS, PapSim, View, import_model, ishigami, resolve
from papsim.scenario import SCENARIO_DIR

NO_MISSION, PLANNED = SCENARIO_DIR / "no_mission.toml", SCENARIO_DIR / "mss_as_planned.toml"
DAYS = 5


def test_sweeps_comparisons_and_calibrations_run_the_same_wrapper():
    spec = Spec.from_dict({"name": "s", "scenario": str(PLANNED), "days": DAYS,
                           "factors": {"mss_target_personnel": {"values": [0, 1000]}}})
    scenario = papsim.load_scenario(calibration.CALIBRATION_SCENARIO)
    models = (resolve(spec), compare.model([NO_MISSION, PLANNED], DAYS),
              calibration.model(scenario, np.vstack(calibration.bounds())))
    assert all(type(m) is PapSim for m in models)


def test_factors_pick_the_scenario_and_the_parameter_set_and_override_parameters():
    model = PapSim((str(NO_MISSION), str(PLANNED)), DAYS, series=False,
                   parameter_sets=((("gang_expansion_rate", 0.02),), (("gang_expansion_rate", 0.05),)))
    got = model({"scenario_index": 1, "parameter_set": 1, "kidnap_rate": 2.0}, seed=3)
    base = papsim.load_scenario(PLANNED).replace(gang_expansion_rate=0.05, kidnap_rate=2.0)
    assert got == papsim.run(base, seed=3, days=DAYS).summary
    first = PapSim(NO_MISSION, DAYS, series=False)({}, seed=3)  # one scenario, given as a path
    assert first == papsim.run(NO_MISSION, seed=3, days=DAYS).summary


def test_a_view_adds_values_at_days_and_chooses_the_daily_columns():
    ts = pd.DataFrame({"day": np.arange(5), "deaths_civilian": [0.0, 1, 2, 3, 4], "deaths_gang": 1.0,
                       "deaths_hnp": 0.0, "deaths_mss": 0.0, "mss_personnel": [0.0, 30, 30, 60, 60],
                       "gang_population_share": [0.8, 0.7, 0.6, 0.5, 0.4]})
    view = View(daily=("deaths_civilian_cum", "killed", "cost_full_usd"),
                at=(("deaths_civilian", 3), ("killed", 2), ("gang_population_share", 4), ("cost_full_usd", 4)))
    params = {"cost_per_person_month_usd": 3000.0}
    assert view.outputs(ts, params) == {"deaths_civilian_to_day3": 6.0, "killed_to_day2": 5.0,
                                        "gang_population_share_day4": 0.4, "cost_full_usd_day4": 18_000.0}
    frame = view.frame(ts, params)
    assert list(frame.columns) == ["day", "deaths_civilian_cum", "killed", "cost_full_usd"]
    assert list(frame["deaths_civilian_cum"]) == [0, 1, 3, 6, 10] and frame["killed"].iloc[4] == 5


def test_a_comparison_run_returns_its_summary_and_view():
    summary, daily = compare.model([NO_MISSION, PLANNED], DAYS)({"scenario_index": 1}, seed=2)
    result = papsim.run(PLANNED, seed=2, days=DAYS)
    assert {k: summary[k] for k in result.summary} == result.summary
    assert list(daily.columns) == ["day", *compare.SERIES]


@pytest.mark.parametrize("name", sorted(LEGACY_MODELS))
def test_the_model_names_of_older_stores_resolve_to_the_wrapper(name):
    assert import_model(name) is PapSim
    data = {"name": "compare", "model": name, "days": DAYS, "series": list(compare.SERIES),
            "factors": {"scenario_index": {"values": [0, 1], "kind": "int"}}}
    spec = Spec.from_dict(data, source="old/spec.json")  # an old store's spec still reads
    with pytest.raises(InputError, match="pap-sim compare or pap-sim calibrate"):
        resolve(spec)  # it names the wrapper, whose scenarios only the command knows


def test_other_names_of_the_old_package_resolve_and_unknown_names_are_input_errors():
    assert import_model("sim.experiments.models:ishigami") is ishigami
    spec = Spec.from_dict({"name": "x", "model": "sim.nothing:here", "factors": {"x1": {"values": [0, 1]}}},
                          source=str(Path("x.toml")))
    with pytest.raises(InputError, match="cannot import"):
        resolve(spec)
