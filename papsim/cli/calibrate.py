"""``pap-sim calibrate``: fit the uncertain parameters to the record (ABC, APMC)."""

from __future__ import annotations

import argparse

from papsim.analyses.calibration import CALIBRATED, CALIBRATION_SCENARIO, DEFAULT_OUT, calibrate
from papsim.analyses.patterns import PATTERNS
from papsim.cli.args import add_execution_options, at_least
from papsim.present.calibration_files import write


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``pap-sim calibrate``."""
    p = sub.add_parser("calibrate", help="fit the uncertain parameters to the 2024 record (ABC, APMC)",
                       description="Fit the uncertain parameters so that mss_as_deployed reproduces the 2024 "
                                   "patterns of the record at once (adaptive population Monte Carlo ABC on the "
                                   "experiments engine); write the posterior, figures and the calibrated scenario into "
                                   "--out; the shipped scenarios/calibrated.toml, which every scenario inherits, "
                                   "is replaced only with --update-shipped.")
    p.add_argument("--budget", type=at_least(1), default=1600, help="model runs allowed in all (default 1600)")
    p.add_argument("--replicates", type=at_least(1), default=2, help="runs per parameter set (default 2)")
    p.add_argument("--particles", type=at_least(1), default=100, help="parameter sets per generation (default 100)")
    p.add_argument("--alpha", type=float, default=0.5, help="share of sets kept per generation (default 0.5)")
    p.add_argument("--min-acceptance", type=float, default=0.05,
                   help="stop when fewer new sets than this share beat the tolerance (default 0.05)")
    p.add_argument("--out", default=str(DEFAULT_OUT), help=f"output folder (default {DEFAULT_OUT})")
    p.add_argument("--calibrated", default=None,
                   help="where to write the calibrated scenario (default OUT/calibrated.toml)")
    p.add_argument("--update-shipped", action="store_true",
                   help="also replace the shipped scenarios/calibrated.toml, which every scenario inherits")
    p.add_argument("--scenario", default=str(CALIBRATION_SCENARIO),
                   help="scenario to calibrate (default mss_as_deployed)")
    p.add_argument("--seed", type=int, default=20241231, help="root seed (default 20241231)")
    add_execution_options(p, resume_help="continue a calibration in --out (same options and seed)")
    p.set_defaults(func=cmd_calibrate)


def cmd_calibrate(args: argparse.Namespace) -> int:
    result = calibrate(budget=args.budget, replicates=args.replicates, particles=args.particles, alpha=args.alpha,
                       min_acceptance=args.min_acceptance, out=args.out, calibrated=args.calibrated,
                       scenario=args.scenario, seed=args.seed, executor=args.executor, workers=args.workers,
                       resume=args.resume, progress=not args.quiet, update_shipped=args.update_shipped)
    write(result)
    if not args.quiet:
        post, meta = result.posterior, result.meta
        print(f"calibration: {meta['runs']} runs ({len(post.particles)} sets x {meta['replicates']} replicates, "
              f"{len(post.generations)} generations), {meta['failed']} failed, {meta['wall_s']:.0f} s")
        print(f"final tolerance {post.epsilon:.3f}; last generation's acceptance rate {post.acceptance_rate:.1%}; "
              f"{result.strict} sets reproduce all {len(PATTERNS)} patterns")
        print(f"{'parameter':<34}{'chosen':>12}{'median':>12}{'p05':>12}{'p95':>12}")
        for r in result.summary.itertuples(index=False):
            print(f"{r.parameter:<34}{r.chosen:>12.4g}{r.posterior_median:>12.4g}{r.posterior_p05:>12.4g}"
                  f"{r.posterior_p95:>12.4g}")
        print(f"{'pattern (national equivalent)':<30}{'observed [low, high]':>30}{'chosen':>12}  hit  posterior hit")
        for r in result.patterns.itertuples(index=False):
            obs = f"{r.observed_centre:.4g} [{r.observed_low:.4g}, {r.observed_high:.4g}]"
            print(f"{r.pattern:<30}{obs:>30}{r.chosen:>12.4g}  {'yes' if r.chosen_hit else 'NO ':<4} "
                  f"{r.posterior_hit_share:>8.0%}")
        print(f"wrote {result.calibrated} and tables and figures in {result.out}")
        if result.shipped:
            print(f"replaced the shipped calibration {CALIBRATED} (run pap-sim docs to update docs/ODD.md)")
    return 0
