"""Unit tests: result paths, aggregation math, the store, number/table formatting."""
import json
import math
import sqlite3

import pytest

from conftest import tiny_suite, write_suite
from harness import aggregate as A
from harness import report as R
from harness import store as ST
from harness import suite as S
from harness.jsonpath import describe, parse_result_path, result_get

RESULT = {"mdsim": {"lock_loop": {"ops_per_sec": 5.0e6, "wait_share": 0.25,
                                  "latency_ns": {"percentile": {"99.000000": 900}}},
                    "lock_stat": [{"class": "a", "rw": "W", "contentions": 3},
                                  {"class": "a", "rw": "R", "contentions": 7}]},
          "jobs": [{"jobname": "seq", "read": {"bw": 10}}]}


# ----------------------------------------------------------------------------- jsonpath

@pytest.mark.parametrize("path,value", [
    ("mdsim.lock_loop.ops_per_sec", 5.0e6),
    ('mdsim.lock_loop.latency_ns.percentile["99.000000"]', 900),
    ("mdsim.lock_stat[1].contentions", 7),
    ("mdsim.lock_stat[-1].rw", "R"),
    ("mdsim.lock_stat[rw=W].contentions", 3),
    ("jobs[jobname=seq].read.bw", 10),
    ('["mdsim"].lock_loop.wait_share', 0.25),
])
def test_result_paths(path, value):
    assert result_get(RESULT, parse_result_path(path)) == value


@pytest.mark.parametrize("path,reason", [
    ("mdsim.nope", "no mdsim.nope"),
    ("mdsim.lock_stat[5]", "no mdsim.lock_stat[5]"),
    ("mdsim.lock_stat[rw=X].contentions", "no mdsim.lock_stat[rw=X]"),
    ("mdsim.lock_loop[0]", "no mdsim.lock_loop[0]"),
])
def test_result_path_lookup_errors(path, reason):
    with pytest.raises(LookupError, match=reason.replace("[", r"\[").replace("]", r"\]")):
        result_get(RESULT, parse_result_path(path))


@pytest.mark.parametrize("path", ["", "a.", ".a", "a..b", "a[", "a[x]", 'a["x"', "a b", "a.[0]"])
def test_bad_result_paths(path):
    with pytest.raises(ValueError):
        parse_result_path(path)


def test_describe():
    assert describe(["sweep", "machine.cores"]) == "$.sweep.machine.cores"
    assert describe(["plots", 0, "y"]) == "$.plots[0].y"
    assert describe([]) == "$"


# ----------------------------------------------------------------------------- aggregation

def test_summarize_two_values_uses_min_max():
    st = A.summarize([1.0, 3.0])
    assert (st.n, st.mean, st.min, st.max) == (2, 2.0, 1.0, 3.0)
    assert st.stdev == pytest.approx(math.sqrt(2))
    assert st.ci95 is None
    assert (st.lo, st.hi, st.spread) == (1.0, 3.0, 1.0)


def test_summarize_three_values_uses_t_interval():
    st = A.summarize([1.0, 2.0, 6.0])
    assert st.mean == 3.0
    sd = math.sqrt(((1 - 3) ** 2 + (2 - 3) ** 2 + (6 - 3) ** 2) / 2)
    assert st.stdev == pytest.approx(sd)
    assert st.ci95 == pytest.approx(4.303 * sd / math.sqrt(3))
    assert st.lo == pytest.approx(3 - st.ci95) and st.hi == pytest.approx(3 + st.ci95)
    assert st.spread == st.ci95


def test_summarize_edge_cases():
    assert A.summarize([]) is None
    st = A.summarize([4.0])
    assert (st.n, st.mean, st.lo, st.hi, st.spread, st.stdev) == (1, 4.0, 4.0, 4.0, 0.0, None)


def test_t975():
    assert A.t975(1) == 12.706 and A.t975(2) == 4.303 and A.t975(30) == 2.042
    assert A.t975(35) == 2.042      # between entries: the smaller df (wider interval)
    assert A.t975(1000) == 1.960
    with pytest.raises(ValueError):
        A.t975(0)


def _result(ops, wait=0.1, p99=500):
    return {"mdsim": {"lock_loop": {"ops_per_sec": ops, "wait_share": wait,
                                    "theory": {"uncontended_ops_per_sec": 1e7},
                                    "latency_ns": {"percentile": {"99.000000": p99}}}}}


def test_aggregate_groups_by_point_scales_and_counts_failures(tmp_path):
    s = S.load(str(write_suite(tmp_path / "t.json", tiny_suite())))
    runs = S.runs(s, S.points(s))
    results = {0: _result(1e6), 1: _result(3e6), 2: _result(2e6), 3: None}
    recs = [(r, results.get(i, _result(5e6))) for i, r in enumerate(runs)]
    bad = _result(5e6)
    del bad["mdsim"]["lock_loop"]["wait_share"]
    recs[4] = (recs[4][0], bad)
    summaries, notes = A.aggregate(s, recs)
    assert len(summaries) == 6
    first, second, third = summaries[:3]
    assert first.stats["ops_per_sec"].mean == pytest.approx(2.0)   # scale 1e-6
    assert (first.stats["ops_per_sec"].min, first.stats["ops_per_sec"].max) == (1.0, 3.0)
    assert (second.ok, second.failed, second.stats["ops_per_sec"].n) == (1, 1, 1)
    assert third.stats["wait_share"].n == 1 and third.stats["ops_per_sec"].n == 2
    assert [(n.metric, n.label, n.seed) for n in notes] == [("wait_share", "spinlock cores=4", 1)]
    assert "no mdsim.lock_loop.wait_share" in notes[0].reason


def test_extract_rejects_non_numbers(tmp_path):
    s = S.load(str(write_suite(tmp_path / "t.json", tiny_suite())))
    r = _result(1e6)
    r["mdsim"]["lock_loop"]["wait_share"] = "high"
    with pytest.raises(TypeError):
        A.extract(r, s.metrics["wait_share"])
    r["mdsim"]["lock_loop"]["wait_share"] = True
    with pytest.raises(TypeError):
        A.extract(r, s.metrics["wait_share"])


# ----------------------------------------------------------------------------- store

def test_run_key_depends_on_every_part():
    k = ST.run_key("s", {"a": 1, "b": 2}, 1, "build1")
    assert k == ST.run_key("s", {"b": 2, "a": 1}, 1, "build1")   # key order irrelevant
    assert len({k, ST.run_key("t", {"a": 1, "b": 2}, 1, "build1"),
                ST.run_key("s", {"a": 1, "b": 3}, 1, "build1"),
                ST.run_key("s", {"a": 1, "b": 2}, 2, "build1"),
                ST.run_key("s", {"a": 1, "b": 2}, 1, "build2")}) == 5


def test_store_roundtrip_and_replace(tmp_path):
    path = tmp_path / "deep" / "r.sqlite"
    with ST.Store(str(path)) as db:
        common = dict(suite="s", build_id="b", seed=1, label="x", config={"seed": 1})
        db.put(key="k1", status="failed", exit_code=2, result_text=None, stderr="boom",
               wall_seconds=0.5, **common)
        assert db.get_ok("k1") is None
        assert db.get("k1").stderr == "boom" and db.get("k1").exit_code == 2
        db.put(key="k1", status="ok", exit_code=0, result_text=json.dumps({"mdsim": {}}),
               stderr="", wall_seconds=0.25, **common)
        assert db.get_ok("k1").result == {"mdsim": {}}
        assert db.get("missing") is None
        assert db.count() == {"ok": 1}
    with ST.Store(str(path)) as db:   # persisted
        assert db.get_ok("k1").wall_seconds == 0.25
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA user_version").fetchone()[0] == ST.SCHEMA_VERSION
    cols = [r[1] for r in con.execute("PRAGMA table_info(runs)")]
    for c in ("key", "suite", "build_id", "seed", "config", "result", "stderr", "wall_seconds",
              "status"):
        assert c in cols


# ----------------------------------------------------------------------------- formatting

@pytest.mark.parametrize("v,like,text", [
    (1234567.0, None, "1234567"), (39.0, None, "39.00"), (0.5, 39.0, "0.50"),
    (0.000123, None, "1.230e-04"), (0.0, None, "0"), (-0.0001, 5.0, "0.000"), (1.5, 1.5, "1.500"),
    (999.96, None, "1000.0"),
])
def test_fmt(v, like, text):
    assert R.fmt(v, like) == text


def test_cells():
    ps = A.PointSummary(point=None, ok=2, failed=0)
    assert R.cell(A.summarize([1.0, 3.0]), ps, "+-") == "2.000 +-1.000"
    assert R.cell(A.summarize([1.0, 3.0]), ps, "+-", like=100.0) == "2.0 +-1.0"
    assert R.cell(A.summarize([2.0]), ps, "+-") == "2.000"
    assert R.cell(None, A.PointSummary(point=None, ok=0, failed=2), "+-") == "FAILED"
    assert R.cell(None, ps, "+-") == "n/a"
    assert R.cell(A.summarize([2.0]), A.PointSummary(point=None, ok=1, failed=1), "+-") == "2.000 *"
    assert R.cell(None, None, "+-") == ""


def test_text_table_splits_wide_tables_repeating_key_columns():
    heads = ["cores"] + [f"column{i:02d}" for i in range(12)]
    rows = [[str(c)] + [f"{c * i}.000 +-0.100" for i in range(12)] for c in (1, 64)]
    text = R.table_text(R.Table("t", heads, rows, 1))
    blocks = text.split("\n\n")
    assert len(blocks) > 1
    for b in blocks:
        assert b.splitlines()[0].startswith("cores")
        assert all(len(line) <= R.WIDTH for line in b.splitlines())
    assert all(f"column{i:02d}" in text for i in range(12))


def test_values_note():
    assert "95% confidence" in R.values_note(3)
    assert "min or max" in R.values_note(2)
    assert R.values_note(1) == "single seed"
