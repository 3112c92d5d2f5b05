"""Per-point statistics of each metric across seeds.

With fewer than 3 values a point reports mean, min and max (error bars span min..max); with 3
or more it also reports the 95% confidence interval of the mean (Student's t), which then
gives the error bars and the "+-" of tables.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from .jsonpath import result_get
from .suite import Metric, Point, Run, Suite

# Two-sided 95% quantiles of Student's t distribution by degrees of freedom.
_T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
         9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131,
         16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074,
         23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045,
         30: 2.042, 40: 2.021, 60: 2.000, 120: 1.980}


def t975(df: int) -> float:
    """t quantile for a 95% two-sided interval; between table entries the next smaller
    tabulated df is used (a slightly wider, conservative interval)."""
    if df < 1:
        raise ValueError("df must be >= 1")
    if df > 120:
        return 1.960
    return _T975[max(d for d in _T975 if d <= df)]


@dataclass(frozen=True)
class Stat:
    n: int
    mean: float
    min: float
    max: float
    stdev: float | None     # sample standard deviation (n >= 2)
    ci95: float | None      # half-width of the 95% CI of the mean (n >= 3)

    @property
    def lo(self) -> float:
        return self.mean - self.ci95 if self.ci95 is not None else self.min

    @property
    def hi(self) -> float:
        return self.mean + self.ci95 if self.ci95 is not None else self.max

    @property
    def spread(self) -> float:
        """The "+-" shown in tables: the CI half-width, else the larger distance from the mean
        to min or max."""
        if self.ci95 is not None:
            return self.ci95
        return max(self.mean - self.min, self.max - self.mean)


def summarize(values: list[float]) -> Stat | None:
    if not values:
        return None
    n = len(values)
    mean = math.fsum(values) / n
    sd = ci = None
    if n >= 2:
        sd = math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))
    if n >= 3:
        ci = t975(n - 1) * sd / math.sqrt(n)
    return Stat(n=n, mean=mean, min=min(values), max=max(values), stdev=sd, ci95=ci)


def extract(result: Any, metric: Metric) -> float:
    """A metric's scaled value from one result; raises LookupError/TypeError with a reason."""
    v = result_get(result, metric.steps)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"{metric.path} is {type(v).__name__}, not a number")
    return float(v) * metric.scale


@dataclass
class PointSummary:
    point: Point
    ok: int = 0                      # seeds with a result
    failed: int = 0                  # seeds whose run failed
    stats: dict[str, Stat | None] = field(default_factory=dict)


@dataclass
class Note:
    metric: str
    label: str
    seed: int
    reason: str


def aggregate(suite: Suite, records: Iterable[tuple[Run, dict | None]]
              ) -> tuple[list[PointSummary], list[Note]]:
    """records: (run, result or None if the run failed). Returns summaries in sweep order and
    notes on metrics a successful result lacked."""
    by_point: dict[int, PointSummary] = {}
    values: dict[int, dict[str, list[float]]] = {}
    notes: list[Note] = []
    for run, result in records:
        idx = run.point.index
        ps = by_point.setdefault(idx, PointSummary(point=run.point))
        vals = values.setdefault(idx, {m: [] for m in suite.metrics})
        if result is None:
            ps.failed += 1
            continue
        ps.ok += 1
        for name, metric in suite.metrics.items():
            try:
                vals[name].append(extract(result, metric))
            except (LookupError, TypeError) as e:
                notes.append(Note(name, run.point.label, run.seed, str(e)))
    out = []
    for idx in sorted(by_point):
        ps = by_point[idx]
        ps.stats = {m: summarize(v) for m, v in values[idx].items()}
        out.append(ps)
    return out, notes


def varying_axes(suite: Suite, summaries: list[PointSummary]) -> list[int]:
    """Axes taking more than one value among these points."""
    return [i for i in range(len(suite.axes))
            if len({repr(s.point.coords[i]) for s in summaries}) > 1]


def axes_covering(suite: Suite, paths) -> set[int]:
    return {i for i, a in enumerate(suite.axes) for p in paths if a.covers(p)}
