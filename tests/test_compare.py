"""pap-sim compare: scenarios side by side on common random numbers, through the experiments engine."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import papsim
from papsim.analyses import compare
from papsim.cli import main
from papsim.experiments import Store
from papsim.experiments.planner import paired_vs_reference, pairing
from papsim.indicators import full_cost
from papsim.outcomes import BY_NAME
from papsim.present import comparison_files


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "store"
    code = main(["compare", "no_mission", "scenarios/mss_as_planned.toml", "--replicates", "2", "--days", "200",
                 "--out", str(out), "--executor", "serial", "-q"])
    assert code == 0
    return out


def test_writes_tables_and_figures(compared):
    for name in ("tables/compare.csv", "tables/differences.csv", "tables/compare.md", "tables/scenarios.csv",
                 "figures/compare_bands.png", "figures/compare_outcomes.png"):
        assert (compared / name).is_file(), name
    table = pd.read_csv(compared / "tables" / "compare.csv")
    assert set(table["scenario"]) == {"no_mission", "mss_as_planned"}
    # 6 months is within 200 days, 12 and 24 are not
    horizons = set(table["horizon"])
    assert "6 months" in horizons and "12 months" not in horizons and "end (day 200)" in horizons
    row = table[(table["scenario"] == "no_mission") & (table["outcome"] == "gang_population_share")
                & (table["horizon"] == "6 months")].iloc[0]
    assert row["p05"] <= row["median"] <= row["p95"] and row["runs"] == 2
    for outcome in ("cost_full_usd", "cost_per_person_freed_usd", "cost_per_person_freed_vs_reference_usd",
                    "key_sites_closed_days_total", "days_to_decisive", "days_to_gang_pop_below_50"):
        assert outcome in set(table["outcome"])
    assert "| no_mission |" in (compared / "tables" / "compare.md").read_text()


def test_replicates_share_seeds_across_scenarios(compared):
    design = Store(compared).design()
    seeds = design.pivot(index="replicate", columns="scenario_index", values="seed")
    assert (seeds[0] == seeds[1]).all() and seeds[0].nunique() == 2


def test_no_mission_costs_nothing_and_differences_are_paired(compared):
    table = pd.read_csv(compared / "tables" / "compare.csv")
    cost = table[(table["scenario"] == "no_mission") & (table["outcome"] == "cost_full_usd")
                 & table["horizon"].str.startswith("end")]
    assert cost["median"].iloc[0] == 0
    diffs = pd.read_csv(compared / "tables" / "differences.csv")
    assert set(diffs["scenario"]) == {"mss_as_planned"} and set(diffs["reference"]) == {"no_mission"}
    assert (diffs["pairs"] == 2).all()


def test_resume_reuses_the_store_and_a_fresh_run_refuses_it(compared):
    args = ["compare", "no_mission", "scenarios/mss_as_planned.toml", "--replicates", "2", "--days", "200",
            "--out", str(compared), "--executor", "serial", "-q"]
    assert main(args + ["--resume"]) == 0
    assert main(args) == 2  # the folder already holds an experiment


@pytest.mark.parametrize("args", [["no_such_scenario"], ["no_mission", "no_mission"],
                                  ["no_mission", "--reference", "gsf_5550"]])
def test_bad_input_is_one_line_and_exit_2(args, tmp_path, capsys):
    assert main(["compare", *args, "--days", "5", "--replicates", "1", "--out", str(tmp_path / "x"),
                 "--executor", "serial", "-q"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_quantiles_treat_never_as_later_than_anything():
    med, lo, hi, finite = compare._quantiles(pd.Series([10.0, float("nan"), float("nan")]), never=True)
    assert med == float("inf") and lo == 10.0 and finite == 1
    med, lo, hi, finite = compare._quantiles(pd.Series([1.0, 2.0, float("nan")]), never=False)
    assert med == 1.5 and finite == 2


def test_tables_keep_their_shape(compared):
    """The columns of the tables other tools read (the report, notebooks) and one row per scenario, outcome
    and horizon; labels come from the catalogue."""
    table = pd.read_csv(compared / "tables" / "compare.csv")
    assert list(table.columns) == ["scenario", "outcome", "label", "horizon", "column", "median", "p05", "p95",
                                   "runs", "failed", "finite"]
    assert not table.duplicated(["scenario", "outcome", "horizon"]).any()
    assert len(table) == 2 * len(compare.outcome_rows(200))
    assert set(table["label"]) == {BY_NAME[o].label for o in table["outcome"]}
    diffs = pd.read_csv(compared / "tables" / "differences.csv")
    assert list(diffs.columns) == ["scenario", "reference", "outcome", "horizon", "column", "median_difference",
                                   "p05", "p95", "share_better", "pairs", "pairing_correlation",
                                   "pairing_variance_reduction"]
    scenarios = pd.read_csv(compared / "tables" / "scenarios.csv")
    assert list(scenarios.columns) == ["scenario_index", "scenario", "file", "description"]


def test_outcomes_are_the_run_summary(compared):
    """The store holds each run's summary: the table's columns are its keys (plus the full cost at horizons
    and the outcomes against the reference), so no indicator is computed twice."""
    runs = Store(compared).runs()
    run = runs[runs["status"] == "ok"].iloc[0]
    files = pd.read_csv(compared / "tables" / "scenarios.csv")["file"]
    scenario = papsim.load_scenario(files[int(run["scenario_index"])])
    result = papsim.run(scenario, seed=int(run["seed"]), days=200)
    for key, value in result.summary.items():
        assert run[key] == pytest.approx(float(value), nan_ok=True), key
    assert run["cost_full_usd_day180"] == pytest.approx(full_cost(result.timeseries,
                                                                  scenario.params["cost_per_person_month_usd"])[180])


def _comparison(runs: pd.DataFrame, days: int) -> compare.Comparison:
    names = ["no_mission", "mission"]
    runs = compare.add_paired(runs, reference=0)
    scenarios = pd.DataFrame({"scenario_index": [0, 1], "scenario": names, "file": ["a", "b"], "description": ""})
    return compare.Comparison(Path("unused"), scenarios, dt.date(2024, 1, 1), days, 2, 0, runs,
                              compare.summary_table(runs, names, days, 0), compare.differences(runs, names, 0, days),
                              pd.DataFrame(), 0)


def test_none_freed_is_shown_and_counted():
    """A replicate in which the mission frees no one against the reference has no cost per person freed: the
    cell counts it as 'none freed' (dearer than any value) and says in how many runs, never a silent NaN."""
    runs = pd.DataFrame({"scenario_index": [0, 0, 1, 1], "replicate": [0, 1, 0, 1], "status": "ok",
                         "residents_under_gang_control_end": [1000.0, 1000.0, 900.0, 1100.0],
                         "cost_full_usd": [0.0, 0.0, 5e6, 5e6], "days_to_decisive": [np.nan, np.nan, 30.0, np.nan]})
    c = _comparison(runs, days=100)
    row = c.table[(c.table["scenario"] == "mission")
                  & (c.table["outcome"] == "cost_per_person_freed_vs_reference_usd")].iloc[0]
    assert row["runs"] == 2 and row["finite"] == 1 and row["median"] == 50_000 and row["p95"] == np.inf
    text = comparison_files.markdown(c)
    assert "$50,000 [$50,000, none freed] (1 of 2 runs none freed)" in text
    assert "never (all 2 runs)" in text and "30 [30, never] (1 of 2 runs never)" in text
    ref = c.table[(c.table["scenario"] == "no_mission") & (c.table["outcome"] == "people_freed_vs_reference")]
    assert np.isnan(ref["median"].iloc[0])  # not defined for the reference itself: 'n/a'


def test_paired_differences_say_how_well_the_runs_paired(compared):
    """Beside every paired difference: the correlation of the paired runs and the variance reduction it gave
    (the planner table's measure), and compare.md says it in words."""
    diffs = pd.read_csv(compared / "tables" / "differences.csv")
    runs = Store(compared).runs()
    ok = runs[runs["status"] == "ok"]
    row = diffs[diffs["column"] == "gang_population_share_day180"].iloc[0]
    a = ok[ok["scenario_index"] == 1].sort_values("replicate")["gang_population_share_day180"]
    b = ok[ok["scenario_index"] == 0].sort_values("replicate")["gang_population_share_day180"]
    expected = pairing(a.to_numpy(), b.to_numpy())
    assert row["pairing_correlation"] == pytest.approx(expected["pairing_correlation"], nan_ok=True)
    assert row["pairing_variance_reduction"] == pytest.approx(expected["pairing_variance_reduction"], nan_ok=True)
    text = (compared / "tables" / "compare.md").read_text()
    assert "could not be measured (it needs at least 3 replicates)" in text  # the fixture has 2 replicates
    table = compare.differences(compare.add_paired(pd.concat([runs, runs.assign(replicate=runs["replicate"] + 2)], ignore_index=True),
                                                   0), ["a", "b"], 0, 200)
    assert table["pairing_correlation"].notna().any()  # 4 pairs: measured


def test_cost_per_person_freed_is_the_planner_definition(compared):
    """compare and the planner table share one definition: extra full cost against the reference's run on the
    same seed over the extra residents not under gang control (inf when none are freed)."""
    runs = Store(compared).runs()
    ours = compare.add_paired(runs, reference=0)
    theirs = paired_vs_reference(runs, ["scenario_index"], {"scenario_index": 0}, cost="cost_full_usd",
                                 under="residents_under_gang_control_end")
    column = "cost_per_person_freed_vs_reference_usd"
    pd.testing.assert_series_equal(ours[column], theirs[column])
    mine = ours[ours["scenario_index"] == 1].set_index("replicate")
    ref = runs[runs["scenario_index"] == 0].set_index("replicate")
    freed = ref["residents_under_gang_control_end"] - mine["residents_under_gang_control_end"]
    extra = mine["cost_full_usd"] - ref["cost_full_usd"]
    expected = (extra / freed).where(freed > 0, float("inf"))
    assert mine[column].to_numpy() == pytest.approx(expected.to_numpy())
