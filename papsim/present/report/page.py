"""The pieces a report page is made of (tables, embedded images) and the Jinja2 templates that lay them out.

Every number is formatted by :mod:`papsim.present.format` (by the kind of its column's outcome), and
every image is embedded as base64, so the page opens offline and reads the same everywhere.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd
from matplotlib.figure import Figure

from papsim.present import format as fmt
from papsim.present.style import to_png

TABLE_ROWS = 40  # rows shown of a long table (the rest is summarised)
IMAGE_TYPES = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class Table:
    """A table ready to show: formatted cells, which columns are numeric, and how many rows were cut."""

    columns: list[str]
    numeric: set[str]
    rows: list[list[str]]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)


@dataclass(frozen=True)
class Image:
    """An embedded image: a data URI, its caption and alternative text."""

    src: str
    caption: str
    alt: str


def table(df: pd.DataFrame | None, max_rows: int = TABLE_ROWS) -> Table:
    """``df`` as a :class:`Table` of at most ``max_rows`` rows, each cell formatted for its column."""
    if df is None:
        df = pd.DataFrame()
    shown = df.head(max_rows)
    columns = [str(c) for c in shown.columns]
    numeric = {str(c) for c in shown.columns
               if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])}
    rows = [[fmt.cell(v, c) for c, v in zip(columns, rec)] for rec in shown.itertuples(index=False)]
    return Table(columns, numeric, rows, len(df))


def image(data: bytes, mime: str, caption: str, alt: str | None = None) -> Image:
    """Image bytes embedded as a data URI."""
    return Image(f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}", caption, alt or caption)


def image_file(path: Path, caption: str | None = None) -> Image | None:
    """An image file of the folder, embedded (None if its type is not an image a browser shows)."""
    mime = IMAGE_TYPES.get(path.suffix.lower())
    if mime is None:
        return None
    return image(path.read_bytes(), mime, caption or path.name, path.stem.replace("_", " "))


def images_in(folder: Path, skip: set[str] = frozenset(), caption: str = "") -> list[Image]:
    """Every image file directly in ``folder`` except those named in ``skip``; ``caption`` (with ``{}`` for
    the file's name) captions them, else the file name does."""
    paths = [p for p in sorted(folder.iterdir()) if p.is_file() and p.suffix.lower() in IMAGE_TYPES
             and p.name not in skip] if folder.is_dir() else []
    return [image_file(p, caption.format(p.stem.replace("_", " ")) if caption else None) for p in paths]


def figure(fig: Figure, caption: str) -> Image:
    """A matplotlib figure embedded as PNG."""
    return image(to_png(fig), "image/png", caption)


ENVIRONMENT = jinja2.Environment(loader=jinja2.PackageLoader("papsim.present.report", "templates"),
                                 autoescape=True, trim_blocks=True, lstrip_blocks=True,
                                 undefined=jinja2.StrictUndefined)
ENVIRONMENT.filters["cell"] = fmt.cell
ENVIRONMENT.filters["value"] = fmt.value
ENVIRONMENT.globals["zip"] = zip


def render(template: str, **context: object) -> str:
    """The page of ``template`` (a file of ``papsim/present/report/templates``) filled with ``context``."""
    return ENVIRONMENT.get_template(template).render(**context)
