"""Running `mdsim run CONFIG -o RESULT` for many configs in parallel.

Locally, a concurrent.futures thread pool (each thread waits on one mdsim process). With dask,
the same `run_one` function runs on the cluster's workers through distributed's
concurrent.futures-compatible executor; mdsim must then exist at the same path on the workers.
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Iterable

from .errors import InputError


@dataclass
class Outcome:
    ok: bool
    exit_code: int | None     # None: mdsim did not finish (timeout, could not start)
    result_text: str | None   # RESULT.json as written by mdsim (only when ok)
    stderr: str
    wall_seconds: float


def run_one(mdsim: str, config: dict, workdir: str | None, timeout: float | None) -> Outcome:
    """Writes config.json into workdir (a fresh temporary dir if None), runs mdsim on it and
    reads result.json. Never raises for mdsim's failures: they come back as ok=False."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="mdsim-run-") as tmp:
            return run_one(mdsim, config, tmp, timeout)
    os.makedirs(workdir, exist_ok=True)
    cfg_path = os.path.join(workdir, "config.json")
    out_path = os.path.join(workdir, "result.json")
    with open(cfg_path, "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    if os.path.exists(out_path):
        os.remove(out_path)
    start = time.monotonic()
    try:
        p = subprocess.run([mdsim, "run", cfg_path, "-o", out_path], capture_output=True,
                           text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else (e.stderr or "")
        return Outcome(False, None, None, err + f"\nharness: killed after {timeout:g}s timeout",
                       time.monotonic() - start)
    except OSError as e:
        return Outcome(False, None, None, f"harness: cannot run {mdsim}: {e.strerror}",
                       time.monotonic() - start)
    wall = time.monotonic() - start
    if p.returncode != 0:
        return Outcome(False, p.returncode, None, p.stderr, wall)
    try:
        with open(out_path, encoding="utf-8") as f:
            text = f.read()
        doc = json.loads(text)
    except OSError:
        return Outcome(False, 0, None, p.stderr + "\nharness: exit 0 but no result file", wall)
    except json.JSONDecodeError as e:
        return Outcome(False, 0, None, p.stderr + f"\nharness: result is not JSON: {e}", wall)
    if not isinstance(doc, dict) or not isinstance(doc.get("mdsim"), dict):
        return Outcome(False, 0, None, p.stderr + "\nharness: result has no \"mdsim\" object", wall)
    return Outcome(True, 0, text, p.stderr, wall)


@dataclass
class Task:
    tag: object          # the caller's handle (a suite.Run), handed back with the outcome
    config: dict
    workdir: str | None


class Executor:
    """A pool that runs Tasks; `run` yields (task, outcome) as runs finish."""

    def __init__(self, pool: cf.Executor, remote: bool, description: str, closer=None):
        self._pool = pool
        self.remote = remote          # remote workers: do not hand them local work dirs
        self.description = description
        self._closer = closer         # e.g. the dask client's close

    def run(self, mdsim: str, tasks: Iterable[Task], timeout: float | None):
        futures = {}
        try:
            for t in tasks:
                wd = None if self.remote else t.workdir
                futures[self._pool.submit(run_one, mdsim, t.config, wd, timeout)] = t
            for fut in cf.as_completed(futures):
                yield futures[fut], fut.result()
        finally:
            for fut in futures:
                fut.cancel()

    def shutdown(self) -> None:
        try:
            self._pool.shutdown(wait=True, cancel_futures=True)
        except TypeError:   # executors predating cancel_futures (distributed's ClientExecutor)
            self._pool.shutdown(wait=True)
        if self._closer is not None:
            self._closer()


def make(kind: str, jobs: int, scheduler: str | None) -> Executor:
    """kind "local": a thread pool of `jobs` workers. kind "dask": a distributed.Client on
    `scheduler`; raises InputError if the distributed module is missing."""
    if kind == "local":
        if scheduler:
            raise InputError("--scheduler needs --executor dask")
        return Executor(cf.ThreadPoolExecutor(max_workers=jobs), False, f"{jobs} local workers")
    if kind != "dask":
        raise InputError(f"--executor: unknown executor {kind!r} (local, dask)")
    if not scheduler:
        raise InputError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    try:
        import distributed  # noqa: F401  (optional dependency)
    except ImportError:
        raise InputError("--executor dask: the Python module 'distributed' cannot be imported by "
                         f"{sys.executable}; install dask's distributed or use the local "
                         "executor") from None
    try:  # workers may lack this package: ship run_one by value
        import cloudpickle
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    except (ImportError, AttributeError):
        pass
    try:
        client = distributed.Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as e:
        raise InputError(f"--scheduler {scheduler}: cannot connect: {e}") from None
    # pure=False: every submission is a run of its own, never deduplicated by dask
    return Executor(client.get_executor(pure=False), True, f"dask scheduler {scheduler}",
                    client.close)


class Progress:
    """'[12/42] spinlock cores=8 seed=1 ... 0.3s' on stderr, one line per finished run."""

    def __init__(self, total: int, stream=None):
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr

    def finished(self, label: str, seed: int, outcome: Outcome) -> None:
        self.done += 1
        line = f"[{self.done}/{self.total}] {label} seed={seed} ... {outcome.wall_seconds:.1f}s"
        if not outcome.ok:
            why = "did not finish" if outcome.exit_code is None else f"exit {outcome.exit_code}"
            line += f" FAILED ({why})"
        print(line, file=self.stream, flush=True)

