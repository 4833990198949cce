"""Experiment specs: what to run, read from a TOML file or built in Python, validated before any run.

A spec names the model (a pap-sim scenario, or any model function by import path), the factors and their
ranges or levels, the design, the replicates, the horizon, the outputs of interest and the root seed. Every
problem is reported as one ``InputError`` line naming the file, the key and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from papsim import registry
from papsim.errors import InputError
from papsim.experiments import limits
from papsim.experiments.checks import (check_scenario, check_series, read_toml, resolve_expression, resolve_output,
                                       support_warnings)
from papsim.experiments.limits import MAX_ITEMS, in_range, is_int as _is_int, is_num as _is_num, short_list

METHODS = ("grid", "random", "morris", "sobol", "efast")
GIVEN_DATA = ("pawn", "delta", "rbd_fast")  # analyses that work on any design (they read factor columns by name)
# Which analyses a design supports: the structured ones need their own sampler, the given-data ones any design.
ANALYSES_FOR = {"grid": GIVEN_DATA, "random": GIVEN_DATA, "morris": ("morris", *GIVEN_DATA),
                "sobol": ("sobol", *GIVEN_DATA), "efast": ("efast", *GIVEN_DATA)}
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # a spec's name: a folder under results/, never a path
DEFAULT_ANALYSES = {"grid": (), "random": ("pawn",), "morris": ("morris",), "sobol": ("sobol",), "efast": ("efast",)}


@dataclass(frozen=True)
class Factor:
    """One input varied by the experiment: a range [low, high] for samplers, or explicit levels for a grid."""

    name: str
    low: float
    high: float
    kind: str = "float"  # 'float' or 'int'; int factors are rounded before they reach the model
    values: tuple[float, ...] = ()
    group: str = ""  # Sobol' group (empty: the factor is its own group)


@dataclass(frozen=True)
class Design:
    """How design points are chosen. ``n`` is base samples (Sobol', eFAST, random) or trajectories (Morris)."""

    method: str = "grid"
    n: int = 0
    levels: int = 4  # Morris grid levels
    second_order: bool = False  # Sobol' S2
    interference: int = 4  # eFAST M
    scrambles: int = 1  # Sobol': independent scrambles of the sequence (randomised QMC replicates)


@dataclass(frozen=True)
class Analysis:
    """What to compute from the outputs once the runs are done."""

    methods: tuple[str, ...] = ()
    bootstrap: int = 1000
    conf_level: float = 0.95
    pawn_slices: int = 10
    success: tuple[str, ...] = ()  # expressions on the outputs, e.g. "gang_population_share_day365 < 0.5"
    planner_by: tuple[str, ...] = ()  # factors grouping the planner table (empty: no planner table)
    reference: tuple[tuple[str, float], ...] = ()  # the planner's reference option, e.g. no mission
    noise_threshold: float = 0.05  # the share of noise in replicate means the noise table aims under


@dataclass(frozen=True)
class Spec:
    """A complete experiment. Build it with ``load_spec`` (TOML) or ``Spec.from_dict`` (Python)."""

    name: str
    factors: tuple[Factor, ...]
    design: Design = field(default_factory=Design)
    replicates: int = 1
    seed: int = 1
    common_random_numbers: bool = False
    outputs: tuple[str, ...] = ()  # outputs of interest for the analyses (every output is stored)
    series: str | tuple[str, ...] = "none"  # daily series kept: "all", "none" or a list of columns
    scenario: str | None = None  # pap-sim scenario file (absolute once loaded)
    model: str | None = None  # "package.module:callable" for any other model
    days: int | None = None
    description: str = ""
    analysis: Analysis = field(default_factory=Analysis)
    source: str = "<spec>"  # where the spec came from, for error messages; not part of the hash
    warnings: tuple[str, ...] = field(default=(), compare=False)  # said before any run; not part of the hash

    @property
    def factor_names(self) -> list[str]:
        """The factors in the spec's own order: the order of SALib's sample blocks and index arrays."""
        return [f.name for f in self.factors]

    @property
    def groups(self) -> list[str]:
        """Sobol' group names in order of first appearance (empty without groups)."""
        if not any(f.group for f in self.factors):
            return []
        return list(dict.fromkeys(f.group or f.name for f in self.factors))

    @property
    def horizon(self) -> int | None:
        """The run length: the spec's ``days``, or the scenario's (None for other models without ``days``)."""
        return self.days if self.days is not None else (check_scenario(self.scenario) if self.scenario else None)

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], source: str = "<spec>", base: Path | None = None, check_files: bool = True
    ) -> Spec:
        """Validate a spec given as a dict (the TOML layout). Relative paths resolve against ``base``;
        ``check_files=False`` skips the scenario-exists check (re-analysing a store moved elsewhere)."""
        return _parse(data, source, base or Path.cwd(), check_files)

    def to_dict(self) -> dict[str, Any]:
        """The normalised spec in the TOML layout, every factor explicit; ``from_dict`` reads it back."""
        data = asdict(self)
        data.pop("source")
        data.pop("warnings")
        data["factors"] = {
            f.name: ({"values": list(f.values)} if f.values else {"low": f.low, "high": f.high}) | {"kind": f.kind}
            | ({"group": f.group} if f.group else {})
            for f in self.factors
        }
        # JSON files are written with sorted keys: the factor order (SALib's column order) is kept explicitly
        data["factor_order"] = self.factor_names
        analysis = data["analysis"]
        analysis["reference"] = dict(self.analysis.reference)
        if self.design.scrambles == 1:
            data["design"].pop("scrambles")  # as specs were before scrambles existed (their hash unchanged)
        for key in [k for k, default in (("reference", {}), ("noise_threshold", 0.05)) if analysis[k] == default]:
            analysis.pop(key)
        return json.loads(json.dumps({k: v for k, v in data.items() if v is not None}))

    def hash(self, legacy: bool = False) -> str:
        """A digest of everything that decides the runs and their numbers, including the scenario file's bytes.

        ``legacy``: the digest stores made before the factor order was recorded have (without the order)."""
        data = self.to_dict()
        if legacy:
            data.pop("factor_order")
            for key in ("reference", "noise_threshold"):
                data["analysis"].pop(key, None)
        if self.scenario:
            data["scenario"] = hashlib.sha256(Path(self.scenario).read_bytes()).hexdigest()
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def load_spec(path: str | Path) -> Spec:
    """Read and validate a TOML spec; raises InputError with one line on any problem."""
    path = Path(path)
    return Spec.from_dict(read_toml(path, "experiment spec"), source=str(path), base=path.parent)


_TOP_KEYS = {
    "name", "description", "scenario", "model", "days", "replicates", "seed", "common_random_numbers",
    "outputs", "series", "design", "factors", "analysis", "factor_order",
}


def _parse(data: dict[str, Any], src: str, base: Path, check_files: bool) -> Spec:
    def fail(key: str, allowed: str) -> InputError:
        return InputError(f"{src}: key '{key}': {allowed}")

    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise fail(unknown[0], "unknown key; allowed: " + ", ".join(sorted(_TOP_KEYS - {"factor_order"})))
    name = data.get("name") or (Path(src).stem if src != "<spec>" else "")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        shown = repr(name if not isinstance(name, str) or len(name) <= 40 else name[:40] + "…")
        raise fail("name", f"{shown}: 1-64 letters, digits, '.', '_', '-', starting with a letter or digit")
    scenario, model = data.get("scenario"), data.get("model")
    if scenario is not None and model is not None:
        raise fail("model", "give either 'scenario' (a pap-sim scenario file) or 'model' (module:callable), not both")
    if scenario is not None:
        if not isinstance(scenario, str) or not scenario:
            raise fail("scenario", "the path of a pap-sim scenario file (a string)")
        try:
            scenario = str((base / scenario).resolve())
        except (OSError, RuntimeError) as exc:  # a symlink loop: RuntimeError up to Python 3.12, OSError after
            raise fail("scenario", f"cannot resolve {base / scenario} ({exc})") from None
    elif model is not None and (not isinstance(model, str) or not model):
        raise fail("model", "the name of a registered model (a string; see papsim.experiments.models.MODELS)")
    days = data.get("days")
    if days is not None and not in_range(days, 1, limits.MAX_DAYS):
        raise fail("days", f"an integer number of days in [1, {limits.MAX_DAYS}]")
    scenario_horizon = check_scenario(scenario, lambda why: fail("scenario", why)) if scenario and check_files else None
    horizon = days if days is not None else scenario_horizon
    replicates = data.get("replicates", 1)
    if not in_range(replicates, 1, limits.MAX_REPLICATES):
        raise fail("replicates", f"an integer in [1, {limits.MAX_REPLICATES:,}]")
    seed = data.get("seed", 1)
    if not _is_int(seed) or seed < 0:
        raise fail("seed", "an integer >= 0")
    crn = data.get("common_random_numbers", False)
    if not isinstance(crn, bool):
        raise fail("common_random_numbers", "true or false")
    registry_model = scenario is not None
    outputs = data.get("outputs", [])
    if not short_list(outputs):
        raise fail("outputs", f"a list of at most {MAX_ITEMS} output names")
    outputs = [resolve_output(o, horizon, registry_model, lambda why, i=i: fail(f"outputs[{i}]", why))
               for i, o in enumerate(outputs)]
    series = data.get("series", "none")
    if not (short_list(series) or series in ("all", "none")):
        raise fail("series", f"'all', 'none' or a list of at most {MAX_ITEMS} column names")
    series = check_series(series, registry_model, lambda why: fail("series", why))
    description = data.get("description", "")
    if not isinstance(description, str) or len(description) > limits.MAX_TEXT:
        raise fail("description", f"a string of at most {limits.MAX_TEXT:,} characters")

    warnings: list[str] = []
    design = _parse_design(data.get("design", {}), fail)
    factors = _parse_factors(data.get("factors"), design, registry_model, horizon, fail, warnings)
    order = data.get("factor_order")
    if order is not None:  # a stored spec.json: its factors table has sorted keys, this is the design's order
        by_name = {f.name: f for f in factors}
        if sorted(order) != sorted(by_name):
            raise fail("factor_order", "the names of the factors table, in the design's order")
        factors = tuple(by_name[n] for n in order)
    if any(f.group for f in factors) and design.method != "sobol":
        raise fail("factors", f"'group' is for Sobol' designs (groups change the sample), not {design.method}")
    analysis = _parse_analysis(data.get("analysis", {}), design, factors, fail, horizon, registry_model)
    warnings += support_warnings(design, factors, analysis, replicates, fail)
    return Spec(
        name=name, factors=factors, design=design, replicates=replicates, seed=seed,
        common_random_numbers=crn, outputs=tuple(outputs), series=series, scenario=scenario, model=model,
        days=days, description=description, analysis=analysis, source=src,
        warnings=tuple(warnings),
    )


def _parse_design(d: Any, fail) -> Design:
    if not isinstance(d, dict):
        raise fail("design", "a table with 'method' and its settings")
    allowed = {"method", "n", "levels", "second_order", "interference", "scrambles"}
    if set(d) - allowed:
        raise fail("design." + sorted(set(d) - allowed)[0], "unknown key; allowed: " + ", ".join(sorted(allowed)))
    method = d.get("method", "grid")
    if method not in METHODS:
        raise fail("design.method", "one of " + ", ".join(METHODS))
    n = d.get("n", 0)
    if method != "grid" and not in_range(n, 1, limits.MAX_RUNS):
        raise fail("design.n", f"an integer in [1, {limits.MAX_RUNS:,}] (base samples or trajectories) for the "
                               f"{method} design")
    if method == "sobol" and n & (n - 1):
        raise fail("design.n", f"a power of two for Sobol' (got {n}; nearest {_nearest_pow2(n)})")
    levels = d.get("levels", 4)
    if not in_range(levels, 2, limits.MAX_LEVELS) or levels % 2:
        raise fail("design.levels", f"an even integer in [2, {limits.MAX_LEVELS}] (Morris grid levels)")
    m = d.get("interference", 4)
    if not in_range(m, 1, limits.MAX_INTERFERENCE):
        raise fail("design.interference", f"an integer in [1, {limits.MAX_INTERFERENCE}] (eFAST M)")
    if method == "efast" and n <= 4 * m * m:
        raise fail("design.n", f"more than 4*M^2 = {4 * m * m} for eFAST with interference M = {m}")
    second = d.get("second_order", False)
    if not isinstance(second, bool):
        raise fail("design.second_order", "true or false")
    scrambles = d.get("scrambles", 1)
    if not in_range(scrambles, 1, limits.MAX_SCRAMBLES):
        raise fail("design.scrambles", f"an integer in [1, {limits.MAX_SCRAMBLES}] (independent scrambles of the "
                                       "Sobol' sequence)")
    if scrambles > 1 and method != "sobol":
        raise fail("design.scrambles", f"only for the sobol design (not {method})")
    return Design(method=method, n=int(n), levels=levels, second_order=second, interference=m, scrambles=scrambles)


def _parse_factors(d: Any, design: Design, registry_model: bool, horizon: int | None, fail,
                   warnings: list[str]) -> tuple[Factor, ...]:
    whole_registry = d == "registry"
    if whole_registry:
        if not registry_model:
            raise fail("factors", "'registry' needs a pap-sim scenario; give each factor's low and high")
        d = {p.name: {} for p in registry.factors()}
    if not isinstance(d, dict) or not d or len(d) > limits.MAX_FACTORS:
        raise fail("factors", f"a table of 1 to {limits.MAX_FACTORS} factors (name = {{low, high}} or {{values}}), "
                              "or 'registry'")
    out = []
    for name, opts in d.items():
        key = f"factors.{name}"
        if not isinstance(opts, dict) or set(opts) - {"low", "high", "values", "kind", "group"}:
            raise fail(key, "a table with 'low' and 'high', or 'values' (and optionally 'kind', 'group')")
        kind, lo_ok, hi_ok = opts.get("kind", "float"), -math.inf, math.inf
        if kind not in ("float", "int"):
            raise fail(key + ".kind", "'float' or 'int'")
        group = opts.get("group", "")
        if not isinstance(group, str):
            raise fail(key + ".group", "a group name (a string)")
        if group == "registry":
            group = registry.PARAMETERS[name].group if name in registry.PARAMETERS else ""
        explicit_high = "high" in opts or "values" in opts
        if registry_model:
            p = registry.PARAMETERS.get(name)
            if p is None:
                raise fail(key, "not a registry parameter (see `pap-sim params`)")
            if not p.uncertain:
                raise fail(key, f"{name} is not a numeric parameter with a range ({p.allowed}); it cannot be a factor")
            if opts.get("kind", p.kind) != p.kind:
                raise fail(key + ".kind", f"'{p.kind}', the registry's kind for {name}")
            kind, lo_ok, hi_ok = p.kind, p.low, p.high
            opts = {"low": p.low, "high": p.high} | opts
            if p.unit == "day" and horizon is not None and opts["high"] > horizon and "values" not in opts:
                # a day of the run beyond the horizon: those runs never see the event (no mission at all)
                if explicit_high:
                    raise fail(key, f"a day within the horizon [{p.low:g}, {horizon}] (days = {horizon}; got "
                                    f"high = {opts['high']:g}: runs beyond day {horizon} would never see it)")
                if horizon <= opts["low"]:
                    raise fail(key, f"the registry's range [{p.low:g}, {p.high:g}] lies beyond days = {horizon}")
                warnings.append(f"{key}: range cut to [{opts['low']:g}, {horizon}] (the registry's goes to "
                                f"day {p.high:g}, beyond the horizon days = {horizon})")
                opts = opts | {"high": horizon}
        values = opts.get("values")
        if values is not None:
            if not values or not short_list(values, (int, float)) or not all(_is_num(v) for v in values):
                raise fail(key + ".values", f"a list of 1 to {MAX_ITEMS} numbers")
            if len(set(values)) != len(values):
                raise fail(key + ".values", "distinct numbers")
            if kind == "int" and not all(float(v).is_integer() for v in values):
                raise fail(key + ".values", "integers (an int parameter)")
            bad = [v for v in values if not lo_ok <= v <= hi_ok]
            if bad:
                raise fail(key + ".values", f"numbers in [{lo_ok:g}, {hi_ok:g}] (got {bad[0]:g})")
            if registry_model and registry.PARAMETERS[name].unit == "day" and horizon is not None:
                late = [v for v in values if v > horizon]
                if late:
                    raise fail(key + ".values", f"days within the horizon days = {horizon} (got {late[0]:g})")
            low, high = min(values), max(values)
        else:
            low, high = opts.get("low"), opts.get("high")
            if not _is_num(low) or not _is_num(high):
                raise fail(key, "needs numbers 'low' and 'high'")
            if not low < high:
                raise fail(key, f"an empty range: low ({low:g}) must be below high ({high:g})")
            if low < lo_ok or high > hi_ok:
                raise fail(key, f"a range within [{lo_ok:g}, {hi_ok:g}] (got [{low:g}, {high:g}])")
        if design.method == "grid" and values is None:
            raise fail(key, "needs 'values' (the levels) in a grid design")
        if design.method != "grid" and values is not None:
            raise fail(key, f"takes 'low' and 'high' in a {design.method} design, not 'values'")
        out.append(Factor(name, float(low), float(high), kind, tuple(float(v) for v in values or ()), group))
    return tuple(out)


def _parse_analysis(d: Any, design: Design, factors: tuple[Factor, ...], fail, horizon: int | None,
                    registry_model: bool) -> Analysis:
    factor_names = [f.name for f in factors]
    if not isinstance(d, dict):
        raise fail("analysis", "a table")
    allowed = {"methods", "bootstrap", "conf_level", "pawn_slices", "success", "planner_by", "reference",
               "noise_threshold"}
    if set(d) - allowed:
        raise fail("analysis." + sorted(set(d) - allowed)[0], "unknown key; allowed: " + ", ".join(sorted(allowed)))
    methods = d.get("methods", list(DEFAULT_ANALYSES[design.method]))
    ok = ANALYSES_FOR[design.method]
    if not isinstance(methods, list) or any(m not in ok for m in methods):
        raise fail("analysis.methods", f"a list from {', '.join(ok)} for a {design.method} design")
    bootstrap = d.get("bootstrap", 1000)
    if not in_range(bootstrap, 10, limits.MAX_BOOTSTRAP):
        raise fail("analysis.bootstrap", f"an integer in [10, {limits.MAX_BOOTSTRAP:,}] (bootstrap resamples)")
    conf = d.get("conf_level", 0.95)
    if not _is_num(conf) or not 0 < conf < 1:
        raise fail("analysis.conf_level", "a number between 0 and 1")
    slices = d.get("pawn_slices", 10)
    if not in_range(slices, 2, limits.MAX_PAWN_SLICES):
        raise fail("analysis.pawn_slices", f"an integer in [2, {limits.MAX_PAWN_SLICES}]")
    success = d.get("success", [])
    if not short_list(success) or not all(success):
        raise fail("analysis.success", f"a list of at most {MAX_ITEMS} expressions such as "
                                       "\"gang_population_share_horizon < 0.5\"")
    success = [resolve_expression(e, horizon, registry_model, factor_names,
                                  lambda why, i=i: fail(f"analysis.success[{i}]", why))
               for i, e in enumerate(success)]
    by = d.get("planner_by", [])
    if not isinstance(by, list) or any(b not in factor_names for b in by):
        raise fail("analysis.planner_by", "a list of the experiment's factors: " + ", ".join(factor_names))
    reference = d.get("reference")
    levels = {f.name: f.values for f in factors}
    if reference is None:  # default: no mission, when the grid has that level
        reference = {"mss_target_personnel": 0} if 0.0 in levels.get("mss_target_personnel", ()) and by else {}
    if not isinstance(reference, dict) or any(k not in levels or not _is_num(v) or float(v) not in levels[k]
                                              for k, v in reference.items()):
        raise fail("analysis.reference", "a table of grid factors and one of their levels, e.g. "
                                         "{mss_target_personnel = 0} (no mission)")
    threshold = d.get("noise_threshold", 0.05)
    if not _is_num(threshold) or not 0 < threshold < 1:
        raise fail("analysis.noise_threshold", "a share between 0 and 1 (e.g. 0.05)")
    return Analysis(tuple(methods), bootstrap, float(conf), slices, tuple(success), tuple(by),
                    tuple((k, float(v)) for k, v in reference.items()), float(threshold))


def _nearest_pow2(n: int) -> int:
    lo = 1 << (n.bit_length() - 1)
    return lo if n - lo <= 2 * lo - n else 2 * lo
