"""Cost per simulated day as the grid gets finer and as the security forces grow; the scaling exponents.

    python benchmarks/bench_scaling.py              # 120 days, median of 3 per point
    python benchmarks/bench_scaling.py --days 365   # longer runs

Grid: ``scenarios/baseline.toml`` with ``cell_size_m`` 1000, 500 (the default) and 250. Units:
``scenarios/mss_as_planned.toml`` with ``mss_target_personnel`` 400, 2,500, 5,550 and 52,000 (units of
``unit_size`` persons; the HNP units are there in every case), first as the scenario deploys them (the
ramp-up and funding decide how many arrive within the horizon), then with every person arriving on day
1 (a dated arrival of the whole target and the money to pay for it), so that every unit works every day.

Cells are the model's cells, the land cells of the map (the full grid, sea and the outside of the region
included, is reported as ``grid_cells``). The cost per day is the time of the days only (the model is built before the clock starts; its set-up is
reported apart). The exponent is the least-squares slope of log(cost per day) against log(cells) or
log(units): 1 is linear; below 1, part of the cost does not grow with the size. Results go to
``benchmarks/results/bench_scaling.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import statistics
import time
from pathlib import Path

from bench_run import machine, save_json

ROOT = Path(__file__).resolve().parent.parent
CELL_SIZES = (1000, 500, 250)
PERSONNEL = (400, 2500, 5550, 52000)


def cost_per_day(scenario, days: int, repeats: int) -> dict:
    """Median seconds per simulated day (set-up excluded) over ``repeats`` seeds, and what was simulated."""
    from papsim.model import PortAuPrince

    per_day, setup = [], []
    PortAuPrince(scenario, rng=0, days=1)  # rasterise and cache the map outside the clock
    for seed in range(1, repeats + 1):
        start = time.perf_counter()
        model = PortAuPrince(scenario, rng=seed, days=days)
        built = time.perf_counter()
        for _ in range(days):
            model.step()
        per_day.append((time.perf_counter() - built) / days)
        setup.append(built - start)
    return {"us_per_day": statistics.median(per_day) * 1e6, "setup_ms": statistics.median(setup) * 1e3,
            "cells": model.city.n_cells, "grid_cells": model.city.width * model.city.height, "units": len(model.units),
            "gangs": len(model.gangs), "mss_deployed_at_end": float(model.mss),
            "mss_units_active_at_end": int((model.unit_personnel[model.n_hnp_units:] > 0).sum())}


def exponent(sizes: list[float], costs: list[float]) -> float:
    """Least-squares slope of log(cost) against log(size)."""
    x = [math.log(s) for s in sizes]
    y = [math.log(c) for c in costs]
    mx, my = statistics.fmean(x), statistics.fmean(y)
    return sum((a - mx) * (b - my) for a, b in zip(x, y)) / sum((a - mx) ** 2 for a in x)


def all_at_once(scenario, personnel: int):
    """The scenario with the whole target arriving on day 1, funded (for the units benchmark)."""
    from papsim.scenario import Arrival

    changed = scenario.replace(mss_target_personnel=personnel, mss_follow_schedule=True, reserve_months=0.0,
                               initial_funds_usd=1.0e9, funding_share_of_need=1.0)
    arrival = Arrival(date=scenario.start_date, personnel=personnel, source="benchmark: everyone on day 1")
    return dataclasses.replace(changed, arrivals=(arrival,))


def main(days: int = 120, repeats: int = 3, write: bool = True, quiet: bool = False) -> dict:
    import papsim

    baseline = papsim.load_scenario(ROOT / "scenarios" / "baseline.toml")
    planned = papsim.load_scenario(ROOT / "scenarios" / "mss_as_planned.toml")
    grid = [{"cell_size_m": size, **cost_per_day(baseline.replace(cell_size_m=size), days, repeats)}
            for size in CELL_SIZES]
    units = [{"mss_target_personnel": n, **cost_per_day(planned.replace(mss_target_personnel=n), days, repeats)}
             for n in PERSONNEL]
    deployed = [{"mss_target_personnel": n, **cost_per_day(all_at_once(planned, n), days, repeats)}
                for n in PERSONNEL]
    result = {
        "benchmark": "scaling", "days": days, "repeats": repeats,
        "grid": grid, "units_as_scenario": units, "units_all_deployed": deployed,
        "exponents": {
            "cells": exponent([r["cells"] for r in grid], [r["us_per_day"] for r in grid]),
            "units_as_scenario": exponent([r["units"] for r in units], [r["us_per_day"] for r in units]),
            "units_all_deployed": exponent([r["units"] for r in deployed], [r["us_per_day"] for r in deployed]),
        },
        "machine": machine(),
    }
    if not quiet:
        print(f"{'grid (baseline)':<30} {'cells':>7} {'grid':>6} {'us/day':>9} {'set-up ms':>10}")
        for r in grid:
            print(f"{'cell_size_m ' + str(r['cell_size_m']):<30} {r['cells']:>7} {r['grid_cells']:>6} "
                  f"{r['us_per_day']:>9.0f} {r['setup_ms']:>10.1f}")
        for label, rows in (("units (mss_as_planned)", units), ("units (all on day 1)", deployed)):
            print(f"{label:<30} {'units':>7} {'MSS':>6} {'us/day':>9} {'set-up ms':>10}")
            for r in rows:
                print(f"{'mss_target_personnel ' + str(r['mss_target_personnel']):<30} {r['units']:>7} "
                      f"{r['mss_deployed_at_end']:>6.0f} {r['us_per_day']:>9.0f} {r['setup_ms']:>10.1f}")
        e = result["exponents"]
        print(f"exponents (1 = linear): cells {e['cells']:.2f}, units as deployed {e['units_as_scenario']:.2f}, "
              f"units all deployed {e['units_all_deployed']:.2f}")
    if write:
        save_json("bench_scaling", result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=120, help="simulated days per run (default 120)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per point (default 3)")
    args = parser.parse_args()
    main(args.days, args.repeats)
