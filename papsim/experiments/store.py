"""The experiment store: one folder of Parquet files, written in atomic chunks, readable at any moment.

Layout::

    DIR/manifest.json        spec hash, root seed, package versions, sessions with start and end times
    DIR/spec.json            the normalised spec (what ``analyze`` and ``--resume`` read back)
    DIR/design.parquet       every run: run_id, point, replicate, seed, factor values (written first)
    DIR/runs/part-N.parquet  one row per finished run: design columns, status, error, traceback, outputs
    DIR/series/part-N.parquet  daily series of the same runs, long format: run_id, day, variable, value
    DIR/tables/, DIR/figures/  CSV tables and PNG figures of the analyses
    DIR/.lock, DIR/.tmp/     the write lock, and files being written (hidden: dataset readers skip them)

Every file is written in ``.tmp/`` then renamed into place. A chunk's series file lands before its runs
file, so a run counts as done only once both are complete; a kill at any instant loses at most the chunk
in flight, and ``pandas.read_parquet(DIR / "runs")`` reads only committed chunks.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import platform
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from papsim import atomic
from papsim.errors import InputError
from papsim.experiments.spec import Spec
from papsim.kernels import select as select_kernels
from papsim.provenance import versions

_PART = re.compile(r"part-(\d{6})\.parquet$")
_TMP = ".tmp"  # partial files: a hidden folder, which dataset readers (pyarrow, pandas) skip
_SUBFOLDERS = ("runs", "series", "tables", "figures")
_LEFTOVERS = {".lock", _TMP, "spec.json", "design.parquet"}  # of a creation killed before its manifest

class Store:
    """An experiment's folder. Open an existing one with ``Store(path)``; create or resume one, holding its
    write lock, with ``Store.writing``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not (self.path / "manifest.json").is_file():
            raise InputError(f"{self.path}: not an experiment store (no manifest.json)")
        self._check_design()

    def _check_design(self) -> None:
        """The manifest must describe ``design.parquet`` (its size, and its checksum where recorded)."""
        manifest, design = self.manifest(), self.path / "design.parquet"
        if not design.is_file():
            raise InputError(f"{self.path}: the store has a manifest.json but no design.parquet; it is damaged")
        rows, expected = pq.read_metadata(design).num_rows, manifest.get("runs_in_design")
        digest = manifest.get("design_sha256")
        if rows != expected:
            raise InputError(f"{self.path}: manifest.json does not match design.parquet ({expected} runs in the "
                             f"manifest, {rows} in the design); the store is mislabelled, make it again")
        if digest is not None and digest != _sha256(design):
            raise InputError(f"{self.path}: manifest.json does not match design.parquet (its checksum differs); "
                             "the store is mislabelled, make it again")

    # ---------------------------------------------------------------- creating and resuming
    @classmethod
    @contextmanager
    def writing(cls, path: str | Path, spec: Spec, design: pd.DataFrame, resume: bool) -> Iterator[Store]:
        """Hold the store's write lock and yield the store: a new one (spec, design, manifest written under
        the lock) or, with ``resume``, a matching existing one. The OS releases the lock even on a kill.

        An existing folder is used only if it is empty (or what a creation killed before its manifest left)
        or a store; nothing in any other folder is deleted or overwritten."""
        path = Path(path)
        _check_folder(path)
        path.mkdir(parents=True, exist_ok=True)
        with open(path / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"{path}: another process is writing this store") from None
            if (path / "manifest.json").is_file():
                store = cls(path)
                store._check_resumable(spec, design, resume)
            else:
                _check_folder(path)
                store = cls._write_new(path, spec, design)
            store._drop_orphans()
            yield store

    @classmethod
    def _write_new(cls, path: Path, spec: Spec, design: pd.DataFrame) -> Store:
        for sub in (*_SUBFOLDERS, _TMP):
            (path / sub).mkdir(exist_ok=True)
        tmp = path / _TMP
        _write_json(path / "spec.json", spec.to_dict(), tmp)
        _write_parquet(path / "design.parquet", design, tmp)
        _write_json(path / "manifest.json", {
            "name": spec.name,
            "spec_hash": spec.hash(),
            "root_seed": spec.seed,
            "runs_in_design": len(design),
            "design_sha256": _sha256(path / "design.parquet"),
            "created": _now(),
            "python": platform.python_version(),
            "packages": versions(),
            "kernels": select_kernels().name,  # compiled or NumPy: the same numbers (papsim/kernels/__init__.py)
            "sessions": [],
        }, tmp)
        return cls(path)

    def _check_resumable(self, spec: Spec, design: pd.DataFrame, resume: bool) -> None:
        if not resume:
            raise InputError(f"{self.path}: already holds an experiment; use --resume to continue it "
                             "or --out to choose another folder")
        held = self.manifest()["spec_hash"]
        if held not in (spec.hash(), spec.hash(legacy=True)):
            raise InputError(f"{self.path}: was made from a different spec (hash {held[:12]}, this spec "
                             f"{spec.hash()[:12]}); refusing to resume")
        if not self.design().equals(design):
            raise InputError(f"{self.path}: the stored design differs from this spec's design "
                             "(another SALib version?); refusing to resume")

    # ---------------------------------------------------------------- reading
    def spec(self) -> Spec:
        """The store's spec, its factors in the design's order (SALib's column order).

        ``spec.json`` is written with sorted keys, so its factors table is alphabetical; the order is kept
        in ``factor_order``. Stores written before that have it as the design table's column order."""
        data = json.loads((self.path / "spec.json").read_text())
        if "factor_order" not in data and isinstance(data.get("factors"), dict):
            columns = pq.read_schema(self.path / "design.parquet").names
            data["factor_order"] = [c for c in columns if c in data["factors"]]
        return Spec.from_dict(data, source=str(self.path / "spec.json"), check_files=False)

    def manifest(self) -> dict:
        return json.loads((self.path / "manifest.json").read_text())

    def design(self) -> pd.DataFrame:
        return pd.read_parquet(self.path / "design.parquet")

    def runs(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every finished run once (the latest record of a run id wins), sorted by run id."""
        if columns is not None and "run_id" not in columns:
            return self.runs(["run_id", *columns])[columns]
        parts = [pq.read_table(p, columns=columns).to_pandas() for p in self._parts("runs")]
        if not parts:
            cols = columns or list(self.design().columns) + ["status", "error", "traceback", "duration_s"]
            return pd.DataFrame(columns=cols)
        table = pd.concat(parts, ignore_index=True)
        return table.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)

    def series(self, variables: list[str] | None = None) -> pd.DataFrame:
        """The daily series (long format) of the runs the store holds, sorted by run id and day.

        Only successful runs have series and a successful run is never re-run, so no run appears twice."""
        filters = [("variable", "in", variables)] if variables else None
        parts = [pq.read_table(p, filters=filters).to_pandas() for p in self._parts("series")
                 if (self.path / "runs" / p.name).exists()]
        if not parts:
            return pd.DataFrame({"run_id": [], "day": [], "variable": [], "value": []})
        table = pd.concat(parts, ignore_index=True)
        return table.sort_values(["run_id", "day", "variable"]).reset_index(drop=True)

    def done(self, ok_only: bool = False) -> set[int]:
        """Run ids the store already holds (only successful ones with ``ok_only``)."""
        runs = self.runs(columns=["run_id", "status"])
        if ok_only:
            runs = runs[runs["status"] == "ok"]
        return set(runs["run_id"].astype(int))

    # ---------------------------------------------------------------- writing
    def write_chunk(self, runs: pd.DataFrame, series: list[pd.DataFrame]) -> None:
        """Append finished runs (and their series) as one new chunk."""
        number = self._next_part()
        name = f"part-{number:06d}.parquet"
        if series:
            _write_parquet(self.path / "series" / name, pd.concat(series, ignore_index=True), self.path / _TMP)
        _write_parquet(self.path / "runs" / name, runs, self.path / _TMP)

    def log_session(self, **entry) -> None:
        """Add or complete the current session's entry in the manifest."""
        manifest = self.manifest()
        sessions = manifest["sessions"]
        if sessions and "ended" not in sessions[-1] and "started" not in entry:
            sessions[-1].update(entry)
        else:
            sessions.append(entry)
        _write_json(self.path / "manifest.json", manifest, self.path / _TMP)

    def _parts(self, sub: str) -> list[Path]:
        return sorted(p for p in (self.path / sub).iterdir() if _PART.match(p.name))

    def _next_part(self) -> int:
        numbers = [int(_PART.match(p.name).group(1)) for sub in ("runs", "series") for p in self._parts(sub)]
        return max(numbers, default=0) + 1

    def _drop_orphans(self) -> None:
        """Remove temporary files (in ``.tmp/``, or beside their targets in stores written before it) and
        series chunks whose runs chunk never landed (a kill in between)."""
        tmp = self.path / _TMP
        tmp.mkdir(exist_ok=True)
        for p in tmp.iterdir():
            p.unlink()
        for p in self.path.glob("*.tmp"):
            if p.is_file():
                p.unlink()
        for sub in ("runs", "series"):
            for p in (self.path / sub).iterdir():
                if p.name.endswith(".tmp") or (sub == "series" and not (self.path / "runs" / p.name).exists()):
                    p.unlink()


def _check_folder(path: Path) -> None:
    """Refuse a path that is a file, or a folder that is neither a store nor empty (up to what a creation
    killed before its manifest leaves: the store's own names, subfolders empty)."""
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: is a file, not a folder; choose another --out")
    if not path.is_dir() or all((path / name).is_file() for name in ("manifest.json", "spec.json")):
        return
    for entry in path.iterdir():
        leftover = entry.name in _LEFTOVERS or (
            entry.name in _SUBFOLDERS and entry.is_dir() and not any(entry.iterdir()))
        if not leftover:
            raise InputError(f"{path}: not an experiment store of this spec (it holds other files); "
                             "choose another --out")


def _write_parquet(path: Path, table: pd.DataFrame, tmp_dir: Path) -> None:
    with atomic.replacing(path, tmp_dir) as tmp:
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tmp, compression="zstd")


def _write_json(path: Path, data: dict, tmp_dir: Path) -> None:
    atomic.write_text(path, json.dumps(data, indent=2, sort_keys=True), tmp_dir)


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
