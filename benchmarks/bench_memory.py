"""Peak resident memory of one run, and of sweeps of 200 and 2,000 runs (which must not differ much).

    python benchmarks/bench_memory.py                  # one run; sweeps of 200 and 2,000 runs of 5 days
    python benchmarks/bench_memory.py --sweep-days 30  # longer runs in the sweeps

Every measurement is a fresh Python process reading its own peak resident set size (``VmHWM`` in
``/proc/self/status``; ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` where there is no /proc); the size of
the process after ``import papsim`` alone is reported too (the libraries: NumPy, pandas, SciPy, Mesa, Matplotlib's path module). The sweeps go through
the experiments engine (``papsim.experiments.sweep``, serial executor, so every run is in the measured
process, writing its Parquet store to a temporary folder) with the daily series kept or not, and with the
default chunk of 1,000 runs held before writing or chunks of 100; with
``--loop`` they are a plain loop of ``papsim.run`` calls instead. Resident memory also holds what the C
allocator keeps for reuse after a run's arrays are freed, which levels off after some hundreds of runs; so
the memory that runs leave behind is also measured directly, with ``tracemalloc`` over 500 runs. Results go to
``benchmarks/results/bench_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from bench_run import machine, save_json

ROOT = Path(__file__).resolve().parent.parent
SWEEP_RUNS = (200, 2000)
# (daily series kept, runs per stored chunk): the engine holds a chunk's rows until it writes them, so with
# the default chunk of 1,000 runs a sweep of 200 holds less than one of 2,000; with chunks of 100 both
# write many chunks and only the number of runs differs
SWEEP_CASES = (("none", 1000), ("all", 1000), ("none", 100))

# Peak resident set size of this process in MB: VmHWM where /proc has it (Linux), else ru_maxrss. On Linux
# ru_maxrss of a child started by fork and exec also counts what its parent had grown to before the exec
# (here: the benchmark runner after the other benchmarks), which VmHWM does not.
_PEAK = """
import resource, sys
def peak():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024.0
    except (OSError, StopIteration):
        scale = 1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
def in_use():
    # MB the C allocator has handed out and not had back (glibc's mallinfo2; None elsewhere): unlike the
    # resident size it leaves out the freed blocks the allocator keeps for reuse
    import ctypes, gc
    gc.collect()
    try:
        class Info(ctypes.Structure):
            _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                        "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = Info
        info = libc.mallinfo2()
        return (info.uordblks + info.hblkhd) / 2**20
    except (OSError, AttributeError):
        return None
"""

_ONE_RUN = _PEAK + """
import json, sys
import papsim
after_import = peak()
result = papsim.run(sys.argv[1], seed=1)
print(json.dumps({"after_import_mb": after_import, "peak_mb": peak(), "days": int(result.summary["days"])}))
"""

_SWEEP = _PEAK + """
import json, sys, tempfile
import papsim
from papsim.experiments import PapSim, Spec, sweep
after_import = peak()
scenario, runs, days, series, chunk = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
spec = Spec.from_dict({"name": "bench_memory", "scenario": scenario, "days": days, "series": series,
                       "factors": {"mss_target_personnel": {"low": 0, "high": 5550},
                                   "funding_share_of_need": {"low": 0.25, "high": 1.0}},
                       "design": {"method": "random", "n": runs}, "analysis": {"methods": []}})
with tempfile.TemporaryDirectory() as out:
    report = sweep(spec, PapSim(scenario, days, series=series != "none"), out, executor="serial", progress=False,
                   chunk_runs=chunk)
print(json.dumps({"after_import_mb": after_import, "peak_mb": peak(), "malloc_in_use_mb": in_use(), "runs": report.ran,
                  "failed": report.failed}))
"""

_HEAP = """
import gc, json, sys, tracemalloc
import papsim
scenario, warm, runs = papsim.load_scenario(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def go(first, last):
    for i in range(first, last):
        papsim.run(scenario.replace(mss_target_personnel=i * 37 % 5550), seed=i, days=5)
go(0, warm)
tracemalloc.start()  # from here on: what Python objects and NumPy arrays the runs leave behind
gc.collect()
before = tracemalloc.get_traced_memory()[0]
go(warm, warm + runs)
gc.collect()
kept = tracemalloc.get_traced_memory()[0] - before
print(json.dumps({"runs": runs, "kept_kb": kept / 1024, "kept_bytes_per_run": kept / runs}))
"""

_LOOP = _PEAK + """
import json, sys
import papsim
after_import = peak()
scenario, runs, days = papsim.load_scenario(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
summaries = []
for seed in range(runs):
    summaries.append(papsim.run(scenario, seed=seed, days=days).summary)  # what a sweep keeps: one row a run
print(json.dumps({"after_import_mb": after_import, "peak_mb": peak(), "malloc_in_use_mb": in_use(),
                  "runs": len(summaries), "failed": 0}))
"""


def _child(code: str, *args: object) -> dict:
    # -P: no current directory at the head of sys.path, so PYTHONPATH can choose the sim package to measure
    out = subprocess.run([sys.executable, "-P", "-c", code, *map(str, args)], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(sweep_days: int = 5, loop: bool = False, write: bool = True, quiet: bool = False) -> dict:
    scenario = str(ROOT / "scenarios" / "mss_as_planned.toml")
    one = _child(_ONE_RUN, ROOT / "scenarios" / "baseline.toml")
    sweeps = []
    for series, chunk in ((("none", None),) if loop else SWEEP_CASES):
        for runs in SWEEP_RUNS:
            if loop:
                row = _child(_LOOP, scenario, runs, sweep_days)
            else:
                row = _child(_SWEEP, scenario, runs, sweep_days, series, chunk)
            sweeps.append({"runs_asked": runs, "series": series, "chunk_runs": chunk, **row})
    growth, in_use_growth = {}, {}
    for small, large in zip(sweeps[::2], sweeps[1::2]):
        growth[f"series {small['series']}, chunks of {small['chunk_runs']}"] = large["peak_mb"] - small["peak_mb"]
        if small.get("malloc_in_use_mb") is not None:
            in_use_growth[f"series {small['series']}, chunks of {small['chunk_runs']}"] = (
                large["malloc_in_use_mb"] - small["malloc_in_use_mb"])
    heap = _child(_HEAP, scenario, 50, 500)
    result = {"benchmark": "memory", "one_run": {"scenario": "scenarios/baseline.toml", **one},
              "sweeps": {"through": "papsim.run loop" if loop else "papsim.experiments.sweep (serial executor)",
                         "scenario": "scenarios/mss_as_planned.toml", "days": sweep_days, "rows": sweeps,
                         "growth_mb_200_to_2000": growth, "malloc_in_use_growth_mb_200_to_2000": in_use_growth},
              "heap_kept_by_runs": {"through": "papsim.run loop under tracemalloc", "days": 5, **heap},
              "targets": {"one_run_peak_mb_at_most": 200, "sweep": "flat in the number of runs"},
              "machine": machine()}
    if not quiet:
        print(f"one baseline run: peak {one['peak_mb']:.0f} MB ({one['after_import_mb']:.0f} MB after import papsim)")
        print(f"{'sweep (' + result['sweeps']['through'] + ')':<60} {'runs':>6} {'peak MB':>8} {'in use':>7}")
        for r in sweeps:
            label = f"{sweep_days}-day runs, daily series: {r['series']}, chunks of {r['chunk_runs']} runs"
            used = r.get("malloc_in_use_mb")
            print(f"{label:<60} {r['runs']:>6} {r['peak_mb']:>8.0f} {'' if used is None else f'{used:7.1f}'}")
        print("peak growth from 200 to 2,000 runs: " + ", ".join(f"{k}: {g:+.1f} MB" for k, g in growth.items()))
        if in_use_growth:
            print("in-use growth from 200 to 2,000 runs: "
                  + ", ".join(f"{k}: {g:+.1f} MB" for k, g in in_use_growth.items()))
        print(f"Python and NumPy memory kept by {heap['runs']} runs (tracemalloc): {heap['kept_kb']:.0f} KB "
              f"({heap['kept_bytes_per_run']:.0f} bytes a run)")
    if write:
        save_json("bench_memory", result)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep-days", type=int, default=5, help="horizon of each run in the sweeps (default 5)")
    parser.add_argument("--loop", action="store_true", help="sweeps as a loop of papsim.run, not the engine")
    args = parser.parse_args()
    main(args.sweep_days, args.loop)
