"""The report of a calibration: a ``pap-sim calibrate`` folder (one store, or a store per generation under
``gen-*`` with the posterior tables at the top), or loose calibration files. Uses whatever of these it finds."""

from __future__ import annotations

import re
from pathlib import Path

from papsim.present.report import common
from papsim.present.report.detect import read_csv, read_json, store_kind
from papsim.present.report.page import TABLE_ROWS, Image, images_in, table
from papsim.present.report.store import StoreContext

TABLE_ORDER = ("posterior_summary", "patterns", "calibration_patterns", "calibration_generations",
               "posterior_sample")
LONG_TABLES = TABLE_ORDER[:4]  # shown in full (up to 200 rows)
PARAMETER_KEYS = ("parameters", "best_parameters", "params", "posterior_mean")
SHOWN_KEYS = 60  # keys shown of each JSON file


def _overview(folder: Path, contexts: list[StoreContext]) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [("kind", "calibration"), ("folder", str(folder.resolve()))]
    if contexts:
        spec = contexts[0].spec_raw
        rows += [("description", spec.get("description", "")), ("model", spec.get("model") or spec.get("scenario")),
                 ("replicates", spec.get("replicates", 1))]
        if len(contexts) > 1 or contexts[0].folder != folder:
            rows.append(("generations (stores)", len(contexts)))
        rows += [("runs", sum(len(c.runs) for c in contexts)), ("failed", sum(c.failed for c in contexts))]
    return rows


def _scenario_file(contexts: list[StoreContext], data: dict[Path, dict]) -> Path | None:
    """The scenario the calibration started from: named in its JSON files, or in its store's description."""
    from papsim.scenario import SCENARIO_DIR

    desc = contexts[0].spec_raw.get("description", "") if contexts else ""
    named = [d["scenario"] for d in data.values() if isinstance(d.get("scenario"), str)]
    candidates = [Path(n) if Path(n).is_absolute() else SCENARIO_DIR.parent / n for n in named]
    m = re.search(r"calibration of (\S+?)(?:\.toml)?[ ,]", desc)
    candidates += [SCENARIO_DIR / f"{m.group(1)}.toml"] if m else []
    return next((c for c in candidates if c.is_file()), None)


def _tables(folder: Path) -> list[tuple[str, Path]]:
    csvs = [p for d in (folder, folder / "tables") if d.is_dir() for p in sorted(d.glob("*.csv"))]
    csvs.sort(key=lambda p: (TABLE_ORDER.index(p.stem) if p.stem in TABLE_ORDER else len(TABLE_ORDER), p.stem))
    return [("Posterior summary" if p.stem == "posterior_summary" else p.stem.replace("_", " "), p) for p in csvs]


def _images(folder: Path) -> list[Image]:
    caption = "{} (written by the calibration)"
    return images_in(folder, caption=caption) + images_in(folder / "figures", caption=caption)


def context(folder: Path) -> dict[str, object]:
    """What ``calibration.html.j2`` shows of a calibration folder."""
    from papsim.registry import PARAMETERS

    contexts = [StoreContext(p) for p in ([folder] if store_kind(folder) else []) +
                [p for p in sorted(folder.iterdir()) if p.is_dir() and store_kind(p)]]
    first = contexts[0] if contexts else None
    data = {p: read_json(p) for p in sorted(folder.glob("*.json")) if p.name not in ("manifest.json", "spec.json")}
    tables = _tables(folder)
    summary = next((p for _, p in tables if p.stem == "posterior_summary"), None)
    params = {k: v for d in data.values() for key in PARAMETER_KEYS if isinstance(d.get(key), dict)
              for k, v in d[key].items()}
    scenario = _scenario_file(contexts, data)
    base = common.scenario_params(str(scenario)) if scenario is not None else None
    recorded = dict(first.manifest.get("packages", {})) if first is not None else {}
    if first is not None:
        recorded["python"] = first.manifest.get("python", "?")
    for d in data.values():
        recorded.update(d["packages"] if isinstance(d.get("packages"), dict) else {})
    seeds = [(f"{c.folder.name}: root seed", c.manifest.get("root_seed")) for c in contexts]
    seeds += [(f"{p.name}: {k}", v) for p, d in data.items() for k, v in common.flatten(d) if "seed" in k.lower()]
    priors = first is not None and any(k in PARAMETERS for k in first.spec_raw.get("factors", {}))
    return {
        **common.base_context(folder, "calibration", recorded or None),
        "title": f"Calibration report: {folder.name}", "overview": _overview(folder, contexts),
        "json_files": [(p.name, [(k, v) for k, v in common.flatten(d) if not isinstance(v, (list, dict))][:SHOWN_KEYS])
                       for p, d in data.items()],
        "priors": table(common.factor_table(first.spec_raw, "parameter"), 200) if priors else None,
        "images": _images(folder),
        "tables": [(title, table(read_csv(p), 200 if p.stem in LONG_TABLES else TABLE_ROWS)) for title, p in tables],
        "scenario": common.scenario_view(scenario.stem, str(scenario), common.scenario_description(str(scenario)))
        if scenario is not None else None,
        "scenario_note": (first.spec_raw.get("description", "") if first is not None else "")
        or "The folder does not name the scenario it calibrated.",
        "posterior": table(read_csv(summary), 200) if summary is not None else None,
        "parameters": common.parameters(params) if params else None,
        "base_parameters": common.parameters(base) if base is not None else None,
        "seeds": seeds, "from_root": bool(contexts),
    }
