"""run_bench.py's command line: validate everything, build, run (reusing stored runs), report.

Exit status: 0 all runs ok; 1 some runs failed (the report still covers the others) or the
environment is unusable (build failure, mdsim --version nonsense, no matplotlib); 2 bad
command line or suite file (then nothing is written); 130 interrupted.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import threading

from . import aggregate, build, executor, plots, report, store
from . import suite as suites
from .errors import EnvironmentProblem, InputError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES_DIR = os.path.join(ROOT, "suites")
DEFAULT_SUITE = "demo"


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return v


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not v > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return v


def _nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="run_bench.py",
        description="Runs an mdsim benchmark suite (default: suites/demo.json), stores every run "
                    "in a sqlite results store (reused on the next invocation) and writes "
                    "report.txt/.md/.html plus PNG plots to out/<suite>/.",
        epilog="Exit status: 0 ok, 1 runs failed or environment problem, 2 bad arguments or "
               "suite file.")
    p.add_argument("--suite", default=DEFAULT_SUITE, metavar="NAME_OR_PATH",
                   help="a suite name in suites/ or a suite file (default: %(default)s)")
    p.add_argument("--list", action="store_true", help="list the suites in suites/ and exit")
    p.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                   help="parallel local runs (default: the number of CPUs)")
    p.add_argument("--out", metavar="DIR", help="output directory (default: out/<suite>/)")
    p.add_argument("--store", metavar="PATH",
                   help="results store (default: results-store/results.sqlite)")
    p.add_argument("--fresh", action="store_true", help="rerun runs already in the store")
    p.add_argument("--mdsim", metavar="PATH", help="mdsim binary to use (no bootstrap or build)")
    p.add_argument("--no-build", action="store_true",
                   help="use build/app/mdsim as it is (no bootstrap or build)")
    p.add_argument("--seeds", type=_positive_int, metavar="N",
                   help="run N seeds: the suite's first N, extended with consecutive integers")
    p.add_argument("--filter", action="append", default=[], metavar="KEY=V[,V...]",
                   help="run only points whose config KEY (a config path, the last part of a "
                        "swept path, or 'seed') has one of the values; repeat to narrow further")
    p.add_argument("--executor", choices=["local", "dask"], default="local",
                   help="where runs execute (dask needs the 'distributed' module)")
    p.add_argument("--scheduler", metavar="ADDR", help="dask scheduler address (with --executor dask)")
    p.add_argument("--timeout", type=_positive_float, default=1800.0, metavar="SECONDS",
                   help="kill a run after this long (default: %(default)g)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _main(args)
    except InputError as e:
        print(f"run_bench: {e}", file=sys.stderr)
        return 2
    except EnvironmentProblem as e:
        print(f"run_bench: {e}", file=sys.stderr)
        return 1


def _list() -> int:
    found = suites.discover(SUITES_DIR)
    if not found:
        print(f"no suites in {suites.display_path(SUITES_DIR)}/")
        return 0
    for path, s, err in found:
        shown = os.path.relpath(path, ROOT)
        if s is None:
            print(f"{os.path.basename(path)[:-5]:<16} {shown}  INVALID: {err}")
            continue
        n = len(suites.points(s)) * len(s.seeds)
        line = f"{s.name:<16} {shown}  ({n} runs)"
        desc = s.description.split(". ")[0].split("; ")[0].rstrip(".")
        room = report.WIDTH - len(line) - 1
        if desc and room > 10:
            line += " " + (desc if len(desc) <= room else desc[:room - 3] + "...")
        print(line)
    return 0


def _shown(path: str) -> str:
    """A path as written into reports: relative to the repository when inside it."""
    ab = os.path.abspath(path)
    rel = os.path.relpath(ab, ROOT)
    return ab if rel.startswith("..") else rel


def _main(args) -> int:
    if args.list:
        return _list()
    # ---- validate everything before writing anything
    suite_path = suites.resolve(args.suite, SUITES_DIR)
    shown = args.suite if suite_path == args.suite else suites.display_path(suite_path)
    suite = suites.load(suite_path, shown)
    seeds = suites.override_seeds(suite.seeds, args.seeds) if args.seeds else list(suite.seeds)
    filters = [suites.parse_filter(f, suite) for f in args.filter]
    all_points = suites.points(suite)
    todo = suites.apply_filters(suites.runs(suite, all_points, seeds), filters)
    if not todo:
        raise InputError(f"--filter {' '.join(args.filter)}: no run of suite {suite.name!r} matches")
    if args.mdsim and args.no_build:
        raise InputError("--mdsim and --no-build do not go together (--mdsim never builds)")
    if args.mdsim and not (os.path.isfile(args.mdsim) and os.access(args.mdsim, os.X_OK)):
        raise InputError(f"--mdsim {args.mdsim}: not an executable file")
    jobs = args.jobs or _nproc()
    pool = executor.make(args.executor, jobs, args.scheduler)
    try:
        return _run(args, suite, suite_path, seeds, filters, todo, pool)
    finally:
        pool.shutdown()


def _mdsim_binary(args) -> str:
    if args.mdsim:
        return args.mdsim
    build_dir = os.path.join(ROOT, "build")
    if args.no_build:
        binary = os.path.join(build_dir, "app", "mdsim")
        if not os.path.isfile(binary):
            raise EnvironmentProblem(f"--no-build: {binary} does not exist")
        return binary
    return build.ensure_built(ROOT, build_dir, _nproc())


def _run(args, suite, suite_path, seeds, filters, todo, pool) -> int:
    plots.check_available()
    info = build.probe(_mdsim_binary(args))
    out_dir = args.out or os.path.join(ROOT, "out", suite.name)
    store_path = args.store or os.path.join(ROOT, "results-store", "results.sqlite")
    try:
        db = store.Store(store_path)
    except (sqlite3.DatabaseError, RuntimeError) as e:
        raise InputError(f"--store {store_path}: not a usable results store: {e}") from None
    os.makedirs(out_dir, exist_ok=True)
    with db:
        keys = {id(r): store.run_key(suite.name, r.point.config, r.seed, info.store_id)
                for r in todo}
        results: dict[int, dict | None] = {}
        failures: list[report.FailedRun] = []
        pending = []
        try:
            for r in todo:
                hit = None if args.fresh else db.get_ok(keys[id(r)])
                if hit is not None:
                    results[id(r)] = hit.result
                else:
                    pending.append(r)
        except sqlite3.DatabaseError as e:
            raise InputError(f"--store {store_path}: not a usable results store: {e}") from None
        reused = len(todo) - len(pending)
        npoints = len({r.point.index for r in todo})
        print(f"{suite.name}: {len(todo)} runs ({npoints} points x {len(seeds)} seeds), "
              f"{info.banner}", file=sys.stderr)
        if reused:
            print(f"reusing {reused} of {len(todo)} runs from {suites.display_path(store_path)} "
                  "(--fresh reruns them)", file=sys.stderr)
        if pending:
            print(f"running {len(pending)} on {pool.description}", file=sys.stderr)
        work = os.path.join(out_dir, "work")
        tasks = [executor.Task(r, r.config, os.path.join(work, keys[id(r)][:16])) for r in pending]
        progress = executor.Progress(len(tasks))
        stored = 0
        try:
            for task, oc in pool.run(info.path, tasks, args.timeout):
                r = task.tag
                with _DeferInterrupt():   # a Ctrl-C cannot split storing from counting
                    db.put(key=keys[id(r)], suite=suite.name, build_id=info.store_id,
                           seed=r.seed, label=r.point.label, config=r.config,
                           status="ok" if oc.ok else "failed", exit_code=oc.exit_code,
                           result_text=oc.result_text, stderr=oc.stderr,
                           wall_seconds=oc.wall_seconds)
                    stored += 1
                results[id(r)] = json.loads(oc.result_text) if oc.ok else None
                progress.finished(r.point.label, r.seed, oc)   # only once the run is stored
        except KeyboardInterrupt:
            print(f"\ninterrupted: {stored} of {len(pending)} new runs were stored; run the same "
                  "command again to resume", file=sys.stderr)
            return 130
        for r in todo:
            if results[id(r)] is None:
                row = db.get(keys[id(r)])
                cfg_file = os.path.join(work, keys[id(r)][:16], "config.json")
                if pool.remote:
                    _write_json(cfg_file, r.config)
                failures.append(report.FailedRun(
                    label=r.point.label, seed=r.seed, exit_code=row.exit_code if row else None,
                    stderr=row.stderr if row else "", config_file=os.path.relpath(cfg_file, out_dir)))

    summaries, notes = aggregate.aggregate(suite, ((r, results[id(r)]) for r in todo))
    drawn = plots.render(suite, summaries, out_dir)
    reproduce = "./run_bench.py --suite " + _shown(suite_path)
    if args.seeds:
        reproduce += f" --seeds {args.seeds}"
    reproduce += "".join(f" --filter {f.text}" for f in filters)
    paths = report.write(report.ReportInput(
        suite=suite, suite_file=_shown(suite_path), mdsim=info, seeds=seeds,
        filters=[f.text for f in filters], points=npoints, runs=len(todo), reused=reused,
        failed=failures, summaries=summaries, notes=notes, plots=drawn, reproduce=reproduce),
        out_dir)
    for n in report.notes_lines(notes):
        print(f"warning: {n}", file=sys.stderr)
    if failures:
        print(f"{len(failures)} of {len(todo)} runs FAILED (details in the report)", file=sys.stderr)
    print(suites.display_path(paths["txt"]))
    return 1 if failures else 0


class _DeferInterrupt:
    """Holds back SIGINT inside the block and raises KeyboardInterrupt at its end."""

    def __enter__(self):
        self.hit = False
        self.main = threading.current_thread() is threading.main_thread()
        if self.main:
            self.old = signal.signal(signal.SIGINT, self._note)
        return self

    def _note(self, *_):
        self.hit = True

    def __exit__(self, *exc):
        if self.main:
            signal.signal(signal.SIGINT, self.old)
        if self.hit and exc[0] is None:
            raise KeyboardInterrupt


def _write_json(path: str, obj) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
