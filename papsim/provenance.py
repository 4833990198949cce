"""What produced an output: the package, its code, the environment, the kernels, the scenarios and the
calibration they inherit.

:func:`provenance` builds the one block that every output folder records as ``provenance.json`` (a run, a
comparison, a sweep, a sensitivity analysis, a calibration) and that reports show; :func:`versions` gives
the package versions that experiment store manifests also record.

A calibration belongs to the code and map data it was made with: ``pap-sim calibrate`` writes the
:func:`model_fingerprint` into the calibrated scenario, and a scenario that inherits a calibration whose
fingerprint is not the current one is stale (:class:`StaleCalibration`, warned once per calibration file).
The fingerprint covers what changes behaviour: the syntax trees of the model's modules without their
docstrings (comments are not in them), and the map's data (TOML parsed, so its comments do not count).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import json
import os
import platform
import re
import subprocess
import time
import tomllib
import warnings
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from papsim import __version__, atomic
from papsim.kernels import ENV, TWINS, select, twins
from papsim.scenario import SCENARIO_DIR, Scenario

FILE = "provenance.json"
PACKAGES = ("pap-sim", "mesa", "numpy", "pandas", "scipy", "matplotlib", "pyarrow", "SALib", "pydantic",
            "networkx", "shapely", "pyproj", "filelock", "Jinja2", "solara", "dask", "distributed",
            "ema_workbench")
PACKAGE_DIR = Path(__file__).resolve().parent
# The model's modules whose code decides what a run does (the compiled twins give the NumPy code's numbers).
FINGERPRINTED = ("model.py", "agents.py", "citymap.py", "roads.py", "registry.py", "mechanisms/*.py")
NOT_MAP_DATA = {".py", ".md"}  # in scenarios/map/: the scripts that build the data and notes on it
FINGERPRINT = re.compile(r"^# Model fingerprint \(.*\): ([0-9a-f]{16,64})\s*$", re.M)


class StaleCalibration(UserWarning):
    """A scenario inherits a calibration made with other model code or map data than the current ones."""


def versions() -> dict[str, str]:
    """Versions of Python and of each installed package of :data:`PACKAGES`, in this environment."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def git_state() -> dict[str, object] | None:
    """The commit of the git checkout papsim runs from, and whether tracked files differ from it; None when
    it runs from an installed copy, or git is absent or fails."""
    root = PACKAGE_DIR.parent
    if not (root / ".git").exists() or not (root / "pyproject.toml").is_file():
        return None  # an installed package, even inside someone else's repository

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20,
                              check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        modified = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": commit, "modified": modified}


def _code(path: Path) -> str:
    """A module's syntax tree without its docstrings: what it does, not how it is described."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


def _map_data(path: Path) -> bytes:
    """A map file's content: TOML as parsed (its comments are notes), anything else as it is."""
    if path.suffix == ".toml":
        return json.dumps(tomllib.loads(path.read_text()), sort_keys=True, default=str).encode()
    return path.read_bytes()


def map_files(folder: Path) -> list[Path]:
    """The data files of a map folder (not its scripts, notes or caches), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in NOT_MAP_DATA
                  and "__pycache__" not in p.parts and not p.name.startswith("."))


def fingerprinted_files() -> dict[str, Path]:
    """The files the fingerprint covers, by a name that does not depend on where the package is installed:
    the model's modules (:data:`FINGERPRINTED`) and the data of the library's map."""
    code = {str(p.relative_to(PACKAGE_DIR)): p for pattern in FINGERPRINTED for p in PACKAGE_DIR.glob(pattern)}
    maps = SCENARIO_DIR / "map"
    data = {f"map/{p.relative_to(maps)}": p for p in map_files(maps)}
    return dict(sorted(code.items())) | data


def model_fingerprint() -> str:
    """A digest of what the calibration depends on (:func:`fingerprinted_files`): when it changes, the
    calibration is stale and ``pap-sim calibrate`` should be run again."""
    return _fingerprint(tuple((name, path, path.stat().st_mtime_ns, path.stat().st_size)
                              for name, path in fingerprinted_files().items()))


@functools.lru_cache(maxsize=8)
def _fingerprint(files: tuple[tuple[str, Path, int, int], ...]) -> str:
    """The fingerprint of these files, computed again only when one of them changes (a parse takes ~0.2 s)."""
    digest = hashlib.sha256()
    for name, path, _, _ in files:
        content = _code(path).encode() if path.suffix == ".py" else _map_data(path)
        digest.update(name.encode() + b"\0" + hashlib.sha256(content).digest())
    return digest.hexdigest()[:16]


def inherited_calibration(path: Path | None) -> Path | None:
    """The calibration a scenario file inherits: the first file along its ``extends`` chain, itself included,
    that records a model fingerprint (None if there is none)."""
    seen: set[Path] = set()
    while path is not None and path.is_file() and path not in seen:
        seen.add(path)
        text = path.read_text()
        if FINGERPRINT.search(text):
            return path
        try:
            parent = tomllib.loads(text).get("scenario", {}).get("extends")
        except tomllib.TOMLDecodeError:
            return None
        path = (path.parent / parent).resolve() if isinstance(parent, str) else None
    return None


def calibration_state(scenario: Scenario) -> dict[str, object] | None:
    """The calibration a scenario inherits: its file, the fingerprint it records, the current one and its
    status (``current`` or ``stale``); None if it inherits none."""
    path = inherited_calibration(scenario.path)
    if path is None:
        return None
    recorded, current = FINGERPRINT.search(path.read_text()).group(1), model_fingerprint()
    return {"file": str(path), "fingerprint": recorded, "current_fingerprint": current,
            "status": "current" if recorded == current else "stale"}


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of a scenario as resolved (after ``extends`` and any change made for the run): every field but
    its file's location and description, with the content of the map's data in place of the map's path."""
    data = {k: v for k, v in dataclasses.asdict(scenario).items() if k not in ("path", "description", "map_path")}
    folder = Path(scenario.map_path).parent  # the map file and the data beside it that it may name
    data["map"] = {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in map_files(folder)}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def kernel_state() -> dict[str, object]:
    """The kernel set the model selects here (``PAP_SIM_KERNELS``, :func:`papsim.kernels.select`) and, per
    mechanism module, whether it runs its compiled twin or its NumPy functions (and why)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the model's own selection says it
        chosen = select()
    states = twins()
    modules = {m: "compiled" if getattr(chosen, m).compiled else
               "numpy" if states[m].usable else f"numpy ({states[m].reason})" for m in TWINS}
    return {"set": chosen.name, "choice": os.environ.get(ENV, "auto"), "modules": modules}


def provenance(scenarios: Iterable[Scenario] = ()) -> dict[str, Any]:
    """The provenance block of an output folder: package version, git commit (from a checkout), Python,
    platform, key dependency versions and, for outputs of pap-sim scenarios, the kernels per module and
    each scenario's digest and inherited calibration. Warns :class:`StaleCalibration` for a stale one."""
    packages = versions()
    block: dict[str, Any] = {
        "package": "pap-sim", "version": __version__, "git": git_state(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "dependencies": {k: v for k, v in packages.items() if k not in ("python", "pap-sim")},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    scenarios = list(scenarios)
    if not scenarios:
        return block
    block["kernels"] = kernel_state()
    block["scenarios"] = {}
    for sc in scenarios:
        calibration = calibration_state(sc)
        block["scenarios"][sc.name] = {"file": str(sc.path) if sc.path else None, "sha256": scenario_digest(sc),
                                       "calibration": calibration}
        if calibration is not None and calibration["status"] == "stale":
            warnings.warn(f"the calibration {calibration['file']} is stale: it was made on model fingerprint "
                          f"{calibration['fingerprint']}, the code and map now give "
                          f"{calibration['current_fingerprint']}; its values may not reproduce the record "
                          "(pap-sim calibrate makes a new one)", StaleCalibration)
    return block


def write(folder: str | Path, block: dict[str, Any]) -> Path:
    """Write ``block`` as ``provenance.json`` in ``folder`` (atomically); returns the file."""
    path = Path(folder) / FILE
    atomic.write_text(path, json.dumps(block, indent=2, default=str) + "\n")
    return path
