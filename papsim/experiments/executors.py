"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

Each is a standard ``concurrent.futures.Executor``; any other executor can be passed to the engine as is.
For local processes the engine also gets a factory, so it can build a fresh pool when a worker dies
(a dead worker breaks a ``ProcessPoolExecutor`` for good).

Workers never outlive the sweep: each watches the sweep's process (``parent_process().sentinel``: a pipe
whose other end only the sweep holds, or its process handle on Windows) and exits as soon as it is gone,
even after ``kill -9``. The fork server and the resource tracker stay up only while some process holds
their pipes, so they exit with the workers. An interrupted sweep kills its workers rather than waiting
for their runs.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from papsim.errors import ClusterLost, InputError
from papsim.experiments.limits import MAX_WORKERS

KINDS = ("serial", "processes", "dask")
CONNECT_SECONDS = 30.0  # to reach a Dask scheduler, and to get it back after a lost connection
WORKERLESS_SECONDS = 60.0  # a Dask cluster without any worker for this long is gone
CHECK_SECONDS = 1.0  # a Dask cluster's workers are counted at most this often
GATHER_SECONDS = 120.0  # to fetch a finished Dask task's result (recomputed first if its worker died)


class RunExited(BaseException):
    """A run called ``os._exit`` in the serial executor: recorded as that run's failure."""


class SerialExecutor(Executor):
    """Runs each task at once in the calling process: the reference for results and for debugging.

    A run here shares the sweep's process, so a run calling ``os._exit`` would end the sweep at once,
    without a word and losing the runs not yet written. While a task runs, ``os._exit`` called from its
    thread raises RunExited instead, which the worker records as the run's failure like any exception.
    A crash of the interpreter itself (a segfault in compiled code, ``os.abort``) cannot be caught: it ends
    the sweep as ``kill -9`` does, keeping the chunks written; the 'processes' executor isolates such a run.
    """

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            with _exit_as_error():
                future.set_result(fn(*args, **kwargs))
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future


@contextmanager
def _exit_as_error() -> Iterator[None]:
    """``os._exit`` from this thread raises RunExited until the block ends (other threads exit as usual)."""
    real, caller = os._exit, threading.get_ident()

    def refuse(status: int) -> None:
        if threading.get_ident() != caller:
            real(status)
        raise RunExited(f"the run called os._exit({status}), which would have ended the sweep (the serial "
                        "executor runs models in the sweep's own process)")

    os._exit = refuse
    try:
        yield
    finally:
        os._exit = real


class DaskExecutor(Executor):
    """Tasks on a Dask cluster, as an executor a sweep can rely on.

    Unlike distributed's ``ClientExecutor``, it holds every Dask future until its result is in (a future
    released while its worker dies can be forgotten by the scheduler, and the sweep would wait for it for
    ever), ends the worker of a task stopped past its time-out, and ``check`` raises ClusterLost, one
    line, once the scheduler is unreachable or the cluster has had no worker for ``WORKERLESS_SECONDS``."""

    def __init__(self, client: Any, address: str = "") -> None:
        self.client, self.address = client, address
        self._tasks: dict[Future, Any] = {}
        self._counted, self._workerless_since = 0.0, None
        self._polled, self._processing = 0.0, set()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        task = self.client.submit(fn, *args, pure=False, **kwargs)
        done: Future = Future()
        self._tasks[done] = task
        task.add_done_callback(partial(self._settle, done))
        return done

    def _settle(self, done: Future, task: Any) -> None:
        """In Dask's callback thread: hand the task's outcome (its result fetched) to the sweep's future."""
        try:
            outcome = partial(done.set_result, task.result(timeout=GATHER_SECONDS))
        except BaseException as exc:  # noqa: BLE001 - a lost worker, a cancelled task: the engine decides
            outcome = partial(done.set_exception, exc)
        self._tasks.pop(done, None)
        try:
            outcome()
        except InvalidStateError:  # stopped meanwhile
            pass

    def running(self, futures: list[Future]) -> list[Future]:
        """The tasks a worker holds (asked at most every CHECK_SECONDS): a task's time-out runs from then."""
        now = time.monotonic()
        if now - self._polled >= CHECK_SECONDS:
            self._processing = {key for keys in self.client.processing().values() for key in keys}
            self._polled = now
        return [f for f in futures if f in self._tasks and self._tasks[f].key in self._processing]

    def stop(self, future: Future) -> None:
        """Cancel a task past its time-out and end the worker process running it: a Python thread cannot
        be stopped, and left alone it would hold that worker for good. Its nanny starts a new worker (a
        worker started without one is gone, as if its machine were)."""
        task = self._tasks.pop(future, None)
        if task is None:
            return
        running = [worker for worker, keys in self.client.processing().items() if task.key in keys]
        task.cancel()
        if not running:
            return
        try:
            self.client.run(_end_process, workers=running, wait=False)
        except OSError:  # the worker ended before it could answer, as meant
            pass

    def check(self) -> None:
        """Raise ClusterLost if the scheduler is gone, or if no worker has been there for a while."""
        at = f" at {self.address}" if self.address else ""
        then = "the runs finished so far are stored; continue with --resume once it is back"
        if self.client.status != "running":
            raise ClusterLost(f"the Dask scheduler{at} is gone (the connection to it was lost); {then}")
        now = time.monotonic()
        if now - self._counted < CHECK_SECONDS:
            return
        self._counted = now
        try:
            workers = len(self.client.nthreads())
        except OSError as exc:
            raise ClusterLost(f"the Dask scheduler{at} does not answer ({exc}); {then}") from None
        if workers:
            self._workerless_since = None
        elif self._workerless_since is None:
            self._workerless_since = now
        elif now - self._workerless_since >= WORKERLESS_SECONDS:
            raise ClusterLost(f"the Dask cluster{at} has had no worker for {WORKERLESS_SECONDS:g} s; {then}")


async def _end_process() -> None:
    """Run in a Dask worker's event loop (which a hung run does not block): end the worker process now."""
    os._exit(1)


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

    def check(self) -> None:
        """Raise ClusterLost when the executor can no longer run anything (a Dask cluster gone)."""
        if isinstance(self.executor, DaskExecutor):
            self.executor.check()

    def running(self, futures: list[Future]) -> list[Future]:
        """Which of the tasks in flight (in the order sent) have probably started, so their time-out runs:
        those a Dask worker holds; elsewhere the oldest, one per slot (executors start tasks in order)."""
        if isinstance(self.executor, DaskExecutor):
            return self.executor.running(futures)
        return futures[: self.slots]

    def stop(self, future: Future) -> bool:
        """Stop a task past its time-out. Local processes stop only by ending them all: True says the pool
        is new and every other task in flight is lost (the engine sends them again). A Dask task is
        cancelled and its worker restarted; another executor's task is cancelled if it has not started."""
        if isinstance(self.executor, ProcessPoolExecutor) and self.rebuild is not None:
            kill_workers(self.executor)
            self.executor = self.rebuild()
            return True
        if isinstance(self.executor, DaskExecutor):
            self.executor.stop(future)
        else:
            future.cancel()
        return False


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of fresh interpreters (forkserver where available, else spawn): no state forked from the caller."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":  # workers fork from a server that has imported the model once (~1 s saved each)
        context.set_forkserver_preload(["papsim.runner", "papsim.experiments.worker", "papsim.experiments.models"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=exit_with_parent)


def exit_with_parent() -> None:
    """In a worker: end this process as soon as the sweep's process is gone, however it ended.

    The worker's parent in the process tree is the fork server, which lives on while workers hold its
    pipe, so the sweep is watched through its sentinel (see the module docstring), not ``os.getppid``."""
    sentinel = multiprocessing.parent_process().sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def kill_workers(pool: ProcessPoolExecutor) -> None:
    """End a pool's worker processes now; their tasks fail with BrokenProcessPool. (Python 3.12 has no
    public way to do this, hence the pool's process table.)"""
    for process in list((pool._processes or {}).values()):
        process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def open_workers(kind: str | Executor | Any = "processes", workers: int | None = None,
                 scheduler: str | None = None) -> Iterator[Workers]:
    """Open the executor of ``kind`` ('serial', 'processes', 'dask', an Executor or a ``distributed.Client``)
    and close it afterwards.

    With 'dask', ``scheduler`` is the address of a running scheduler ("tcp://host:8786"); without one a
    local cluster of ``workers`` single-threaded processes is started for the duration.
    """
    distributed = sys.modules.get("distributed")
    if distributed is not None and isinstance(kind, distributed.Client):
        yield Workers(DaskExecutor(kind), max(1, sum(kind.nthreads().values())))
        return
    if isinstance(kind, Executor):
        yield Workers(kind, workers or os.cpu_count() or 1)
        return
    if kind not in KINDS:
        raise InputError(f"--executor: '{kind}' is not one of {', '.join(KINDS)}")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"--workers: {workers} is not allowed; a number of workers in [1, {MAX_WORKERS}]")
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
        except BaseException:  # interrupted or failed: the runs in flight are not waited for
            kill_workers(pool.executor)
            raise
        finally:
            pool.executor.shutdown(wait=True, cancel_futures=True)
    else:
        yield from _dask(n, scheduler)


def _dask(n: int, scheduler: str | None) -> Iterator[Workers]:
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--executor dask: Dask is not installed (pip install 'pap-sim[dask]')") from None
    if scheduler:
        _check_address(scheduler)
        cluster = None
    else:  # the engine retries a task whose worker died, and sends a suspect run alone: Dask need not
        with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=None)
    try:
        try:
            client = Client(scheduler or cluster, timeout=CONNECT_SECONDS)
        except (OSError, ValueError) as exc:
            raise InputError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc})") from None
        try:
            slots = sum(client.nthreads().values()) or n
            yield Workers(DaskExecutor(client, scheduler or ""), slots)
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _check_address(address: str) -> None:
    """A scheduler address must read as 'tcp://HOST:PORT' (or another Dask scheme) with a port in range."""
    from distributed.comm import parse_address, parse_host_port

    shown = address if len(address) <= 80 else address[:80] + "…"
    try:
        _, location = parse_address(address)
        _, port = parse_host_port(location)
    except ValueError as exc:
        raise InputError(f"--scheduler: '{shown}' is not a Dask scheduler address such as tcp://10.0.0.5:8786 "
                         f"({exc})") from None
    if not 1 <= int(port) <= 65535:
        raise InputError(f"--scheduler: '{shown}': port {port} is not in [1, 65535]")
