"""The sweep and analysis pipeline recovers the analytic Sobol' indices of the Ishigami function."""

import math

import numpy as np
import pandas as pd
import pytest

from papsim.experiments import Ishigami, Spec, Store, sweep
from papsim.present.experiment_files import analyze
from papsim.experiments import analysis
from papsim.experiments.models import ISHIGAMI_FACTORS


def ishigami_spec(**extra) -> Spec:
    data = {"name": "ishigami", "seed": 7, "factors": ISHIGAMI_FACTORS,
            "design": {"method": "sobol", "n": 1024}, "analysis": {"methods": ["sobol"]}} | extra
    return Spec.from_dict(data)


def test_sobol_recovers_analytic_indices(tmp_path):
    model = Ishigami()
    result = sweep(ishigami_spec(), model, tmp_path / "store", executor="serial", progress=False)
    assert result.failed == 0 and result.ran == 1024 * 5
    report = analyze(result.store)
    assert not report.problems
    table = pd.read_csv(tmp_path / "store" / "tables" / "sobol.csv").set_index("factor")
    exact = model.analytic()
    for factor in ("x1", "x2", "x3"):
        for index in ("S1", "ST"):
            estimate, conf = table.loc[factor, index], table.loc[factor, f"{index}_conf"]
            assert abs(estimate - exact[index][factor]) <= conf, (factor, index, estimate, conf)
    assert (tmp_path / "store" / "figures" / "sobol_y.png").is_file()
    conv = pd.read_csv(tmp_path / "store" / "tables" / "convergence_sobol.csv")
    assert conv["size"].max() == 1024 and conv["size"].min() < 1024
    assert (tmp_path / "store" / "figures" / "convergence_sobol_y.png").is_file()


def test_replicates_are_averaged_and_noise_share_reported(tmp_path):
    spec = ishigami_spec(replicates=6, design={"method": "sobol", "n": 256})
    model = Ishigami(noise=2.0)
    store = sweep(spec, model, tmp_path / "s", executor="serial", progress=False).store
    design, runs = store.design(), store.runs()
    x, y, level = analysis.point_outputs(spec, design, runs, "y")
    assert len(y) == 256 * 5 and len(x) == len(y)
    # noise variance 4 against Ishigami's ~13.8 plus 4: a single-run share near 0.22, ~0.05 in 6-run means
    assert 0.15 < level.single_run < 0.3
    assert 0.02 < level.in_means < 0.07
    main, _ = analysis.sobol(spec, y)
    exact = Ishigami().analytic()["ST"]
    # averaging 6 replicates leaves noise at ~4% of the variance: ST close to the analytic values
    assert np.allclose(main.set_index("factor")["ST"].to_numpy(), list(exact.values()), atol=0.12)


def test_morris_efast_pawn_run_and_rank_factors(tmp_path):
    for method, n, analyses in (("morris", 40, ["morris", "pawn"]), ("efast", 257, ["efast"])):
        spec = ishigami_spec(design={"method": method, "n": n}, analysis={"methods": analyses})
        store = sweep(spec, Ishigami(), tmp_path / method, executor="serial", progress=False).store
        report = analyze(store)
        assert not report.problems
        table = pd.read_csv(store.path / "tables" / f"{analyses[0]}.csv").set_index("factor")
        if method == "morris":
            assert table["mu_star"].idxmax() in ("x1", "x2")
        else:
            assert table["ST"].idxmin() == "x3"
    pawn = pd.read_csv(tmp_path / "morris" / "tables" / "pawn.csv")
    assert set(pawn["factor"]) == {"x1", "x2", "x3"}


def test_nan_output_is_refused_naming_the_runs(tmp_path):
    spec = ishigami_spec(design={"method": "sobol", "n": 16})
    store = sweep(spec, Ishigami(), tmp_path / "s", executor="serial", progress=False).store
    runs = store.runs()
    runs.loc[runs["run_id"] == 5, "y"] = math.nan
    with pytest.raises(analysis.AnalysisError, match=r"run ids 5\b.*needs every run"):
        analysis.point_outputs(spec, store.design(), runs, "y")
    runs = runs[runs["run_id"] != 9]
    with pytest.raises(analysis.AnalysisError, match=r"2 of 80 runs are missing \(1\)"):
        analysis.point_outputs(spec, store.design(), runs, "y")


def test_partial_store_analysis_names_missing_runs(tmp_path):
    spec = ishigami_spec(design={"method": "sobol", "n": 16}, analysis={"methods": ["sobol", "pawn"]})
    store = sweep(spec, Ishigami(), tmp_path / "s", executor="serial", progress=False).store
    path = next((store.path / "runs").glob("part-*.parquet"))
    table = pd.read_parquet(path)
    table[table["run_id"] >= 40].to_parquet(path)  # as if the first 40 runs were still to do
    report = analyze(Store(store.path))
    assert any(p.startswith("sobol: output 'y': 40 of 80 runs are missing (40)") for p in report.problems)
    assert (store.path / "tables" / "pawn.csv").is_file()  # the given-data method uses what there is


def test_a_tiny_sobol_design_still_gets_its_convergence_table_and_figure(tmp_path):
    """n = 8 base samples: the convergence check uses the sizes it has instead of failing."""
    bounds = {"low": -math.pi, "high": math.pi}
    spec = Spec.from_dict({"name": "tiny", "days": 1, "replicates": 1, "seed": 3, "outputs": ["y"],
                           "design": {"method": "sobol", "n": 8},
                           "factors": {"x1": bounds, "x2": bounds, "x3": bounds},
                           "analysis": {"methods": ["sobol"]}})
    result = sweep(spec, Ishigami(), tmp_path / "store", executor="serial", progress=False)
    report = analyze(result.store)
    assert report.problems == []
    assert any("convergence" in f.name and f.suffix == ".png" for f in report.files)
