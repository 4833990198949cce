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


def problem(spec: Spec) -> dict:
    """The SALib problem dict of a spec's factors."""
    return {
        "num_vars": len(spec.factors),
        "names": spec.factor_names,
        "bounds": [[f.low, f.high] for f in spec.factors],
    }


def sampler_seed(spec: Spec) -> int:
    """A non-zero seed for SALib's samplers and bootstraps (SALib treats 0 as 'unseeded')."""
    return int(np.random.SeedSequence(spec.seed).generate_state(1)[0]) % (2**31 - 1) + 1


def points(spec: Spec) -> pd.DataFrame:
    """The design points, one row per point in design order, int factors rounded."""
    d = spec.design
    if d.method == "grid":
        x = np.array(list(itertools.product(*(f.values for f in spec.factors))), dtype=float)
    elif d.method == "random":
        x = latin.sample(problem(spec), d.n, seed=sampler_seed(spec))
    elif d.method == "morris":
        x = morris.sample(problem(spec), d.n, num_levels=d.levels, seed=sampler_seed(spec))
    elif d.method == "sobol":
        x = sobol.sample(problem(spec), d.n, calc_second_order=d.second_order, seed=sampler_seed(spec))
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
