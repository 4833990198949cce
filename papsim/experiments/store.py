"""The experiment store: one folder of Parquet files, written in atomic chunks, readable at any moment.

Layout::

    DIR/manifest.json        spec hash, root seed, package versions, sessions with start and end times
    DIR/spec.json            the normalised spec (what ``analyze`` and ``--resume`` read back)
    DIR/design.parquet       every run: run_id, point, replicate, seed, factor values (written first)
    DIR/runs/part-N.parquet  one row per finished run: design columns, status, error, traceback, outputs
    DIR/series/part-N.parquet  daily series of the same runs, long format: run_id, day, variable, value
    DIR/tables/, DIR/figures/  CSV tables and PNG figures of the analyses

A chunk's series file is written before its runs file, each to a temporary name then renamed, so a run
counts as done only once both are complete; a kill at any instant loses at most the chunk in flight.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from papsim.errors import InputError
from papsim.experiments.spec import Spec
from papsim.kernels import select as select_kernels
from papsim.provenance import versions

_PART = re.compile(r"part-(\d{6})\.parquet$")
class Store:
    """An experiment's folder. Open an existing one with ``Store(path)``; create one with ``Store.create``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not (self.path / "manifest.json").is_file():
            raise InputError(f"{self.path}: not an experiment store (no manifest.json)")

    # ---------------------------------------------------------------- creating and resuming
    @classmethod
    def create(cls, path: str | Path, spec: Spec, design: pd.DataFrame, resume: bool) -> Store:
        """Write a new store (spec, design, manifest) or, with ``resume``, reopen a matching one."""
        path = Path(path)
        if (path / "manifest.json").is_file():
            store = cls(path)
            if not resume:
                raise InputError(f"{path}: already holds an experiment; use --resume to continue it "
                                 "or --out to choose another folder")
            held = store.manifest()["spec_hash"]
            if held not in (spec.hash(), spec.hash(legacy=True)):
                raise InputError(f"{path}: was made from a different spec (hash {held[:12]}, this spec "
                                 f"{spec.hash()[:12]}); refusing to resume")
            if not store.design().equals(design):
                raise InputError(f"{path}: the stored design differs from this spec's design "
                                 "(another SALib version?); refusing to resume")
            return store
        for sub in ("runs", "series", "tables", "figures"):
            (path / sub).mkdir(parents=True, exist_ok=True)
        _write_json(path / "spec.json", spec.to_dict())
        _write_parquet(path / "design.parquet", design)
        _write_json(path / "manifest.json", {
            "name": spec.name,
            "spec_hash": spec.hash(),
            "root_seed": spec.seed,
            "runs_in_design": len(design),
            "created": _now(),
            "python": platform.python_version(),
            "packages": versions(),
            "kernels": select_kernels().name,  # compiled or NumPy: the same numbers (papsim/kernels/__init__.py)
            "sessions": [],
        })
        return cls(path)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's write lock (released by the OS even if the process is killed)."""
        with open(self.path / ".lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"{self.path}: another process is writing this store") from None
            self._drop_orphans()
            yield

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
            _write_parquet(self.path / "series" / name, pd.concat(series, ignore_index=True))
        _write_parquet(self.path / "runs" / name, runs)

    def log_session(self, **entry) -> None:
        """Add or complete the current session's entry in the manifest."""
        manifest = self.manifest()
        sessions = manifest["sessions"]
        if sessions and "ended" not in sessions[-1] and "started" not in entry:
            sessions[-1].update(entry)
        else:
            sessions.append(entry)
        _write_json(self.path / "manifest.json", manifest)

    def _parts(self, sub: str) -> list[Path]:
        return sorted(p for p in (self.path / sub).iterdir() if _PART.match(p.name))

    def _next_part(self) -> int:
        numbers = [int(_PART.match(p.name).group(1)) for sub in ("runs", "series") for p in self._parts(sub)]
        return max(numbers, default=0) + 1

    def _drop_orphans(self) -> None:
        """Remove temporary files and series chunks whose runs chunk never landed (a kill in between)."""
        for sub in ("runs", "series"):
            for p in (self.path / sub).iterdir():
                if p.name.endswith(".tmp") or (sub == "series" and not (self.path / "runs" / p.name).exists()):
                    p.unlink()


def _write_parquet(path: Path, table: pd.DataFrame) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tmp, compression="zstd")
    _sync_replace(tmp, path)


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    _sync_replace(tmp, path)


def _sync_replace(tmp: Path, path: Path) -> None:
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
