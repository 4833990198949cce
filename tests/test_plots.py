"""Every figure function on small real outputs: a non-empty image of the expected size, in the house style."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgb
from PIL import Image

import papsim
from papsim.present import maps, series, style
from papsim.scenario import SCENARIO_DIR

DAYS = 30


@pytest.fixture(scope="module")
def scenario():
    # the mission ramps up from day 0, so MSS units are on the map within a month
    return papsim.load_scenario(SCENARIO_DIR / "mss_as_planned.toml")


@pytest.fixture(scope="module")
def result(scenario):
    return papsim.run(scenario, seed=3, days=DAYS, snapshot_days=(0, DAYS // 2, DAYS))


@pytest.fixture(scope="module")
def frames(scenario):
    return maps.record_frames(scenario, seed=3, days=DAYS, at=(0, DAYS // 2, DAYS))


def _image(path):
    img = Image.open(path)
    img.load()
    return img


def _same_size(actual, expected):
    """Pixel sizes agree (matplotlib rounds a fractional pixel either way)."""
    return all(abs(a - e) <= 1 for a, e in zip(actual, expected))


def _check(path, fig=None, size=None, min_colours=12):
    """The file is a real, non-blank image of the figure's declared size (figsize x DPI)."""
    assert path.is_file() and path.stat().st_size > 5_000
    img = _image(path).convert("RGB")
    if fig is not None:
        w, h = fig.get_size_inches() * style.DPI
        assert _same_size(img.size, (w, h)), (img.size, (w, h))
    if size is not None:
        assert _same_size(img.size, size), (img.size, size)
    colours = img.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) >= min_colours, "the image is (nearly) blank"
    return img


def _has_colour(img, hex_colour, tolerance=6, min_pixels=20):
    target = np.array(to_rgb(hex_colour)) * 255
    arr = np.asarray(img.convert("RGB"), dtype=float)
    close = (np.abs(arr - target) <= tolerance).all(axis=2)
    return int(close.sum()) >= min_pixels


def test_a_runs_snapshots_are_the_frames_of_the_same_run(result, frames):
    """papsim.run keeps the full map state at its snapshot days: the same as stepping the model by hand."""
    assert [f.day for f in frames] == sorted(result.snapshots)
    for f in frames:
        snap = result.snapshots[f.day]
        np.testing.assert_array_equal(f.controller, snap.controller)
        np.testing.assert_array_equal(f.contested, snap.contested)
        pd.testing.assert_frame_equal(f.units, snap.units)
        assert f.contested.shape == f.controller.shape == (result.city.width, result.city.height)
    last = frames[-1].units
    assert set(last["force"]) == {"HNP", "MSS"}
    assert "static" in set(last["role"]) and set(last["role"]) & {"patrol", "hold", "operation"}


def test_control_maps_for_the_cli(result, tmp_path):
    path = maps.control_maps(result, tmp_path / "control_maps.png")
    aspect = result.city.height / result.city.width
    expected = (3 * 4.4 * style.DPI, (4.4 * aspect + 0.4 + 0.95) * style.DPI)
    img = _check(path, size=expected, min_colours=30)
    for colour in (maps.STATE_COLOUR, maps.SITE_COLOUR, *maps.FAMILY_COLOURS.values()):
        assert _has_colour(img, colour), f"{colour} missing from the map"


def test_single_map_with_units(scenario, frames, tmp_path):
    fig = maps.map_figure(papsim.run(scenario, seed=3, days=1).city, frames[-1:], ncols=1, panel_width=6.0)
    img = _check(style.save(fig, tmp_path / "one.png"), fig)
    assert _has_colour(img, "#000000", tolerance=10)  # static units and outlines


def test_animation(result, scenario, tmp_path):
    fr = maps.record_frames(scenario, seed=3, days=DAYS, every=10)
    assert [f.day for f in fr] == [0, 10, 20, 30]
    path = maps.animate(result.city, fr, tmp_path / "map.gif", "test", fps=5, series=result.timeseries)
    gif = Image.open(path)
    assert gif.format == "GIF" and gif.n_frames == len(fr)
    aspect = result.city.height / result.city.width
    assert _same_size(gif.size, (6.4 * style.DPI, (6.4 * aspect + 1.4 + 1.2) * style.DPI))
    gif.seek(gif.n_frames - 1)
    assert len(gif.convert("RGB").getcolors(maxcolors=1 << 20)) > 12


def test_animate_run_writes_a_gif(scenario, tmp_path):
    path = maps.animate_run(scenario, seed=1, days=14, path=tmp_path / "run.gif", every=7)
    assert Image.open(path).n_frames == 3


def test_timeseries_panels_for_the_cli(result, tmp_path):
    path = series.timeseries_panels(result, tmp_path / "timeseries.png")
    _check(path, size=(4 * 3.4 * style.DPI, (2 * 2.3 + 0.4) * style.DPI))


def test_series_figure_from_a_saved_csv(result, tmp_path):
    result.timeseries.to_csv(tmp_path / "timeseries.csv", index=False)
    ts = pd.read_csv(tmp_path / "timeseries.csv")
    fig = series.series_figure(ts, "from csv", ["deaths_gang", "kidnappings", ("gang_cash", "Gang cash")], ncols=3)
    _check(style.save(fig, tmp_path / "more.png"), fig)


@pytest.fixture(scope="module")
def comparison_table(scenario):
    runs = {"no mission": [papsim.run(scenario.replace(mss_target_personnel=0), seed=s, days=DAYS) for s in range(3)],
            "2,500 personnel": [papsim.run(scenario, seed=s, days=DAYS) for s in range(3)]}
    return series.series_table(runs), runs


def test_bands_are_ordered_quantiles(comparison_table):
    table, _ = comparison_table
    b = series.bands(table, "gang_population_share")
    assert set(b["scenario"]) == {"no mission", "2,500 personnel"}
    assert len(b) == 2 * (DAYS + 1)
    q = b[["p05", "p25", "median", "p75", "p95"]].to_numpy()
    assert (np.diff(q, axis=1) >= -1e-12).all()


def test_comparison_figure(comparison_table, tmp_path):
    table, _ = comparison_table
    path = series.comparison_panels(table, tmp_path / "compare.png")
    _check(path, size=(4 * 3.4 * style.DPI, (2 * 2.3 + 0.9) * style.DPI), min_colours=30)


def test_outcome_intervals_figure(comparison_table, tmp_path):
    _, runs = comparison_table
    summaries = pd.DataFrame([{"scenario": k, **r.summary} for k, rs in runs.items() for r in rs])
    fig = series.outcome_intervals_figure(summaries, ["gang_population_share_final", "deaths_civilian_total",
                                                     "funds_spent_final"])
    _check(style.save(fig, tmp_path / "intervals.png"), fig)


def test_comparison_from_an_experiment_store(tmp_path):
    from papsim.experiments import PapSim, Spec, sweep

    path = str(SCENARIO_DIR / "mss_as_planned.toml")
    spec = Spec.from_dict({"name": "t", "scenario": path, "days": 20, "replicates": 2, "seed": 4,
                           "series": ["gang_population_share", "mss_personnel", "deaths_civilian"],
                           "design": {"method": "grid"},
                           "factors": {"mss_target_personnel": {"values": [0, 1000]}}})
    done = sweep(spec, PapSim(path, 20, series=True), tmp_path / "store", executor="serial", progress=False)
    table = series.store_series_table(done.store, ["mss_target_personnel"],
                                     label=lambda v: f"{int(v['mss_target_personnel'])} personnel")
    assert list(table["scenario"].cat.categories) == ["0 personnel", "1000 personnel"]
    assert table.groupby("scenario", observed=True)["run"].nunique().tolist() == [2, 2]
    fig = series.comparison_figure(table, ["gang_population_share", "mss_personnel", "deaths_civilian"], ncols=3)
    _check(style.save(fig, tmp_path / "store_bands.png"), fig)


def test_palette_reads_in_greyscale_and_for_colour_blind_readers():
    """Map classes differ in lightness (greyscale print) and come from the Okabe-Ito palette."""
    def lum(c):
        r, g, b = to_rgb(c)
        return 0.299 * r + 0.587 * g + 0.114 * b

    classes = [maps.SEA_COLOUR, maps.STATE_COLOUR, *maps.FAMILY_COLOURS.values()]
    levels = sorted(lum(c) for c in classes)
    assert min(np.diff(levels)) >= 0.08, levels
    assert set(maps.FAMILY_COLOURS.values()) <= set(style.PALETTE)
    assert len(set(style.LINESTYLES)) == len(style.LINESTYLES)  # lines differ by dash as well as colour


def test_the_map_shows_the_real_outlines_with_every_name_whole(result):
    """Commune names lie wholly inside their panel, the outlines and roads are drawn, with a scale bar and a
    north arrow."""
    fig = maps.map_figure(result.city, [result.snapshots[0]], ncols=1)
    fig.canvas.draw()
    ax = fig.axes[0]
    box = ax.get_window_extent()
    names = [t for t in ax.texts if t.get_text() in result.city.commune_names]
    assert sorted(t.get_text() for t in names) == sorted(result.city.commune_names)
    for t in names:
        extent = t.get_window_extent()
        assert box.x0 <= extent.x0 and extent.x1 <= box.x1 and box.y0 <= extent.y0 and extent.y1 <= box.y1, t
    assert any(t.get_text() == "10 km" for t in ax.texts) and any(t.get_text() == "N" for t in ax.texts)
    n_rings = sum(len(rings) for rings in result.city.commune_outlines)
    segments = [len(c.get_segments()) for c in ax.collections if hasattr(c, "get_segments")]
    assert n_rings in segments and len(result.city.roads.seg_nodes) in segments
