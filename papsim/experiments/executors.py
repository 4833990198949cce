"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

Each is a standard ``concurrent.futures.Executor``; any other executor can be passed to the engine as is.
For local processes the engine also gets a factory, so it can build a fresh pool when a worker dies
(a dead worker breaks a ``ProcessPoolExecutor`` for good).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from papsim.errors import InputError

KINDS = ("serial", "processes", "dask")


class SerialExecutor(Executor):
    """Runs each task at once in the calling process: the reference for results and for debugging."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


@dataclass
class Workers:
    """An open executor, how many tasks it runs at once, and how to rebuild it (None: it cannot be)."""

    executor: Executor
    slots: int
    rebuild: Callable[[], Executor] | None = None

    @property
    def window(self) -> int:
        """Tasks to keep submitted: enough to keep every slot busy (a serial executor runs them at once)."""
        return 1 if isinstance(self.executor, SerialExecutor) else 4 * self.slots


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of fresh interpreters (forkserver where available, else spawn): no state forked from the caller."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":  # workers fork from a server that has imported the model once (~1 s saved each)
        context.set_forkserver_preload(["papsim.runner", "papsim.experiments.worker", "papsim.experiments.models"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=exit_with_parent)


def exit_with_parent() -> None:
    """In a worker: end this process once its parent is gone, so a killed sweep leaves no orphan running."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


@contextmanager
def open_workers(kind: str | Executor = "processes", workers: int | None = None,
                 scheduler: str | None = None) -> Iterator[Workers]:
    """Open the executor of ``kind`` ('serial', 'processes', 'dask' or an Executor) and close it afterwards.

    With 'dask', ``scheduler`` is the address of a running scheduler ("tcp://host:8786"); without one a
    local cluster of ``workers`` single-threaded processes is started for the duration.
    """
    if isinstance(kind, Executor):
        yield Workers(kind, workers or os.cpu_count() or 1)
        return
    if kind not in KINDS:
        raise InputError(f"--executor: '{kind}' is not one of {', '.join(KINDS)}")
    if workers is not None and workers < 1:
        raise InputError(f"--workers: {workers} is not a positive number of workers")
    if scheduler and kind != "dask":
        raise InputError("--scheduler: only used with --executor dask")
    n = workers or os.cpu_count() or 1
    if kind == "serial":
        yield Workers(SerialExecutor(), 1)
    elif kind == "processes":
        rebuild = partial(process_pool, n)
        pool = Workers(rebuild(), n, rebuild)
        try:
            yield pool
        finally:
            pool.executor.shutdown(wait=True, cancel_futures=True)
    else:
        yield from _dask(n, scheduler)


def _dask(n: int, scheduler: str | None) -> Iterator[Workers]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--executor dask: Dask is not installed (pip install 'pap-sim[dask]')") from None
    cluster = None if scheduler else LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=None)
    try:
        client = Client(scheduler or cluster, timeout=30)
    except OSError as exc:
        raise InputError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc})") from None
    try:
        slots = sum(client.nthreads().values()) or n
        yield Workers(client.get_executor(pure=False), slots)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
