"""Sensitivity indices go to the right factors, in any factor order, with honest noise and error bars.

The G-function's indices are known exactly; its factors are named so that alphabetical order (the order
of a JSON file's sorted keys) is the reverse of the spec's order (the order of SALib's sample blocks).
"""

import json
import math

import numpy as np
import pandas as pd
import pytest

from papsim.experiments import GFunction, Spec, Store, sweep
from papsim.experiments import analysis, design as designs
from papsim.present.experiment_files import analyze

# spec order z, m, a; alphabetical a, m, z
G = GFunction((("z_important", 0.0), ("m_middle", 1.0), ("a_inert", 99.0)))


def g_spec(method: str, n: int, **extra) -> Spec:
    return Spec.from_dict({"name": f"g_{method}", "seed": 11, "factors": G.factors,
                           "design": {"method": method, "n": n}} | extra)


def run(spec: Spec, tmp_path, model=G) -> Store:
    store = sweep(spec, model, tmp_path / spec.name, executor="serial", progress=False).store
    report = analyze(Store(store.path))  # read back from disk, as `pap-sim analyze` does
    assert not report.problems, report.problems
    return store


def table(store: Store, name: str) -> pd.DataFrame:
    return pd.read_csv(store.path / "tables" / f"{name}.csv").set_index("factor")


def test_store_keeps_the_spec_factor_order(tmp_path):
    store = run(g_spec("sobol", 16, analysis={"methods": ["sobol"]}), tmp_path)
    assert json.loads((store.path / "spec.json").read_text())["factor_order"] == ["z_important", "m_middle", "a_inert"]
    assert Store(store.path).spec().factor_names == ["z_important", "m_middle", "a_inert"]
    # a store written before the order was recorded: the design table's columns give it back
    data = json.loads((store.path / "spec.json").read_text())
    data.pop("factor_order")
    (store.path / "spec.json").write_text(json.dumps(data, sort_keys=True))
    assert Store(store.path).spec().factor_names == ["z_important", "m_middle", "a_inert"]


def test_sobol_credits_the_right_factors_with_s2_pairs(tmp_path):
    spec = g_spec("sobol", 512, design={"method": "sobol", "n": 512, "second_order": True},
                  analysis={"methods": ["sobol"], "bootstrap": 200})
    store = run(spec, tmp_path)
    t, exact = table(store, "sobol"), G.analytic()
    for factor in exact["ST"]:
        for index in ("S1", "ST"):
            assert abs(t.loc[factor, index] - exact[index][factor]) <= t.loc[factor, f"{index}_conf"] + 0.03, \
                (factor, index)
    assert t.loc["z_important", "ST"] > 0.6 and t.loc["a_inert", "ST"] < 0.01
    s2 = pd.read_csv(store.path / "tables" / "sobol_s2.csv")
    top = s2.loc[s2["S2"].idxmax()]
    assert {top["factor_i"], top["factor_j"]} == {"z_important", "m_middle"}
    conv = pd.read_csv(store.path / "tables" / "convergence_sobol.csv")
    last = conv[conv["size"] == conv["size"].max()].set_index("factor")["value"]
    assert last.idxmax() == "z_important" and last.idxmin() == "a_inert"


@pytest.mark.parametrize("method, n, methods", [
    ("efast", 257, ["efast"]),
    ("morris", 40, ["morris"]),
    ("random", 400, ["pawn", "delta", "rbd_fast"]),
])
def test_every_method_credits_the_right_factors(tmp_path, method, n, methods):
    store = run(g_spec(method, n, analysis={"methods": methods, "bootstrap": 50}), tmp_path)
    main = {"efast": "ST", "morris": "mu_star", "pawn": "median", "delta": "delta", "rbd_fast": "S1"}
    for m in methods:
        values = table(store, m)[main[m]]
        assert values.idxmax() == "z_important" and values.idxmin() == "a_inert", (m, values.to_dict())
    if method == "efast":
        t, exact = table(store, "efast"), G.analytic()["ST"]
        assert abs(t.loc["z_important", "ST"] - exact["z_important"]) < 0.1


def test_group_sobol_recovers_analytic_group_indices(tmp_path):
    g4 = GFunction((("w_strong", 0.0), ("k_weak", 9.0), ("c_mid", 1.0), ("b_none", 99.0)))
    factors = {"w_strong": {"low": 0, "high": 1, "group": "economy"},
               "k_weak": {"low": 0, "high": 1, "group": "economy"},
               "c_mid": {"low": 0, "high": 1, "group": "combat"},
               "b_none": {"low": 0, "high": 1, "group": "combat"}}
    spec = Spec.from_dict({"name": "groups", "seed": 5, "factors": factors,
                           "design": {"method": "sobol", "n": 1024}, "analysis": {"methods": ["sobol"]}})
    assert len(designs.build(spec)) == 1024 * 4  # groups + 2 blocks, not factors + 2
    store = run(spec, tmp_path, g4)
    t = table(store, "sobol")
    assert list(t.index) == ["economy", "combat"] and t.loc["economy", "factors"] == "w_strong, k_weak"
    for group, members in (("economy", ["w_strong", "k_weak"]), ("combat", ["c_mid", "b_none"])):
        exact = g4.group(members)
        for index in ("S1", "ST"):
            assert abs(t.loc[group, index] - exact[index]) <= t.loc[group, f"{index}_conf"] + 0.02, (group, index)


def test_given_data_indices_on_a_grid_sweep(tmp_path):
    levels = {name: {"values": list(np.linspace(0, 1, 5))} for name in G.factors}
    spec = Spec.from_dict({"name": "grid", "seed": 2, "factors": levels, "design": {"method": "grid"},
                           "analysis": {"methods": ["delta", "rbd_fast"], "bootstrap": 20}})
    assert any("grid" in w for w in spec.warnings)
    store = run(spec, tmp_path)
    assert table(store, "delta")["delta"].idxmax() == "z_important"
    assert table(store, "rbd_fast")["S1"].idxmin() == "a_inert"


def noisy_sobol(tmp_path, replicates: int, crn: bool = False) -> Store:
    spec = g_spec("sobol", 64, replicates=replicates, common_random_numbers=crn,
                  analysis={"methods": ["sobol"], "bootstrap": 100})
    return run(spec, tmp_path / f"r{replicates}{crn}", GFunction(G.a, noise=0.5))


def test_noise_reports_single_run_share_share_in_means_and_floor(tmp_path):
    few, many = noisy_sobol(tmp_path, 4), noisy_sobol(tmp_path, 16)
    n4 = pd.read_csv(few.path / "tables" / "noise.csv").iloc[0]
    n16 = pd.read_csv(many.path / "tables" / "noise.csv").iloc[0]
    # the single-run share is a property of the model: it does not fall with replicates ...
    assert abs(n4["noise_share_single_run"] - n16["noise_share_single_run"]) < 0.08
    assert 0.25 < n4["noise_share_single_run"] < 0.5
    # ... the share left in the means does (about 1/R), and says how many replicates are needed
    assert n16["noise_share_in_means"] < n4["noise_share_in_means"] / 2.5
    assert n16["noise_share_in_means"] < 0.05 < n4["noise_share_in_means"]
    assert 6 <= n4["replicates_needed"] <= 16 and n4["noise_dof"] == 320 * 3
    assert n4["st_noise_floor"] == n4["noise_share_in_means"]
    t = table(few, "sobol")
    assert bool(t.loc["a_inert", "below_noise_floor"]) and not bool(t.loc["z_important", "below_noise_floor"])
    crn = pd.read_csv(noisy_sobol(tmp_path, 4, crn=True).path / "tables" / "noise.csv").iloc[0]
    assert crn["noise_dof"] == 3 and bool(crn["common_random_numbers"])


def test_independent_scrambles_give_error_bars_and_convergence(tmp_path):
    one = g_spec("sobol", 128)
    spec = g_spec("sobol", 128, design={"method": "sobol", "n": 128, "scrambles": 6},
                  analysis={"methods": ["sobol"], "bootstrap": 100})
    d1, d6 = designs.build(one), designs.build(spec)
    rows = len(d1)
    assert len(d6) == 6 * rows
    pd.testing.assert_frame_equal(d6.iloc[:rows][G.factors.keys()], d1[G.factors.keys()])  # scramble 0 unchanged
    assert not np.allclose(d6.iloc[rows:2 * rows][list(G.factors)].to_numpy(), d1[list(G.factors)].to_numpy())
    store = run(spec, tmp_path)
    t, exact = table(store, "sobol"), G.analytic()["ST"]
    assert (t["scrambles"] == 6).all() and (t["ST_sd"] > 0).all()
    for factor, value in exact.items():
        assert abs(t.loc[factor, "ST"] - value) <= 1.5 * t.loc[factor, "ST_conf"] + 0.005, factor
    per = pd.read_csv(store.path / "tables" / "sobol_scrambles.csv")
    assert per["scramble"].nunique() == 6
    z = per[per["factor"] == "z_important"]["ST"]
    assert z.std() > 0  # independent scrambles disagree: the spread is the honest error bar
    conv = pd.read_csv(store.path / "tables" / "convergence_sobol.csv")
    assert (conv["scrambles"] == 6).all() and conv["spread"].gt(0).all()
    z_conv = conv[conv["factor"] == "z_important"].sort_values("size")
    assert z_conv["conf"].iloc[0] > z_conv["conf"].iloc[-1]  # error bars shrink with N


def test_resume_accepts_a_store_made_before_the_factor_order_was_kept(tmp_path):
    spec = g_spec("sobol", 16, analysis={"methods": ["sobol"]})
    store = sweep(spec, G, tmp_path / "s", executor="serial", progress=False).store
    manifest = json.loads((store.path / "manifest.json").read_text())
    manifest["spec_hash"] = spec.hash(legacy=True)
    (store.path / "manifest.json").write_text(json.dumps(manifest))
    again = sweep(spec, G, tmp_path / "s", executor="serial", progress=False, resume=True)
    assert again.ran == 0
    assert not math.isnan(Store(store.path).runs()["y"].sum())
