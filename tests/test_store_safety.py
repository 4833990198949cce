"""The store and `pap-sim run` never destroy or mislabel data: foreign folders refused, the lock taken before
anything is written, the manifest checked on open, partial files out of a reader's sight, a damaged chunk
set aside and its runs run again, SIGTERM flushed, every output of `pap-sim run` written atomically; and a
store read with DuckDB or pyarrow.dataset as documented in docs/experiments.md."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from filelock import FileLock
from test_experiments_engine import assert_same_store, failing, grid_spec, slow, toy

from papsim import atomic
from papsim.cli import main
from papsim.errors import InputError
from papsim.experiments import Store, sweep

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent


def contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_child(body: str) -> subprocess.Popen:
    """Start ``body`` (after the tests' imports) in a new Python process and session."""
    script = f"import sys\nsys.path.insert(0, {str(TESTS)!r})\n" + textwrap.dedent(body)
    return subprocess.Popen([sys.executable, "-c", script], start_new_session=True)


def wait_for(condition, child: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert child.poll() is None, "the sweep ended before the awaited moment"
        assert time.monotonic() < deadline, "the awaited moment never came"
        time.sleep(0.02)


# ---------------------------------------------------------------- item 5: an ordinary folder is refused
def test_an_ordinary_folder_is_refused_and_left_untouched(tmp_path):
    folder = tmp_path / "mine"
    for name, text in {"series/notes.txt": "keep", "runs/draft.tmp": "keep", "spec.json": "{}", "a.csv": "1"}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    before = contents(folder)
    for resume in (False, True):
        with pytest.raises(InputError, match=r"mine: not an experiment store of this spec \(it holds other "
                                             r"files\); choose another --out") as err:
            sweep(grid_spec(), toy, folder, executor="serial", resume=resume, progress=False)
        assert "\n" not in str(err.value)
    assert contents(folder) == before and not (folder / ".lock").exists()


def test_an_ordinary_folder_exits_2_through_the_cli(tmp_path, capsys):
    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\nmodel = "ishigami"\noutputs = ["y"]\n[design]\nmethod = "random"\nn = 20\n'
                    '[factors]\n' + "".join(f"{x} = {{low = -3.0, high = 3.0}}\n" for x in ("x1", "x2", "x3")))
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("keep")
    assert main(["sweep", str(spec), "--out", str(folder), "--executor", "serial", "-q"]) == 2
    assert "not an experiment store of this spec" in capsys.readouterr().err
    assert contents(folder) == {"thesis.tex": b"keep"}


def test_an_empty_folder_and_a_file(tmp_path):
    (tmp_path / "empty").mkdir()
    assert len(sweep(grid_spec(), toy, tmp_path / "empty", executor="serial", progress=False).store.runs()) == 24
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder"):
        sweep(grid_spec(), toy, tmp_path / "file", executor="serial", progress=False)


def test_a_creation_killed_before_its_manifest_can_be_run_again(tmp_path):
    folder = tmp_path / "s"
    for sub in ("runs", "series", "tables", "figures", ".tmp"):
        (folder / sub).mkdir(parents=True)
    (folder / "spec.json").write_text("{}")  # written, then killed before the design and manifest
    (folder / ".tmp" / ".design.123.tmp.parquet").write_bytes(b"PAR1 partial")
    report = sweep(grid_spec(), toy, folder, executor="serial", progress=False)
    assert len(report.store.runs()) == 24 and not any((folder / ".tmp").iterdir())


# ---------------------------------------------------------------- item 6: lock first, manifest checked on open
def test_the_lock_is_taken_before_anything_is_written(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    with FileLock(folder / ".lock"):  # another sweep holds the store
        with pytest.raises(InputError, match="another process is writing this store"):
            sweep(grid_spec(replicates=21), toy, folder, executor="serial", progress=False)
    assert sorted(p.name for p in folder.iterdir()) in ([], [".lock"])  # filelock may remove its file


@pytest.mark.parametrize("replicates", [4, 3])  # another size; the same size but other seeds
def test_a_manifest_not_matching_its_design_is_refused_on_open(tmp_path, replicates):
    a = sweep(grid_spec(), toy, tmp_path / "a", executor="serial", progress=False).store
    b = sweep(grid_spec(replicates=replicates, seed=12), toy, tmp_path / "b", executor="serial", progress=False).store
    (a.path / "design.parquet").write_bytes((b.path / "design.parquet").read_bytes())  # a mislabelled store
    with pytest.raises(InputError, match="manifest.json does not match design.parquet"):
        Store(a.path)
    with pytest.raises(InputError, match="manifest.json does not match design.parquet"):
        sweep(grid_spec(), toy, a.path, executor="serial", resume=True, progress=False)


# ---------------------------------------------------------------- item 8: partial files out of a reader's sight
def test_after_a_kill_mid_chunk_the_runs_folder_reads_as_the_committed_runs(tmp_path):
    store = tmp_path / "killed"
    child = run_child(f"""
        import os, signal
        import papsim.experiments.store as module
        from test_experiments_engine import grid_spec, slow
        real, calls = module.pq.write_table, []

        def write_then_die(table, where, **kw):  # the third runs chunk: half written, then SIGKILL
            real(table, where, **kw)
            calls.append(where)
            if len(calls) == 1 + 2 * 3:  # the design, then (series, runs) per chunk
                with open(where, "r+b") as fh:
                    fh.truncate(os.path.getsize(where) // 2)
                os.kill(os.getpid(), signal.SIGKILL)

        module.pq.write_table = write_then_die
        from papsim.experiments import sweep
        sweep(grid_spec(replicates=10), slow, {str(store)!r}, executor="serial", chunk_runs=20, progress=False)
    """)
    assert child.wait(timeout=120) == -signal.SIGKILL
    assert list((store / ".tmp").iterdir()), "the kill should have left a partial file"
    read = pd.read_parquet(store / "runs")
    committed = Store(store).runs()
    assert 0 < len(committed) < 80
    pd.testing.assert_frame_equal(read.sort_values("run_id").reset_index(drop=True), committed,
                                  check_dtype=False, check_categorical=False)
    resumed = sweep(grid_spec(replicates=10), toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == 80 - len(committed) and not any((store / ".tmp").iterdir())


def test_stale_temporary_files_are_removed_on_open(tmp_path):
    store = sweep(grid_spec(), toy, tmp_path / "s", executor="serial", progress=False).store
    stale = [store.path / "manifest.json.tmp", store.path / "runs" / "part-000009.parquet.tmp",
             store.path / ".tmp" / ".part-000009.1.tmp.parquet"]
    for p in stale:
        p.write_text("partial")
    sweep(grid_spec(), toy, store.path, executor="serial", resume=True, progress=False)
    assert not any(p.exists() for p in stale)
    assert len(pd.read_parquet(store.path / "runs")) == 24


# ---------------------------------------------------------------- item 7: a damaged chunk is set aside
def chunked(tmp_path: Path) -> Path:
    """A complete store of the 24 toy runs in chunks of about five, and its chunk 2's run ids."""
    return sweep(grid_spec(), toy, tmp_path / "s", executor="serial", chunk_runs=5, progress=False).store.path


def held_by(store: Path, number: int) -> list[int]:
    ranges = json.loads((store / "chunks" / f"part-{number:06d}.json").read_text())["runs"]
    return [i for first, last in ranges for i in range(first, last + 1)]


def test_a_truncated_chunk_is_set_aside_named_and_its_runs_run_again_on_resume(tmp_path, capsys):
    store = chunked(tmp_path)
    lost = held_by(store, 2)
    part = store / "runs" / "part-000002.parquet"
    os.truncate(part, part.stat().st_size // 2)  # a copy cut short
    with pytest.raises(pa.ArrowInvalid):
        pd.read_parquet(store / "runs")
    assert main(["analyze", str(store), "-q"]) == 1  # the tables are written; the missing runs are said
    err = capsys.readouterr().err.strip().splitlines()
    line = next(e for e in err if "part-000002" in e)
    assert f"its {len(lost)} runs ({lost[0]}-{lost[-1]})" in line and "--resume" in line and len(line) < 400
    assert len(pd.read_csv(store / "tables" / "runs.csv")) == 24 - len(lost)
    assert sorted(os.listdir(store / "damaged" / "runs")) == ["part-000002.parquet"]
    assert len(pd.read_parquet(store / "runs")) == 24 - len(lost)  # every reader reads the rest again
    assert main(["discover", str(store), "--success", "final > 0", "--holdout", "0", "-q"]) == 1
    assert "part-000002" in capsys.readouterr().err
    assert main(["report", str(store), "-q"]) == 0
    resumed = sweep(grid_spec(), toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == len(lost) and resumed.store.damage() == []
    assert set(resumed.store.runs()["run_id"]) == set(range(24))
    assert_same_store(resumed.store, sweep(grid_spec(), toy, tmp_path / "ref", executor="serial",
                                           progress=False).store)
    assert main(["analyze", str(store), "-q"]) == 0


def test_a_flipped_byte_in_a_series_chunk_fails_its_checksum_and_the_chunk_is_run_again(tmp_path):
    store = chunked(tmp_path)
    lost = held_by(store, 3)
    part = store / "series" / "part-000003.parquet"
    column = pq.read_metadata(part).row_group(0).column(3)  # the values
    data = bytearray(part.read_bytes())
    start = column.dictionary_page_offset or column.data_page_offset
    data[start + column.total_compressed_size - 8] ^= 0xFF  # a bad sector in its last page: the file opens
    part.write_bytes(bytes(data))
    opened = Store(store)
    assert set(opened.series()["run_id"]).isdisjoint(lost)
    assert "CRC" in opened.quarantined[0] and "part-000003" in opened.quarantined[0]
    assert set(opened.runs()["run_id"]) == set(range(24)) - set(lost)  # its runs are missing, not half-stored
    resumed = sweep(grid_spec(), toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == len(lost)
    assert_same_store(resumed.store, sweep(grid_spec(), toy, tmp_path / "ref", executor="serial",
                                           progress=False).store)


def test_resume_sets_aside_a_truncated_chunk_before_it_runs_anything(tmp_path):
    store = chunked(tmp_path)
    lost = held_by(store, 4)
    os.truncate(store / "series" / "part-000004.parquet", 10)
    resumed = sweep(grid_spec(), toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == len(lost) and "part-000004" in resumed.store.quarantined[0]
    assert len(resumed.store.series()) == 24 * 5 * 2


# ---------------------------------------------------------------- reading a store without pandas
def documented_reading(store: Path) -> dict:
    """Run the code of docs/experiments.md's "Reading a store without loading it" on ``store`` (its names
    for the toy model's: final, level, day 4) and return the variables it defines."""
    text = (ROOT / "docs" / "experiments.md").read_text().split("### Reading a store without loading it")[1]
    code = "\n".join(block.split("```")[0] for block in text.split("```python\n")[1:3])
    for old, new in (("results/NAME", str(store)), ("gang_population_share_day365", "final"),
                     ("gang_population_share", "level"), ("365", "4")):
        code = code.replace(old, new)
    names: dict = {}
    exec(compile(code, "docs/experiments.md", "exec"), names)
    return names


def test_a_store_reads_with_duckdb_and_pyarrow_dataset_as_documented(tmp_path):
    pytest.importorskip("duckdb")
    spec = grid_spec()
    sweep(spec, failing, tmp_path / "s", executor="serial", chunk_runs=4, progress=False)
    store = sweep(spec, toy, tmp_path / "s", executor="serial", resume=True, retry_failed=True, chunk_runs=4,
                  progress=False).store  # 9 runs recorded twice: failed, then ok
    got, runs, series = documented_reading(store.path), store.runs(), store.series()
    pd.testing.assert_frame_equal(got["latest"].df()[list(runs.columns)], runs, check_dtype=False)
    assert got["per_point"]["mean"].round(12).tolist() == runs.groupby("point")["final"].mean().round(12).tolist()
    expected = series[series["day"] == 4].groupby("variable")["value"].mean()
    assert got["at_day"].set_index("variable")["mean"].round(12).to_dict() == expected.round(12).to_dict()
    assert got["failed"].num_rows == 9  # the records --retry-failed replaced: why the latest record is taken
    level = got["series"].to_pandas()
    assert len(level) == 24 and set(level["run_id"]) == set(range(24)) and set(level["variable"]) == {"level"}


# ---------------------------------------------------------------- item 11: SIGTERM flushes like SIGINT
@dataclass(frozen=True)
class Marking:
    """The slow toy model, noting each finished run in a file."""

    marker: str

    def __call__(self, factors: dict, seed: int):
        out = slow(factors, seed)
        with open(self.marker, "a") as fh:
            fh.write("x\n")
        return out


def test_sigterm_writes_the_runs_in_memory_and_resume_completes_the_store(tmp_path):
    spec, store, marker = grid_spec(replicates=80), tmp_path / "terminated", tmp_path / "marker"
    child = run_child(f"""
        from test_experiments_engine import grid_spec
        from test_store_safety import Marking
        from papsim.experiments import sweep
        sweep(grid_spec(replicates=80), Marking({str(marker)!r}), {str(store)!r}, executor="serial",
              chunk_runs=100_000, progress=False)  # nothing written before the end
    """)
    try:
        wait_for(lambda: marker.exists() and len(marker.read_text().splitlines()) >= 30, child)
        os.killpg(child.pid, signal.SIGTERM)
        child.wait(timeout=120)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    finished = len(marker.read_text().splitlines())
    held = len(Store(store).runs())
    assert finished - 1 <= held <= finished < 640  # the run noted as the signal came may be lost, no more
    resumed = sweep(spec, toy, store, executor="serial", resume=True, progress=False)
    assert resumed.ran == 640 - held
    reference = sweep(spec, toy, tmp_path / "ref", executor="serial", progress=False).store
    assert_same_store(resumed.store, reference)


def test_the_sigterm_handler_is_restored_after_a_sweep(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    sweep(grid_spec(), toy, tmp_path / "s", executor="serial", progress=False)
    assert signal.getsignal(signal.SIGTERM) is before


# ---------------------------------------------------------------- item 9: `pap-sim run` writes atomically
def test_a_write_failing_halfway_leaves_no_truncated_output(tmp_path, monkeypatch):
    real = pd.DataFrame.to_csv

    def full_disk(self, path, *args, **kwargs):
        real(self.head(len(self) // 2), path, *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    out = tmp_path / "run"
    assert main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--days", "3", "--out", str(out), "--quiet"]) == 1
    assert list(out.iterdir()) == []


def test_replacing_keeps_the_old_file_on_an_error(tmp_path):
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic.replacing(target) as tmp:
        tmp.write_text("new, half")
        raise RuntimeError
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["summary.json"]
    atomic.write_text(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["summary.json"]
