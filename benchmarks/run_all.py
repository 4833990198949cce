"""Every benchmark of pap-sim in one command: prints a table, writes JSON to benchmarks/results/.

    python benchmarks/run_all.py            # (or: make bench) about 5 minutes
    python benchmarks/run_all.py --quick    # fewer repeats and shorter sweeps, for a first look

1. a 365-day baseline run against Mesa's Epstein civil violence model (``bench_run.py``);
2. cost per simulated day as the grid gets finer and the forces grow, and the exponents (``bench_scaling.py``);
3. sweeps serially and in local processes, and the parallel efficiency (``bench_sweep.py``, the experiments
   engine's benchmark, called with 512 runs of 365 days: about a minute of serial work, so that the fixed
   start-up of the worker processes (~1.3 s) does not dominate);
4. peak memory of one run and of sweeps of 200 and 2,000 runs (``bench_memory.py``).

Each writes its own JSON; ``benchmarks/results/run_all.json`` gathers them with the machine and the time.
Timings on a shared machine move with the load: compare ratios and medians, not single runs.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_memory  # noqa: E402
import bench_run  # noqa: E402
import bench_scaling  # noqa: E402

RESULTS = HERE / "results"


def sweep_benchmark(runs: int, days: int, workers: int | None) -> dict | None:
    """Run bench_sweep.py (if present) through its own main(), then read the JSON it writes."""
    if not (HERE / "bench_sweep.py").is_file():
        print("bench_sweep.py is not there: no sweep benchmark")
        return None
    bench_sweep = importlib.import_module("bench_sweep")
    argv = sys.argv
    sys.argv = ["bench_sweep.py", "--runs", str(runs), "--days", str(days)] + (
        ["--workers", str(workers)] if workers else [])
    try:
        bench_sweep.main()
    finally:
        sys.argv = argv
    path = RESULTS / "bench_sweep_papsim.json"
    return json.loads(path.read_text()) if path.is_file() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, shorter runs")
    parser.add_argument("--workers", type=int, help="workers for the sweep benchmark (default: all cores)")
    parser.add_argument("--skip", nargs="*", default=[], choices=("run", "scaling", "sweep", "memory"),
                        help="benchmarks to leave out")
    args = parser.parse_args()
    quick = args.quick
    started = time.time()
    out: dict = {"machine": bench_run.machine(), "quick": quick}

    if "run" not in args.skip:
        print("== 1. one simulated year versus the Epstein reference")
        out["run"] = bench_run.main(repeats=3 if quick else 7)
    if "scaling" not in args.skip:
        print("\n== 2. scaling with cells and units")
        out["scaling"] = bench_scaling.main(days=60 if quick else 120, repeats=3 if quick else 5)
    if "sweep" not in args.skip:
        print("\n== 3. sweeps: serial and local processes")
        out["sweep"] = sweep_benchmark(runs=24 if quick else 512, days=90 if quick else 365, workers=args.workers)
    if "memory" not in args.skip:
        print("\n== 4. memory")
        out["memory"] = bench_memory.main(sweep_days=5)
    out["seconds"] = round(time.time() - started, 1)

    print("\n== summary")
    rows = []
    if "run" in out:
        r = out["run"]
        for name, t in r["runs_by_kernels"].items():
            target = "<= 0.05" if name == r["run"]["kernels"] else ""
            rows.append((f"365-day baseline run, {name} kernels (median)", f"{t['median_s']:.3f} s", ""))
            rows.append((f"ratio run / Epstein, {name} kernels", f"{r['ratios_by_kernels'][name]:.3f}", target))
        rows.append(("Epstein 40x40, 100 steps (median)", f"{r['epstein']['median_s']:.3f} s", ""))
    if "scaling" in out:
        e = out["scaling"]["exponents"]
        rows.append(("exponent of cost/day in cells", f"{e['cells']:.2f}", "<= 1"))
        rows.append(("exponent of cost/day in units (all deployed)", f"{e['units_all_deployed']:.2f}", "<= 1"))
    if out.get("sweep"):
        s = out["sweep"]
        for r in s["results"]:
            rows.append((f"sweep runs/s, {r['executor']} ({r['workers']} workers)", f"{r['runs_per_second']:.2f}", ""))
        rows.append(("parallel efficiency", f"{s['parallel_efficiency']:.0%}",
                     "(quick: a 1-second sweep measures start-up)" if quick else ">= 85%"))
    if "memory" in out:
        m = out["memory"]
        rows.append(("peak memory, one run", f"{m['one_run']['peak_mb']:.0f} MB", "<= 200 MB"))
        for key, growth in m["sweeps"]["growth_mb_200_to_2000"].items():
            rows.append((f"sweep peak memory 200 -> 2,000 runs ({key})", f"{growth:+.1f} MB", "flat"))
        for key, growth in m["sweeps"].get("malloc_in_use_growth_mb_200_to_2000", {}).items():
            rows.append((f"sweep memory in use 200 -> 2,000 runs ({key})", f"{growth:+.1f} MB", "flat"))
        heap = m["heap_kept_by_runs"]
        rows.append((f"memory kept by {heap['runs']} runs (tracemalloc)", f"{heap['kept_kb']:.0f} KB", "~0"))
    width = max(len(r[0]) for r in rows) if rows else 20
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")
    bench_run.save_json("run_all", out)
    print(f"\nwrote benchmarks/results/*.json ({out['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
