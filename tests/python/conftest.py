"""Shared helpers for the harness tests: run_bench.py driven against fake_mdsim.py."""
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUN_BENCH = REPO / "run_bench.py"
FAKE_MDSIM = Path(__file__).resolve().parent / "fake_mdsim.py"

sys.path.insert(0, str(REPO))

# A small valid suite: 2 locks x 3 core counts (cores and sockets jointly) x 2 seeds = 12 runs.
TINY = {
    "name": "tiny",
    "description": "two locks on 1, 2 and 4 cores",
    "base": {
        "scenario": "lock_loop",
        "machine": {"profile": "default", "cores": 16, "sockets": 2},
        "lock_loop": {"lock": "spinlock", "threads": 0, "hold_ns": 100, "think_ns": 1000,
                      "duration_ns": 100000, "write_percent": 10},
    },
    "sweep": {
        "lock_loop.lock": ["spinlock", "atomic"],
        "machine.cores,machine.sockets": [[1, 1], [2, 2], [4, 2]],
    },
    "seeds": [1, 2],
    "metrics": {
        "ops_per_sec": {"path": "mdsim.lock_loop.ops_per_sec", "label": "throughput",
                        "unit": "Mops/s", "scale": 1e-6},
        "uncontended": {"path": "mdsim.lock_loop.theory.uncontended_ops_per_sec",
                        "unit": "Mops/s", "scale": 1e-6},
        "wait_share": {"path": "mdsim.lock_loop.wait_share", "label": "wait share"},
        "p99": {"path": "mdsim.lock_loop.latency_ns.percentile[\"99.000000\"]", "unit": "ns"},
    },
    "plots": [
        {"name": "throughput", "x": "machine.cores", "y": "ops_per_sec",
         "series": "lock_loop.lock", "logx": True, "theory": ["uncontended"]},
        {"name": "wait", "x": "machine.cores", "y": "wait_share", "series": "lock_loop.lock"},
    ],
    "table": [
        {"rows": "machine.cores", "columns": "lock_loop.lock", "metrics": ["ops_per_sec", "p99"]},
        {"title": "all metrics", "metrics": ["ops_per_sec", "wait_share"]},
    ],
}


def tiny_suite() -> dict:
    return copy.deepcopy(TINY)


def write_suite(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc, indent=2) if not isinstance(doc, str) else doc)
    return path


class Bench:
    """Runs run_bench.py against the fake mdsim with outputs under one tmp dir."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.out = tmp / "out"
        self.store = tmp / "store" / "results.sqlite"
        self.log = tmp / "mdsim.log"
        self.env = {"FAKE_MDSIM_LOG": str(self.log)}

    def __call__(self, *args, env=None, mdsim=True, defaults=True, timeout=300):
        cmd = [sys.executable, str(RUN_BENCH)]
        if defaults:
            cmd += ["--out", str(self.out), "--store", str(self.store)]
        if mdsim:
            cmd += ["--mdsim", str(FAKE_MDSIM)]
        cmd += [str(a) for a in args]
        full_env = dict(os.environ)
        for k in list(full_env):
            if k.startswith("FAKE_MDSIM_"):
                del full_env[k]
        full_env.update(self.env)
        full_env.update(env or {})
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env,
                              timeout=timeout, cwd=self.tmp)

    def mdsim_runs(self) -> int:
        """How many times the fake mdsim was asked to run a config so far."""
        return len(self.log.read_text().splitlines()) if self.log.exists() else 0

    def report(self, ext="txt") -> str:
        return (self.out / f"report.{ext}").read_text()


@pytest.fixture
def bench(tmp_path):
    return Bench(tmp_path)


@pytest.fixture
def tiny(tmp_path):
    return write_suite(tmp_path / "tiny.json", tiny_suite())


def real_mdsim() -> Path:
    """The built mdsim binary: $MDSIM_BUILD_DIR/app/mdsim (run_tests sets it), else build/.

    A missing binary fails the calling test, unless MDSIM_ALLOW_MISSING_BINARY=1 (then skip).
    """
    build_dir = os.environ.get("MDSIM_BUILD_DIR")
    where = "$MDSIM_BUILD_DIR" if build_dir else "build/ ($MDSIM_BUILD_DIR is not set)"
    binary = Path(build_dir or REPO / "build") / "app" / "mdsim"
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        msg = (f"the real mdsim binary does not exist at {binary} (looked in {where}); build it "
               "(./run_tests does) or set MDSIM_ALLOW_MISSING_BINARY=1 to skip this test")
        if os.environ.get("MDSIM_ALLOW_MISSING_BINARY") == "1":
            pytest.skip(msg)
        pytest.fail(msg)
    return binary
