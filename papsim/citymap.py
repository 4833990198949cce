"""The city map: the stylised TOML map rasterised to grid arrays at a chosen cell size.

Arrays have Mesa's grid shape ``(width, height)`` and are indexed ``[x, y]``; the model mostly works on
their flat views (``array.reshape(-1)``), with the precomputed Moore neighbour table ``neighbours``.
Rasterising is cached per (file, cell size, Croix-des-Bouquets share), so a sweep pays for it once per
process.
"""

from __future__ import annotations

import functools
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.path import Path as Polygon

from papsim.errors import InputError

SITE_KINDS = ("airport", "port", "fuel_terminal", "hospital", "palace", "prison", "intersection")


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
    """Grid arrays of the city (read-only by convention)."""

    width: int
    height: int
    cell_km: float
    land: np.ndarray  # bool, inhabited land
    commune: np.ndarray  # int, -1 outside every commune
    commune_names: tuple[str, ...]
    population: np.ndarray  # float, residents at the start
    road: np.ndarray  # bool
    site_cells: np.ndarray  # int, flat index per site
    site_names: tuple[str, ...]
    site_kinds: tuple[str, ...]
    site_priority: np.ndarray  # int
    gangs: tuple[Gang, ...]
    neighbours: np.ndarray  # (n_cells, 8) flat indices; a missing neighbour points to the cell itself

    @property
    def n_cells(self) -> int:
        return self.width * self.height

    def centres_km(self) -> tuple[np.ndarray, np.ndarray]:
        """Flat arrays of cell-centre coordinates in km."""
        x, y = np.meshgrid(np.arange(self.width), np.arange(self.height), indexing="ij")
        return ((x.reshape(-1) + 0.5) * self.cell_km, (y.reshape(-1) + 0.5) * self.cell_km)


def _points(where: str, key: str, raw: object, minimum: int) -> np.ndarray:
    arr = np.asarray(raw, dtype=float) if isinstance(raw, list) else None
    if arr is None or arr.ndim != 2 or arr.shape[1] != 2 or len(arr) < minimum or not np.isfinite(arr).all():
        raise InputError(f"{where}: {key} must be a list of at least {minimum} [x, y] points in km")
    return arr


def _require(where: str, entry: dict, key: str, typ: type | tuple[type, ...]) -> object:
    value = entry.get(key)
    if not isinstance(value, typ) or isinstance(value, bool) and bool not in (typ if isinstance(typ, tuple) else (typ,)):
        raise InputError(f"{where}: {key} missing or of the wrong type")
    return value


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


@functools.lru_cache(maxsize=16)
def load_city_map(path: Path, cell_size_m: int, cdb_inhabited_share: float) -> CityMap:
    """Rasterise the map file at ``cell_size_m``."""
    where = str(path)
    try:
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError(f"{where}: map file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{where}: not valid TOML ({exc})") from None
    cell_km = cell_size_m / 1000.0
    meta = raw.get("map", {})
    width = math.ceil(float(meta.get("width_km", 0)) / cell_km)
    height = math.ceil(float(meta.get("height_km", 0)) / cell_km)
    if width < 3 or height < 3:
        raise InputError(f"{where}: map.width_km and map.height_km must give at least 3 cells each")
    xs, ys = np.meshgrid((np.arange(width) + 0.5) * cell_km, (np.arange(height) + 0.5) * cell_km, indexing="ij")
    centres = np.column_stack([xs.reshape(-1), ys.reshape(-1)])
    n = width * height

    sea = np.zeros(n, bool)
    for i, entry in enumerate(raw.get("sea", [])):
        sea |= Polygon(_points(where, f"sea[{i + 1}].polygon", entry.get("polygon"), 3)).contains_points(centres)

    commune = np.full(n, -1, dtype=np.int64)
    population = np.zeros(n)
    names = []
    for i, entry in enumerate(raw.get("communes", [])):
        label = f"communes[{i + 1}]"
        name = _require(where, entry, "name", str)
        pop = _require(where, entry, "population", (int, float))
        _require(where, entry, "source", str)
        inside = Polygon(_points(where, f"{label}.polygon", entry.get("polygon"), 3)).contains_points(centres)
        cells = inside & ~sea & (commune < 0)
        if not cells.any():
            raise InputError(f"{where}: {label} ('{name}') covers no land cell at {cell_size_m} m")
        share = cdb_inhabited_share if entry.get("inhabited_share_parameter") == "cdb_inhabited_share" else 1.0
        commune[cells] = len(names)
        population[cells] = pop * share / cells.sum()
        names.append(name)
    land = commune >= 0
    if not land.any():
        raise InputError(f"{where}: no commune covers any cell")

    road = np.zeros(n, bool)
    for i, entry in enumerate(raw.get("roads", [])):
        pts = _points(where, f"roads[{i + 1}].points", entry.get("points"), 2)
        for a, b in zip(pts[:-1], pts[1:]):
            steps = max(2, int(np.hypot(*(b - a)) / (cell_km / 4)) + 1)
            line = a + np.linspace(0, 1, steps)[:, None] * (b - a)
            ix = np.clip((line[:, 0] / cell_km).astype(int), 0, width - 1)
            iy = np.clip((line[:, 1] / cell_km).astype(int), 0, height - 1)
            road[ix * height + iy] = True
    road &= land

    land_idx = np.flatnonzero(land)

    def snap(label: str, at: object) -> int:
        pt = _points(where, f"{label}", [at] if isinstance(at, list) else None, 1)[0]
        d = np.hypot(centres[land_idx, 0] - pt[0], centres[land_idx, 1] - pt[1])
        return int(land_idx[np.argmin(d)])

    site_cells, site_names, site_kinds, site_priority = [], [], [], []
    for i, entry in enumerate(raw.get("sites", [])):
        label = f"sites[{i + 1}]"
        kind = entry.get("kind")
        if kind not in SITE_KINDS:
            raise InputError(f"{where}: {label}.kind = {kind!r} is not allowed; expected one of {', '.join(SITE_KINDS)}")
        priority = entry.get("priority")
        if not isinstance(priority, int) or not 1 <= priority <= 5:
            raise InputError(f"{where}: {label}.priority = {priority!r} is not allowed; expected an int in [1, 5]")
        _require(where, entry, "source", str)
        site_cells.append(snap(f"{label}.at", entry.get("at")))
        site_names.append(_require(where, entry, "name", str))
        site_kinds.append(kind)
        site_priority.append(priority)

    gangs = []
    for i, entry in enumerate(raw.get("gangs", [])):
        label = f"gangs[{i + 1}]"
        weight = entry.get("weight")
        if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            raise InputError(f"{where}: {label}.weight = {weight!r} is not allowed; expected a float in (0, 1]")
        gangs.append(Gang(name=_require(where, entry, "name", str), family=_require(where, entry, "family", str),
                          viv_ansanm=bool(entry.get("viv_ansanm", False)), weight=float(weight),
                          base=snap(f"{label}.base", entry.get("base")), source=_require(where, entry, "source", str)))
    if not gangs:
        raise InputError(f"{where}: at least one [[gangs]] entry is needed")

    shape = (width, height)
    return CityMap(width=width, height=height, cell_km=cell_km, land=land.reshape(shape),
                   commune=commune.reshape(shape), commune_names=tuple(names),
                   population=population.reshape(shape), road=road.reshape(shape),
                   site_cells=np.asarray(site_cells, dtype=np.int64), site_names=tuple(site_names),
                   site_kinds=tuple(site_kinds), site_priority=np.asarray(site_priority, dtype=np.int64),
                   gangs=tuple(gangs), neighbours=moore_neighbours(width, height))
