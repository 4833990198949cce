"""The city map: the metro region's communal sections rasterised to grid arrays at a chosen cell size.

The map file (``scenarios/map/city.toml``) names the GeoJSON of the 44 communal sections of the nine metro
communes (OCHA COD-AB shapes, IHSI/UNFPA 2019 population, CC BY-IGO) and gives the key sites, the roads and
the armed groups' bases as [lat, lon] points with the section that should contain each. The loader projects
everything to UTM zone 18N (EPSG:32618) with pyproj, rasterises the sections on cell centres with
``shapely.contains_xy`` (no GDAL), and spreads each section's residents over its cells with Clark's
exponential density gradient from the downtown core (``population_gradient_km``: an assumption; very large
values give a uniform surface). Every section keeps exactly its population at every resolution: one that
no cell centre falls in gets the cell of its representative point.

The model's cells are the land cells only, numbered 0..n_cells-1 commune by commune (``cells`` gives each
one's index in the full grid, ``x * height + y``; ``commune_start`` where each commune's cells begin, so that
per-commune sums are ``np.add.reduceat``): sea and the outside of the region cost nothing. Per-cell arrays (``cell_*``)
and the Moore neighbour table ``neighbours`` (a neighbour off land points to the cell itself) are over these
cells; site, base and road cells are model cells too. ``to_grid`` spreads a per-cell array onto the full
``(width, height)`` grid (Mesa's shape, indexed ``[x, y]``) for maps and Mesa's property layers. Grid km are
measured from the map's origin (the south-west corner of the grid, on a whole kilometre of UTM so that
every resolution shares it). Loading is cached per (file, cell size, gradient), so a sweep pays for it once
per process.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from papsim import roads
from papsim.errors import InputError

HIGHEST_PRIORITY = 5  # a key site's protection priority is an int in [1, HIGHEST_PRIORITY]
SITE_KINDS = ("airport", "port", "fuel_terminal", "hospital", "palace", "prison", "intersection",
              "police_station")
UTM_18N = "EPSG:32618"
_TO_UTM = Transformer.from_crs("EPSG:4326", UTM_18N, always_xy=True)


@dataclass(frozen=True)
class Gang:
    """An armed group as the map file describes it."""

    name: str
    family: str
    viv_ansanm: bool
    weight: float
    base: int  # flat cell index
    source: str


@dataclass(frozen=True)
class CityMap:
    """The city's cells and what is on them (read-only by convention)."""

    width: int
    height: int
    cell_km: float
    origin_utm_m: tuple[float, float]  # UTM 18N of the grid's south-west corner
    cells: np.ndarray  # full-grid flat index of every model cell (the land cells, commune by commune)
    commune_start: np.ndarray  # the first model cell of each commune (and n_cells at the end)
    land: np.ndarray  # (width, height) bool: inside a metro communal section
    cell_section: np.ndarray  # index into section_codes
    section_codes: tuple[str, ...]  # P-codes (ADM3_PCODE)
    section_names: tuple[str, ...]
    section_commune: np.ndarray  # commune index of each section
    section_population: np.ndarray  # 2019 estimate of each section
    cell_commune: np.ndarray  # index into commune_codes
    commune_codes: tuple[str, ...]  # P-codes (ADM2_PCODE)
    commune_names: tuple[str, ...]
    commune_outlines: tuple[tuple[np.ndarray, ...], ...]  # per commune its boundary rings, grid km
    commune_label_km: np.ndarray  # (n_communes, 2) a point inside each commune, grid km
    cell_population: np.ndarray  # residents in 2019
    cell_road: np.ndarray  # bool: a main road crosses the cell
    roads: roads.RoadGraph
    site_cells: np.ndarray  # model cell of each site
    site_names: tuple[str, ...]
    site_kinds: tuple[str, ...]
    site_priority: np.ndarray  # int
    site_sections: tuple[str, ...]
    gangs: tuple[Gang, ...]
    neighbours: np.ndarray  # (n_cells, 8) model cells; a missing neighbour points to the cell itself

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    def grid_xy(self, cells: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
        """Grid column and row (``x``, ``y``) of model cells."""
        return np.divmod(self.cells[cells], self.height)

    def centres_km(self) -> tuple[np.ndarray, np.ndarray]:
        """Per model cell the grid km of its centre."""
        x, y = self.grid_xy(np.arange(self.n_cells))
        return (x + 0.5) * self.cell_km, (y + 0.5) * self.cell_km

    @functools.cached_property
    def site_distance_km(self) -> np.ndarray:
        """Per model cell the distance from its centre to the nearest key site's cell centre (computed once per
        map, as the map itself is cached)."""
        return self._distances_km(self.site_cells).min(axis=1)

    @functools.cached_property
    def base_distance_km(self) -> np.ndarray:
        """``(n_cells, n_gangs)``: distance from each cell centre to each group's base cell centre."""
        return self._distances_km(np.array([gang.base for gang in self.gangs], dtype=np.int64))

    def _distances_km(self, cells: np.ndarray) -> np.ndarray:
        x, y = self.centres_km()
        return np.hypot(x[:, None] - x[cells][None, :], y[:, None] - y[cells][None, :])

    def to_grid(self, values: np.ndarray, fill: object = 0) -> np.ndarray:
        """A per-cell array on the full ``(width, height)`` grid, ``fill`` off land."""
        out = np.full(self.width * self.height, fill, dtype=np.asarray(values).dtype)
        out[self.cells] = values
        return out.reshape(self.width, self.height)

    def grid_km(self, lat: float, lon: float) -> tuple[float, float]:
        """A WGS 84 point in grid km."""
        x, y = _TO_UTM.transform(lon, lat)
        return (x - self.origin_utm_m[0]) / 1000.0, (y - self.origin_utm_m[1]) / 1000.0


def moore_neighbours(width: int, height: int) -> np.ndarray:
    """Flat indices of the 8 Moore neighbours of every cell (no torus; missing ones point to the cell)."""
    x, y = np.meshgrid(np.arange(width), np.arange(height), indexing="ij")
    x, y = x.reshape(-1), y.reshape(-1)
    cols = []
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            if dx == dy == 0:
                continue
            nx, ny = x + dx, y + dy
            inside = (nx >= 0) & (nx < width) & (ny >= 0) & (ny < height)
            cols.append(np.where(inside, nx * height + ny, x * height + y))
    return np.stack(cols, axis=1)


def for_params(path: Path, params: Mapping) -> CityMap:
    """The map of a scenario: ``path`` rasterised at its ``cell_size_m`` with its ``population_gradient_km``."""
    return load_city_map(path, int(params["cell_size_m"]), float(params["population_gradient_km"]))


def _read(where: str, path: Path, reader) -> object:
    try:
        with open(path, "rb") as fh:
            return reader(fh)
    except FileNotFoundError:
        raise InputError(f"{where}: file {path.name} not found") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{where}: not a valid {path.suffix.lstrip('.')} file ({str(exc).splitlines()[0]})") from None


def _text(where: str, entry: Mapping, key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value:
        raise InputError(f"{where}: {key} missing or not a string")
    return value


def _lat_lon(where: str, raw: object) -> tuple[float, float]:
    ok = isinstance(raw, list) and len(raw) == 2 and all(isinstance(v, (int, float)) for v in raw)
    if not ok or not (-90 <= raw[0] <= 90 and -180 <= raw[1] <= 180):
        raise InputError(f"{where} must be [lat, lon] in degrees")
    return float(raw[0]), float(raw[1])


def _sections(where: str, path: Path) -> list[dict]:
    """The sections of the GeoJSON, projected: code, name, commune code and name, 2019 population, polygon."""
    data = _read(where, path, json.load)
    out = []
    for i, feature in enumerate(data.get("features", []) if isinstance(data, dict) else []):
        props, label = feature.get("properties") or {}, f"{path.name}: feature {i + 1}"
        pop = props.get("pop2019")
        if not isinstance(pop, (int, float)) or pop < 0:
            raise InputError(f"{label}: pop2019 must be a number >= 0")
        try:
            geom = shapely.geometry.shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.GEOSException):
            raise InputError(f"{label}: geometry is not a valid polygon") from None
        projected = shapely.transform(geom, lambda xy: np.column_stack(_TO_UTM.transform(xy[:, 0], xy[:, 1])))
        out.append({"code": _text(label, props, "ADM3_PCODE"), "name": _text(label, props, "ADM3_FR"),
                    "commune": _text(label, props, "ADM2_PCODE"), "commune_name": _text(label, props, "ADM2_FR"),
                    "pop": float(pop), "geom": projected})
    if not out:
        raise InputError(f"{path}: no communal section (a GeoJSON FeatureCollection of polygons is expected)")
    return sorted(out, key=lambda s: s["code"])


@functools.lru_cache(maxsize=16)
def load_city_map(path: Path, cell_size_m: int, population_gradient_km: float) -> CityMap:
    """Rasterise the map file at ``cell_size_m`` with residents spread by ``population_gradient_km``."""
    where = str(path)
    raw = _read(where, path, tomllib.load)
    meta = raw.get("map", {})
    sections_path = path.parent / _text(f"{where}: [map]", meta, "sections")
    sections = _sections(f"{sections_path} (map.sections of {path.name})", sections_path)
    cell_m = float(cell_size_m)
    x0, y0, x1, y1 = shapely.union_all([s["geom"] for s in sections]).bounds
    x0, y0 = math.floor(x0 / 1000.0) * 1000.0, math.floor(y0 / 1000.0) * 1000.0
    width, height = math.ceil((x1 - x0) / cell_m), math.ceil((y1 - y0) / cell_m)
    ix, iy = np.meshgrid(np.arange(width), np.arange(height), indexing="ij")
    cx, cy = x0 + (ix.reshape(-1) + 0.5) * cell_m, y0 + (iy.reshape(-1) + 0.5) * cell_m
    n = width * height

    section = np.full(n, -1, dtype=np.int64)
    for k, s in enumerate(sections):
        section[shapely.contains_xy(s["geom"], cx, cy) & (section < 0)] = k
    def cell_at(x: float, y: float) -> int:
        """The grid cell (flat index) containing the UTM point (x, y)."""
        return int((x - x0) // cell_m) * height + int((y - y0) // cell_m)

    for k, s in enumerate(sections):  # a section smaller than a cell keeps its residents in one cell
        if not (section == k).any():
            pt = s["geom"].representative_point()
            section[cell_at(pt.x, pt.y)] = k

    core = _lat_lon(f"{where}: map.core", meta.get("core"))
    core_x, core_y = _TO_UTM.transform(core[1], core[0])
    weight = np.exp(-np.hypot(cx - core_x, cy - core_y) / (1000.0 * population_gradient_km))
    population = np.zeros(n)
    for k, s in enumerate(sections):
        cells = section == k
        population[cells] = s["pop"] * weight[cells] / weight[cells].sum()

    commune_codes = tuple(sorted({s["commune"] for s in sections}))
    commune_names = tuple(next(s["commune_name"] for s in sections if s["commune"] == c) for c in commune_codes)
    section_commune = np.array([commune_codes.index(s["commune"]) for s in sections], dtype=np.int64)
    commune = np.where(section >= 0, section_commune[np.maximum(section, 0)], -1)
    land = section >= 0
    origin = (x0, y0)
    unions = [shapely.union_all([s["geom"] for s in sections if s["commune"] == c]) for c in commune_codes]
    outlines = tuple(_rings(u, origin) for u in unions)
    label_points = np.array([[(pt.x - x0) / 1000.0, (pt.y - y0) / 1000.0]
                             for pt in (u.representative_point() for u in unions)])

    land_idx = np.flatnonzero(land)

    def locate(label: str, entry: Mapping, key: str) -> tuple[int, str]:
        """The cell of a point (the nearest land cell if its own is not), after checking its stated section."""
        lat, lon = _lat_lon(f"{where}: {label}.{key}", entry.get(key))
        stated = _text(f"{where}: {label}", entry, "section")
        x, y = _TO_UTM.transform(lon, lat)
        inside = [s["code"] for s in sections if shapely.contains_xy(s["geom"], x, y)]
        if stated not in inside:
            found = inside[0] if inside else "no metro section"
            raise InputError(f"{where}: {label} '{entry.get('name')}' at [{lat}, {lon}] lies in {found}, "
                             f"not in its stated section {stated}")
        cell = cell_at(x, y)
        if not land[cell]:
            cell = int(land_idx[_nearest(cx[land_idx], cy[land_idx], x, y)])
        return cell, stated

    site_cells, site_names, site_kinds, site_priority, site_sections = [], [], [], [], []
    for i, entry in enumerate(raw.get("sites", [])):
        label = f"sites[{i + 1}]"
        kind = entry.get("kind")
        if kind not in SITE_KINDS:
            raise InputError(f"{where}: {label}.kind = {kind!r} is not allowed; expected one of {', '.join(SITE_KINDS)}")
        priority = entry.get("priority")
        if not isinstance(priority, int) or isinstance(priority, bool) or not 1 <= priority <= HIGHEST_PRIORITY:
            raise InputError(f"{where}: {label}.priority = {priority!r} is not allowed; "
                             f"expected an int in [1, {HIGHEST_PRIORITY}]")
        _text(f"{where}: {label}", entry, "source")
        cell, stated = locate(label, entry, "at")
        site_cells.append(cell)
        site_names.append(_text(f"{where}: {label}", entry, "name"))
        site_kinds.append(kind)
        site_priority.append(priority)
        site_sections.append(stated)

    road_list = []
    for i, entry in enumerate(raw.get("roads", [])):
        label = f"{where}: roads[{i + 1}]"
        _text(label, entry, "source")
        points = entry.get("waypoints")
        if not isinstance(points, list) or len(points) < 2:
            raise InputError(f"{label}.waypoints must be a list of at least 2 [name, lat, lon] points")
        waypoints = []
        for j, wp in enumerate(points):
            if not (isinstance(wp, list) and len(wp) == 3 and isinstance(wp[0], str)):
                raise InputError(f"{label}.waypoints[{j + 1}] must be [name, lat, lon]")
            lat, lon = _lat_lon(f"{label}.waypoints[{j + 1}]", wp[1:])
            x, y = _TO_UTM.transform(lon, lat)
            waypoints.append((wp[0], (x - x0) / 1000.0, (y - y0) / 1000.0))
        road_list.append((_text(label, entry, "name"), waypoints))
    graph = roads.build(road_list, cell_m / 1000.0, width, height)

    gangs = []
    for i, entry in enumerate(raw.get("gangs", [])):
        label = f"gangs[{i + 1}]"
        weight_ = entry.get("weight")
        if not isinstance(weight_, (int, float)) or isinstance(weight_, bool) or not 0 < weight_ <= 1:
            raise InputError(f"{where}: {label}.weight = {weight_!r} is not allowed; expected a float in (0, 1]")
        gangs.append(Gang(name=_text(f"{where}: {label}", entry, "name"),
                          family=_text(f"{where}: {label}", entry, "family"),
                          viv_ansanm=bool(entry.get("viv_ansanm", False)), weight=float(weight_),
                          base=locate(label, entry, "base")[0], source=_text(f"{where}: {label}", entry, "source")))
    if not gangs:
        raise InputError(f"{where}: at least one [[gangs]] entry is needed")

    cells = land_idx[np.argsort(commune[land_idx], kind="stable")]  # commune by commune, each in grid order
    index_of = np.full(n, -1, dtype=np.int64)
    index_of[cells] = np.arange(len(cells))
    full_nbr = index_of[moore_neighbours(width, height)[cells]]
    neighbours = np.where(full_nbr >= 0, full_nbr, np.arange(len(cells))[:, None])
    graph = graph.on_cells(index_of, nearest=lambda x_km, y_km: _nearest(cx[cells], cy[cells], x0 + 1000 * x_km,
                                                                            y0 + 1000 * y_km))
    return CityMap(width=width, height=height, cell_km=cell_m / 1000.0, origin_utm_m=origin, cells=cells,
                   land=land.reshape(width, height), commune_start=np.searchsorted(commune[cells], np.arange(len(commune_codes) + 1)),
                   cell_section=section[cells],
                   section_codes=tuple(s["code"] for s in sections), section_names=tuple(s["name"] for s in sections),
                   section_commune=section_commune, section_population=np.array([s["pop"] for s in sections]),
                   cell_commune=commune[cells], commune_codes=commune_codes, commune_names=commune_names,
                   commune_outlines=outlines, commune_label_km=label_points, cell_population=population[cells],
                   cell_road=graph.road_mask(len(cells)), roads=graph, site_cells=index_of[site_cells],
                   site_names=tuple(site_names), site_kinds=tuple(site_kinds),
                   site_priority=np.asarray(site_priority, dtype=np.int64), site_sections=tuple(site_sections),
                   gangs=tuple(dataclasses.replace(g, base=int(index_of[g.base])) for g in gangs),
                   neighbours=neighbours)


def _nearest(xs: np.ndarray, ys: np.ndarray, x: float, y: float) -> int:
    """Index of the point of (xs, ys) nearest to (x, y)."""
    return int(np.argmin(np.hypot(xs - x, ys - y)))


def _rings(geom: shapely.Geometry, origin: tuple[float, float]) -> tuple[np.ndarray, ...]:
    """The exterior rings of a (multi)polygon in grid km, for drawing boundaries."""
    polygons = getattr(geom, "geoms", [geom])
    return tuple((np.asarray(p.exterior.coords) - np.asarray(origin)) / 1000.0 for p in polygons)
