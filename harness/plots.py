"""One PNG per plot spec of a suite (matplotlib, Agg, no pyplot global state)."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .aggregate import PointSummary, axes_covering, varying_axes
from .errors import EnvironmentProblem
from .jsonpath import config_get
from .suite import PlotSpec, Suite, loose_equal, value_text

_THEORY_STYLES = ["--", ":", "-."]


def check_available() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise EnvironmentProblem("matplotlib cannot be imported; install Debian's "
                                 "python3-matplotlib (tools/bootstrap.sh) and run with "
                                 "/usr/bin/python3") from None


@dataclass
class Series:
    label: str
    xs: list
    summaries: list[PointSummary]


def series_of(suite: Suite, spec: PlotSpec, summaries: list[PointSummary]) -> list[Series]:
    """Splits the points selected by spec.where into series: by spec.series values, then by
    every other axis that still varies (besides the one holding x)."""
    pts = [s for s in summaries
           if all(any(loose_equal(config_get(s.point.config, p), v) for v in vals)
                  for p, vals in spec.where)]
    extra = [i for i in varying_axes(suite, pts)
             if i not in axes_covering(suite, (spec.x,) + spec.series)]
    groups: dict[tuple, Series] = {}
    for s in pts:
        words = [value_text(config_get(s.point.config, p)) for p in spec.series]
        words += [f"{suite.axes[i].primary[-1]}={value_text(s.point.coords[i][0])}" for i in extra]
        key = tuple(words)
        if key not in groups:
            groups[key] = Series(" ".join(words), [], [])
        groups[key].xs.append(config_get(s.point.config, spec.x))
        groups[key].summaries.append(s)
    return list(groups.values())


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def render_one(suite: Suite, spec: PlotSpec, summaries: list[PointSummary], path: str) -> bool:
    """Draws one plot into path; returns False if no point had data (the PNG then says so)."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    metric = suite.metrics[spec.y]
    xleaf = spec.x[-1]
    fig = Figure(figsize=(7.5, 4.6), dpi=100)
    ax = fig.subplots()
    all_series = series_of(suite, spec, summaries)
    xs_all = [x for s in all_series for x in s.xs]
    numeric = all(_is_number(x) for x in xs_all)
    categories: list = []
    if not numeric:
        for x in xs_all:
            if value_text(x) not in categories:
                categories.append(value_text(x))

    def xpos(x):
        return x if numeric else categories.index(value_text(x))

    logx = spec.logx and numeric and all(x > 0 for x in xs_all)
    any_data = False
    ys_all = []
    for ser in all_series:
        rows = []
        for x, s in zip(ser.xs, ser.summaries):
            st = s.stats.get(spec.y)
            if st is not None:
                rows.append((xpos(x), st))
        rows.sort(key=lambda r: r[0])
        if not rows:
            continue
        any_data = True
        xs = [r[0] for r in rows]
        ys = [r[1].mean for r in rows]
        ys_all += [r[1].lo for r in rows] + [r[1].hi for r in rows]
        with_err = any(r[1].n > 1 for r in rows)
        yerr = ([y - r[1].lo for y, r in zip(ys, rows)],
                [r[1].hi - y for y, r in zip(ys, rows)]) if with_err else None
        bars = ax.errorbar(xs, ys, yerr=yerr, marker="o", markersize=4, capsize=3,
                           linewidth=1.5, label=ser.label or metric.label)
        color = bars[0].get_color()
        for k, tname in enumerate(spec.theory):
            trows = sorted((xpos(x), s.stats[tname].mean) for x, s in zip(ser.xs, ser.summaries)
                           if s.stats.get(tname) is not None)
            if trows:
                ax.plot([r[0] for r in trows], [r[1] for r in trows], color=color, alpha=0.6,
                        linewidth=1, linestyle=_THEORY_STYLES[k % len(_THEORY_STYLES)])
                ys_all += [r[1] for r in trows]
    if not any_data:
        ax.text(0.5, 0.5, "no successful runs", ha="center", va="center",
                transform=ax.transAxes)
    if logx:
        ax.set_xscale("log", base=2)
    if spec.logy and ys_all and all(y > 0 for y in ys_all):
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    if numeric and xs_all:
        ticks = sorted({x for x in xs_all})
        if len(ticks) <= 16:
            ax.xaxis.set_major_locator(FixedLocator(ticks))
            ax.set_xticklabels([value_text(t) for t in ticks])
            ax.xaxis.set_minor_locator(NullLocator())
    elif categories:
        ax.xaxis.set_major_locator(FixedLocator(list(range(len(categories)))))
        ax.set_xticklabels(categories)
    ax.set_xlabel(spec.xlabel or xleaf + (" (log2)" if logx else ""))
    ax.set_ylabel(spec.ylabel or metric.heading())
    ax.set_title(spec.title or f"{suite.name}: {metric.label} vs {xleaf}")
    ax.grid(True, which="major", alpha=0.3)
    if any_data:
        handles, labels = ax.get_legend_handles_labels()
        for k, tname in enumerate(spec.theory):
            handles.append(Line2D([], [], color="grey", linewidth=1,
                                  linestyle=_THEORY_STYLES[k % len(_THEORY_STYLES)]))
            labels.append(f"theory: {suite.metrics[tname].label}")
        if len(handles) > 1 or spec.theory:
            ax.legend(handles, labels, fontsize="small", loc="best")
    fig.tight_layout()
    fig.savefig(path, format="png", metadata={"Software": None})
    return any_data


def render(suite: Suite, summaries: list[PointSummary], outdir: str
           ) -> list[tuple[PlotSpec, str, bool]]:
    """All plots of the suite into outdir; returns (spec, file name, had data) per plot."""
    check_available()
    out = []
    for spec in suite.plots:
        fname = spec.name + ".png"
        has = render_one(suite, spec, summaries, os.path.join(outdir, fname))
        out.append((spec, fname, has))
    return out
