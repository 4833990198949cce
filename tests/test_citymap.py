"""The real city map: sections and communes from the data, population kept at every resolution, sites in their
stated sections, a connected road graph whose segments cross the right cells, and clear errors on bad files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import shapely

from papsim.citymap import load_city_map
from papsim.errors import InputError
from papsim.roads import segment_cells

MAP_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "map"
CITY = MAP_DIR / "city.toml"
METRO = ("HT0111", "HT0112", "HT0113", "HT0114", "HT0115", "HT0116", "HT0117", "HT0118", "HT0131")


def data_sections() -> list[dict]:
    return [f["properties"] for f in json.loads((MAP_DIR / "metro_sections.geojson").read_text())["features"]]


@pytest.fixture(scope="module")
def city():
    return load_city_map(CITY, 500, 5.0)


def test_the_nine_metro_communes_and_their_44_sections(city):
    assert city.commune_codes == METRO
    assert len(city.section_codes) == 44
    assert set(np.unique(city.cell_commune)) == set(range(9))
    assert set(np.unique(city.cell_section)) == set(range(44))
    # each cell's commune is the commune of its section
    assert np.array_equal(city.cell_commune, city.section_commune[city.cell_section])


@pytest.mark.parametrize("cell_size_m", [250, 500, 1000])
def test_rasterising_conserves_every_section_and_commune_population(cell_size_m):
    city = load_city_map(CITY, cell_size_m, 5.0)
    per_section = np.bincount(city.cell_section, weights=city.cell_population, minlength=44)
    expected = {s["ADM3_PCODE"]: s["pop2019"] for s in data_sections()}
    assert np.allclose(per_section, [expected[c] for c in city.section_codes], rtol=1e-12)
    per_commune = np.bincount(city.cell_commune, weights=city.cell_population, minlength=9)
    for code, total in zip(city.commune_codes, per_commune):
        assert total == pytest.approx(sum(s["pop2019"] for s in data_sections() if s["ADM2_PCODE"] == code), rel=1e-12)
    assert city.cell_population.sum() == pytest.approx(3_741_915, abs=1)


def test_commune_populations_match_the_2019_estimates(city):
    # IHSI/UNFPA 2019 estimates by commune (the COD-AB tabular data, sheet hti_pop2019_adm2)
    expected = {"HT0111": 1_227_540, "HT0112": 491_434, "HT0113": 635_765, "HT0114": 468_525, "HT0115": 71_408,
                "HT0116": 45_323, "HT0117": 329_569, "HT0118": 161_982, "HT0131": 310_367}
    per_commune = np.bincount(city.cell_commune, weights=city.cell_population, minlength=9)
    for code, total in zip(city.commune_codes, per_commune):
        assert total == pytest.approx(expected[code], abs=2)


def test_every_cell_centre_lies_in_its_section(city):
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32618", always_xy=True)
    x, y = city.centres_km()
    ux, uy = city.origin_utm_m[0] + 1000 * x, city.origin_utm_m[1] + 1000 * y
    for f in json.loads((MAP_DIR / "metro_sections.geojson").read_text())["features"]:
        polygon = shapely.transform(shapely.geometry.shape(f["geometry"]),
                                    lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
        k = city.section_codes.index(f["properties"]["ADM3_PCODE"])
        mine = city.cell_section == k
        assert shapely.contains_xy(polygon, ux[mine], uy[mine]).all()
    # the land cells cover the region's 1,370 km2 to within the cells cut by its boundary
    assert city.n_cells * city.cell_km ** 2 == pytest.approx(1370.2, rel=0.03)


def test_a_steeper_gradient_concentrates_residents_near_downtown(city):
    flat = load_city_map(CITY, 500, 50.0)
    x, y = city.centres_km()
    cx, cy = city.grid_km(18.5431, -72.3389)
    near = np.hypot(x - cx, y - cy) < 5.0
    assert city.cell_population[near].sum() > flat.cell_population[near].sum()


def test_sites_and_bases_lie_in_their_stated_sections(city):
    assert len(city.site_names) == len(city.site_sections) >= 14
    for cell, stated in zip(city.site_cells, city.site_sections):
        # the cell the site sits on is in the stated section or next to it (a site near a boundary)
        around = {city.section_codes[city.cell_section[c]] for c in (cell, *city.neighbours[cell])}
        assert stated in around
    airport = city.site_names.index("Toussaint Louverture airport")
    assert city.commune_codes[city.cell_commune[city.site_cells[airport]]] == "HT0118"


def test_a_site_outside_its_stated_section_is_refused(tmp_path):
    shutil.copy(MAP_DIR / "metro_sections.geojson", tmp_path)
    text = CITY.read_text().replace('at = [18.58, -72.2925]\nsection = "HT0118-03"',
                                    'at = [18.58, -72.2925]\nsection = "HT0111-01"')
    (tmp_path / "city.toml").write_text(text)
    with pytest.raises(InputError, match=r"sites\[1\] 'Toussaint Louverture airport' .* lies in HT0118-03, not in "
                                         r"its stated section HT0111-01"):
        load_city_map(tmp_path / "city.toml", 500, 5.0)


@pytest.mark.parametrize("broken, message", [
    ("garbage", "not a valid toml file"),
    ('[map]\nsections = "missing.geojson"\ncore = [18.5, -72.3]\n', "file missing.geojson not found"),
    ('[map]\nsections = "metro_sections.geojson"\ncore = [95, -72.3]\n', r"map.core must be \[lat, lon\]"),
])
def test_a_broken_map_file_is_one_line_naming_it(tmp_path, broken, message):
    shutil.copy(MAP_DIR / "metro_sections.geojson", tmp_path)
    (tmp_path / "city.toml").write_text(broken)
    with pytest.raises(InputError, match=message) as err:
        load_city_map(tmp_path / "city.toml", 500, 5.0)
    assert "city.toml" in str(err.value) and "\n" not in str(err.value)


def test_a_broken_geojson_is_one_line_naming_it(tmp_path):
    (tmp_path / "metro_sections.geojson").write_text("{not json")
    shutil.copy(CITY, tmp_path)
    with pytest.raises(InputError, match="metro_sections.geojson.*not a valid geojson file"):
        load_city_map(tmp_path / "city.toml", 500, 5.0)


def test_the_road_graph_is_connected(city):
    g = city.roads.graph()
    import networkx as nx

    assert nx.is_connected(g)
    assert {"Airport", "Downtown (Portail Saint-Joseph)", "Croix-des-Bouquets", "Kenscoff", "Gressier"} <= set(
        city.roads.node_names)
    route = city.roads.shortest_path("Gressier", "Airport")
    assert route[0] == "Gressier" and route[-1] == "Airport" and "Martissant" in route


def test_segments_cross_the_cells_on_their_line(city):
    r = city.roads
    for s, (a, b) in enumerate(r.seg_nodes):
        cells = r.cells_of(s)
        assert len(cells) >= 1
        # the cells are those under the straight line between the two waypoints (on land)
        x, y = city.grid_xy(cells)
        centre = np.column_stack([(x + 0.5) * city.cell_km, (y + 0.5) * city.cell_km])
        pa, pb = r.node_xy_km[a], r.node_xy_km[b]
        ab, ac = pb - pa, centre - pa
        d = np.abs(ab[0] * ac[:, 1] - ab[1] * ac[:, 0]) / np.hypot(*ab)
        assert (d <= city.cell_km * np.sqrt(2) / 2 + 1e-9).all()
        assert r.seg_length_km[s] == pytest.approx(np.hypot(*(pb - pa)))
    assert city.cell_road[r.seg_cells].all() and city.cell_road.sum() == len(np.unique(r.seg_cells))


def test_segment_cells_of_a_straight_line():
    # a horizontal line along row 0 from x = 0.1 to 2.9 km, 1 km cells, on a 4 x 2 grid
    cells = segment_cells(np.array([0.1, 0.5]), np.array([2.9, 0.5]), 1.0, 4, 2)
    assert cells.tolist() == [0 * 2 + 0, 1 * 2 + 0, 2 * 2 + 0]


def test_exposed_segments_and_a_detour(city):
    r = city.roads
    held = np.zeros(city.n_cells, bool)
    martissant = [s for s, (a, b) in enumerate(r.seg_nodes)
                  if {r.node_names[a], r.node_names[b]} == {"Portail Leogane", "Martissant"}][0]
    held[r.cells_of(martissant)[1]] = True
    exposed = r.exposed(held)
    assert exposed[martissant] and exposed.sum() >= 1
    assert r.shortest_path("Gressier", "Airport", blocked=exposed) is None  # RN2 is the only way from the south-west
    assert r.shortest_path("Kenscoff", "Airport", blocked=exposed) is not None
