"""``pap-sim report DIR``: one self-contained HTML file from any results folder.

The kind of folder is told from its files:

- **run** (``pap-sim run``): ``timeseries.csv`` and ``summary.json``;
- **comparison**: a ``pap-sim compare`` store (``tables/compare.csv``), or a folder of run folders;
- **sweep** or **sensitivity** (``pap-sim sweep`` / ``sensitivity``): an experiment store, ``manifest.json``
  and ``spec.json`` (sensitivity when the spec asks for Morris, Sobol', eFAST or PAWN indices);
- **calibration**: a ``pap-sim calibrate`` store (``tables/posterior_summary.csv``), or loose files named
  ``calibration*`` or ``posterior*``.

Figures are embedded as base64 PNG or GIF, so the file opens offline in any browser. Only what the folder
holds is used: nothing is re-run. Sweep figures are the experiments engine's (``papsim.present.experiment_figures``).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import math
import platform
import tempfile
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

import pandas as pd

from papsim.errors import InputError

KINDS = ("run", "comparison", "sweep", "sensitivity", "calibration")
SENSITIVITY_METHODS = ("morris", "sobol", "efast", "pawn")
PACKAGES = ("pap-sim", "mesa", "numpy", "pandas", "scipy", "matplotlib", "pyarrow", "SALib", "pydantic",
            "solara", "dask", "ema_workbench")
TABLE_ROWS = 40  # rows shown of a long table (the rest is summarised)
IMAGE_TYPES = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".svg": "image/svg+xml"}
OUTCOME_ROWS = (  # (summary key, label, format)
    ("gang_population_share_final", "Residents under gang control at the end", "{:.1%}"),
    ("gang_territory_share_final", "Cells under gang control at the end", "{:.1%}"),
    ("deaths_civilian_total", "Civilians killed", "{:,.0f}"),
    ("kidnappings_total", "Kidnappings", "{:,.0f}"),
    ("displaced_total_final", "Displaced (cumulative)", "{:,.0f}"),
    ("mss_personnel_final", "MSS personnel at the end", "{:,.0f}"),
    ("hnp_personnel_final", "HNP on duty in the metro area at the end", "{:,.0f}"),
    ("trust_final", "Trust in the mission at the end", "{:.1%}"),
    ("humanitarian_access_final", "Humanitarian access at the end", "{:.1%}"),
    ("funds_spent_final", "Mission spending (USD)", "{:,.0f}"),
    ("people_freed", "Residents freed from gang control", "{:,.0f}"),
    ("cost_per_person_freed_usd", "Cost per resident freed (USD)", "{:,.0f}"),
    ("days_to_gang_pop_below_50", "Days until under half the residents live under gangs", "{:,.0f}"),
    ("election_ready_day", "Day secure enough for elections", "{:,.0f}"),
    ("key_sites_closed_days_total", "Key-site closure days (all sites)", "{:,.0f}"),
)
CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;
color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #0072B2;padding-bottom:.15em;margin-top:1.8em}
h3{margin-bottom:.3em}.sub{color:#555;margin-top:0}nav{background:#f4f6f8;padding:.6em 1em;border-radius:4px}
nav a{margin-right:1.1em;white-space:nowrap}table{border-collapse:collapse;font-size:.86em;margin:.5em 0 1em}
th,td{border-bottom:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f4f6f8}td.num,th.num{text-align:right}tr.changed td{font-weight:600}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.85em;color:#444}
pre{background:#f7f7f7;padding:.7em;overflow-x:auto;font-size:.8em}details summary{cursor:pointer;color:#0072B2}
.note{font-size:.9em;color:#444}.problem{color:#b00020}.wide{overflow-x:auto}
"""


# --- detection ----------------------------------------------------------------------------------------
def is_run(path: Path) -> bool:
    return (path / "timeseries.csv").is_file() and (path / "summary.json").is_file()


def _calibration_files(path: Path) -> list[Path]:
    """Files named calibration* or posterior* in the folder or its tables/."""
    places = [path] + ([path / "tables"] if (path / "tables").is_dir() else [])
    return sorted(p for d in places for p in d.iterdir() if p.is_file() and
                  any(w in p.name.lower() for w in ("calibration", "posterior")))


def store_kind(path: Path) -> str | None:
    """The kind of an experiment store (``pap-sim sweep``, ``sensitivity``, ``compare``, ``calibrate``), or None."""
    if not ((path / "manifest.json").is_file() and (path / "spec.json").is_file()):
        return None
    manifest, spec = _read_json(path / "manifest.json"), _read_json(path / "spec.json")
    model = str(spec.get("model") or "")
    if model.startswith("papsim.analyses.compare") or (path / "tables" / "compare.csv").is_file():
        return "comparison"
    if (model.startswith("papsim.analyses.calibration") or str(manifest.get("kind", "")).lower() == "calibration"
            or (path / "tables" / "posterior_summary.csv").is_file()):
        return "calibration"
    methods = spec.get("analysis", {}).get("methods", [])
    design = spec.get("design", {}).get("method", "grid")
    if design in ("morris", "sobol", "efast") or any(m in SENSITIVITY_METHODS for m in methods):
        return "sensitivity"
    return "sweep"


def detect(path: str | Path) -> str:
    """The kind of results folder ``path`` is (one of :data:`KINDS`); InputError if none.

    Experiment stores (manifest.json and spec.json) are told apart by the model and tables they hold:
    ``pap-sim compare`` and ``pap-sim calibrate`` write stores too. A folder of ``pap-sim run`` folders is a
    comparison; loose ``calibration*``/``posterior*`` files a calibration."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: no such results folder")
    kind = store_kind(path)
    if kind:
        return kind
    if (path / "tables" / "posterior_summary.csv").is_file():
        return "calibration"
    if is_run(path):
        return "run"
    if _calibration_files(path):
        return "calibration"
    if _run_dirs(path):
        return "comparison"
    raise InputError(f"{path}: not a results folder: expected a run (timeseries.csv and summary.json), "
                     "folders of runs, an experiment store (manifest.json and spec.json) or calibration files")


def _run_dirs(path: Path) -> list[Path]:
    return sorted(p for p in path.iterdir() if p.is_dir() and is_run(p))


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected a JSON object")
    return data


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot be read as CSV ({exc})") from None


# --- HTML pieces --------------------------------------------------------------------------------------
def esc(text: object) -> str:
    return html.escape(str(text))


class Page:
    """An HTML page assembled section by section."""

    def __init__(self, title: str, subtitle: str):
        self.title, self.subtitle = title, subtitle
        self.sections: list[tuple[str, str, list[str]]] = []
        self.images = 0

    def section(self, sid: str, heading: str) -> list[str]:
        body: list[str] = []
        self.sections.append((sid, heading, body))
        return body

    def image(self, data: bytes, mime: str, caption: str, alt: str | None = None) -> str:
        self.images += 1
        b64 = base64.b64encode(data).decode("ascii")
        return (f'<figure><img src="data:{mime};base64,{b64}" alt="{esc(alt or caption)}">'
                f"<figcaption>{esc(caption)}</figcaption></figure>")

    def image_file(self, path: Path, caption: str | None = None) -> str:
        mime = IMAGE_TYPES.get(path.suffix.lower())
        if mime is None:
            return ""
        return self.image(path.read_bytes(), mime, caption or path.name, path.stem.replace("_", " "))

    def figure(self, fig, caption: str) -> str:
        from papsim.present.plots import to_png

        return self.image(to_png(fig), "image/png", caption)

    def render(self) -> str:
        nav = " ".join(f'<a href="#{sid}">{esc(h)}</a>' for sid, h, _ in self.sections)
        parts = [f'<section id="{sid}"><h2>{esc(h)}</h2>\n' + "\n".join(body) + "</section>"
                 for sid, h, body in self.sections]
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{esc(self.title)}</title><style>{CSS}</style></head><body>"
                f"<h1>{esc(self.title)}</h1><p class=\"sub\">{esc(self.subtitle)}</p><nav>{nav}</nav>\n"
                + "\n".join(parts) + "\n</body></html>\n")


def table_html(df: pd.DataFrame, max_rows: int = TABLE_ROWS, float_digits: int = 4) -> str:
    """A DataFrame as an HTML table (numbers right-aligned); long tables are cut with a note."""
    if df is None or df.empty:
        return '<p class="note">(empty)</p>'
    shown = df.head(max_rows)
    cols = list(shown.columns)
    numeric = {c for c in cols if pd.api.types.is_numeric_dtype(shown[c]) and not pd.api.types.is_bool_dtype(shown[c])}
    head = "".join(f'<th class="num">{esc(c)}</th>' if c in numeric else f"<th>{esc(c)}</th>" for c in cols)
    rows = []
    for rec in shown.itertuples(index=False):
        cells = []
        for c, v in zip(cols, rec):
            cls = ' class="num"' if c in numeric else ""
            cells.append(f"<td{cls}>{esc(_fmt(v, float_digits, str(c)))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p class="note">Showing {max_rows} of {len(df):,} rows; the full table is in the folder.</p>'
            if len(df) > max_rows else "")
    return f'<div class="wide"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{more}'


def _fmt(v: object, digits: int = 4, key: str = "") -> str:
    if "seed" in key.lower() and isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer():
        return str(int(v))  # seeds are identifiers, not quantities: no thousands separators
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return f"{v:,.0f}"
        return f"{v:,.{digits}g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.3e}"
    if isinstance(v, int):
        return f"{v:,}" if abs(v) >= 10000 else str(v)
    return str(v)


def kv_table(rows: Iterable[tuple[str, object]]) -> str:
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(_fmt(v, key=str(k)))}</td></tr>" for k, v in rows)
    return f"<table><tbody>{body}</tbody></table>"


def _details(summary: str, inner: str) -> str:
    return f"<details><summary>{esc(summary)}</summary>{inner}</details>"


def versions() -> dict[str, str]:
    """Versions of Python and the packages that shape the results, in this environment."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _versions_section(page: Page, recorded: dict | None = None, note: str = "") -> None:
    body = page.section("versions", "Package versions")
    if recorded:
        body.append("<h3>When the results were made</h3>")
        body.append(kv_table(sorted(recorded.items())))
    body.append("<h3>This report's environment</h3>")
    if not recorded:
        note = note or ("The folder does not record the versions it was made with; these are the versions of the "
                        "environment that wrote this report.")
        body.append(f'<p class="note">{esc(note)}</p>')
    body.append(kv_table(versions().items()) + f'<p class="note">platform: {esc(platform.platform())}</p>')


def _parameter_rows(params: dict) -> pd.DataFrame:
    from papsim.registry import PARAMETERS

    rows = []
    for name, value in params.items():
        p = PARAMETERS.get(name)
        rows.append({"parameter": name, "value": value, "default": p.default if p else None,
                     "unit": p.unit if p else "", "group": p.group if p else "",
                     "source": p.source if p else "(not in this version's registry)",
                     "changed": p is None or value != p.default})
    return pd.DataFrame(rows)


def _parameters_html(params: dict, intro: str = "") -> str:
    table = _parameter_rows(params)
    changed = table[table["changed"]].drop(columns="changed")
    out = [f'<p class="note">{esc(intro)}</p>' if intro else ""]
    out.append(f"<h3>Values that differ from the registry defaults ({len(changed)})</h3>")
    out.append(table_html(changed, max_rows=500))
    out.append(_details(f"All {len(table)} parameters", table_html(table.drop(columns="changed"), max_rows=1000)))
    return "".join(out)


def _scenario_html(name: str, file: str | None, description: str = "") -> str:
    out = [kv_table([("scenario", name), ("file", file or "–")])]
    if description:
        out.append(f"<p>{esc(description)}</p>")
    if file and Path(file).is_file():
        text = Path(file).read_text()
        out.append(_details("The scenario file as it is on disk now (it may have changed since the run)",
                            f"<pre>{esc(text)}</pre>"))
    elif file:
        out.append('<p class="note">The scenario file is not on this machine any more.</p>')
    return "".join(out)


def _other_images(page: Page, folder: Path, skip: set[str]) -> list[str]:
    return [page.image_file(p) for p in sorted(folder.iterdir())
            if p.is_file() and p.suffix.lower() in IMAGE_TYPES and p.name not in skip]


# --- run ----------------------------------------------------------------------------------------------
def _outcome_table(summary: dict) -> pd.DataFrame:
    rows = [{"outcome": label, "value": fmt.format(summary[key]) if _finite(summary.get(key)) else "–"}
            for key, label, fmt in OUTCOME_ROWS if key in summary]
    return pd.DataFrame(rows)


def _finite(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _summary_table(summary: dict) -> pd.DataFrame:
    return pd.DataFrame({"indicator": list(summary), "value": list(summary.values())})


def _run_report(folder: Path, page: Page) -> None:
    from papsim.present import plots

    info = _read_json(folder / "summary.json")
    ts = _read_csv(folder / "timeseries.csv")
    summary = info.get("summary", {})
    seed, days = info.get("seed"), info.get("days", int(ts["day"].iloc[-1]) if "day" in ts else len(ts) - 1)
    page.title = f"Run report: {info.get('scenario', folder.name)}, seed {seed}"

    body = page.section("overview", "Overview")
    body.append(kv_table([("kind", "run"), ("folder", str(folder.resolve())), ("scenario", info.get("scenario")),
                          ("start date", info.get("start_date")), ("days simulated", days), ("seed", seed)]))
    body.append('<p class="note">One run of the model: a stylised map of Port-au-Prince at the scenario\'s cell '
                "size, armed groups and HNP/MSS units, one step per day. One seed shows one possible course; "
                "compare several seeds before drawing conclusions.</p>")

    body = page.section("outcomes", "Main outcomes")
    body.append(table_html(_outcome_table(summary), max_rows=100))
    body.append(_details("Every indicator of the summary", table_html(_summary_table(summary), max_rows=1000)))

    body = page.section("figures", "Figures")
    if (folder / "control_maps.png").is_file():
        body.append(page.image_file(folder / "control_maps.png", "Control of the city at the start, middle and "
                                    "end of the run (from the run folder)."))
    missing = [n for n, _ in plots.MAIN_SERIES if n not in ts]
    if not missing:
        body.append(page.figure(plots.series_figure(ts, f"{info.get('scenario', '')}, seed {seed}"),
                                "Main outcomes over the run (daily; flows as 7-day means)."))
    more = [n for n in ("deaths_gang", "deaths_hnp", "deaths_mss", "kidnappings", "arrests", "gang_members",
                        "key_sites_held", "hnp_personnel") if n in ts]
    if more:
        body.append(page.figure(plots.series_figure(ts, "Violence, forces and gangs", more),
                                "Further outcomes over the run (flows as 7-day means)."))
    body += _other_images(page, folder, {"control_maps.png", "timeseries.png"})

    if (folder / "sites.csv").is_file():
        body = page.section("sites", "Key sites")
        body.append('<p class="note">Days each key site was closed (held by gangs or attacked that day), and '
                    "whether the state held it at the end.</p>")
        body.append(table_html(_read_csv(folder / "sites.csv"), max_rows=200))

    body = page.section("scenario", "Scenario")
    body.append(_scenario_html(info.get("scenario", ""), info.get("scenario_file")))
    body = page.section("parameters", "Parameters used")
    body.append(_parameters_html(info.get("parameters", {}), "Every parameter of the run, as saved in summary.json; "
                                 "sources from the parameter registry (marks as in the record: [V] verified, "
                                 "[S] secondary, [NV] not verified, [D] derived)."))

    body = page.section("seeds", "Seeds and reproduction")
    body.append(kv_table([("seed", seed)]))
    if info.get("scenario_file"):
        cmd = f"pap-sim run {info['scenario_file']} --seed {seed} --days {days} --out {folder}"
        body.append(f"<p>Reproduce with:</p><pre>{esc(cmd)}</pre>")
    _versions_section(page)
    _files_section(page, folder)


# --- comparison -----------------------------------------------------------------------------------------
def load_runs(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, dict]]:
    """The runs under ``folder``: (daily series, summaries, the first run's summary.json per scenario label).

    Runs are grouped by scenario name and parameters; variants of one name are labelled by the values
    that differ."""
    runs = _run_dirs(folder)
    infos = [(p, _read_json(p / "summary.json")) for p in runs]
    # a label per distinct (scenario name, parameters); variants of one name get their differing values
    keys: dict[tuple[str, str], str] = {}
    by_name: dict[str, list[dict]] = {}
    for _, info in infos:
        params = info.get("parameters", {})
        key = (str(info.get("scenario", "?")), json.dumps(params, sort_keys=True, default=str))
        if key not in keys:
            keys[key] = ""
            by_name.setdefault(key[0], []).append(params)
    params_of: dict[str, dict] = {}
    first_of: dict[str, dict] = {}
    for key in keys:
        name, pjson = key
        params = json.loads(pjson)
        variants = by_name[name]
        label = name
        if len(variants) > 1:
            differ = [k for k in params if any(v.get(k) != params.get(k) for v in variants)]
            label = name + " (" + ", ".join(f"{k} = {params[k]}" for k in differ[:3]) + ")"
        keys[key] = label
        params_of[label] = params
    series, summaries = [], []
    for p, info in infos:
        key = (str(info.get("scenario", "?")), json.dumps(info.get("parameters", {}), sort_keys=True, default=str))
        label = keys[key]
        first_of.setdefault(label, info)
        ts = _read_csv(p / "timeseries.csv").assign(scenario=label, seed=info.get("seed"), run=p.name)
        series.append(ts)
        summaries.append({"scenario": label, "seed": info.get("seed"), "run": p.name, "days": info.get("days"),
                          **info.get("summary", {})})
    table = pd.concat(series, ignore_index=True)
    order = list(params_of)
    table["scenario"] = pd.Categorical(table["scenario"], categories=order, ordered=True)
    return table, pd.DataFrame(summaries), first_of


def _comparison_report(folder: Path, page: Page) -> None:
    from papsim.present import plots

    table, summaries, first_of = load_runs(folder)
    labels = list(first_of)
    params_of = {label: info.get("parameters", {}) for label, info in first_of.items()}
    page.title = f"Comparison report: {', '.join(labels[:4])}{' …' if len(labels) > 4 else ''}"
    body = page.section("overview", "Overview")
    counts = summaries.groupby("scenario", sort=False).agg(runs=("run", "count"), days=("days", "max")).reset_index()
    body.append(kv_table([("kind", "comparison"), ("folder", str(folder.resolve())), ("scenarios", len(labels)),
                          ("runs", len(summaries))]))
    body.append(table_html(counts, max_rows=200))

    body = page.section("figures", "Figures")
    outcomes = [o for o in plots.MAIN_SERIES if o[0] in table]
    body.append(page.figure(plots.comparison_figure(table, outcomes),
                            "Each scenario's median over its runs (line) with the ranges holding 50% (dark band) "
                            "and 90% (light band) of the runs, day by day."))
    keys = [k for k in ("gang_population_share_final", "deaths_civilian_total", "displaced_total_final",
                        "funds_spent_final") if k in summaries]
    if keys:
        body.append(page.figure(plots.outcome_intervals_figure(summaries, keys),
                                "End-of-run outcomes per scenario: median, 50% and 90% of runs."))
    body += _other_images(page, folder, set())

    body = page.section("outcomes", "Outcomes by scenario")
    body.append('<p class="note">Median over runs, with the range of 90% of runs in brackets.</p>')
    body.append(table_html(_interval_table(summaries), max_rows=200))
    body.append(_details("Every run's summary", table_html(summaries, max_rows=500)))

    body = page.section("scenario", "Scenarios")
    for label, info in first_of.items():
        body.append(f"<h3>{esc(label)}</h3>" + _scenario_html(info.get("scenario", ""), info.get("scenario_file")))

    body = page.section("parameters", "Parameters used")
    body.append(_params_between(params_of, "Every parameter of the runs, as saved in their summary.json."))

    body = page.section("seeds", "Seeds")
    seeds = (summaries.groupby("scenario", sort=False)["seed"]
             .apply(lambda s: ", ".join(str(v) for v in s)).reset_index())
    body.append(table_html(seeds, max_rows=200))
    _versions_section(page)
    _files_section(page, folder)


def _interval_table(summaries: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome, one column per scenario: median [5%–95%] over its runs."""
    groups = list(dict.fromkeys(summaries["scenario"]))
    rows = []
    for key, name, fmt in OUTCOME_ROWS:
        if key not in summaries:
            continue
        row = {"outcome": name}
        for label in groups:
            v = summaries.loc[summaries["scenario"] == label, key].dropna().astype(float)
            if len(v):
                lo, med, hi = v.quantile([0.05, 0.5, 0.95])
                row[label] = f"{fmt.format(med)} [{fmt.format(lo)}–{fmt.format(hi)}]"
            else:
                row[label] = "–"
        rows.append(row)
    return pd.DataFrame(rows)


# --- experiment stores --------------------------------------------------------------------------------
class StoreContext:
    """What every store report reads: the store, its manifest and spec, the design and the runs."""

    def __init__(self, folder: Path):
        from papsim.experiments.store import Store

        self.folder = folder
        self.store = Store(folder)
        self.manifest = self.store.manifest()
        self.spec_raw = _read_json(folder / "spec.json")
        try:
            self.spec = self.store.spec()
        except InputError:
            self.spec = None
        self.design = self.store.design()
        self.runs = self.store.runs()
        self.ok = int((self.runs["status"] == "ok").sum()) if len(self.runs) else 0
        self.failed = int(len(self.runs) - self.ok)

    def table(self, name: str) -> pd.DataFrame | None:
        path = self.folder / "tables" / f"{name}.csv"
        return _read_csv(path) if path.is_file() else None


def _store_overview(page: Page, ctx: StoreContext, kind: str, extra: list[tuple[str, object]] = ()) -> list[str]:
    spec_raw, manifest = ctx.spec_raw, ctx.manifest
    d = spec_raw.get("design", {})
    body = page.section("overview", "Overview")
    body.append(kv_table([
        ("kind", kind), ("folder", str(ctx.folder.resolve())), ("experiment", manifest.get("name")),
        ("description", spec_raw.get("description", "")), ("model", spec_raw.get("scenario") or spec_raw.get("model")),
        ("days", spec_raw.get("days", "the scenario's")), ("design", d.get("method")),
        *([("design size (n)", d.get("n"))] if d.get("method") != "grid" else []),
        ("replicates", spec_raw.get("replicates", 1)), *extra,
        ("runs in the design", len(ctx.design)), ("runs done", len(ctx.runs)), ("ok", ctx.ok), ("failed", ctx.failed),
        ("root seed", manifest.get("root_seed")), ("created", manifest.get("created")),
    ]))
    if len(ctx.runs) < len(ctx.design):
        body.append(f'<p class="problem">{len(ctx.design) - len(ctx.runs)} runs of the design are not in the store '
                    "yet; the command that made it continues it with <code>--resume</code>.</p>")
    return body


def _store_tail(page: Page, ctx: StoreContext) -> None:
    """Seeds, versions and files: the same for every store."""
    body = page.section("seeds", "Seeds")
    body.append(kv_table([("root seed", ctx.manifest.get("root_seed")),
                          ("common random numbers", ctx.spec_raw.get("common_random_numbers", False))]))
    body.append('<p class="note">Every run\'s seed derives from the root seed (numpy SeedSequence, keyed by design '
                "point and replicate, or by replicate alone with common random numbers), so the same spec gives "
                "the same numbers on any executor.</p>")
    body.append(table_html(ctx.design[["run_id", "point", "replicate", "seed"]], max_rows=20))
    sessions = pd.DataFrame(ctx.manifest.get("sessions", []))
    if len(sessions):
        body.append("<h3>Sessions</h3>" + table_html(sessions, max_rows=100))
    _versions_section(page, {"python": ctx.manifest.get("python", "?"), **ctx.manifest.get("packages", {})})
    _files_section(page, ctx.folder)


def _runs_tables(body: list[str], ctx: StoreContext) -> None:
    if len(ctx.runs):
        shown = ctx.runs.drop(columns=["traceback"], errors="ignore")
        body.append(_details(f"Runs ({len(ctx.runs):,})", table_html(shown)))
    if ctx.failed:
        errors = (ctx.runs.loc[ctx.runs["status"] != "ok", "error"].value_counts()
                  .rename_axis("error").reset_index(name="runs"))
        body.append("<h3>Failures</h3>" + table_html(errors))


def _factor_table(spec_raw: dict, first: str) -> pd.DataFrame:
    rows = [{first: k, **v} for k, v in spec_raw.get("factors", {}).items()]
    table = pd.DataFrame(rows)
    order = [c for c in (first, "kind", "low", "high", "values") if c in table.columns]
    return table[order + [c for c in table.columns if c not in order]] if len(table) else table


def _store_report(folder: Path, page: Page, kind: str) -> None:
    """A sweep or a sensitivity analysis (``pap-sim sweep`` / ``sensitivity``)."""
    ctx = StoreContext(folder)
    spec_raw, spec = ctx.spec_raw, ctx.spec
    page.title = f"{kind.capitalize()} report: {ctx.manifest.get('name', folder.name)}"
    body = _store_overview(page, ctx, kind)
    factors = _factor_table(spec_raw, "factor")
    body.append("<h3>Factors</h3>" + table_html(factors, max_rows=500))

    body = page.section("figures", "Figures")
    if kind == "sensitivity":
        body.append(_HOW_TO_READ)
    made = _store_figures(page, folder, spec)
    body += made or ['<p class="note">No figures yet: run <code>pap-sim analyze DIR</code> to make them.</p>']
    if spec is not None and spec.analysis.planner_by and spec.series != "none":
        body += _store_bands(page, ctx.store, spec)

    body = page.section("tables", "Tables")
    tables = sorted((folder / "tables").glob("*.csv")) if (folder / "tables").is_dir() else []
    order = ["planner", "success_criteria", "sobol", "morris", "efast", "pawn", "noise", "sobol_s2",
             "prim_boxes", "failures"]
    tables.sort(key=lambda p: (order.index(p.stem) if p.stem in order else len(order), p.stem))
    for path in tables:
        if path.stem in ("runs",) or path.stem.startswith("convergence") or path.stem == "prim_trajectory":
            continue
        body.append(f"<h3>{esc(path.stem.replace('_', ' '))}</h3>" + table_html(_read_csv(path)))
    _runs_tables(body, ctx)

    body = page.section("scenario", "Scenario and spec")
    scen = spec_raw.get("scenario")
    if scen:
        body.append(_scenario_html(Path(scen).stem, scen, _description(scen)))
    body.append(_details("The experiment spec (normalised, as stored)",
                         f"<pre>{esc(json.dumps(spec_raw, indent=2))}</pre>"))

    body = page.section("parameters", "Parameters used")
    params = _scenario_params(scen)
    if params is not None:
        for name in spec_raw.get("factors", {}):
            params[name] = "(varied: see Factors)"
        body.append(_parameters_html(params, "The base scenario's parameters as on disk now; the factors are "
                                             "varied by the design."))
    else:
        body.append('<p class="note">The experiment does not run a pap-sim scenario file found on this machine; '
                    "its factors are listed in the overview.</p>")
    _store_tail(page, ctx)


def _description(path: str | None) -> str:
    from papsim.scenario import load_scenario

    try:
        return load_scenario(path).description if path and Path(path).is_file() else ""
    except InputError:
        return ""


def _scenario_params(path: str | None) -> dict | None:
    from papsim.scenario import load_scenario

    if not path or not Path(path).is_file():
        return None
    try:
        return dict(load_scenario(path).params)
    except InputError:
        return None


def _compare_store_report(folder: Path, page: Page) -> None:
    """A ``pap-sim compare`` store: scenarios side by side on common random numbers."""
    from papsim.present import plots

    ctx = StoreContext(folder)
    scen = ctx.table("scenarios")
    names = list(scen["scenario"]) if scen is not None else \
        [f"scenario {int(v)}" for v in ctx.spec_raw["factors"]["scenario_index"]["values"]]
    page.title = f"Comparison report: {', '.join(names[:4])}{' …' if len(names) > 4 else ''}"
    body = _store_overview(page, ctx, "comparison", [("scenarios", len(names))])
    if scen is not None:
        body.append("<h3>Scenarios</h3>" + table_html(scen, max_rows=100))

    body = page.section("figures", "Figures")
    body += [page.image_file(p, f"{p.stem.replace('_', ' ')} (written by pap-sim compare)")
             for p in sorted((folder / "figures").glob("*.png"))] if (folder / "figures").is_dir() else []
    try:
        table = plots.store_series_table(ctx.store, ["scenario_index"],
                                         label=lambda v: names[int(v["scenario_index"])])
    except (ValueError, KeyError, IndexError):
        table = None
    if table is not None:
        labels = {"gang_population_share": "Residents under gang control",
                  "deaths_civilian_cum": "Civilians killed (cumulative)", "mss_personnel": "MSS personnel",
                  "humanitarian_access": "Humanitarian access"}
        outcomes = [(c, labels.get(c)) for c in labels if c in table] or \
                   [c for c in table.columns if c not in ("run", "day", "seed", "scenario", "scenario_index")][:8]
        if outcomes:
            body.append(page.figure(plots.comparison_figure(table, outcomes, ncols=min(4, len(outcomes))),
                                    "Each scenario's median over its replicates (line) with the ranges holding 50% "
                                    "(dark band) and 90% (light band) of them, day by day."))

    body = page.section("outcomes", "Outcomes by scenario")
    compare = ctx.table("compare")
    if compare is not None:
        body.append('<p class="note">Median over replicates with the 90% interval (5th–95th percentiles) in '
                    "brackets, at each horizon.</p>")
        body.append(table_html(_compare_pivot(compare, names), max_rows=400))
    diffs = ctx.table("differences")
    if diffs is not None:
        body.append("<h3>Paired differences from the reference</h3><p class=\"note\">Replicate by replicate (the "
                    "same seed in both scenarios), the scenario minus the reference: median, 90% interval and the "
                    "share of replicates in which the scenario does better.</p>")
        body.append(table_html(diffs, max_rows=400))
    body = page.section("tables", "Runs")
    _runs_tables(body, ctx)

    body = page.section("scenario", "Scenarios")
    params_of = {}
    for row in (scen.itertuples(index=False) if scen is not None else []):
        body.append(f"<h3>{esc(row.scenario)}</h3>" + _scenario_html(row.scenario, row.file, row.description))
        params = _scenario_params(row.file)
        if params is not None:
            params_of[row.scenario] = params
    body = page.section("parameters", "Parameters used")
    body.append(_params_between(params_of, "The scenario files as they are on disk now."))
    _store_tail(page, ctx)


def _compare_pivot(compare: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    t = compare.copy()
    t["cell"] = [f"{_fmt(m)} [{_fmt(a)}–{_fmt(b)}]" for m, a, b in zip(t["median"], t["p05"], t["p95"])]
    wide = t.pivot_table(index=["label", "horizon"], columns="scenario", values="cell", aggfunc="first", sort=False)
    cols = [n for n in names if n in wide.columns]
    return wide[cols].reset_index().rename(columns={"label": "outcome"})


def _params_between(params_of: dict[str, dict], intro: str) -> str:
    if not params_of:
        return '<p class="note">The scenario files are not on this machine.</p>'
    labels = list(params_of)
    names = sorted(set().union(*[set(p) for p in params_of.values()]))
    table = pd.DataFrame([{"parameter": n, **{lab: params_of[lab].get(n) for lab in labels}} for n in names])
    differ = table[table[labels].astype(str).nunique(axis=1) > 1] if len(labels) > 1 else table.iloc[0:0]
    return (f'<p class="note">{esc(intro)}</p><h3>Parameters that differ between scenarios ({len(differ)})</h3>'
            + table_html(differ, max_rows=500)
            + _details(f"All {len(table)} parameters", table_html(table, max_rows=1000)))


_HOW_TO_READ = """<div class="note"><p><b>How to read these figures.</b> <i>Morris</i> (screening): each factor's
mu* is the mean size of its effect on the output when it moves one step across its range, and sigma how much
that effect changes with the other factors (interactions or non-linearity). Factors near the origin can be
fixed; factors far to the right matter. <i>Sobol'</i>: S1 is the share of the output's variance a factor
explains on its own, ST the share it explains with all its interactions; ST much larger than S1 means
interactions; bars are bootstrap confidence intervals, wide at small designs. The noise share is the part of
the variance due to the model's own randomness (different seeds at the same point), which the indices do not
explain. Convergence lines show whether the indices still move as the design grows.</p></div>"""


def _store_figures(page: Page, folder: Path, spec) -> list[str]:
    """The engine's figures: those in ``figures/``, else drawn from the tables with its figure functions."""
    fig_dir = folder / "figures"
    files = sorted(p for p in fig_dir.iterdir() if p.suffix.lower() in IMAGE_TYPES) if fig_dir.is_dir() else []
    if files:
        return [page.image_file(p, _caption(p.stem)) for p in files]
    tables = folder / "tables"
    if spec is None or not tables.is_dir():
        return []
    from papsim.present import experiment_figures as figures

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        drawn: list[Path] = []
        planner = tables / "planner.csv"
        by = spec.analysis.planner_by
        if planner.is_file() and by and len(by) <= 2:
            table = _read_csv(planner)
            hue = by[1] if len(by) > 1 else None
            for col in [c[: -len("_median")] for c in table.columns if c.endswith("_median")]:
                drawn.append(figures.outcome_bands(table, by[0], hue, col, tmp / f"bands_{col}.png"))
                if hue:
                    drawn.append(figures.heatmap(table, by[0], hue, f"{col}_median", tmp / f"heatmap_{col}.png"))
        for method in ("sobol", "efast", "morris"):
            path = tables / f"{method}.csv"
            if path.is_file():
                table = _read_csv(path)
                for output, g in table.groupby("output"):
                    target = tmp / f"{method}_{output}.png"
                    drawn.append(figures.morris_scatter(g, output, target) if method == "morris"
                                 else figures.sobol_bars(g, output, target))
        for p in drawn:
            out.append(page.image_file(p, _caption(p.stem)))
    return out


def _caption(stem: str) -> str:
    kinds = {"bands": "median and 90% interval against the first planner factor",
             "heatmap": "value over the two planner factors", "sobol": "Sobol' indices S1 and ST",
             "efast": "eFAST indices S1 and ST", "morris": "Morris mu* against sigma",
             "convergence": "convergence of the indices with the design size", "prim": "scenario discovery (PRIM)"}
    head = stem.split("_")[0]
    return f"{stem.replace('_', ' ')}: {kinds.get(head, 'figure of the experiment')}"


def _store_bands(page: Page, store, spec) -> list[str]:
    """Time-series bands per combination of the planner factors, from the store's daily series."""
    from papsim.present import plots

    try:
        table = plots.store_series_table(store, spec.analysis.planner_by[:2])
    except (ValueError, KeyError):
        return []
    outcomes = [o for o in plots.MAIN_SERIES if o[0] in table] or \
               [c for c in table.columns if c not in ("run", "day", "seed", "scenario", *spec.factor_names)][:8]
    if not outcomes:
        return []
    if table["scenario"].nunique() > 8:
        return ['<p class="note">Too many factor combinations for a readable band figure.</p>']
    fig = plots.comparison_figure(table, outcomes, "Daily series per design cell: median, 50% and 90% of runs")
    return [page.figure(fig, "Daily series stored with the runs, per combination of the planner factors.")]


# --- calibration and anything else ----------------------------------------------------------------------
def _calibration_report(folder: Path, page: Page) -> None:
    """A calibration: a ``pap-sim calibrate`` folder (one store, or a store per generation under ``gen-*``
    with the posterior tables at the top), or loose calibration files. Uses whatever of these it finds."""
    import re

    from papsim.scenario import SCENARIO_DIR

    stores = ([folder] if store_kind(folder) else []) + \
        [p for p in sorted(folder.iterdir()) if p.is_dir() and store_kind(p)]
    contexts = [StoreContext(p) for p in stores]
    first = contexts[0] if contexts else None
    page.title = f"Calibration report: {folder.name}"
    jsons = sorted(folder.glob("*.json"))
    data = {p: _read_json(p) for p in jsons if p.name not in ("manifest.json", "spec.json")}

    body = page.section("overview", "Overview")
    rows: list[tuple[str, object]] = [("kind", "calibration"), ("folder", str(folder.resolve()))]
    if first is not None:
        rows += [("description", first.spec_raw.get("description", "")),
                 ("model", first.spec_raw.get("model") or first.spec_raw.get("scenario")),
                 ("replicates", first.spec_raw.get("replicates", 1))]
    if len(contexts) > 1 or (contexts and contexts[0].folder != folder):
        rows.append(("generations (stores)", len(contexts)))
    if contexts:
        rows += [("runs", sum(len(c.runs) for c in contexts)), ("failed", sum(c.failed for c in contexts))]
    body.append(kv_table(rows))
    for p, d in data.items():
        short = [(k, v) for k, v in _flatten(d) if not isinstance(v, (list, dict))][:60]
        body.append(f"<h3>{esc(p.name)}</h3>" + kv_table(short))
    from papsim.registry import PARAMETERS

    if first is not None and any(k in PARAMETERS for k in first.spec_raw.get("factors", {})):
        body.append("<h3>Priors (the ranges sampled)</h3>" + table_html(_factor_table(first.spec_raw, "parameter"),
                                                                         max_rows=200))

    body = page.section("figures", "Figures")
    images = [p for d in (folder, folder / "figures") if d.is_dir() for p in sorted(d.iterdir())
              if p.is_file() and p.suffix.lower() in IMAGE_TYPES]
    body += [page.image_file(p, f"{p.stem.replace('_', ' ')} (written by the calibration)") for p in images] or \
        ['<p class="note">No figures in the folder.</p>']

    body = page.section("tables", "Tables")
    csvs = [p for d in (folder, folder / "tables") if d.is_dir() for p in sorted(d.glob("*.csv"))]
    order = ("posterior_summary", "patterns", "calibration_patterns", "calibration_generations", "posterior_sample")
    csvs.sort(key=lambda p: (order.index(p.stem) if p.stem in order else len(order), p.stem))
    for p in csvs:
        rows_shown = 200 if p.stem in order[:4] else TABLE_ROWS
        title = "Posterior summary" if p.stem == "posterior_summary" else p.stem.replace("_", " ")
        body.append(f"<h3>{esc(title)}</h3>" + table_html(_read_csv(p), max_rows=rows_shown))
    if not csvs:
        body.append('<p class="note">No tables in the folder.</p>')

    body = page.section("scenario", "Scenario")
    desc = first.spec_raw.get("description", "") if first is not None else ""
    named = [d["scenario"] for d in data.values() if isinstance(d.get("scenario"), str)]
    m = re.search(r"calibration of (\S+?)(?:\.toml)?[ ,]", desc)
    candidates = [Path(n) if Path(n).is_absolute() else SCENARIO_DIR.parent / n for n in named]
    candidates += [SCENARIO_DIR / f"{m.group(1)}.toml"] if m else []
    guess = next((c for c in candidates if c.is_file()), None)
    if guess is not None:
        body.append(_scenario_html(guess.stem, str(guess), _description(str(guess))))
    else:
        body.append(f'<p class="note">{esc(desc or "The folder does not name the scenario it calibrated.")}</p>')

    body = page.section("parameters", "Parameters used")
    summary = next((p for p in csvs if p.stem == "posterior_summary"), None)
    params = {}
    for d in data.values():
        for key in ("parameters", "best_parameters", "params", "posterior_mean"):
            if isinstance(d.get(key), dict):
                params.update(d[key])
    if summary is not None:
        body.append('<p class="note">The calibrated parameters: prior range, posterior and the value chosen for '
                    "the calibrated scenario (columns as the calibration wrote them).</p>")
        body.append(table_html(_read_csv(summary), max_rows=200))
    if params:
        body.append(_parameters_html(params))
    base = _scenario_params(str(guess)) if guess is not None else None
    if base is not None:
        body.append(_details("Every parameter of the calibrated scenario (as on disk now)", _parameters_html(base)))
    if summary is None and not params and base is None:
        body.append('<p class="note">No parameter set recorded in the folder.</p>')

    body = page.section("seeds", "Seeds")
    seeds = [(f"{c.folder.name}: root seed", c.manifest.get("root_seed")) for c in contexts]
    seeds += [(f"{p.name}: {k}", v) for p, d in data.items() for k, v in _flatten(d) if "seed" in k.lower()]
    body.append(kv_table(seeds) if seeds else '<p class="note">No seeds recorded in the folder.</p>')
    if contexts:
        body.append('<p class="note">Every run\'s seed derives from its store\'s root seed (numpy SeedSequence).</p>')
    recorded = dict(first.manifest.get("packages", {})) if first is not None else {}
    if first is not None:
        recorded["python"] = first.manifest.get("python", "?")
    for d in data.values():
        if isinstance(d.get("packages"), dict):
            recorded.update(d["packages"])
    _versions_section(page, recorded or None)
    _files_section(page, folder)


def _flatten(data, prefix: str = "") -> list[tuple[str, object]]:
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict):
                out += _flatten(v, key)
            else:
                out.append((key, v if not isinstance(v, list) or len(v) <= 8 else f"[{len(v)} items]"))
    else:
        out.append((prefix, data))
    return out


def _files_section(page: Page, folder: Path) -> None:
    body = page.section("files", "Files in the folder")
    rows = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.name.startswith("."):
            rows.append({"file": str(p.relative_to(folder)), "bytes": p.stat().st_size})
    body.append(table_html(pd.DataFrame(rows), max_rows=200))


# --- entry points -------------------------------------------------------------------------------------
def build(folder: str | Path, out: str | Path | None = None) -> Path:
    """Write the report of the results folder ``folder`` (default ``folder/report.html``); returns its path."""
    folder = Path(folder)
    kind = detect(folder)
    page = Page(f"Report: {folder.name}", "")
    store = store_kind(folder) is not None
    if kind == "run":
        _run_report(folder, page)
    elif kind == "comparison":
        (_compare_store_report if store else _comparison_report)(folder, page)
    elif kind == "calibration":
        _calibration_report(folder, page)
    else:
        _store_report(folder, page, kind)
    page.subtitle = (f"pap-sim {kind} report · {folder.resolve()} · written {dt.datetime.now():%Y-%m-%d %H:%M} · "
                     "a stylised model: its numbers are scenarios to compare, not forecasts")
    out = Path(out) if out else folder / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page.render(), encoding="utf-8")
    return out
