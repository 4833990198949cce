"""The planner table: force deployed beside each target, cost per person freed against no mission on the
same seeds (none freed shown, dropped runs counted), and the pairing common random numbers achieved."""

import math

import numpy as np
import pandas as pd

from papsim.experiments import Spec, Store, sweep
from papsim.experiments import planner
from papsim.present.experiment_files import sweep_tables


def mission(factors: dict, seed: int):
    """A toy mission: funding caps the force deployed; small forces free nobody (residents flee into gang
    areas), large ones do; the seed's luck is shared by every option on that seed."""
    luck = np.random.default_rng(seed % 1000).normal(0, 5000)
    if factors["funding_share_of_need"] == 1.0 and factors["mss_target_personnel"] == 0 and seed % 5 == 0:
        raise RuntimeError("reference run lost")
    deployed = factors["mss_target_personnel"] * factors["funding_share_of_need"]
    freed = 0.0 if deployed < 300 else 100.0 * (deployed - 300)
    under = 1_000_000 - freed + luck + (2000 if 0 < deployed < 300 else 0)
    days = np.arange(31)
    series = pd.DataFrame({"day": days, "mss_personnel": np.minimum(days / 10, 1) * deployed})
    return {"residents_under_gang_control_end": under, "cost_full_usd": 1000.0 * deployed,
            "mss_personnel_final": deployed, "gang_population_share_final": under / 2e6}, series


def mission_spec(crn: bool = True) -> Spec:
    return Spec.from_dict({
        "name": "mission", "model": "test_experiments_planner:mission", "seed": 4, "replicates": 12,
        "common_random_numbers": crn, "outputs": ["gang_population_share_final", "cost_full_usd"],
        "series": ["mss_personnel"], "design": {"method": "grid"},
        "factors": {"mss_target_personnel": {"values": [0, 1000, 2500]},
                    "funding_share_of_need": {"values": [0.25, 1.0]}},
        "analysis": {"planner_by": ["mss_target_personnel", "funding_share_of_need"],
                     "success": ["gang_population_share_final < 0.1"]},
    })


def test_planner_shows_deployed_force_and_cost_per_person_freed_against_no_mission(tmp_path):
    spec = mission_spec()
    assert dict(spec.analysis.reference) == {"mss_target_personnel": 0.0}  # no mission, by default
    store = sweep(spec, mission, tmp_path / "s", executor="serial", progress=False).store
    report = sweep_tables(store)
    assert "success criterion 'gang_population_share_final < 0.1' holds in 0 of" in " ".join(report.notes)
    table = pd.read_csv(store.path / "tables" / "planner.csv").set_index(
        ["mss_target_personnel", "funding_share_of_need"])
    # targets are not deployments: 1,000 at 25% deploys 250, beside the target in the table
    columns = list(table.columns)
    assert columns.index("mss_personnel_at_horizon_median") < columns.index("runs")
    assert table.loc[(1000, 0.25), "mss_personnel_at_horizon_median"] == 250
    assert math.isclose(table.loc[(1000, 0.25), "mss_personnel_mean_median"], 250 * (1 - 4.5 / 30))
    # no mission is the reference, never the "cheapest" option
    assert table.loc[(0, 0.25), "cost_per_person_freed_note"] == "reference"
    assert math.isnan(table.loc[(0, 0.25), "cost_per_person_freed_usd"])
    # a force that frees nobody shows as "none freed", not as a NaN that disappears
    none = table.loc[(1000, 0.25)]
    assert none["cost_per_person_freed_note"] == "none freed" and math.isinf(none["cost_per_person_freed_usd"])
    assert none["runs_none_freed"] == 12 and none["runs_dropped_no_pair"] == 0
    # 2,500 at full funding frees 100 x 2,200 per run at 2.5 M USD: the extra cost per extra person freed
    full = table.loc[(2500, 1.0)]
    assert math.isclose(full["cost_per_person_freed_usd"], 2_500_000 / 220_000, rel_tol=1e-9)
    assert math.isclose(full["people_freed_vs_reference_median"], 220_000, rel_tol=1e-9)
    # the reference run of replicates 0, 5, 10 failed (seed % 5 == 0 by chance differs): their pairs are dropped
    dropped = int(full["runs_dropped_no_pair"])
    assert dropped == table.loc[(0, 1.0), "failed"] > 0
    assert full["pairs"] == 12 - dropped
    # with common random numbers the pairs share their luck: the difference has no noise left
    assert full["pairing_correlation"] > 0.99 and full["pairing_variance_reduction"] > 0.99
    pairing = pd.read_csv(store.path / "tables" / "pairing.csv").set_index("output")
    assert pairing.loc["residents_under_gang_control_end", "pairing_correlation_median"] > 0.99
    assert (store.path / "figures" / "heatmap_cost_per_person_freed_usd.png").is_file()


def test_without_common_random_numbers_the_measured_pairing_is_near_zero(tmp_path):
    store = sweep(mission_spec(crn=False), mission, tmp_path / "s", executor="serial", progress=False).store
    sweep_tables(store)
    pairing = pd.read_csv(store.path / "tables" / "pairing.csv").set_index("output")
    assert abs(pairing.loc["residents_under_gang_control_end", "pairing_variance_reduction_median"]) < 0.6
    assert not pairing["common_random_numbers"].any()


def test_paired_vs_reference_is_reusable_for_compare():
    runs = pd.DataFrame({"run_id": range(6), "status": ["ok"] * 6, "scenario_index": [0, 0, 1, 1, 2, 2],
                         "replicate": [0, 1] * 3,
                         "residents_under_gang_control_end": [100.0, 110.0, 90.0, 112.0, 100.0, 110.0],
                         "cost_full_usd": [0.0, 0.0, 50.0, 60.0, 10.0, 10.0]})
    out = planner.paired_vs_reference(runs, ["scenario_index"], {"scenario_index": 0})
    assert out["people_freed_vs_reference"].tolist()[2:] == [10.0, -2.0, 0.0, 0.0]
    ratio = out["cost_per_person_freed_vs_reference_usd"].tolist()
    assert math.isnan(ratio[0]) and ratio[2] == 5.0 and math.isinf(ratio[3]) and math.isinf(ratio[4])
    cell = planner.cost_per_person_freed(out[out["scenario_index"] == 1])
    assert cell["runs_none_freed"] == 1 and math.isclose(cell["cost_per_person_freed_usd"], 55 / 4)
    assert cell["cost_per_person_freed_median_usd"] == 5.0  # the lower middle of [5, none freed]
    assert planner.cost_per_person_freed(out[out["scenario_index"] == 2])["cost_per_person_freed_note"] == "none freed"
