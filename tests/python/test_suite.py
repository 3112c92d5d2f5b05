"""Suite loading, validation messages, expansion, seeds and filters."""
import json

import pytest

from conftest import REPO, tiny_suite, write_suite
from harness import suite as S
from harness.errors import InputError


def load_doc(tmp_path, doc, name="s.json"):
    path = write_suite(tmp_path / name, doc)
    return S.load(str(path), f"suites/{name}")


def test_cartesian_product_first_axis_outermost(tmp_path):
    doc = tiny_suite()
    doc["sweep"]["lock_loop.hold_ns"] = [100, 200]
    s = load_doc(tmp_path, doc)
    pts = S.points(s)
    assert len(pts) == 2 * 3 * 2
    combos = [(p.config["lock_loop"]["lock"], p.config["machine"]["cores"],
               p.config["lock_loop"]["hold_ns"]) for p in pts]
    assert combos[:3] == [("spinlock", 1, 100), ("spinlock", 1, 200), ("spinlock", 2, 100)]
    assert len(set(combos)) == len(combos)
    assert [p.index for p in pts] == list(range(len(pts)))
    assert pts[0].label == "spinlock cores=1 hold_ns=100"


def test_joint_axis_sets_all_its_paths(tmp_path):
    s = load_doc(tmp_path, tiny_suite())
    pairs = [(p.config["machine"]["cores"], p.config["machine"]["sockets"]) for p in S.points(s)]
    assert pairs == [(1, 1), (2, 2), (4, 2)] * 2
    # the label names only the first path of a joint axis
    assert [p.label for p in S.points(s)][:2] == ["spinlock cores=1", "spinlock cores=2"]


def test_base_is_not_mutated_and_untouched_keys_are_kept(tmp_path):
    s = load_doc(tmp_path, tiny_suite())
    pts = S.points(s)
    assert s.base["machine"]["cores"] == 16
    assert pts[0].config["machine"]["profile"] == "default"
    assert pts[0].config["lock_loop"]["think_ns"] == 1000


def test_runs_one_per_seed_with_seed_in_config(tmp_path):
    s = load_doc(tmp_path, tiny_suite())
    runs = S.runs(s, S.points(s))
    assert len(runs) == 12
    assert [(r.point.index, r.seed) for r in runs[:4]] == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert runs[1].config["seed"] == 2 and "seed" not in runs[1].point.config
    assert runs[0].config["machine"] == runs[0].point.config["machine"]


def test_single_valued_axis_is_not_in_labels(tmp_path):
    doc = tiny_suite()
    doc["sweep"]["lock_loop.lock"] = ["atomic"]
    s = load_doc(tmp_path, doc)
    assert [p.label for p in S.points(s)] == ["cores=1", "cores=2", "cores=4"]


def test_override_seeds():
    assert S.override_seeds([1, 2], 1) == [1]
    assert S.override_seeds([1, 2], 4) == [1, 2, 3, 4]
    assert S.override_seeds([7, 3], 3) == [7, 3, 8]
    with pytest.raises(InputError):
        S.override_seeds([1], 0)


def test_demo_suite_is_valid_and_sized():
    s = S.load(str(REPO / "suites" / "demo.json"))
    pts = S.points(s)
    assert s.name == "demo" and s.seeds == [1, 2]
    assert len(pts) == 21 and len(S.runs(s, pts)) == 42
    assert {p.config["lock_loop"]["lock"] for p in pts} == {"spinlock", "rwlock_read", "atomic"}
    for p in pts:
        m = p.config["machine"]
        assert m["sockets"] == (1 if m["cores"] == 1 else 2)
        assert p.config["lock_loop"]["threads"] == 0
    assert sorted({p.config["machine"]["cores"] for p in pts}) == [1, 2, 4, 8, 16, 32, 64]


# ----------------------------------------------------------------------------- validation

def _mut(fn):
    doc = tiny_suite()
    fn(doc)
    return doc


BAD = [
    (lambda d: d.__setitem__("sweep", {"machine.cores": 4}), None,
     "$.sweep.machine.cores: expected a list, got a number"),
    (lambda d: d.__setitem__("sweep", {"machine.cores": []}), None,
     "$.sweep.machine.cores: expected a non-empty list"),
    (lambda d: d["sweep"].__setitem__("machine.corez", [1]), None,
     "$.sweep.machine.corez: config path 'machine.corez' not found in $.base"),
    (lambda d: d["sweep"].__setitem__("lock_loop.hold_ns", [100, "200"]), None,
     "$.sweep.lock_loop.hold_ns[1]: expected a number like $.base.lock_loop.hold_ns, got a string"),
    (lambda d: d["sweep"].__setitem__("lock_loop.hold_ns", [100, 100]), None,
     "$.sweep.lock_loop.hold_ns[1]: duplicate value 100"),
    (lambda d: d["sweep"].__setitem__("machine.cores,machine.sockets", [[1, 1], [2]]), None,
     "$.sweep.machine.cores,machine.sockets[1]: expected 2 values (one per path of this joint "
     "axis), got 1"),
    (lambda d: d["sweep"].__setitem__("machine.cores", [1, 2]), None,
     "$.sweep.machine.cores: path 'machine.cores' is already swept by "
     "'machine.cores,machine.sockets'"),
    (lambda d: d.__setitem__("sweeps", {}), None, "$.sweeps: unknown key (allowed: "),
    (lambda d: d.pop("seeds"), None, "$: missing required key 'seeds'"),
    (lambda d: d.__setitem__("seeds", [1, -1]), None, "$.seeds[1]: expected an integer >= 0"),
    (lambda d: d.__setitem__("seeds", [1, 1]), None, "$.seeds[1]: duplicate seed 1"),
    (lambda d: d.__setitem__("name", "has space"), None, "$.name: must match [A-Za-z0-9_.-]+"),
    (lambda d: d["base"].__setitem__("seed", 3), None,
     "$.base.seed: do not set the seed in base; list seeds in $.seeds"),
    (lambda d: d["metrics"]["p99"].__setitem__("path", "mdsim.lock_loop..x"), None,
     "$.metrics.p99.path: bad path 'mdsim.lock_loop..x': empty part at offset 16"),
    (lambda d: d["metrics"]["p99"].__setitem__("scale", "big"), None,
     "$.metrics.p99.scale: expected a number, got a string"),
    (lambda d: d["plots"][1].__setitem__("y", "nope"), None,
     "$.plots[1].y: unknown metric 'nope' (defined: ops_per_sec, uncontended, wait_share, p99)"),
    (lambda d: d["plots"][1].__setitem__("name", "throughput"), None,
     "$.plots[1].name: duplicate plot name 'throughput'"),
    (lambda d: d["plots"][0].__setitem__("logx", "yes"), None,
     "$.plots[0].logx: expected a boolean, got a string"),
    (lambda d: d["plots"][0].__setitem__("x", "machine.threads"), None,
     "$.plots[0].x: config path 'machine.threads' not found in $.base"),
    (lambda d: d["table"][0].__setitem__("columns", "machine.cores"), None,
     "$.table[0].columns: a path cannot be both a row and the columns"),
    (lambda d: d["table"][1].__setitem__("metrics", []), None,
     "$.table[1].metrics: expected a non-empty list"),
    (lambda d: d.__setitem__("table", {"metrics": ["x"]}), None,
     "$.table.metrics[0]: unknown metric 'x'"),
]


@pytest.mark.parametrize("mutate,_unused,message", BAD, ids=[b[2][:40] for b in BAD])
def test_validation_errors_name_file_and_json_path(tmp_path, mutate, _unused, message):
    with pytest.raises(InputError) as e:
        load_doc(tmp_path, _mut(mutate), "x.json")
    assert str(e.value).startswith("suites/x.json: ")
    assert message in str(e.value)


def test_invalid_json_reports_line_and_column(tmp_path):
    with pytest.raises(InputError) as e:
        load_doc(tmp_path, '{\n  "name": "x",\n  "seeds": [1,]\n}', "x.json")
    assert str(e.value).startswith("suites/x.json: invalid JSON at line 3 column")


def test_duplicate_json_keys_are_rejected(tmp_path):
    with pytest.raises(InputError, match="duplicate key 'name'"):
        load_doc(tmp_path, '{"name": "a", "name": "b"}', "x.json")


def test_top_level_must_be_object(tmp_path):
    with pytest.raises(InputError, match=r"suites/x.json: \$: expected an object, got a list"):
        load_doc(tmp_path, "[]", "x.json")


def test_resolve_by_name_and_path(tmp_path):
    (tmp_path / "suites").mkdir()
    p = write_suite(tmp_path / "suites" / "abc.json", tiny_suite())
    assert S.resolve("abc", str(tmp_path / "suites")) == str(p)
    assert S.resolve(str(p), "/nonexistent") == str(p)
    with pytest.raises(InputError, match="no such suite: 'nope'"):
        S.resolve("nope", str(tmp_path / "suites"))


# ----------------------------------------------------------------------------- filters

def test_filters_by_suffix_full_path_lists_and_seed(tmp_path):
    s = load_doc(tmp_path, tiny_suite())
    runs = S.runs(s, S.points(s))
    f1 = S.parse_filter("cores=1,4", s)
    assert f1.path == ("machine", "cores")
    kept = S.apply_filters(runs, [f1])
    assert {r.point.config["machine"]["cores"] for r in kept} == {1, 4} and len(kept) == 8
    kept = S.apply_filters(runs, [f1, S.parse_filter("lock_loop.lock=atomic", s),
                                  S.parse_filter("seed=2", s)])
    assert [(r.point.label, r.seed) for r in kept] == [("atomic cores=1", 2), ("atomic cores=4", 2)]
    # a fixed (unswept) path may be filtered on too
    assert len(S.apply_filters(runs, [S.parse_filter("lock_loop.hold_ns=100", s)])) == 12
    assert S.apply_filters(runs, [S.parse_filter("lock_loop.hold_ns=5", s)]) == []


@pytest.mark.parametrize("text,message", [
    ("cores", "expected KEY=VALUE"),
    ("=3", "expected KEY=VALUE"),
    ("nothing=3", "'nothing' is not a config path of suite 'tiny'"),
    ("a..b=3", "bad config path"),
])
def test_bad_filters(tmp_path, text, message):
    s = load_doc(tmp_path, tiny_suite())
    with pytest.raises(InputError, match=message):
        S.parse_filter(text, s)


def test_ambiguous_filter_suffix(tmp_path):
    doc = tiny_suite()
    doc["base"]["other"] = {"cores": 1}
    doc["sweep"]["other.cores"] = [1, 2]
    s = load_doc(tmp_path, doc)
    with pytest.raises(InputError, match="ambiguous"):
        S.parse_filter("cores=1", s)


def test_discover_lists_valid_and_invalid(tmp_path):
    write_suite(tmp_path / "a.json", tiny_suite())
    (tmp_path / "b.json").write_text(json.dumps({"name": "b"}))
    found = S.discover(str(tmp_path))
    assert [(p.rsplit("/", 1)[1], s is not None) for p, s, _ in found] == [("a.json", True),
                                                                          ("b.json", False)]
    assert "missing required key" in found[1][2]
