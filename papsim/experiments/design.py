"""Designs: the table of runs (run id, design point, replicate, seed, factor values), fixed before any run.

Design points come from a full grid or from SALib's samplers (Latin hypercube, Morris, Sobol', eFAST).
Every run's seed derives from the spec's root seed through numpy's ``SeedSequence``, keyed by (point,
replicate), or by replicate alone with common random numbers, so the same spec always gives the same table
whatever the executor and however the runs are later split.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from SALib.sample import fast_sampler, latin, morris, sobol

from papsim.experiments.spec import Spec

DESIGN_COLUMNS = ["run_id", "point", "replicate", "seed"]


def problem(spec: Spec, groups: bool = True) -> dict:
    """The SALib problem dict of a spec's factors, in the spec's order (with Sobol' groups if any)."""
    out = {
        "num_vars": len(spec.factors),
        "names": spec.factor_names,
        "bounds": [[f.low, f.high] for f in spec.factors],
    }
    if groups and spec.groups:
        out["groups"] = [f.group or f.name for f in spec.factors]
    return out


def sampler_seed(spec: Spec, scramble: int = 0) -> int:
    """A non-zero seed for SALib's samplers and bootstraps (SALib treats 0 as 'unseeded'); scramble k > 0
    of a Sobol' design has its own, independent of the others."""
    seq = np.random.SeedSequence(spec.seed) if scramble == 0 else np.random.SeedSequence(spec.seed, spawn_key=(
        2**20 + scramble,))
    return int(seq.generate_state(1)[0]) % (2**31 - 1) + 1


def block(spec: Spec) -> int:
    """Sobol' rows per base sample: groups (or factors) + 2, or 2 x groups + 2 with second order."""
    d = len(spec.groups) or len(spec.factors)
    return 2 * d + 2 if spec.design.second_order else d + 2


def points_per_scramble(spec: Spec) -> int:
    """Design points of one scramble of a Sobol' design (all points for other designs)."""
    d = spec.design
    return d.n * block(spec) if d.method == "sobol" else len(points(spec))


def points(spec: Spec) -> pd.DataFrame:
    """The design points, one row per point in design order, int factors rounded."""
    d = spec.design
    if d.method == "grid":
        x = np.array(list(itertools.product(*(f.values for f in spec.factors))), dtype=float)
    elif d.method == "random":
        x = latin.sample(problem(spec), d.n, seed=sampler_seed(spec))
    elif d.method == "morris":
        x = morris.sample(problem(spec, groups=False), d.n, num_levels=d.levels, seed=sampler_seed(spec))
    elif d.method == "sobol":
        # independent scrambles one after the other: randomised quasi-Monte Carlo replicates
        x = np.vstack([sobol.sample(problem(spec), d.n, calc_second_order=d.second_order,
                                    seed=sampler_seed(spec, k)) for k in range(d.scrambles)])
    else:
        x = fast_sampler.sample(problem(spec), d.n, M=d.interference, seed=sampler_seed(spec))
    table = pd.DataFrame(x, columns=spec.factor_names)
    for f in spec.factors:
        if f.kind == "int":
            table[f.name] = table[f.name].round().astype("int64")
    return table


def run_seed(root: int, point: int, replicate: int, common_random_numbers: bool) -> int:
    """The seed of one run: independent streams per (point, replicate), or shared across points (CRN)."""
    key = (replicate,) if common_random_numbers else (point, replicate)
    return int(np.random.SeedSequence(root, spawn_key=key).generate_state(1, np.uint64)[0] >> np.uint64(1))


def build(spec: Spec) -> pd.DataFrame:
    """The full design: every replicate of every point, with its run id (its row number) and seed."""
    pts = points(spec)
    n, r = len(pts), spec.replicates
    point = np.repeat(np.arange(n), r)
    replicate = np.tile(np.arange(r), n)
    seeds = [run_seed(spec.seed, int(p), int(k), spec.common_random_numbers) for p, k in zip(point, replicate)]
    table = pts.iloc[point].reset_index(drop=True)
    table.insert(0, "seed", np.array(seeds, dtype="int64"))
    table.insert(0, "replicate", replicate.astype("int64"))
    table.insert(0, "point", point.astype("int64"))
    table.insert(0, "run_id", np.arange(n * r, dtype="int64"))
    return table
