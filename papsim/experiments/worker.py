"""What runs in a worker: a batch of runs of a model, every failure of the model recorded as a row.

Kept apart from the engine so that a worker imports the model and this, not the engine's design, store and
analysis libraries (the fork server preloads it: ``papsim/experiments/executors.py``).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

Model = Callable[[dict[str, Any], int], Any]
RESERVED = ("run_id", "point", "replicate", "seed", "status", "error", "traceback", "duration_s")


def run_batch(model: Model, batch: list[tuple[int, int, dict]], series: str | tuple[str, ...]) -> tuple:
    """Run a batch of (run_id, seed, factors) in a worker; every failure of the model becomes a row.

    An interruption (Ctrl+C, or SIGTERM during a sweep) carries the runs the batch finished before it, as
    ``partial``, so the engine can store them."""
    rows, frames = [], []
    try:
        for run_id, seed, factors in batch:
            row, frame = _run_one(model, run_id, seed, factors, series)
            rows.append(row)
            if frame is not None:
                frames.append(frame)
    except KeyboardInterrupt as exc:
        exc.partial = (rows, frames)
        raise
    return rows, frames


def _run_one(model: Model, run_id: int, seed: int, factors: dict, series) -> tuple[dict, pd.DataFrame | None]:
    start = time.perf_counter()
    try:
        out = model(dict(factors), seed)
        summary, daily = out if isinstance(out, tuple) else (out, None)
        outputs = {name: _scalar(name, value, factors) for name, value in summary.items()}
        frame = _long(run_id, daily, series)
        row = {"run_id": run_id, "status": "ok", "error": "", "traceback": "", **outputs}
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - a run that raises anything is recorded, never fatal
        frame = None
        row = {"run_id": run_id, "status": "failed", "error": f"{type(exc).__name__}: {exc}",
               "traceback": traceback.format_exc()}
    row["duration_s"] = time.perf_counter() - start
    return row, frame


def _scalar(name: str, value: Any, factors: dict) -> float:
    if name in RESERVED or name in factors:
        raise ValueError(f"output '{name}' has the name of a design column; rename it")
    if isinstance(value, (bool, int, float, np.bool_, np.integer, np.floating)):
        return float(value)
    raise TypeError(f"output '{name}' is a {type(value).__name__}, not a scalar")


def _long(run_id: int, daily: pd.DataFrame | None, series) -> pd.DataFrame | None:
    if daily is None or series == "none":
        return None
    if series == "all":
        columns = [c for c in daily.select_dtypes(include=["number", "bool"]).columns if c != "day"]
    else:
        columns = list(series)
    missing = [c for c in columns if c not in daily.columns]
    if missing:
        raise KeyError(f"series column '{missing[0]}' is not in the model's daily output")
    values = daily[columns].to_numpy(dtype="float64")
    days = daily["day"].to_numpy(dtype="int32")
    return pd.DataFrame({
        "run_id": np.full(values.size, run_id, dtype="int64"),
        "day": np.repeat(days, len(columns)),
        "variable": np.tile(np.array(columns, dtype=object), len(days)),
        "value": values.ravel(),
    })
