"""One units-aware formatter for every number a person reads: reports, the run summary, the app, figures.

The kind of a value comes from the catalogue (``papsim/outcomes.py``): shares as percentages, money as
``$58.9M``, ``$1.20bn`` or ``$12,300``, counts and days as whole numbers with thousands separators, flags
as yes/no. A milestone never reached (NaN or inf of kind ``days``) reads "never"; any other missing value
"–". Nothing is ever printed as ``inf``, ``nan`` or in scientific notation.
"""

from __future__ import annotations

import math
from numbers import Number

import numpy as np

from papsim.outcomes import KINDS, Outcome, outcome_of

MISSING = "–"
NEVER = "never"
# Suffixes of table columns derived from one outcome (statistics over runs, a cumulative sum): same kind.
DERIVED = ("_median", "_mean", "_p05", "_p25", "_p50", "_p75", "_p95", "_min", "_max", "_sd", "_std", "_cum")


def kind_of(key: str | Outcome | None) -> str | None:
    """The kind of an outcome, of a catalogue name or summary key (``trust_day365``), or of a table column
    derived from one (``trust_final_median``, ``deaths_civilian_cum``); a key outside the catalogue ending
    in ``_usd`` is money, in ``_share`` a share; anything else None (a plain number)."""
    if key is None or isinstance(key, Outcome):
        return key.kind if key else None
    if key in KINDS:
        return key
    for stem in (key, *(key.removesuffix(s) for s in DERIVED if key.endswith(s))):
        try:
            return outcome_of(stem).kind
        except KeyError:
            continue
    stem = next((key.removesuffix(s) for s in DERIVED if key.endswith(s)), key)
    if stem.endswith("_usd"):
        return "money"
    if stem.endswith("_share"):
        return "share"
    return None


def money(v: float) -> str:
    """USD: ``$1.20bn``, ``$58.9M``, below a million to the dollar (``$12,300``)."""
    sign, a = ("-" if v < 0 else ""), abs(v)
    if round(a, -7) >= 1e9:
        return f"{sign}${a / 1e9:,.2f}bn"
    if round(a, -5) >= 1e6:
        return f"{sign}${a / 1e6:,.1f}M"
    return f"{sign}${a:,.0f}"


def plain(v: float, digits: int = 4) -> str:
    """A number to ``digits`` significant digits in positional notation (never ``1.186e+04``); whole
    numbers with thousands separators."""
    if float(v).is_integer():
        return f"{v:,.0f}"
    magnitude = math.floor(math.log10(abs(v)))
    decimals = min(max(0, digits - 1 - magnitude), 12)
    text = f"{v:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def count(v: float) -> str:
    """A count: whole numbers with thousands separators; a fractional count below 100 (a mean, a median
    of an even number of runs) keeps one decimal."""
    if abs(v) < 100 and not float(v).is_integer():
        return f"{v:,.1f}"
    return f"{v:,.0f}"


def value(v: object, kind: str | Outcome | None = None) -> str:
    """``v`` formatted for its kind (see :func:`kind_of`; ``kind`` may also be a name or summary key)."""
    kind = kind_of(kind) if not (kind is None or kind in KINDS) else kind
    if v is None:  # summary.json writes NaN as null
        return NEVER if kind == "days" else MISSING
    if isinstance(v, (bool, np.bool_)) or kind == "flag" and v in (0, 1):
        return "yes" if v else "no"
    if not isinstance(v, Number):
        return str(v)
    v = float(v)
    if not math.isfinite(v):
        return NEVER if kind == "days" and (math.isnan(v) or v > 0) else MISSING
    if kind == "share":
        return f"{v:.1%}"
    if kind == "money":
        return money(v)
    if kind == "count":
        return count(v)
    if kind in ("days", "index"):
        return f"{v:,.0f}"
    return plain(v)


def interval(median: object, low: object, high: object, kind: str | Outcome | None = None) -> str:
    """``median [low–high]`` with each bound formatted as :func:`value`; just the median when neither
    bound is known."""
    bounds = [value(b, kind) for b in (low, high)]
    if all(b == MISSING for b in bounds):
        return value(median, kind)
    return f"{value(median, kind)} [{bounds[0]}–{bounds[1]}]"


def cell(v: object, column: str = "") -> str:
    """One cell of a table of column ``column``: seeds and identifiers as they are, numbers by the kind
    of the column's outcome (a plain number when it has none)."""
    name = column.lower()
    if isinstance(v, Number) and not isinstance(v, bool) and any(w in name for w in ("seed", "run_id", "point")):
        return str(int(v)) if math.isfinite(v) and float(v).is_integer() else value(v)
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) < 10_000 and kind_of(column) is None:
        return str(v)
    return value(v, kind_of(column) if column else None)
