"""Suite files: loading, validation and expansion into runs.

A suite is a JSON object (unknown keys are errors, as in mdsim configs):

  name         string [A-Za-z0-9_.-]+; names the output dir out/<name>/ and keys store rows
  description  string (optional)
  base         the mdsim config every run starts from, without "seed" (the harness sets it)
  sweep        object: config path -> list of values. The cartesian product of all entries
               gives the sweep points, first entry outermost. A key naming several paths
               joined by "," is one *joint* axis whose values are lists with one value per
               path, e.g. "machine.cores,machine.sockets": [[1, 1], [2, 2], [4, 2]].
               Every swept path must exist in base (typos are caught here, not by mdsim),
               and a value must have the JSON type of the base value (unless that is null).
  seeds        non-empty list of distinct integers >= 0; every point runs once per seed
  metrics      object: metric name -> {"path": result path (see jsonpath.py),
               "label": str, "unit": str, "scale": number multiplying the raw value}
  plots        list of {"name": file stem (default: y), "x": config path, "y": metric,
               "series": config path or list of them, "theory": [metric, ...] drawn dashed
               per series, "where": {config path: value or [values]}, "logx": bool (log2 x),
               "logy": bool, "title", "xlabel", "ylabel": str}. Swept axes that are not the
               x, series or fixed by "where" split series further.
  table        one table spec or a list of them: {"title": str, "metrics": [metric, ...],
               "rows": config path or list, "columns": config path}. With "columns", one
               pivot table per metric (rows x column values); without, one flat table with
               a row per point and a column per metric. Swept axes not named in rows or
               columns are added to the rows.
"""
from __future__ import annotations

import copy
import itertools
import json
import os
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError
from .jsonpath import (config_get, config_has, config_set, describe, parse_config_path,
                       parse_result_path, Step)

_SUITE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_ITEM_NAME = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Axis:
    key: str                        # as written in the suite, e.g. "machine.cores,machine.sockets"
    paths: tuple[tuple[str, ...], ...]
    values: tuple[tuple[Any, ...], ...]   # one tuple (len(paths) values) per axis value

    @property
    def primary(self) -> tuple[str, ...]:
        return self.paths[0]

    def covers(self, path: tuple[str, ...]) -> bool:
        return path in self.paths


@dataclass(frozen=True)
class Metric:
    name: str
    path: str
    steps: tuple[Step, ...]
    label: str
    unit: str
    scale: float

    def heading(self) -> str:
        return f"{self.label} [{self.unit}]" if self.unit else self.label


@dataclass(frozen=True)
class PlotSpec:
    name: str
    x: tuple[str, ...]
    y: str
    series: tuple[tuple[str, ...], ...]
    theory: tuple[str, ...]
    where: tuple[tuple[tuple[str, ...], tuple[Any, ...]], ...]
    logx: bool
    logy: bool
    title: str
    xlabel: str
    ylabel: str


@dataclass(frozen=True)
class TableSpec:
    title: str
    metrics: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[str, ...] | None


@dataclass
class Suite:
    name: str
    description: str
    source: str          # the file, as shown in messages
    base: dict
    axes: list[Axis]
    seeds: list[int]
    metrics: dict[str, Metric]
    plots: list[PlotSpec]
    tables: list[TableSpec]


@dataclass
class Point:
    index: int                     # position in the full (unfiltered) sweep
    coords: tuple[tuple[Any, ...], ...]   # one value tuple per axis
    config: dict                   # resolved config without seed
    label: str                     # e.g. "spinlock cores=8"


@dataclass
class Run:
    point: Point
    seed: int
    config: dict = field(repr=False)   # point config plus "seed"


# ----------------------------------------------------------------------------- loading

def load(path: str, display: str | None = None) -> Suite:
    """Reads and validates a suite file; raises InputError("FILE: $.path: reason")."""
    display = display or path
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{display}: cannot read: {e.strerror}") from None
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as e:
        raise InputError(f"{display}: invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except _DuplicateKey as e:
        raise InputError(f"{display}: invalid JSON: duplicate key {e.args[0]!r}") from None
    try:
        return _validate(doc, display)
    except _Bad as e:
        raise InputError(f"{display}: {describe(e.where)}: {e.reason}") from None


class _DuplicateKey(Exception):
    pass


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(k)
        out[k] = v
    return out


class _Bad(Exception):
    def __init__(self, where, reason):
        super().__init__(reason)
        self.where = list(where)
        self.reason = reason


def _kind(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "a list"
    return "an object"


def _expect(v: Any, kind: str, where: list) -> Any:
    if _kind(v) != kind:
        raise _Bad(where, f"expected {kind}, got {_kind(v)}")
    return v


def _keys(obj: dict, where: list, required: set[str], optional: set[str]) -> None:
    for k in obj:
        if k not in required and k not in optional:
            allowed = ", ".join(sorted(required | optional))
            raise _Bad(where + [k], f"unknown key (allowed: {allowed})")
    for k in sorted(required):
        if k not in obj:
            raise _Bad(where, f"missing required key {k!r}")


def _cfg_path(v: Any, where: list, base: dict) -> tuple[str, ...]:
    try:
        parts = parse_config_path(v)
    except ValueError as e:
        raise _Bad(where, str(e)) from None
    if not config_has(base, parts):
        raise _Bad(where, f"config path {v!r} not found in $.base")
    return parts


def _cfg_paths(v: Any, where: list, base: dict) -> tuple[tuple[str, ...], ...]:
    if isinstance(v, list):
        return tuple(_cfg_path(p, where + [i], base) for i, p in enumerate(v))
    return (_cfg_path(v, where, base),)


def _validate(doc: Any, src: str) -> Suite:
    _expect(doc, "an object", [])
    _keys(doc, [], {"name", "base", "sweep", "seeds", "metrics"},
          {"description", "plots", "table"})
    name = _expect(doc["name"], "a string", ["name"])
    if not _SUITE_NAME.fullmatch(name):
        raise _Bad(["name"], "must match [A-Za-z0-9_.-]+ (it names the output directory)")
    description = _expect(doc.get("description", ""), "a string", ["description"])
    base = _expect(doc["base"], "an object", ["base"])
    if "seed" in base:
        raise _Bad(["base", "seed"], "do not set the seed in base; list seeds in $.seeds")
    axes = _validate_sweep(doc["sweep"], base)
    seeds = _validate_seeds(doc["seeds"])
    metrics = _validate_metrics(doc["metrics"])
    plots = _validate_plots(doc.get("plots", []), base, metrics)
    tables = _validate_tables(doc.get("table", []), base, metrics)
    return Suite(name=name, description=description, source=src, base=base, axes=axes,
                 seeds=seeds, metrics=metrics, plots=plots, tables=tables)


def _validate_sweep(sweep: Any, base: dict) -> list[Axis]:
    _expect(sweep, "an object", ["sweep"])
    axes: list[Axis] = []
    seen: dict[tuple[str, ...], str] = {}
    for key, values in sweep.items():
        where = ["sweep", key]
        _expect(values, "a list", where)
        if not values:
            raise _Bad(where, "expected a non-empty list")
        paths = []
        for n in key.split(","):
            parts = _cfg_path(n.strip(), where, base)
            if parts in seen:
                raise _Bad(where, f"path {n.strip()!r} is already swept by {seen[parts]!r}")
            seen[parts] = key
            paths.append(parts)
        tuples = []
        for i, v in enumerate(values):
            if len(paths) > 1:
                _expect(v, "a list", where + [i])
                if len(v) != len(paths):
                    raise _Bad(where + [i], f"expected {len(paths)} values (one per path of "
                                            f"this joint axis), got {len(v)}")
                tup = tuple(v)
            else:
                tup = (v,)
            for parts, val in zip(paths, tup):
                ref = config_get(base, parts)
                if ref is not None and _kind(val) != _kind(ref):
                    raise _Bad(where + [i], f"expected {_kind(ref)} like $.base."
                                            f"{'.'.join(parts)}, got {_kind(val)}")
            if tup in tuples:
                raise _Bad(where + [i], f"duplicate value {json.dumps(v)}")
            tuples.append(tup)
        axes.append(Axis(key=key, paths=tuple(paths), values=tuple(tuples)))
    return axes


def _validate_seeds(seeds: Any) -> list[int]:
    _expect(seeds, "a list", ["seeds"])
    if not seeds:
        raise _Bad(["seeds"], "expected a non-empty list")
    for i, s in enumerate(seeds):
        if isinstance(s, bool) or not isinstance(s, int) or s < 0:
            raise _Bad(["seeds", i], "expected an integer >= 0")
        if s in seeds[:i]:
            raise _Bad(["seeds", i], f"duplicate seed {s}")
    return list(seeds)


def _validate_metrics(metrics: Any) -> dict[str, Metric]:
    _expect(metrics, "an object", ["metrics"])
    if not metrics:
        raise _Bad(["metrics"], "expected at least one metric")
    out = {}
    for name, spec in metrics.items():
        where = ["metrics", name]
        if not _ITEM_NAME.fullmatch(name):
            raise _Bad(where, "metric names must match [A-Za-z0-9_-]+")
        _expect(spec, "an object", where)
        _keys(spec, where, {"path"}, {"label", "unit", "scale"})
        path = _expect(spec["path"], "a string", where + ["path"])
        try:
            steps = parse_result_path(path)
        except ValueError as e:
            raise _Bad(where + ["path"], str(e)) from None
        label = _expect(spec.get("label", name), "a string", where + ["label"])
        unit = _expect(spec.get("unit", ""), "a string", where + ["unit"])
        scale = _expect(spec.get("scale", 1), "a number", where + ["scale"])
        if scale == 0:
            raise _Bad(where + ["scale"], "must not be 0")
        out[name] = Metric(name, path, steps, label, unit, float(scale))
    return out


def _metric_ref(v: Any, where: list, metrics: dict) -> str:
    _expect(v, "a string", where)
    if v not in metrics:
        raise _Bad(where, f"unknown metric {v!r} (defined: {', '.join(metrics)})")
    return v


def _validate_plots(plots: Any, base: dict, metrics: dict) -> list[PlotSpec]:
    _expect(plots, "a list", ["plots"])
    out: list[PlotSpec] = []
    names = set()
    opt = {"name", "series", "theory", "where", "logx", "logy", "title", "xlabel", "ylabel"}
    for i, p in enumerate(plots):
        where = ["plots", i]
        _expect(p, "an object", where)
        _keys(p, where, {"x", "y"}, opt)
        x = _cfg_path(p["x"], where + ["x"], base)
        y = _metric_ref(p["y"], where + ["y"], metrics)
        name = _expect(p.get("name", y), "a string", where + ["name"])
        if not _ITEM_NAME.fullmatch(name):
            raise _Bad(where + ["name"], "plot names must match [A-Za-z0-9_-]+ (file name)")
        if name in names:
            raise _Bad(where + ["name"] if "name" in p else where,
                       f"duplicate plot name {name!r} (set \"name\" to tell plots apart)")
        names.add(name)
        series = _cfg_paths(p["series"], where + ["series"], base) if "series" in p else ()
        theory = _expect(p.get("theory", []), "a list", where + ["theory"])
        theory = tuple(_metric_ref(t, where + ["theory", j], metrics) for j, t in enumerate(theory))
        wh = _expect(p.get("where", {}), "an object", where + ["where"])
        conds = []
        for k, v in wh.items():
            parts = _cfg_path(k, where + ["where", k], base)
            conds.append((parts, tuple(v) if isinstance(v, list) else (v,)))
        flags = {}
        for f in ("logx", "logy"):
            flags[f] = _expect(p.get(f, False), "a boolean", where + [f])
        texts = {f: _expect(p.get(f, ""), "a string", where + [f])
                 for f in ("title", "xlabel", "ylabel")}
        out.append(PlotSpec(name=name, x=x, y=y, series=series, theory=theory,
                            where=tuple(conds), **flags, **texts))
    return out


def _validate_tables(tables: Any, base: dict, metrics: dict) -> list[TableSpec]:
    where0 = ["table"]
    if isinstance(tables, dict):
        items = [(where0, tables)]
    else:
        _expect(tables, "a list", where0)
        items = [(where0 + [i], t) for i, t in enumerate(tables)]
    out = []
    for where, t in items:
        _expect(t, "an object", where)
        _keys(t, where, {"metrics"}, {"title", "rows", "columns"})
        ms = _expect(t["metrics"], "a list", where + ["metrics"])
        if not ms:
            raise _Bad(where + ["metrics"], "expected a non-empty list")
        ms = tuple(_metric_ref(m, where + ["metrics", j], metrics) for j, m in enumerate(ms))
        rows = _cfg_paths(t["rows"], where + ["rows"], base) if "rows" in t else ()
        cols = _cfg_path(t["columns"], where + ["columns"], base) if "columns" in t else None
        if cols is not None and cols in rows:
            raise _Bad(where + ["columns"], "a path cannot be both a row and the columns")
        title = _expect(t.get("title", ""), "a string", where + ["title"])
        out.append(TableSpec(title=title, metrics=ms, rows=rows, columns=cols))
    return out


# ----------------------------------------------------------------------------- expansion

def value_text(v: Any) -> str:
    """A config value as shown in labels and tables: strings bare, others as JSON."""
    return v if isinstance(v, str) else json.dumps(v)


def varying_axes(suite: Suite) -> list[int]:
    return [i for i, a in enumerate(suite.axes) if len(a.values) > 1]


def points(suite: Suite) -> list[Point]:
    """All sweep points (cartesian product of the axes, first axis outermost)."""
    vary = varying_axes(suite)
    out = []
    for index, coords in enumerate(itertools.product(*(a.values for a in suite.axes))):
        cfg = copy.deepcopy(suite.base)
        for axis, tup in zip(suite.axes, coords):
            for parts, v in zip(axis.paths, tup):
                config_set(cfg, parts, copy.deepcopy(v))
        words = []
        for i in vary:
            v = coords[i][0]
            leaf = suite.axes[i].primary[-1]
            words.append(v if isinstance(v, str) else f"{leaf}={value_text(v)}")
        out.append(Point(index=index, coords=tuple(coords), config=cfg,
                         label=" ".join(words) or suite.name))
    return out


def runs(suite: Suite, pts: list[Point], seeds: list[int] | None = None) -> list[Run]:
    """One run per point and seed, in point order."""
    out = []
    for p in pts:
        for s in seeds if seeds is not None else suite.seeds:
            cfg = {"seed": s}
            cfg.update(copy.deepcopy(p.config))
            out.append(Run(point=p, seed=s, config=cfg))
    return out


def override_seeds(seeds: list[int], n: int) -> list[int]:
    """--seeds N: the suite's first N seeds, extended with consecutive integers after the
    largest if the suite lists fewer (so runs stored for the suite's seeds are reused)."""
    if n < 1:
        raise InputError("--seeds: expected an integer >= 1")
    out = list(seeds[:n])
    nxt = max(seeds) + 1
    while len(out) < n:
        out.append(nxt)
        nxt += 1
    return out


# ----------------------------------------------------------------------------- filters

@dataclass(frozen=True)
class Filter:
    text: str
    path: tuple[str, ...] | None     # None: the seed
    values: tuple[Any, ...]

    def accepts(self, value: Any) -> bool:
        return any(loose_equal(value, v) for v in self.values)


def loose_equal(a: Any, b: Any) -> bool:
    """Equality for filters: 8 matches 8, 8.0 and "8"; booleans only match booleans."""
    if a == b and type(a) is not bool and type(b) is not bool:
        return True
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return value_text(a) == value_text(b)


def parse_filter(text: str, suite: Suite) -> Filter:
    """--filter KEY=V1[,V2...]: KEY is "seed", a config path, or the unique last part(s) of a
    swept path ("cores" for machine.cores). Values are JSON if they parse, else strings."""
    if "=" not in text:
        raise InputError(f"--filter {text!r}: expected KEY=VALUE[,VALUE...]")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key or not raw:
        raise InputError(f"--filter {text!r}: expected KEY=VALUE[,VALUE...]")
    values = []
    for part in raw.split(","):
        try:
            values.append(json.loads(part))
        except json.JSONDecodeError:
            values.append(part)
    if key == "seed":
        return Filter(text, None, tuple(values))
    try:
        parts = parse_config_path(key)
    except ValueError as e:
        raise InputError(f"--filter {text!r}: {e}") from None
    if config_has(suite.base, parts):
        return Filter(text, parts, tuple(values))
    swept = [p for a in suite.axes for p in a.paths]
    matches = [p for p in swept if p[-len(parts):] == parts]
    if len(matches) == 1:
        return Filter(text, matches[0], tuple(values))
    if matches:
        names = ", ".join(".".join(m) for m in matches)
        raise InputError(f"--filter {text!r}: {key!r} is ambiguous ({names})")
    names = ", ".join(".".join(p) for p in swept) or "none"
    raise InputError(f"--filter {text!r}: {key!r} is not a config path of suite "
                     f"{suite.name!r} (swept: {names})")


def apply_filters(run_list: list[Run], filters: list[Filter]) -> list[Run]:
    """Keeps runs accepted by every filter (repeat a key to AND; list values to OR)."""
    out = []
    for r in run_list:
        ok = True
        for f in filters:
            v = r.seed if f.path is None else config_get(r.point.config, f.path)
            if not f.accepts(v):
                ok = False
                break
        if ok:
            out.append(r)
    return out


# ----------------------------------------------------------------------------- discovery

def resolve(name_or_path: str, suites_dir: str) -> str:
    """A suite argument -> file path: an existing file, else suites_dir/NAME.json."""
    if os.path.isfile(name_or_path):
        return name_or_path
    looks_like_path = os.sep in name_or_path or name_or_path.endswith(".json")
    if not looks_like_path:
        cand = os.path.join(suites_dir, name_or_path + ".json")
        if os.path.isfile(cand):
            return cand
    raise InputError(f"no such suite: {name_or_path!r} (see --list; suites live in "
                     f"{display_path(suites_dir)}/)")


def display_path(path: str) -> str:
    """A path relative to the working directory when it is below it, else absolute."""
    ab = os.path.abspath(path)
    rel = os.path.relpath(ab)
    return ab if rel.startswith("..") else rel


def discover(suites_dir: str) -> list[tuple[str, Suite | None, str]]:
    """(path, suite or None, error) for every *.json in suites_dir, sorted."""
    out = []
    try:
        names = sorted(n for n in os.listdir(suites_dir) if n.endswith(".json"))
    except OSError:
        names = []
    for n in names:
        p = os.path.join(suites_dir, n)
        try:
            out.append((p, load(p, display_path(p)), ""))
        except InputError as e:
            out.append((p, None, str(e)))
    return out
