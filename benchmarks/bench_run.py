"""One simulated year of the whole city against Mesa's Epstein civil violence model, in the same process.

    python benchmarks/bench_run.py               # 5 runs of each, medians and their ratio
    python benchmarks/bench_run.py --repeats 9   # more repeats on a busy machine
    python benchmarks/bench_run.py --check 0.25  # exit 1 if the ratio is above 0.25

The reference is ``mesa.examples.advanced.epstein_civil_violence`` at its default size (40 x 40, 1,234
agents), 100 steps, ``rng=42``; the run is ``scenarios/baseline.toml`` for its 365 days (seeds 1, 2, ...,
the map cached as in a sweep), once with the compiled kernels and once with the NumPy kernels (the same
numbers; ``papsim/kernels/__init__.py``). The three are timed in turn, so a change in the load of a shared machine hits
all of them; the ratios of the medians are the numbers to compare ("ratio" is the one of the kernels a run
uses by default, the compiled ones when built). Results go to ``benchmarks/results/bench_run.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
BASELINE = ROOT / "scenarios" / "baseline.toml"
EPSTEIN_STEPS = 100
EPSTEIN_RNG = 42


def save_json(name: str, result: dict) -> None:
    """Write one benchmark's result to ``benchmarks/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))


def machine() -> dict:
    """Where and when the numbers were taken (the load average matters on a shared machine)."""
    import mesa
    import numpy

    return {"cpus": os.cpu_count(), "python": platform.python_version(), "numpy": numpy.__version__,
            "mesa": mesa.__version__, "platform": platform.platform(), "load_average": os.getloadavg(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def time_run(scenario, seed: int, days: int | None = None, kernels: str | None = None) -> float:
    """Seconds for one ``papsim.run`` (model set-up, every day, outputs and summary)."""
    import papsim

    start = time.perf_counter()
    papsim.run(scenario, seed=seed, days=days, kernels=kernels)
    return time.perf_counter() - start


def time_epstein(steps: int = EPSTEIN_STEPS) -> float:
    """Seconds for Mesa's Epstein civil violence model at its default size, ``steps`` steps, rng=42."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence, EpsteinScenario

    start = time.perf_counter()
    model = EpsteinCivilViolence(scenario=EpsteinScenario(rng=EPSTEIN_RNG))
    for _ in range(steps):
        model.step()
    return time.perf_counter() - start


def median_summary(seconds: list[float]) -> dict:
    return {"median_s": statistics.median(seconds), "min_s": min(seconds), "max_s": max(seconds),
            "runs_s": [round(s, 5) for s in seconds]}


def main(repeats: int = 5, write: bool = True, quiet: bool = False) -> dict:
    """Time ``repeats`` baseline years (each set of kernels) and Epstein references in turn; returns (and
    writes) the result."""
    import papsim
    from papsim import kernels as kernel_sets

    scenario = papsim.load_scenario(BASELINE)
    days = scenario.days
    sets = (["compiled"] if kernel_sets.compiled() is not None else []) + ["numpy"]
    load_before = os.getloadavg()
    for name in sets:  # warm-up: imports, the rasterised map (cached per process), first calls
        time_run(scenario, seed=0, kernels=name)
    time_epstein(steps=2)
    runs: dict[str, list[float]] = {name: [] for name in sets}
    reference = []
    for i in range(repeats):
        for name in sets:
            runs[name].append(time_run(scenario, seed=i + 1, kernels=name))
        reference.append(time_epstein())
    ref = median_summary(reference)
    timed = {name: median_summary(seconds) for name, seconds in runs.items()}
    ratios = {name: t["median_s"] / ref["median_s"] for name, t in timed.items()}
    default = kernel_sets.select().name
    result = {
        "benchmark": "run_vs_epstein",
        "run": {"scenario": "scenarios/baseline.toml", "days": days, "kernels": default, **timed[default]},
        "runs_by_kernels": timed,
        "epstein": {"model": "mesa.examples.advanced.epstein_civil_violence", "size": "40x40 (default)",
                    "steps": EPSTEIN_STEPS, "rng": EPSTEIN_RNG, **ref},
        "ratio": ratios[default], "ratios_by_kernels": ratios, "repeats": repeats,
        "targets": {"ratio_at_most": 0.05, "core_ratio_at_most": 0.25},
        "machine": machine() | {"load_average_before": load_before},
    }
    if not quiet:
        print(f"{'benchmark':<52} {'median':>9} {'min':>9} {'max':>9} {'ratio':>7}")
        for name, t in timed.items():
            print(f"{f'pap-sim baseline, {days} days, {name} kernels (x{repeats})':<52} {t['median_s']:>8.3f}s "
                  f"{t['min_s']:>8.3f}s {t['max_s']:>8.3f}s {ratios[name]:>7.3f}")
        print(f"{f'Epstein civil violence 40x40, {EPSTEIN_STEPS} steps (x{repeats})':<52} {ref['median_s']:>8.3f}s "
              f"{ref['min_s']:>8.3f}s {ref['max_s']:>8.3f}s")
        print(f"ratio of medians {ratios[default]:.3f} with the {default} kernels (target <= 0.05; simulation "
              f"core <= 0.25); {days / timed[default]['median_s']:.0f} simulated days per second")
    if write:
        save_json("bench_run", result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--check", type=float, help="exit 1 if the ratio is above this")
    args = parser.parse_args()
    out = main(args.repeats)
    sys.exit(1 if args.check is not None and out["ratio"] > args.check else 0)
