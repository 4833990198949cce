"""The experiment store: one folder of Parquet files, written in atomic chunks, readable at any moment.

Layout::

    DIR/manifest.json        spec hash, root seed, package versions, sessions with start and end times
    DIR/spec.json            the normalised spec (what ``analyze`` and ``--resume`` read back)
    DIR/design.parquet       every run: run_id, point, replicate, seed, factor values (written first)
    DIR/runs/part-N.parquet  one row per finished run: design columns, status, error, traceback, outputs
    DIR/series/part-N.parquet  daily series of the same runs, long format: run_id, day, variable, value
    DIR/chunks/part-N.json   the run ids of chunk N, so a damaged chunk can say which runs it held
    DIR/damaged/             chunks found damaged, moved out of the readers' way (their runs are run again)
    DIR/tables/, DIR/figures/  CSV tables and PNG figures of the analyses
    DIR/.lock, DIR/.tmp/     the write lock, and files being written (hidden: dataset readers skip them)

Every file is written in ``.tmp/`` then renamed into place. A chunk's index lands first, then its series
file, then its runs file, so a run counts as done only once all are complete; a kill at any instant loses
at most the chunk in flight, and ``pandas.read_parquet(DIR / "runs")`` reads only committed chunks. Chunks
carry page checksums: a chunk damaged later (a truncated copy, a bad disk) is moved to ``damaged/`` when
read, and ``--resume`` runs its runs again.
"""

from __future__ import annotations

import hashlib
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
from filelock import FileLock, Timeout

from papsim import atomic
from papsim.errors import InputError
from papsim.experiments.spec import Spec
from papsim.kernels import select as select_kernels
from papsim.provenance import versions

_PART = re.compile(r"part-(\d{6})\.parquet$")
_NUMBERED = re.compile(r"part-(\d{6})\.(?:parquet|json)$")
_TMP = ".tmp"  # partial files: a hidden folder, which dataset readers (pyarrow, pandas) skip
_SUBFOLDERS = ("runs", "series", "chunks", "tables", "figures")
_LEFTOVERS = {".lock", _TMP, "spec.json", "design.parquet"}  # of a creation killed before its manifest
_DAMAGED = "damaged"
_UNREADABLE = (pa.ArrowException, OSError)  # a truncated file (no footer), a failed page checksum

class Store:
    """An experiment's folder. Open an existing one with ``Store(path)``; create or resume one, holding its
    write lock, with ``Store.writing``."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not (self.path / "manifest.json").is_file():
            raise InputError(f"{self.path}: not an experiment store (no manifest.json)")
        self._check_design()
        self.quarantined: list[str] = []  # one line per damaged chunk this object set aside
        self._skipped: set[str] = set()  # damaged chunks it could not move (a read-only store): not read

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
        the lock) or, with ``resume``, a matching existing one. The OS releases the lock even on a kill
        (``filelock``: ``flock`` on Linux and macOS, ``LockFileEx`` on Windows).

        An existing folder is used only if it is empty (or what a creation killed before its manifest left)
        or a store; nothing in any other folder is deleted or overwritten. A place where no folder can be
        made or locked (read-only, inside a file, a symlink loop) is an InputError."""
        path = Path(path)
        _check_folder(path)
        lock = FileLock(path / ".lock")
        try:
            path.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=0)
        except Timeout:
            raise InputError(f"{path}: another process is writing this store") from None
        except OSError as exc:
            raise InputError(f"{path}: cannot write a store there ({exc.strerror or exc}); "
                             "choose another --out") from None
        try:
            if (path / "manifest.json").is_file():
                store = cls(path)
                store._check_resumable(spec, design, resume)
            else:
                _check_folder(path)
                store = cls._write_new(path, spec, design)
            store._drop_orphans()
            store._check_chunks()
            yield store
        finally:
            lock.release()

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
        parts = [t for p in self._parts("runs") if (t := self._read("runs", p, columns=columns)) is not None]
        if not parts:
            cols = columns or list(self.design().columns) + ["status", "error", "traceback", "duration_s"]
            return pd.DataFrame(columns=cols)
        table = pd.concat(parts, ignore_index=True)
        return table.drop_duplicates("run_id", keep="last").sort_values("run_id").reset_index(drop=True)

    def series(self, variables: list[str] | None = None) -> pd.DataFrame:
        """The daily series (long format) of the runs the store holds, sorted by run id and day.

        Only successful runs have series and a successful run is never re-run, so no run appears twice."""
        filters = [("variable", "in", variables)] if variables else None
        parts = [t for p in self._parts("series") if (self.path / "runs" / p.name).exists()
                 and (t := self._read("series", p, filters=filters)) is not None]
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

    def damage(self) -> list[str]:
        """One line per damaged chunk (in ``damaged/``) whose runs the store does not hold again: the runs
        ``--resume`` will run. Chunks written before chunk indexes existed cannot say which runs they held."""
        folder = self.path / _DAMAGED / "chunks"
        if not folder.is_dir():
            return []
        held, lines = self.done(), []
        for index in sorted(folder.glob("part-*.json")):
            info = json.loads(index.read_text())
            ids = _expand(info.get("runs"))
            missing = [i for i in ids if i not in held] if ids is not None else None
            if missing == [] or (missing is None and len(held) >= self.manifest()["runs_in_design"]):
                continue
            lines.append(_damage_line(self.path, index.stem, info.get("damage", ""), missing))
        return lines

    # ---------------------------------------------------------------- writing
    def write_chunk(self, runs: pd.DataFrame, series: list[pd.DataFrame]) -> None:
        """Append finished runs (and their series) as one new chunk, its index first."""
        number = self._next_part()
        name, tmp = f"part-{number:06d}.parquet", self.path / _TMP
        index = {"runs": _ranges(runs["run_id"].tolist()), "rows": len(runs)}
        _write_json(self.path / "chunks" / f"part-{number:06d}.json", index, tmp)
        if series:
            _write_parquet(self.path / "series" / name, pd.concat(series, ignore_index=True), tmp)
        _write_parquet(self.path / "runs" / name, runs, tmp)

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
        return sorted(p for p in (self.path / sub).iterdir() if _PART.match(p.name) and p.name not in self._skipped)

    def _next_part(self) -> int:
        """One more than any chunk number in use, damaged chunks included (their names stay unique)."""
        folders = [self.path / sub for sub in ("runs", "series", "chunks")]
        folders += [self.path / _DAMAGED / sub for sub in ("runs", "series", "chunks")]
        numbers = [int(m.group(1)) for folder in folders if folder.is_dir()
                   for p in folder.iterdir() if (m := _NUMBERED.match(p.name))]
        return max(numbers, default=0) + 1

    def _read(self, sub: str, part: Path, **options) -> pd.DataFrame | None:
        """A chunk's table, its page checksums verified; None if it is damaged (then set aside) or gone."""
        try:
            return pq.read_table(part, page_checksum_verification=True, **options).to_pandas()
        except _UNREADABLE as exc:
            if part.exists():  # else another reader has just set it aside
                self._quarantine(part.name, f"{sub}/{part.name}: {_why(exc)}")
            return None

    def _check_chunks(self) -> None:
        """Before a session writes: set aside every chunk whose footer cannot be read (a truncated file)."""
        for sub in ("runs", "series"):
            for part in self._parts(sub):
                try:
                    pq.read_metadata(part)
                except _UNREADABLE as exc:
                    self._quarantine(part.name, f"{sub}/{part.name}: {_why(exc)}")

    def _quarantine(self, name: str, reason: str) -> None:
        """Move a damaged chunk (runs, series and index) to ``damaged/`` with the reason, so every reader,
        ``pandas.read_parquet(DIR / "runs")`` included, reads the rest and ``--resume`` runs its runs again.
        In a store that cannot be written the chunk is only skipped."""
        stem = name.removesuffix(".parquet")
        index, target = self.path / "chunks" / f"{stem}.json", self.path / _DAMAGED
        try:
            info = json.loads(index.read_text()) if index.is_file() else {}
        except (OSError, ValueError):
            info = {}
        info["damage"] = reason
        try:
            for sub in ("runs", "series", "chunks"):
                (target / sub).mkdir(parents=True, exist_ok=True)
            for sub in ("runs", "series"):
                if (self.path / sub / name).exists():
                    os.replace(self.path / sub / name, target / sub / name)
            atomic.write_text(target / "chunks" / f"{stem}.json", json.dumps(info, indent=2, sort_keys=True))
            index.unlink(missing_ok=True)
        except OSError:
            self._skipped.add(name)
        self.quarantined.append(_damage_line(self.path, stem, reason, _expand(info.get("runs"))))

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
        (self.path / "chunks").mkdir(exist_ok=True)  # stores written before chunk indexes
        for sub in ("runs", "series", "chunks"):
            for p in (self.path / sub).iterdir():
                committed = (self.path / "runs" / p.name.replace(".json", ".parquet")).exists()
                if p.name.endswith(".tmp") or (sub != "runs" and not committed):
                    p.unlink()


def _check_folder(path: Path) -> None:
    """Refuse a path that is a file, or a folder that is neither a store nor empty (up to what a creation
    killed before its manifest leaves: the store's own names, subfolders empty)."""
    if path.is_symlink() and not path.exists():
        raise InputError(f"{path}: a symbolic link to nothing (or a loop of links); choose another --out")
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
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), tmp, compression="zstd",
                       write_page_checksum=True)


def _ranges(ids: list[int]) -> list[list[int]]:
    """Run ids as sorted [first, last] ranges (a chunk's ids are mostly consecutive)."""
    out: list[list[int]] = []
    for i in sorted(ids):
        if out and i == out[-1][1] + 1:
            out[-1][1] = i
        else:
            out.append([i, i])
    return out


def _expand(ranges: list[list[int]] | None) -> list[int] | None:
    return None if ranges is None else [i for first, last in ranges for i in range(first, last + 1)]


def _why(exc: BaseException) -> str:
    """What is wrong with a chunk, without the path pyarrow repeats."""
    return re.sub(r"^Could not open Parquet input source '[^']*': ", "", str(exc))


def _damage_line(path: Path, stem: str, reason: str, ids: list[int] | None) -> str:
    """One line: which chunk was damaged, why, and which runs ``--resume`` runs again."""
    why = reason if len(reason) <= 100 else reason[:100] + "…"
    if ids is None:
        held = "the runs it held are not known (it predates chunk indexes): --resume runs every missing run"
    else:
        shown = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in _ranges(ids)[:5])
        more = ", …" if len(_ranges(ids)) > 5 else ""
        held = f"its {len(ids)} runs ({shown}{more}) are missing until --resume runs them again"
    return f"{path}: chunk {stem} is damaged ({why}); it is set aside in {_DAMAGED}/ and {held}"


def _write_json(path: Path, data: dict, tmp_dir: Path) -> None:
    atomic.write_text(path, json.dumps(data, indent=2, sort_keys=True), tmp_dir)


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
