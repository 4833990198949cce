"""Sweep throughput (runs per second) serially and in local processes on the same design, and the parallel
efficiency (speed-up over serial divided by the number of workers). Prints a table, writes JSON.

    python benchmarks/bench_sweep.py                    # the pap-sim model, 80 runs of 90 days
    python benchmarks/bench_sweep.py --model ishigami   # the engine's own overhead on a trivial model
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from papsim.experiments import Ishigami, PapSim, Spec, sweep
from papsim.experiments.models import ISHIGAMI_FACTORS

ROOT = Path(__file__).resolve().parent.parent


def design(model: str, runs: int, days: int) -> tuple[Spec, object]:
    if model == "ishigami":
        spec = Spec.from_dict({"name": "bench_ishigami", "factors": ISHIGAMI_FACTORS,
                               "design": {"method": "random", "n": runs}, "analysis": {"methods": []}})
        return spec, Ishigami()
    scenario = ROOT / "scenarios" / "mss_as_planned.toml"
    spec = Spec.from_dict({
        "name": "bench_papsim", "scenario": str(scenario), "days": days, "series": "all",
        "factors": {"mss_target_personnel": {"low": 0, "high": 5550}, "funding_share_of_need": {"low": 0.25, "high": 1.0}},
        "design": {"method": "random", "n": runs}, "analysis": {"methods": []},
    })
    return spec, PapSim(str(scenario), days)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("papsim", "ishigami"), default="papsim")
    parser.add_argument("--runs", type=int, help="design size (default: 80 pap-sim runs, 20,000 Ishigami runs)")
    parser.add_argument("--days", type=int, default=90, help="pap-sim horizon (default 90)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    runs = args.runs or (80 if args.model == "papsim" else 20_000)
    spec, model = design(args.model, runs, args.days)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for executor, workers in (("serial", 1), ("processes", args.workers)):
            start = time.perf_counter()
            sweep(spec, model, Path(tmp) / executor, executor=executor, workers=workers, progress=False)
            seconds = time.perf_counter() - start
            rows.append({"executor": executor, "workers": workers, "runs": runs, "seconds": round(seconds, 3),
                         "runs_per_second": round(runs / seconds, 2)})
    speedup = rows[1]["runs_per_second"] / rows[0]["runs_per_second"]
    efficiency = speedup / args.workers
    print(f"{'executor':<10} {'workers':>7} {'runs':>7} {'seconds':>9} {'runs/s':>9}")
    for r in rows:
        print(f"{r['executor']:<10} {r['workers']:>7} {r['runs']:>7} {r['seconds']:>9.2f} {r['runs_per_second']:>9.2f}")
    print(f"speed-up {speedup:.2f} on {args.workers} workers: parallel efficiency {efficiency:.0%}"
          " (process start-up included)")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"bench_sweep_{args.model}.json"
    path.write_text(json.dumps({
        "model": args.model, "days": args.days if args.model == "papsim" else None, "results": rows,
        "speedup": round(speedup, 3), "parallel_efficiency": round(efficiency, 3),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }, indent=2))
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
