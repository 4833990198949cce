"""The ``sweep``, ``sensitivity``, ``analyze`` and ``discover`` subcommands of ``pap-sim``.

Handlers return the exit code: 0 when everything ran and was analysed, 1 when some runs failed or are
missing from a damaged chunk, an analysis could not be done or the Dask cluster was lost (each said in one
line on stderr), and raise InputError for bad input (2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from papsim.cli.args import add_quiet
from papsim.errors import ClusterLost, InputError
from papsim.present import experiment_files as reports
from papsim.experiments.analysis import AnalysisError
from papsim.experiments.checks import unknown_outputs
from papsim.experiments.engine import sweep
from papsim.experiments.executors import KINDS
from papsim.experiments.limits import MAX_BOXES, MAX_RUN_TIMEOUT, MAX_RUNS
from papsim.experiments.models import resolve
from papsim.experiments.spec import load_spec
from papsim.experiments.store import Store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the experiment subcommands to the ``pap-sim`` parser."""
    for name, handler, text in (
        ("sweep", _sweep, "run an experiment's design into a store, with its tables and figures"),
        ("sensitivity", _sensitivity, "run an experiment's design, then its sensitivity analyses"),
    ):
        p = subparsers.add_parser(name, help=text, description=text)
        p.add_argument("spec", help="experiment spec (TOML), e.g. experiments/sobol_core.toml")
        p.add_argument("--out", help="store folder (default: results/<spec name>)")
        p.add_argument("--workers", type=int, help="parallel workers (default: all cores)")
        p.add_argument("--executor", choices=KINDS, default="processes", help="where runs execute")
        p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
        p.add_argument("--resume", action="store_true", help="run only what the store does not hold yet")
        p.add_argument("--retry-failed", action="store_true", help="with --resume, run failed runs again")
        p.add_argument("--chunk-runs", type=int, default=1000, help="runs per stored chunk (default 1000)")
        p.add_argument("--run-timeout", type=float, metavar="SECONDS",
                       help="a run still running after this long is stopped and recorded as failed "
                            "(default: 600 plus 1 per simulated day)")
        add_quiet(p)
        p.set_defaults(func=handler)
    p = subparsers.add_parser("analyze", help="re-analyse a finished or partial store without running anything")
    p.add_argument("dir", help="store folder")
    add_quiet(p)
    p.set_defaults(func=_analyze)
    p = subparsers.add_parser("discover", help="scenario discovery (PRIM) on a store")
    p.add_argument("dir", help="store folder")
    p.add_argument("--success", required=True, help='success criterion, e.g. "gang_population_share_day365 < 0.5"')
    p.add_argument("--threshold", type=float, default=0.8, help="minimum density of a box (default 0.8)")
    p.add_argument("--max-boxes", type=int, default=3, help="boxes to find at most (default 3)")
    p.add_argument("--holdout", type=float, default=0.5,
                   help="share of runs kept aside to check each box (default 0.5; 0: no check)")
    add_quiet(p)
    p.set_defaults(func=_discover)


def _run(args: argparse.Namespace, with_sensitivity: bool) -> int:
    spec = load_spec(args.spec)
    model = resolve(spec)
    if not 1 <= args.chunk_runs <= MAX_RUNS:
        raise InputError(f"--chunk-runs: {args.chunk_runs} is not allowed; a number of runs in [1, {MAX_RUNS:,}]")
    if args.run_timeout is not None and not 0 < args.run_timeout <= MAX_RUN_TIMEOUT:
        raise InputError(f"--run-timeout: {args.run_timeout:g} is not allowed; seconds in (0, {MAX_RUN_TIMEOUT:g}]")
    if args.retry_failed and not args.resume:
        raise InputError("--retry-failed: only with --resume (it runs a store's failed runs again)")
    warnings = list(spec.warnings)
    if not with_sensitivity and spec.analysis.methods:
        warnings.append(f"{args.spec}: analysis.methods = {', '.join(spec.analysis.methods)} are not run by "
                        "`sweep`; run `pap-sim sensitivity` (or `pap-sim analyze DIR` afterwards)")
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    out = Path(args.out) if args.out else Path("results") / spec.name
    try:
        result = sweep(spec, model, out, executor=args.executor, workers=args.workers, scheduler=args.scheduler,
                       resume=args.resume, retry_failed=args.retry_failed, chunk_runs=args.chunk_runs,
                       progress=not args.quiet, run_timeout=args.run_timeout)
    except ClusterLost as exc:
        print(f"pap-sim: {exc}", file=sys.stderr)
        return 1
    for line in result.store.quarantined:
        print(f"warning: {line}", file=sys.stderr)
    if not args.quiet:
        print(f"{result.design_runs} runs in the design, {result.ran} run now; store: {out}")
    if result.failed:
        print(f"{result.failed} of {result.design_runs} runs failed; see {out / 'tables' / 'failures.csv'}",
              file=sys.stderr)
    report = _analyse(lambda: reports.sweep_tables(result.store))
    report.problems += unknown_outputs(spec, result.store.runs()) + result.store.damage()
    if with_sensitivity:
        report.extend(_analyse(lambda: reports.sensitivity(result.store)))
    return _finish(report, args.quiet, failed=result.failed > 0)


def _analyse(step) -> reports.Report:
    """Run an analysis step; an error in it is one line saying the analysis (not a run) failed."""
    try:
        return step()
    except (InputError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - the runs are stored; only this analysis could not be done
        return reports.Report(problems=[f"the analysis could not be done (the runs are stored): "
                                        f"{type(exc).__name__}: {exc}"])


def _sweep(args: argparse.Namespace) -> int:
    return _run(args, with_sensitivity=False)


def _sensitivity(args: argparse.Namespace) -> int:
    return _run(args, with_sensitivity=True)


def _analyze(args: argparse.Namespace) -> int:
    store = Store(args.dir)
    report = _analyse(lambda: reports.analyze(store))
    report.problems += store.damage()
    return _finish(report, args.quiet)


def _discover(args: argparse.Namespace) -> int:
    if not 1 <= args.max_boxes <= MAX_BOXES:
        raise InputError(f"--max-boxes: {args.max_boxes} is not allowed; a number of boxes in [1, {MAX_BOXES}]")
    store = Store(args.dir)
    try:
        report = reports.discover(store, args.success, threshold=args.threshold, max_boxes=args.max_boxes,
                                  holdout=args.holdout)
    except AnalysisError as exc:
        print(f"discover: {exc}", file=sys.stderr)
        return 1
    report.problems += store.damage()
    return _finish(report, args.quiet)


def _finish(report: reports.Report, quiet: bool, failed: bool = False) -> int:
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if not quiet:
        for note in dict.fromkeys(report.notes):
            print(f"note: {note}")
    if not quiet and report.files:
        folders = sorted({str(f.parent) for f in report.files})
        print(f"wrote {len(report.files)} tables and figures in {', '.join(folders)}")
    return 1 if failed or report.problems else 0
