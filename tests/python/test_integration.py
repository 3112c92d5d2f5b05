"""The harness with the real mdsim binary: a 2-point lock_loop suite, end to end.

The binary is $MDSIM_BUILD_DIR/app/mdsim (run_tests sets MDSIM_BUILD_DIR; default: build/).
A missing binary fails this test, unless MDSIM_ALLOW_MISSING_BINARY=1 (then it is skipped).
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, RUN_BENCH, real_mdsim, write_suite

SUITE = {
    "name": "integration",
    "description": "two lock_loop points through the real mdsim",
    "base": {
        "scenario": "lock_loop",
        "machine": {"profile": "default", "cores": 1, "sockets": 1},
        "lock_loop": {"lock": "spinlock", "threads": 0, "hold_ns": 100, "think_ns": 1000,
                      "duration_ns": 200000, "write_percent": 10},
    },
    "sweep": {"machine.cores": [1, 2]},
    "seeds": [1],
    "metrics": {
        "ops_per_sec": {"path": "mdsim.lock_loop.ops_per_sec", "unit": "Mops/s", "scale": 1e-6},
        "uncontended": {"path": "mdsim.lock_loop.theory.uncontended_ops_per_sec", "scale": 1e-6},
        "saturated": {"path": "mdsim.lock_loop.theory.saturated_ops_per_sec", "scale": 1e-6},
        "wait_share": {"path": "mdsim.lock_loop.wait_share"},
        "lat_mean": {"path": "mdsim.lock_loop.latency_ns.mean", "unit": "ns"},
        "p99": {"path": "mdsim.lock_loop.latency_ns.percentile[\"99.000000\"]", "unit": "ns"},
        "events": {"path": "mdsim.sim.events"},
    },
    "plots": [{"name": "throughput", "x": "machine.cores", "y": "ops_per_sec", "logx": True,
               "theory": ["uncontended", "saturated"]}],
    "table": {"rows": "machine.cores",
              "metrics": ["ops_per_sec", "wait_share", "lat_mean", "p99", "events"]},
}

LOCK_STAT_KEYS = {"class", "rw", "con_bounces", "contentions", "waittime_min_ns",
                  "waittime_max_ns", "waittime_total_ns", "acq_bounces", "acquisitions",
                  "holdtime_min_ns", "holdtime_max_ns", "holdtime_total_ns"}


def _bench(binary, suite, out, store):
    return subprocess.run([sys.executable, str(RUN_BENCH), "--mdsim", str(binary), "--suite",
                           str(suite), "--out", str(out), "--store", str(store)],
                          capture_output=True, text=True, timeout=600)


def test_real_binary_tiny_suite(tmp_path):
    binary = real_mdsim()
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True)
    assert version.returncode == 0
    assert re.fullmatch(r"mdsim \S+ \(build \S+\)", version.stdout.strip()), version.stdout
    suite = write_suite(tmp_path / "integration.json", SUITE)

    r = _bench(binary, suite, tmp_path / "out", tmp_path / "store.sqlite")
    assert r.returncode == 0, r.stderr
    txt = (tmp_path / "out" / "report.txt").read_text()
    assert version.stdout.strip() in txt
    assert "runs:      2 (2 points x 1 seeds); 0 reused from the results store; 0 failed" in txt
    assert "Notes" not in txt, "every metric path of the contract must resolve:\n" + txt
    for cores in (1, 2):
        row = re.search(rf"^\s+{cores}\s+(\S.*)$", txt, re.M)
        assert row, txt
        assert "n/a" not in row.group(1) and "FAILED" not in row.group(1)
    png = (tmp_path / "out" / "throughput.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 5000

    # the results follow the contract
    con = sqlite3.connect(tmp_path / "store.sqlite")
    results = [json.loads(t) for (t,) in con.execute("SELECT result FROM runs WHERE status='ok'")]
    assert len(results) == 2
    assert sorted(res["mdsim"]["cpu"]["cores"] for res in results) == [1, 2]
    for res in results:
        m = res["mdsim"]
        assert m["build_id"] in version.stdout
        assert m["config"]["scenario"] == "lock_loop"
        assert m["sim"]["sim_time_ns"] > 0 and m["sim"]["events"] > 0
        assert isinstance(m["lock_stat"], list)
        for row in m["lock_stat"]:
            assert LOCK_STAT_KEYS <= set(row), row
        assert len(m["cpu"]["utilisation"]) == m["cpu"]["cores"]
        assert m["lock_loop"]["threads"] == m["cpu"]["cores"]   # threads 0: one per core
        assert m["lock_loop"]["ops"] > 0

    # deterministic: a fresh run elsewhere gives byte-identical reports
    r = _bench(binary, suite, tmp_path / "out2", tmp_path / "store2.sqlite")
    assert r.returncode == 0, r.stderr
    for name in ("report.txt", "report.md", "report.html"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "out2" / name).read_bytes()


def test_real_binary_rejects_bad_config(tmp_path):
    binary = real_mdsim()
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"seed": 1, "scenario": "lock_loop", "no_such_key": 1}))
    out = tmp_path / "r.json"
    r = subprocess.run([str(binary), "run", str(cfg), "-o", str(out)], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.strip()
    assert not out.exists()
