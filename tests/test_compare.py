"""pap-sim compare: scenarios side by side on common random numbers, through the experiments engine."""

import pandas as pd
import pytest

from papsim.analyses import compare
from papsim.cli import main
from papsim.experiments import Store


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
    for outcome in ("cost_full_usd", "cost_per_person_freed_usd", "key_sites_closed_days", "days_to_decisive",
                    "days_to_gang_pop_below_50"):
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
