"""The road graph: main roads as nodes (named waypoints) and segments with their length and the cells they cross.

The map file gives each road as a polyline through named waypoints; a name shared by two roads is one node,
so roads meet where they share a waypoint. Segment cells are the cells a segment passes through (sampled
every quarter of a cell along it), stored as one flat array with offsets (CSR), so mechanisms can ask which
segments cross gang-held cells and route around them (:meth:`RoadGraph.shortest_path`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np


@dataclass(frozen=True)
class RoadGraph:
    """Nodes and segments of the main roads on the grid (read-only by convention)."""

    node_names: tuple[str, ...]
    node_xy_km: np.ndarray  # (n_nodes, 2) grid km
    node_cell: np.ndarray  # flat cell index of each node
    seg_nodes: np.ndarray  # (n_segments, 2) node indices
    seg_road: tuple[str, ...]  # the road each segment belongs to
    seg_length_km: np.ndarray
    seg_cells_start: np.ndarray  # CSR offsets into seg_cells (n_segments + 1)
    seg_cells: np.ndarray  # flat cell indices, segment after segment

    def cells_of(self, segment: int) -> np.ndarray:
        """The cells segment ``segment`` crosses, in order along it."""
        return self.seg_cells[self.seg_cells_start[segment]:self.seg_cells_start[segment + 1]]

    def road_mask(self, n_cells: int) -> np.ndarray:
        """True on every cell a road crosses."""
        mask = np.zeros(n_cells, bool)
        mask[self.seg_cells] = True
        return mask

    def exposed(self, gang_held: np.ndarray) -> np.ndarray:
        """Per segment: True where it crosses at least one cell in ``gang_held`` (a bool per cell)."""
        per_cell = gang_held[self.seg_cells].astype(np.int64)
        return np.add.reduceat(per_cell, self.seg_cells_start[:-1]) > 0 if len(per_cell) else per_cell.astype(bool)

    def on_cells(self, index_of: np.ndarray, nearest: Callable[[float, float], int]) -> RoadGraph:
        """The same graph over another numbering of cells: ``index_of`` maps each grid cell to its new index
        or -1 (a cell that is dropped, e.g. the sea); a node on a dropped cell goes to ``nearest(x_km, y_km)``."""
        kept = [index_of[self.cells_of(s)] for s in range(len(self.seg_nodes))]
        kept = [c[c >= 0] for c in kept]
        node_cell = np.array([index_of[c] if index_of[c] >= 0 else nearest(x, y)
                              for c, (x, y) in zip(self.node_cell, self.node_xy_km)], dtype=np.int64)
        return dataclasses.replace(
            self, node_cell=node_cell, seg_cells_start=np.r_[0, np.cumsum([len(c) for c in kept])].astype(np.int64),
            seg_cells=np.concatenate(kept).astype(np.int64) if kept else np.zeros(0, np.int64))

    def graph(self, blocked: np.ndarray | None = None) -> nx.Graph:
        """A networkx graph of the nodes and the segments not ``blocked`` (a bool per segment), weighted by km."""
        g = nx.Graph()
        g.add_nodes_from(range(len(self.node_names)))
        for s, (a, b) in enumerate(self.seg_nodes):
            if blocked is None or not blocked[s]:
                g.add_edge(int(a), int(b), length_km=float(self.seg_length_km[s]), segment=s)
        return g

    def shortest_path(self, source: str, target: str, blocked: np.ndarray | None = None) -> list[str] | None:
        """Node names of the shortest route from ``source`` to ``target`` avoiding ``blocked`` segments
        (None when no route is left)."""
        a, b = self.node_names.index(source), self.node_names.index(target)
        try:
            route = nx.shortest_path(self.graph(blocked), a, b, weight="length_km")
        except nx.NetworkXNoPath:
            return None
        return [self.node_names[i] for i in route]


def segment_cells(a: np.ndarray, b: np.ndarray, cell_km: float, width: int, height: int) -> np.ndarray:
    """The distinct cells (flat indices, in order) that the straight segment from ``a`` to ``b`` (grid km)
    passes through, sampled every quarter of a cell."""
    steps = max(2, int(np.hypot(*(b - a)) / (cell_km / 4)) + 1)
    line = a + np.linspace(0.0, 1.0, steps)[:, None] * (b - a)
    ix = np.clip((line[:, 0] / cell_km).astype(np.int64), 0, width - 1)
    iy = np.clip((line[:, 1] / cell_km).astype(np.int64), 0, height - 1)
    cells = ix * height + iy
    keep = np.r_[True, cells[1:] != cells[:-1]]
    return cells[keep]


def build(roads: Sequence[tuple[str, Sequence[tuple[str, float, float]]]], cell_km: float, width: int,
          height: int) -> RoadGraph:
    """The graph of ``roads``: each a (name, waypoints) with waypoints as (name, x_km, y_km) on the grid."""
    names: list[str] = []
    xy: list[tuple[float, float]] = []
    seg_nodes, seg_road, lengths, starts, cells = [], [], [], [0], []
    for road, waypoints in roads:
        ids = []
        for name, x, y in waypoints:
            if name not in names:
                names.append(name)
                xy.append((x, y))
            ids.append(names.index(name))
        for i, j in zip(ids[:-1], ids[1:]):
            a, b = np.asarray(xy[i]), np.asarray(xy[j])
            seg = segment_cells(a, b, cell_km, width, height)
            seg_nodes.append((i, j))
            seg_road.append(road)
            lengths.append(float(np.hypot(*(b - a))))
            cells.append(seg)
            starts.append(starts[-1] + len(seg))
    node_xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    ix = np.clip((node_xy[:, 0] / cell_km).astype(np.int64), 0, width - 1)
    iy = np.clip((node_xy[:, 1] / cell_km).astype(np.int64), 0, height - 1)
    return RoadGraph(node_names=tuple(names), node_xy_km=node_xy, node_cell=ix * height + iy,
                     seg_nodes=np.asarray(seg_nodes, dtype=np.int64).reshape(-1, 2), seg_road=tuple(seg_road),
                     seg_length_km=np.asarray(lengths), seg_cells_start=np.asarray(starts, dtype=np.int64),
                     seg_cells=np.concatenate(cells) if cells else np.zeros(0, np.int64))
