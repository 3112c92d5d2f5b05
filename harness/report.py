"""report.txt (fixed width, for a patch cover letter), report.md and report.html.

Reports contain no dates or wall times, so the same runs always give byte-identical reports.
"""
from __future__ import annotations

import base64
import html
import math
import os
import textwrap
from dataclasses import dataclass

from .aggregate import Note, PointSummary, Stat, axes_covering, varying_axes
from .build import MdsimInfo
from .jsonpath import config_get
from .suite import PlotSpec, Suite, TableSpec, value_text

WIDTH = 100


@dataclass
class FailedRun:
    label: str
    seed: int
    exit_code: int | None
    stderr: str
    config_file: str      # where the failing config was written, relative to the report


@dataclass
class ReportInput:
    suite: Suite
    suite_file: str
    mdsim: MdsimInfo
    seeds: list[int]
    filters: list[str]
    points: int
    runs: int
    reused: int
    failed: list[FailedRun]
    summaries: list[PointSummary]
    notes: list[Note]
    plots: list[tuple[PlotSpec, str, bool]]
    reproduce: str


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    nkeys: int                 # leading key columns (left part repeated when split)
    footnote: str = ""


# ----------------------------------------------------------------------------- numbers

def _decimals(v: float) -> int | None:
    """Decimals to show for v (None: use scientific notation)."""
    a = abs(v)
    if a == 0 or a >= 1000:
        return 0
    if a < 0.001:
        return None
    return max(0, 3 - math.floor(math.log10(a)))


def fmt(v: float, like: float | None = None) -> str:
    """A number with 4 significant digits; `like` (e.g. the largest value of a table column)
    fixes the precision instead, so a column shares its decimals."""
    d = _decimals(like if like is not None else v)
    if d is None:
        return f"{v:.3e}"
    s = f"{v:.{d}f}"
    return s[1:] if s.startswith("-") and s.strip("-0.") == "" else s


def cell(st: Stat | None, ps: PointSummary | None, plusminus: str,
         like: float | None = None) -> str:
    """"mean +-spread" (plus " *" if some seeds failed), "FAILED", "n/a" (metric missing) or
    "" (no such point)."""
    if ps is None:
        return ""
    if st is None:
        return "FAILED" if ps.ok == 0 else "n/a"
    like = like if like is not None else st.mean
    text = fmt(st.mean, like)
    if st.n > 1:
        text += f" {plusminus}{fmt(st.spread, like)}"
    if ps.failed:
        text += " *"
    return text


def _largest(stats) -> float | None:
    vals = [abs(st.mean) for st in stats if st is not None]
    return max(vals) if vals else None


def values_note(seeds: int, pm: str = "+-") -> str:
    if seeds >= 3:
        return f"mean {pm} 95% confidence interval over {seeds} seeds"
    if seeds == 2:
        return f"mean {pm} largest distance from the mean to min or max, over 2 seeds"
    return "single seed"


# ----------------------------------------------------------------------------- tables

def _row_axes(suite: Suite, spec: TableSpec, summaries: list[PointSummary]):
    """Row key paths: spec.rows plus the primary path of every other varying axis."""
    covered = axes_covering(suite, spec.rows + ((spec.columns,) if spec.columns else ()))
    extra = [suite.axes[i].primary for i in varying_axes(suite, summaries) if i not in covered]
    return list(spec.rows) + extra


def build_tables(suite: Suite, summaries: list[PointSummary], pm: str) -> list[Table]:
    out = []
    for spec in suite.tables:
        keys = _row_axes(suite, spec, summaries)
        key_heads = [p[-1] for p in keys]

        def rowkey(s):
            return tuple(value_text(config_get(s.point.config, p)) for p in keys)

        rowkeys: list[tuple] = []
        for s in summaries:
            if rowkey(s) not in rowkeys:
                rowkeys.append(rowkey(s))
        star = any(s.failed and s.ok for s in summaries)
        foot = "* some seeds of this point failed" if star else ""
        if spec.columns is None:
            by_row = {}
            for s in summaries:
                by_row.setdefault(rowkey(s), s)
            heads = key_heads + [suite.metrics[m].heading() for m in spec.metrics]
            like = {m: _largest(by_row[rk].stats.get(m) for rk in rowkeys) for m in spec.metrics}
            rows = [list(rk) + [cell(by_row[rk].stats.get(m), by_row[rk], pm, like[m])
                                for m in spec.metrics] for rk in rowkeys]
            out.append(Table(spec.title or "results", heads, rows, len(keys), foot))
            continue
        colvals: list[str] = []
        cells: dict[tuple, PointSummary] = {}
        for s in summaries:
            cv = value_text(config_get(s.point.config, spec.columns))
            if cv not in colvals:
                colvals.append(cv)
            cells.setdefault((rowkey(s), cv), s)
        for m in spec.metrics:
            title = suite.metrics[m].heading()
            if spec.title:
                title = f"{spec.title}: {title}"
            like = _largest(c.stats.get(m) for c in cells.values())
            rows = []
            for rk in rowkeys:
                rows.append(list(rk) + [cell(cells[(rk, cv)].stats.get(m), cells[(rk, cv)], pm,
                                             like) if (rk, cv) in cells else "" for cv in colvals])
            out.append(Table(title, key_heads + colvals, rows, len(keys), foot))
    return out


def _numeric(text: str) -> bool:
    try:
        float(text.split(" ")[0])
        return True
    except ValueError:
        return False


def table_text(t: Table, width: int = WIDTH) -> str:
    """Fixed-width table; value columns beyond `width` continue in further blocks that repeat
    the key columns."""
    ncol = len(t.headers)
    widths = [max([len(t.headers[c])] + [len(r[c]) for r in t.rows]) for c in range(ncol)]
    right = [c >= t.nkeys or all(_numeric(r[c]) for r in t.rows) for c in range(ncol)]
    keys = list(range(t.nkeys))
    key_w = sum(widths[c] + 2 for c in keys)
    blocks, cur, used = [], [], key_w
    for c in range(t.nkeys, ncol):
        if cur and used + widths[c] + 2 > width:
            blocks.append(cur)
            cur, used = [], key_w
        cur.append(c)
        used += widths[c] + 2
    blocks.append(cur)

    def line(cells_, cols):
        parts = [(cells_[c].rjust(widths[c]) if right[c] else cells_[c].ljust(widths[c]))
                 for c in cols]
        return "  ".join(parts).rstrip()

    chunks = []
    for cols in blocks:
        cols = keys + cols
        lines = [line(t.headers, cols), "  ".join("-" * widths[c] for c in cols)]
        lines += [line(r, cols) for r in t.rows]
        chunks.append("\n".join(lines))
    return "\n\n".join(chunks)


def table_md(t: Table) -> str:
    def esc(s):
        return s.replace("|", "\\|")
    lines = ["| " + " | ".join(esc(h) for h in t.headers) + " |",
             "|" + "|".join("---:" if c >= t.nkeys else "---" for c in range(len(t.headers))) + "|"]
    lines += ["| " + " | ".join(esc(c) for c in r) + " |" for r in t.rows]
    return "\n".join(lines)


def table_html(t: Table) -> str:
    e = html.escape
    out = ["<table>", "<thead><tr>" + "".join(f"<th>{e(h)}</th>" for h in t.headers)
           + "</tr></thead>", "<tbody>"]
    for r in t.rows:
        tds = "".join(f'<td class="{"k" if i < t.nkeys else "v"}">{e(c)}</td>'
                      for i, c in enumerate(r))
        out.append(f"<tr>{tds}</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


# ----------------------------------------------------------------------------- header

def _flatten(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _flatten(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1], obj


def header_fields(r: ReportInput, pm: str = "+-") -> list[tuple[str, str]]:
    s = r.suite
    runs = (f"{r.runs} ({r.points} points x {len(r.seeds)} seeds); {r.reused} reused from "
            f"the results store; {len(r.failed)} failed")
    fields = [("suite", f"{s.name} ({r.suite_file})"), ("mdsim", r.mdsim.banner), ("runs", runs),
              ("seeds", ", ".join(str(x) for x in r.seeds))]
    if r.filters:
        fields.append(("filter", " ".join(r.filters)))
    for a in s.axes:
        vals = ", ".join(value_text(v[0]) if len(v) == 1 else "(" + ", ".join(
            value_text(x) for x in v) + ")" for v in a.values)
        fields.append(("sweep", f"{a.key} = {vals}"))
    swept = {".".join(p) for a in s.axes for p in a.paths}
    fixed = [f"{k}={value_text(v)}" for k, v in _flatten(s.base) if k not in swept]
    if fixed:
        fields.append(("fixed", " ".join(fixed)))
    fields.append(("values", values_note(len(r.seeds), pm)))
    fields.append(("reproduce", r.reproduce))
    return fields


def _wrap_field(name: str, text: str) -> str:
    lead = f"{name + ':':<11}"
    if name == "reproduce":   # a command stays on one line, to be copied
        return lead + text
    return textwrap.fill(text, WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead),
                         break_on_hyphens=False, break_long_words=False)


def _failure_excerpt(f: FailedRun, lines: int = 6) -> list[str]:
    text = [ln for ln in f.stderr.strip().splitlines() if ln.strip()]
    if len(text) > lines:
        text = ["..."] + text[-lines:]
    return text or ["(no stderr)"]


def _exit_text(f: FailedRun) -> str:
    return "did not finish" if f.exit_code is None else f"exit {f.exit_code}"


def notes_lines(notes: list[Note]) -> list[str]:
    out = []
    by_metric: dict[str, list[Note]] = {}
    for n in notes:
        by_metric.setdefault(n.metric, []).append(n)
    for m, ns in by_metric.items():
        ex = ns[0]
        out.append(f"metric {m}: missing in {len(ns)} run(s), e.g. {ex.label} seed={ex.seed}: "
                   f"{ex.reason}")
    return out


# ----------------------------------------------------------------------------- renderers

def render_text(r: ReportInput) -> str:
    s = r.suite
    title = f"mdsim benchmark: {s.name}"
    out = [title, "=" * len(title), ""]
    if s.description:
        out += [textwrap.fill(s.description, 78), ""]
    out += [_wrap_field(k, v) for k, v in header_fields(r)]
    for t in build_tables(s, r.summaries, "+-"):
        out += ["", "", t.title, "-" * min(len(t.title), WIDTH), "", table_text(t)]
        if t.footnote:
            out += [t.footnote]
    if r.plots:
        out += ["", "", "Plots", "-----", ""]
        w = max(len(f) for _, f, _ in r.plots)
        for spec, fname, has in r.plots:
            desc = spec.title or f"{s.metrics[spec.y].label} vs {spec.x[-1]}"
            out.append(f"{fname:<{w}}  {desc}" + ("" if has else " (no data)"))
    if r.notes:
        out += ["", "", "Notes", "-----", ""] + notes_lines(r.notes)
    if r.failed:
        out += ["", "", f"Failed runs ({len(r.failed)})", "-" * len(f"Failed runs ({len(r.failed)})"), ""]
        for f in r.failed:
            out.append(f"{f.label} seed={f.seed}: {_exit_text(f)} (config: {f.config_file})")
            out += ["    " + ln for ln in _failure_excerpt(f)]
    return "\n".join(out) + "\n"


def render_md(r: ReportInput) -> str:
    s = r.suite
    out = [f"# mdsim benchmark: {s.name}", ""]
    if s.description:
        out += [s.description, ""]
    out += [f"- **{k}**: `{v}`" if k in ("reproduce", "fixed") else f"- **{k}**: {v}"
            for k, v in header_fields(r, "±")]
    for t in build_tables(s, r.summaries, "±"):
        out += ["", f"## {t.title}", "", table_md(t)]
        if t.footnote:
            out += ["", t.footnote.replace("*", "\\*", 1)]
    if r.plots:
        out += ["", "## Plots", ""]
        for spec, fname, has in r.plots:
            alt = spec.title or f"{s.metrics[spec.y].label} vs {spec.x[-1]}"
            out += [f"![{alt}]({fname})", ""]
        out.pop()
    if r.notes:
        out += ["", "## Notes", ""] + [f"- {ln}" for ln in notes_lines(r.notes)]
    if r.failed:
        out += ["", f"## Failed runs ({len(r.failed)})", ""]
        for f in r.failed:
            out += [f"- {f.label} seed={f.seed}: {_exit_text(f)} (config: `{f.config_file}`)", "",
                    "  ```"] + ["  " + ln for ln in _failure_excerpt(f)] + ["  ```"]
    return "\n".join(out) + "\n"


_CSS = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.2em .6em}
th{background:#f0f0f0}td.v{text-align:right;font-variant-numeric:tabular-nums}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
pre{background:#f6f6f6;padding:.5em;overflow-x:auto}img{max-width:100%;display:block;margin:1em 0}"""


def render_html(r: ReportInput, outdir: str) -> str:
    s = r.suite
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>mdsim benchmark: {e(s.name)}</title>", f"<style>{_CSS}</style>",
           "</head><body>", f"<h1>mdsim benchmark: {e(s.name)}</h1>"]
    if s.description:
        out.append(f"<p>{e(s.description)}</p>")
    out.append("<dl>" + "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in header_fields(r, "±"))
               + "</dl>")
    for t in build_tables(s, r.summaries, "±"):
        out += [f"<h2>{e(t.title)}</h2>", table_html(t)]
        if t.footnote:
            out.append(f"<p>{e(t.footnote)}</p>")
    if r.plots:
        out.append("<h2>Plots</h2>")
        for spec, fname, has in r.plots:
            alt = spec.title or f"{s.metrics[spec.y].label} vs {spec.x[-1]}"
            with open(os.path.join(outdir, fname), "rb") as f:
                data = base64.b64encode(f.read()).decode("ascii")
            out.append(f'<img src="data:image/png;base64,{data}" alt="{e(alt)}" title="{e(fname)}">')
    if r.notes:
        out += ["<h2>Notes</h2>", "<ul>"] + [f"<li>{e(ln)}</li>" for ln in notes_lines(r.notes)]
        out.append("</ul>")
    if r.failed:
        out.append(f"<h2>Failed runs ({len(r.failed)})</h2>")
        for f in r.failed:
            out.append(f"<p>{e(f.label)} seed={f.seed}: {e(_exit_text(f))} (config: "
                       f"<code>{e(f.config_file)}</code>)</p>")
            out.append("<pre>" + e("\n".join(_failure_excerpt(f))) + "</pre>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write(r: ReportInput, outdir: str) -> dict[str, str]:
    """Writes the three reports (PNG files must already be in outdir); returns their paths."""
    paths = {}
    for ext, text in (("txt", render_text(r)), ("md", render_md(r)),
                      ("html", render_html(r, outdir))):
        path = os.path.join(outdir, f"report.{ext}")
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
        paths[ext] = path
    return paths
