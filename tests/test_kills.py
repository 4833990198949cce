"""Kills: a sweep killed with SIGKILL or SIGTERM leaves no worker, fork server or resource tracker behind; a
run calling os._exit in the serial executor is recorded, not the end of the sweep; a run that hangs in a
local process is stopped at its time-out and recorded, the others stored (issue 19, items 10, 12, 13).

Each test starts real processes and kills them, waiting with deadlines, never asserting on how long it took."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_experiments_engine import grid_spec, hangs, slow, toy
from test_store_safety import run_child

from papsim.experiments import Store, sweep

try:
    import psutil
except ImportError:  # read /proc instead
    psutil = None

DEADLINE = 30.0  # seconds to wait for processes to end


def descendants(pid: int) -> list[int]:
    """The process ids below ``pid`` in the process tree."""
    if psutil is not None:
        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        below = children.get(todo.pop(), [])
        found += below
        todo += below
    return found


def running(pid: int) -> bool:
    """Whether a process exists and is not a zombie (an orphan's zombie may wait for a reaper that never comes)."""
    if psutil is not None:
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, what: str, child: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert child is None or child.poll() is None, f"the sweep ended before {what}"
        assert time.monotonic() < deadline, f"{what} never came"
        time.sleep(0.05)


def chunks(store: Path) -> int:
    return len(list((store / "runs").glob("part-*.parquet"))) if (store / "runs").is_dir() else 0


@dataclass(frozen=True)
class Sleepy:
    """The slow toy model, except that one design point notes it started, then sleeps for five minutes."""

    marker: str

    def __call__(self, factors: dict, seed: int):
        if factors["a"] == 2.0 and factors["b"] == 1.0:
            Path(self.marker).touch()
            time.sleep(300)
        return slow(factors, seed)


def exits(factors: dict, seed: int):
    """Calls os._exit at one design point (a = 2, b = 0)."""
    if factors["a"] == 2.0 and factors["b"] == 0.0:
        os._exit(3)
    return toy(factors, seed)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_sweep_leaves_no_process_behind(tmp_path, sig):
    """SIGKILL: the workers see the sweep gone and exit, and with them the fork server and resource
    tracker. SIGTERM while a worker is inside a five-minute run: the sweep writes what it has and kills its
    workers rather than waiting for that run."""
    store, marker = tmp_path / "s", tmp_path / "started"
    child = run_child(f"""
        from test_experiments_engine import grid_spec
        from test_kills import Sleepy
        from papsim.experiments import sweep
        sweep(grid_spec(replicates=100), Sleepy({str(marker)!r}), {str(store)!r}, executor="processes",
              workers=2, chunk_runs=20, progress=False)
    """)
    left: list[int] = []
    try:
        wait_until(lambda: chunks(store) >= 1 and marker.exists(), "a stored chunk and the long run", child)
        left = descendants(child.pid)
        assert len(left) >= 3  # two workers and the resource tracker (and the fork server, where used)
        os.kill(child.pid, sig)  # the sweep alone, not its process group
        wait_until(lambda: child.poll() is not None, "the end of the sweep")
        wait_until(lambda: not any(running(pid) for pid in left), "the end of every child process")
    finally:
        for pid in [child.pid, *left]:
            if running(pid):
                os.kill(pid, signal.SIGKILL)
        child.wait()
    held = Store(store).runs()
    assert len(held) >= 20 and not ((held["a"] == 2.0) & (held["b"] == 1.0)).any()


def test_a_run_calling_os_exit_in_the_serial_executor_is_recorded_and_the_sweep_goes_on(tmp_path):
    store = tmp_path / "s"
    child = run_child(f"""
        from test_kills import exits
        from test_experiments_engine import grid_spec
        from papsim.experiments import sweep
        result = sweep(grid_spec(), exits, {str(store)!r}, executor="serial", progress=False)
        print(result.ran, result.failed)
    """)
    assert child.wait(timeout=120) == 0
    runs = Store(store).runs()
    bad = runs[runs["status"] == "failed"]
    assert len(runs) == 24 and len(bad) == 3 and (bad["a"] == 2.0).all() and (bad["b"] == 0.0).all()
    assert bad["error"].str.contains(r"RunExited: the run called os._exit\(3\)").all()


def test_a_run_that_hangs_in_a_local_process_is_stopped_at_its_time_out_and_recorded(tmp_path):
    result = sweep(grid_spec(replicates=1), hangs, tmp_path / "s", executor="processes", workers=2,
                   run_timeout=15.0, progress=False)
    runs = result.store.runs()
    bad = runs[runs["status"] == "failed"]
    assert len(runs) == 8 and list(bad["point"]) == [7]  # the others, in flight when it was stopped, are kept
    assert bad["error"].str.contains("did not finish within 15 s").all()
    ok = runs[runs["status"] == "ok"]
    reference = sweep(grid_spec(replicates=1), toy, tmp_path / "ref", executor="serial", progress=False).store.runs()
    assert ok["final"].tolist() == reference.loc[reference["point"] != 7, "final"].tolist()
