"""Write the report of a results folder: tell its kind, gather what the kind shows, render its template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from papsim.present.report import calibration, comparison, run, store
from papsim.present.report.detect import detect, store_kind
from papsim.present.report.page import render


def context(folder: Path) -> tuple[str, dict[str, object]]:
    """The template of the folder's kind and what it shows."""
    kind = detect(folder)
    if kind == "run":
        return "run.html.j2", run.context(folder)
    if kind == "comparison":
        if store_kind(folder):
            return "compare_store.html.j2", comparison.store_context(folder)
        return "comparison.html.j2", comparison.context(folder)
    if kind == "calibration":
        return "calibration.html.j2", calibration.context(folder)
    return "store.html.j2", store.context(folder, kind)


def build(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the results folder ``folder`` (default ``folder/report.html``); returns its path."""
    folder = Path(folder)
    template, ctx = context(folder)
    out = Path(out) if out else folder / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(template, written=f"{dt.datetime.now():%Y-%m-%d %H:%M}", **ctx), encoding="utf-8")
    return out
