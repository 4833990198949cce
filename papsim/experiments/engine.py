"""Run a design on an executor into a store: failures become rows, a dead worker loses no run.

A model is any picklable callable ``model(factors: dict, seed: int)`` returning a dict of scalar outputs, or
a pair ``(dict, DataFrame)`` whose DataFrame holds daily series (a ``day`` column and numeric columns).
Runs are sent in small batches with a bounded number in flight and written in chunks, so memory stays flat.

When the infrastructure (not the model) fails a batch, for instance a worker process killed mid-task, its
runs are sent again one by one; a run failed a second time is sent alone, and if it fails alone it is
recorded as failed. So a worker killed by chance costs nothing and a run that kills its worker every time
is isolated and recorded, without ever hanging the sweep. A task still running past its time-out (by
default ten minutes plus a second per simulated day, per run) is stopped and counts as such a failure, and
a Dask cluster that is gone ends the sweep with one line (ClusterLost), the runs finished so far stored.

Each session writes the store's ``provenance.json`` (``papsim/provenance.py``) and logs the version and
commit it ran with in the manifest, so a store resumed with other code says so.
"""

from __future__ import annotations

import pickle
import signal
import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from papsim import provenance
from papsim.experiments import design as designs
from papsim.experiments import limits
from papsim.experiments.executors import open_workers
from papsim.experiments.models import PapSim
from papsim.experiments.spec import Spec
from papsim.experiments.store import Store
from papsim.experiments.worker import Model, run_batch
from papsim.scenario import Scenario, load_scenario

CHUNK_SECONDS = 60.0  # a chunk is written at least this often, so a kill loses little work
CHUNK_SERIES_ROWS = 2_000_000  # and before its series grow past this many rows
POLL_SECONDS = 1.0  # how often time-outs and the cluster are checked while waiting for results


@dataclass(frozen=True)
class SweepReport:
    """What a sweep did: its store, the runs in the design, run in this session, and failed in the store."""

    store: Store
    design_runs: int
    ran: int
    failed: int


def sweep(spec: Spec, model: Model, out: str | Path, executor: str | Executor = "processes",
          workers: int | None = None, scheduler: str | None = None, resume: bool = False,
          retry_failed: bool = False, chunk_runs: int = 1000, progress: bool = True,
          run_timeout: float | None = None) -> SweepReport:
    """Run the spec's design with ``model`` into the store at ``out``.

    ``executor`` is 'serial', 'processes' (default: local processes on all cores), 'dask' (``scheduler``
    address, or a local cluster), a ``distributed.Client`` or any ``concurrent.futures.Executor``. With
    ``resume`` only the runs the store does not hold are run (``retry_failed`` also runs the failed ones
    again). ``run_timeout``: seconds a run may take (default ``limits.run_timeout`` of the horizon; the
    serial executor cannot stop a run). The executor is opened first, so a scheduler that cannot be
    reached leaves no store behind.
    """
    design = designs.build(spec)
    if executor == "processes":
        pickle.dumps(model)  # fail now, in one line, rather than once per run in the workers
    timeout = run_timeout or limits.run_timeout(spec.horizon)
    with open_workers(executor, workers, scheduler) as pool, Store.writing(out, spec, design, resume) as store, \
            _sigterm_as_interrupt():
        held = store.done(ok_only=retry_failed)
        todo = design[~design["run_id"].isin(held)]
        block = provenance.provenance(_scenarios(model))
        provenance.write(store.path, block)
        store.log_session(started=_now(), executor=str(executor if isinstance(executor, str) else "custom"),
                          runs_to_do=len(todo), version=block["version"], commit=(block["git"] or {}).get("commit"))
        ran = _drive(pool, model, spec, todo, store, chunk_runs, progress, len(design) - len(todo), timeout)
        failed = int((store.runs(columns=["status"])["status"] != "ok").sum())
        store.log_session(ended=_now(), runs_done=ran, failed_in_store=failed)
    return SweepReport(store, len(design), ran, failed)


def _scenarios(model: Model) -> list[Scenario]:
    """The scenarios a pap-sim model runs (with its horizon), for the provenance; none for other models."""
    if not isinstance(model, PapSim):
        return []
    loaded = [load_scenario(path) for path in model.scenarios]
    return [sc.replace(days=model.days) for sc in loaded] if model.days is not None else loaded


def _drive(pool, model: Model, spec: Spec, todo: pd.DataFrame, store: Store, chunk_runs: int,
           progress: bool, already: int, run_timeout: float) -> int:
    """Submit batches with a bounded number in flight, write results in chunks, handle broken workers,
    stop tasks past their time-out and stop when the cluster is gone."""
    jobs = list(zip(todo["run_id"].tolist(), todo["seed"].tolist(), todo[spec.factor_names].to_dict("records")))
    by_id = todo.set_index("run_id")
    queue: deque[tuple[list, int]] = deque(([job], 0) for job in jobs)
    timing = [0.0, 0]  # seconds and runs so far, to size batches
    in_flight: dict[Future, tuple[list, int, int]] = {}
    started: dict[Future, float] = {}  # when each task probably started (see _expired)
    rows: list[dict] = []
    frames: list[pd.DataFrame] = []
    generation, done, failed, last_write = 0, 0, 0, time.monotonic()
    bar = tqdm(total=already + len(jobs), initial=already, unit="run", disable=not progress,
               dynamic_ncols=True, desc=spec.name)

    def take(batch_rows: list[dict], batch_frames: list[pd.DataFrame]) -> None:
        nonlocal done, failed
        ok_times = [r["duration_s"] for r in batch_rows if r["status"] == "ok"]
        timing[0], timing[1] = timing[0] + sum(ok_times), timing[1] + len(ok_times)
        rows.extend(batch_rows)
        frames.extend(batch_frames)
        done += len(batch_rows)
        failed += sum(r["status"] != "ok" for r in batch_rows)
        bar.update(len(batch_rows))
        bar.set_postfix(failed=failed, refresh=False)

    def flush() -> None:
        nonlocal rows, frames, last_write
        if rows:
            results = pd.DataFrame(rows)
            table = by_id.loc[results["run_id"]].reset_index()
            store.write_chunk(pd.concat([table, results.drop(columns="run_id")], axis=1), frames)
        rows, frames, last_write = [], [], time.monotonic()

    try:
        while queue or in_flight:
            _submit(pool, model, spec, queue, in_flight, generation, _batch_size(timing, len(queue), pool.slots))
            finished, _ = wait(in_flight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            pool.check()  # before any failure counts against a run: a cluster gone is not the runs' fault
            for future in finished:
                batch, attempts, gen = in_flight.pop(future)
                started.pop(future, None)
                try:
                    batch_rows, batch_frames = future.result()
                except BrokenExecutor as exc:
                    if pool.rebuild is None:
                        raise
                    if gen == generation:  # first notice of this breakage: build a new pool
                        pool.executor.shutdown(wait=False, cancel_futures=True)
                        pool.executor, generation = pool.rebuild(), generation + 1
                    batch_rows, batch_frames = _retry(batch, attempts, exc, queue), []
                except Exception as exc:  # noqa: BLE001 - infrastructure errors (lost worker, comm, pickling)
                    batch_rows, batch_frames = _retry(batch, attempts, exc, queue), []
                take(batch_rows, batch_frames)
            for future in _expired(in_flight, started, pool, run_timeout):
                batch, attempts, gen = in_flight.pop(future)
                started.pop(future)
                if gen == generation and pool.stop(future):  # a new pool: the other tasks come back broken
                    generation += 1
                limit = run_timeout * len(batch)
                take(_retry(batch, attempts, TimeoutError(f"the task did not finish within {limit:g} s "
                                                          f"({len(batch)} runs, the run time-out)"), queue), [])
            series_rows = sum(len(f) for f in frames)
            if len(rows) >= chunk_runs or series_rows >= CHUNK_SERIES_ROWS or \
                    time.monotonic() - last_write >= CHUNK_SECONDS:
                flush()
    except KeyboardInterrupt as exc:  # keep what the interrupted batch finished (run_batch)
        partial_rows, partial_frames = getattr(exc, "partial", ([], []))
        rows += partial_rows
        frames += partial_frames
        raise
    finally:
        flush()
        bar.close()
    return done


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Treat SIGTERM (``kill``, batch schedulers) like Ctrl+C, so the runs in memory are written first.

    A second SIGTERM is ignored until the sweep ends, so it cannot cut that last write short. Signal
    handlers can only be set in the main thread; elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


def _batch_size(timing: list, queued: int, slots: int) -> int:
    """Runs per task: one until run times are known, then about half a second of work (at most 64),
    and never so many that the last tasks leave workers idle."""
    if not timing[1]:
        return 1
    per_run = timing[0] / timing[1]
    return max(1, min(64, int(0.5 / max(per_run, 1e-6)), queued // (slots * 4)))


def _submit(pool, model: Model, spec: Spec, queue: deque, in_flight: dict, generation: int, size: int) -> None:
    """Fill the executor up to a bounded number of tasks; a suspect run is only ever sent alone.

    Fresh runs (attempt 0) are grouped ``size`` to a task; runs sent again after a failure of the
    infrastructure go one per task."""
    while queue and len(in_flight) < pool.window:
        batch, attempts = queue[0]
        suspect = attempts >= 2
        if suspect and in_flight:
            return
        queue.popleft()
        while attempts == 0 and len(batch) < size and queue and queue[0][1] == 0:
            batch = batch + queue.popleft()[0]
        future = pool.executor.submit(run_batch, model, batch, spec.series)
        in_flight[future] = (batch, attempts, generation)
        if suspect:
            return


def _expired(in_flight: dict, started: dict, pool, run_timeout: float) -> list[Future]:
    """Tasks past their time-out: ``run_timeout`` per run from when the task started (``Workers.running``;
    a task sent back to wait for a worker starts afresh)."""
    now, running = time.monotonic(), pool.running(list(in_flight))
    for future in set(started) - set(running):
        del started[future]
    for future in running:
        started.setdefault(future, now)
    return [f for f in running if now - started[f] > run_timeout * len(in_flight[f][0])]


def _retry(batch: list, attempts: int, exc: BaseException, queue: deque) -> list[dict]:
    """Queue the runs of a batch the infrastructure failed again, one by one; a run failed alone is recorded."""
    if attempts >= 2:
        (run_id, _, _), = batch
        return [{"run_id": run_id, "status": "failed", "duration_s": float("nan"),
                 "error": f"the worker failed while running this run alone: {type(exc).__name__}: {exc}",
                 "traceback": "".join(traceback.format_exception(exc))}]
    queue.extendleft(([job], attempts + 1) for job in reversed(batch))
    return []


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
