"""Dask failures (issue 19, item 12): a run that kills its worker, or hangs, is recorded as a failed row and
no good run is lost; losing the last worker or the scheduler ends the sweep with one line, the runs finished
so far stored and resumable. Real schedulers and workers are started and killed, with deadlines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_experiments_engine import assert_same_store, grid_spec, hangs, kill_always, slow, toy
from test_kills import chunks

from papsim.errors import ClusterLost
from papsim.experiments import Store, executors, sweep

distributed = pytest.importorskip("distributed")

TESTS = Path(__file__).resolve().parent
DASK = Path(sys.executable).parent / "dask"
DEADLINE = 30.0
CHUNKS_DEADLINE = 180.0  # seconds for a worker and the first two chunks: a loaded machine starts a worker slowly


def reference(tmp_path: Path, spec) -> Store:
    return sweep(spec, toy, tmp_path / "reference", executor="serial", progress=False).store


def test_a_run_that_kills_its_worker_is_recorded_and_no_good_run_is_lost(tmp_path):
    spec = grid_spec(replicates=1)
    runs = sweep(spec, kill_always, tmp_path / "s", executor="dask", workers=2, progress=False).store.runs()
    bad = runs[runs["status"] == "failed"]
    assert len(runs) == 8 and list(bad["point"]) == [7] and bad["error"].str.contains("KilledWorker").all()
    good = reference(tmp_path, spec).runs()
    assert runs.loc[runs["point"] != 7, "final"].tolist() == good.loc[good["point"] != 7, "final"].tolist()


def test_a_run_that_hangs_on_dask_is_stopped_at_its_time_out_and_its_worker_restarted(tmp_path):
    spec = grid_spec(replicates=1)
    runs = sweep(spec, hangs, tmp_path / "s", executor="dask", workers=2, run_timeout=15.0,
                 progress=False).store.runs()
    bad = runs[runs["status"] == "failed"]
    # the time-out ends the run's worker: on a loaded machine the scheduler may see the worker die first
    assert len(runs) == 8 and list(bad["point"]) == [7] and bad["error"].str.contains("did not finish|KilledWorker").all(), \
        bad[["point", "error"]].to_string()


@contextmanager
def cluster(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen, subprocess.Popen]]:
    """A scheduler and one worker without a nanny (nothing restarts it), each in its own process."""
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True,
             "env": os.environ | {"PYTHONPATH": str(TESTS)}}
    file = tmp_path / "scheduler.json"
    scheduler = subprocess.Popen([DASK, "scheduler", "--port", "0", "--no-dashboard", "--scheduler-file", file],
                                 **quiet)
    worker = None
    try:
        deadline = time.monotonic() + DEADLINE
        while not (file.is_file() and file.read_text().strip()):
            assert time.monotonic() < deadline and scheduler.poll() is None, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(file.read_text())["address"]
        worker = subprocess.Popen([DASK, "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"],
                                  **quiet)
        with distributed.Client(address, timeout=DEADLINE) as client:  # the sweep starts with its worker there
            client.wait_for_workers(1, timeout=CHUNKS_DEADLINE)
        yield address, scheduler, worker
    finally:
        for process in (worker, scheduler):
            if process is not None:
                process.kill()
                process.wait()


def kill_after_two_chunks(process: subprocess.Popen, store: Path) -> threading.Thread:
    def watch() -> None:
        deadline = time.monotonic() + CHUNKS_DEADLINE
        while chunks(store) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.kill()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("lost", ["worker", "scheduler"])
def test_losing_the_cluster_ends_the_sweep_with_one_line_and_resume_completes_it(tmp_path, monkeypatch, lost):
    monkeypatch.setattr(executors, "WORKERLESS_SECONDS", 2.0)
    spec, store = grid_spec(replicates=60), tmp_path / "s"
    with cluster(tmp_path) as (address, scheduler, worker):
        killer = kill_after_two_chunks(worker if lost == "worker" else scheduler, store)
        with pytest.raises(ClusterLost) as info:
            sweep(spec, slow, store, executor="dask", scheduler=address, chunk_runs=5, progress=False)
        killer.join()
    message = str(info.value)
    assert "\n" not in message and address in message and "--resume" in message
    assert ("no worker for 2 s" if lost == "worker" else "scheduler") in message
    held = len(Store(store).runs())
    assert 10 <= held < 480
    resumed = sweep(spec, toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == 480 - held
    assert_same_store(resumed.store, reference(tmp_path, spec))
