"""Run a scenario: the Python API that the CLI, notebooks and the experiments engine call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from papsim import citymap
from papsim.citymap import CityMap
from papsim.model import PortAuPrince
from papsim.indicators import summarise
from papsim.scenario import Scenario, load_scenario
from papsim.snapshot import Frame, frame


@dataclass(frozen=True)
class Result:
    """What one run produced; nothing is written to disk."""

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame  # one row per day (row 0 the start), one column per output
    summary: dict[str, float | int | bool]  # final values, totals and derived indicators
    sites: pd.DataFrame  # per key site: name, kind, days closed, held at the end
    communes: pd.DataFrame  # one row per day and commune, one column per commune series
    events: pd.DataFrame  # one row per violent event (papsim.events.COLUMNS)
    snapshots: dict[int, Frame]  # the map state (control, front lines, units) at chosen days

    @property
    def city(self) -> CityMap:
        """The rasterised map the run used (cached)."""
        return citymap.for_params(self.scenario.map_path, self.scenario.params)


def run(scenario: Scenario | str | Path, seed: int = 0, days: int | None = None,
        snapshot_days: tuple[int, ...] = (), kernels: str | None = None) -> Result:
    """Run ``scenario`` (a Scenario or a path) with ``seed`` for ``days`` (default: the scenario's);
    ``kernels`` as in :func:`papsim.kernels.select` (the same numbers either way)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    model = PortAuPrince(scenario, rng=seed, days=days, kernels=kernels)
    wanted = set(snapshot_days)
    snapshots = {0: frame(model)} if 0 in wanted else {}
    for _ in range(model.days):
        model.step()
        if model.day in wanted:
            snapshots[model.day] = frame(model)
    ts = model.recorder.frame(scenario.start_date)
    city = model.city
    sites = pd.DataFrame({"site": city.site_names, "kind": city.site_kinds,
                          "days_closed": model.site_closed_days.astype(int),
                          "held_at_end": model.controller[city.site_cells] < 0})
    communes = model.commune_recorder.frame(scenario.start_date)
    summary = summarise(ts, scenario.params, model.initial_population, sites, communes)
    return Result(scenario=scenario, seed=seed, timeseries=ts, summary=summary, sites=sites, communes=communes,
                  events=model.event_log.frame(scenario.start_date), snapshots=snapshots)
