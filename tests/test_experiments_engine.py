"""The engine's failure paths: failing runs, killed workers, a killed sweep resumed, identical executors."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from papsim.errors import InputError
from papsim.experiments import Spec, Store, sweep


@pytest.fixture(scope="module")
def dask_executor():
    """A two-process Dask cluster on this machine: its client, which a sweep takes as its executor."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


class Fatal(BaseException):
    """Like an error class deriving from BaseException, which hangs other tools' process pools."""


def toy(factors: dict, seed: int):
    """A small stochastic model with daily series."""
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(factors["a"], 1.0 + factors["b"], size=5))
    daily = pd.DataFrame({"day": np.arange(5), "level": walk, "flag": walk > 0})
    return {"final": walk[-1], "peak": walk.max(), "positive": bool(walk[-1] > 0)}, daily


def failing(factors: dict, seed: int):
    """Raises for some design points: a plain error, and a BaseException subclass."""
    if factors["a"] == 1.0:
        raise ValueError("a = 1 is not supported")
    if factors["a"] == 2.0 and factors["b"] == 0.0:
        raise Fatal("fatal")
    return toy(factors, seed)


@dataclass(frozen=True)
class KillOnce:
    """Kills its own worker process the first time it runs point 3 (a marker file says it did)."""

    marker: str

    def __call__(self, factors: dict, seed: int):
        if factors["a"] == 3.0 and factors["b"] == 0.0 and not os.path.exists(self.marker):
            Path(self.marker).touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return toy(factors, seed)


def kill_always(factors: dict, seed: int):
    """Kills its worker every time it runs one design point."""
    if factors["a"] == 3.0 and factors["b"] == 1.0:
        os.kill(os.getpid(), signal.SIGKILL)
    return toy(factors, seed)


def hangs(factors: dict, seed: int):
    """Hangs at one design point (a = 3, b = 1): for a run time-out to stop."""
    if factors["a"] == 3.0 and factors["b"] == 1.0:
        time.sleep(600)
    return toy(factors, seed)


def slow(factors: dict, seed: int):
    time.sleep(0.01)
    return toy(factors, seed)


def grid_spec(replicates: int = 3, **extra) -> Spec:
    return Spec.from_dict({
        "name": "toy", "seed": 11, "replicates": replicates, "series": "all",
        "factors": {"a": {"values": [0.0, 1.0, 2.0, 3.0]}, "b": {"values": [0.0, 1.0]}},
    } | extra)


def table(store: Store) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A store's contents without what legitimately varies between executors (run times)."""
    return store.runs().drop(columns=["duration_s"]), store.series()


def assert_same_store(a: Store, b: Store) -> None:
    ra, sa = table(a)
    rb, sb = table(b)
    pd.testing.assert_frame_equal(ra, rb)
    pd.testing.assert_frame_equal(sa, sb)


def test_failing_runs_are_rows_and_the_sweep_completes(tmp_path):
    spec = grid_spec()
    for executor in ("serial", "processes"):
        result = sweep(spec, failing, tmp_path / executor, executor=executor, workers=2, progress=False)
        runs = result.store.runs()
        assert len(runs) == 24 and result.failed == 9
        bad = runs[runs["status"] == "failed"]
        assert set(bad["error"]) == {"ValueError: a = 1 is not supported", "Fatal: fatal"}
        assert bad["traceback"].str.contains("Traceback").all()
        assert {"a", "b", "seed"} <= set(bad.columns) and bad["seed"].notna().all()
        assert (runs.loc[runs["status"] == "ok", "final"].notna()).all()


def test_resume_retry_failed_reruns_only_the_failed(tmp_path):
    spec = grid_spec()
    sweep(spec, failing, tmp_path / "s", executor="serial", progress=False)
    again = sweep(spec, toy, tmp_path / "s", executor="serial", resume=True, progress=False)
    assert again.ran == 0 and again.failed == 9
    fixed = sweep(spec, toy, tmp_path / "s", executor="serial", resume=True, retry_failed=True, progress=False)
    assert fixed.ran == 9 and fixed.failed == 0
    reference = sweep(spec, toy, tmp_path / "ref", executor="serial", progress=False).store
    assert_same_store(fixed.store, reference)


def test_serial_processes_and_dask_give_identical_stores(tmp_path, dask_executor):
    spec = grid_spec(replicates=4, common_random_numbers=True)
    serial = sweep(spec, toy, tmp_path / "serial", executor="serial", progress=False).store
    procs = sweep(spec, toy, tmp_path / "procs", executor="processes", workers=2, chunk_runs=7,
                  progress=False).store
    dask = sweep(spec, toy, tmp_path / "dask", executor=dask_executor, workers=2, chunk_runs=5,
                 progress=False).store
    assert_same_store(serial, procs)
    assert_same_store(serial, dask)
    runs = serial.runs()
    # common random numbers: replicate k has the same seed at every design point
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()
    assert len(serial.series()) == 32 * 5 * 2


@pytest.mark.parametrize("kind", ["processes", "dask"])
def test_killed_worker_loses_no_run(tmp_path, kind, request):
    executor = request.getfixturevalue("dask_executor") if kind == "dask" else kind
    spec = grid_spec()
    result = sweep(spec, KillOnce(str(tmp_path / "killed")), tmp_path / "s", executor=executor, workers=2,
                   progress=False)
    assert (tmp_path / "killed").exists()
    assert result.failed == 0 and len(result.store.runs()) == 24
    reference = sweep(spec, toy, tmp_path / "ref", executor="serial", progress=False).store
    assert_same_store(result.store, reference)


def test_run_that_always_kills_its_worker_is_isolated_and_recorded(tmp_path):
    spec = grid_spec(replicates=2)
    result = sweep(spec, kill_always, tmp_path / "s", executor="processes", workers=2, progress=False)
    runs = result.store.runs()
    bad = runs[runs["status"] == "failed"]
    assert len(runs) == 16 and list(bad["point"].unique()) == [7] and len(bad) == 2
    assert bad["error"].str.contains("alone").all()


def test_sigkilled_sweep_resumes_to_the_same_store(tmp_path):
    spec = grid_spec(replicates=80)  # 640 runs of ~10 ms, written in chunks of about 40
    store = tmp_path / "killed"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_experiments_engine import grid_spec, slow
        from papsim.experiments import sweep
        sweep(grid_spec(replicates=80), slow, {str(store)!r}, executor="serial", chunk_runs=40, progress=False)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list((store / "runs").glob("part-*.parquet"))) < 3 if store.exists() else True:
            assert child.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.killpg(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    held = len(Store(store).runs())
    assert 0 < held < 640
    resumed = sweep(spec, toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == 640 - held
    runs = resumed.store.runs()
    assert runs["run_id"].tolist() == list(range(640))
    assert not runs.duplicated("run_id").any()
    assert not resumed.store.series().duplicated(["run_id", "day", "variable"]).any()
    reference = sweep(spec, toy, tmp_path / "ref", executor="serial", progress=False).store
    assert_same_store(resumed.store, reference)


def test_resume_refuses_a_different_spec(tmp_path):
    sweep(grid_spec(), toy, tmp_path / "s", executor="serial", progress=False)
    with pytest.raises(InputError, match="different spec"):
        sweep(grid_spec(seed=12), toy, tmp_path / "s", executor="serial", resume=True, progress=False)
    with pytest.raises(InputError, match="--resume"):
        sweep(grid_spec(), toy, tmp_path / "s", executor="serial", progress=False)


def test_design_is_written_before_any_run(tmp_path):
    def boom(factors, seed):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sweep(grid_spec(), boom, tmp_path / "s", executor="serial", progress=False)
    store = Store(tmp_path / "s")
    assert len(store.design()) == 24 and store.runs().empty
    assert store.manifest()["spec_hash"] == grid_spec().hash()


def test_workers_import_the_model_not_the_analysis_libraries():
    """What the fork server preloads for the workers (papsim/experiments/executors.py) leaves out the design,
    store and analysis libraries, which only the parent needs: a worker starts that much sooner."""
    code = ("import sys, papsim.runner, papsim.experiments.worker, papsim.experiments.models; "
            "print(sorted(m for m in ('SALib', 'scipy.stats', 'papsim.experiments.store', 'papsim.experiments.engine') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
