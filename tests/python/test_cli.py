"""run_bench.py end to end against the fake mdsim: reports, plots, resume, failures, bad input."""
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from conftest import FAKE_MDSIM, REPO, RUN_BENCH, tiny_suite, write_suite

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_full_run_writes_reports_and_plots(bench, tiny):
    r = bench("--suite", tiny)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("report.txt")
    assert bench.mdsim_runs() == 12
    for name in ("throughput.png", "wait.png"):
        data = (bench.out / name).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000
    txt = bench.report()
    assert txt.startswith("mdsim benchmark: tiny\n")
    assert "mdsim 0.1.0 (build fake0001)" in txt
    assert "12 (6 points x 2 seeds); 0 reused from the results store; 0 failed" in txt
    assert "sweep:     machine.cores,machine.sockets = (1, 1), (2, 2), (4, 2)" in txt
    assert "throughput [Mops/s]" in txt and "p99 [ns]" in txt and "all metrics" in txt
    assert re.search(r"^cores\s+spinlock\s+atomic$", txt, re.M)
    assert re.search(r"^\s+4\s+\d+\.\d+ \+-\d+\.\d+\s+\d+\.\d+ \+-\d+\.\d+$", txt, re.M)
    assert "throughput.png" in txt and "Failed runs" not in txt
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d\d:\d\d:\d\d", txt), "reports must carry no date"
    # fixed width; only the one-line reproduce command (long here: a tmp path) may exceed it
    assert max(len(ln) for ln in txt.splitlines() if not ln.startswith("reproduce:")) <= 100
    md = bench.report("md")
    assert md.startswith("# mdsim benchmark: tiny")
    assert "![" in md and "](throughput.png)" in md and "| cores | spinlock | atomic |" in md
    html = bench.report("html")
    assert html.count("<img ") == 2 and "data:image/png;base64," in html
    assert "<table>" in html and "fake0001" in html


def test_progress_lines(bench, tiny):
    r = bench("--suite", tiny, "--jobs", "1")
    lines = [ln for ln in r.stderr.splitlines() if ln.startswith("[")]
    assert len(lines) == 12
    assert re.fullmatch(r"\[1/12\] spinlock cores=1 seed=1 \.\.\. \d+\.\ds", lines[0])
    assert re.fullmatch(r"\[12/12\] atomic cores=4 seed=2 \.\.\. \d+\.\ds", lines[-1])


def test_second_run_reuses_everything_and_fresh_reruns(bench, tiny):
    assert bench("--suite", tiny).returncode == 0
    first = bench.report()
    r = bench("--suite", tiny)
    assert r.returncode == 0, r.stderr
    assert "reusing 12 of 12 runs" in r.stderr
    assert bench.mdsim_runs() == 12
    second = bench.report()
    assert "12 reused from the results store" in second
    # apart from the reuse count the report is unchanged
    assert first.replace("0 reused", "12 reused") == second
    r = bench("--suite", tiny, "--fresh")
    assert r.returncode == 0 and "reusing" not in r.stderr
    assert bench.mdsim_runs() == 24
    assert bench.report() == first


def test_interrupted_sweep_resumes_only_missing_points(bench, tiny):
    # a subset stands for the part of the sweep that finished before an interruption
    assert bench("--suite", tiny, "--filter", "cores=1,2").returncode == 0
    assert bench.mdsim_runs() == 8
    r = bench("--suite", tiny)
    assert r.returncode == 0
    assert "reusing 8 of 12 runs" in r.stderr
    assert bench.mdsim_runs() == 12


def test_killed_sweep_keeps_finished_runs(bench, tiny):
    """SIGKILL the harness mid-sweep: runs finished before are in the store and reused."""
    env = dict(os.environ, FAKE_MDSIM_LOG=str(bench.log))
    cmd = [sys.executable, str(RUN_BENCH), "--suite", str(tiny), "--out", str(bench.out),
           "--store", str(bench.store), "--mdsim", str(FAKE_MDSIM), "--jobs", "1"]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env)
    for line in p.stderr:
        if line.startswith("[4/12]"):
            p.kill()
            break
    p.wait()
    p.stderr.close()
    assert p.returncode != 0
    r = bench("--suite", tiny)
    assert r.returncode == 0, r.stderr
    m = re.search(r"reusing (\d+) of 12 runs", r.stderr)
    assert m and int(m.group(1)) >= 4


def test_ctrl_c_stops_cleanly_and_resumes(bench, tiny):
    env = dict(os.environ, FAKE_MDSIM_LOG=str(bench.log), FAKE_MDSIM_SLEEP="0.3")
    cmd = [sys.executable, str(RUN_BENCH), "--suite", str(tiny), "--out", str(bench.out),
           "--store", str(bench.store), "--mdsim", str(FAKE_MDSIM), "--jobs", "2"]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=env)
    seen = []
    for line in p.stderr:
        seen.append(line)
        if line.startswith("[3/12]"):
            p.send_signal(signal.SIGINT)
            break
    rest = p.stderr.read()
    p.wait(timeout=60)
    p.stderr.close()
    assert p.returncode == 130, "".join(seen) + rest
    m = re.search(r"interrupted: (\d+) of 12 new runs were stored", rest)
    assert m and int(m.group(1)) >= 3, rest
    assert not (bench.out / "report.txt").exists()
    r = bench("--suite", tiny)
    assert r.returncode == 0, r.stderr
    assert f"reusing {m.group(1)} of 12 runs" in r.stderr


def test_new_build_id_reruns(bench, tiny):
    assert bench("--suite", tiny).returncode == 0
    r = bench("--suite", tiny, env={"FAKE_MDSIM_BUILD": "fake0002"})
    assert r.returncode == 0 and "reusing" not in r.stderr
    assert bench.mdsim_runs() == 24
    assert "(build fake0002)" in bench.report()


def test_dirty_build_ids_are_told_apart_by_binary(bench, tiny, tmp_path):
    other = tmp_path / "other_mdsim.py"
    shutil.copy(FAKE_MDSIM, other)
    with open(other, "a") as f:
        f.write("# a different build\n")
    env = {"FAKE_MDSIM_BUILD": "abc-dirty"}
    assert bench("--suite", tiny, env=env).returncode == 0
    assert "reusing 12" in bench("--suite", tiny, env=env).stderr
    r = bench("--suite", tiny, "--mdsim", other, env=env, mdsim=False)
    assert r.returncode == 0 and "reusing" not in r.stderr


def test_failures_are_recorded_reported_and_exit_nonzero(bench, tmp_path):
    doc = tiny_suite()
    doc["sweep"]["lock_loop.lock"] = ["spinlock", "__fail__"]
    suite = write_suite(tmp_path / "failing.json", doc)
    r = bench("--suite", suite)
    assert r.returncode == 1
    assert "6 of 12 runs FAILED" in r.stderr
    assert re.search(r"\] __fail__ cores=1 seed=1 \.\.\. \d+\.\ds FAILED \(exit 2\)", r.stderr)
    assert r.stdout.strip().endswith("report.txt")
    txt = bench.report()
    assert "12 (6 points x 2 seeds); 0 reused from the results store; 6 failed" in txt
    assert "Failed runs (6)" in txt
    assert "__fail__ cores=2 seed=1: exit 2 (config: work/" in txt
    assert "marker __fail__ found" in txt
    assert re.search(r"^\s+1\s+\d+\.\d+ \+-\d+\.\d+\s+FAILED$", txt, re.M)
    assert (bench.out / "throughput.png").stat().st_size > 0
    assert "Failed runs (6)" in bench.report("md") and "Failed runs (6)" in bench.report("html")
    con = sqlite3.connect(bench.store)
    rows = con.execute("SELECT status, exit_code, stderr FROM runs WHERE label LIKE '__fail__%'"
                       ).fetchall()
    assert len(rows) == 6 and all(s == "failed" and c == 2 and "__fail__" in e for s, c, e in rows)
    cfg = next((bench.out / "work").glob("*/config.json"))
    assert json.loads(cfg.read_text())["scenario"] == "lock_loop"


def test_failed_runs_are_rerun_not_reused(bench, tiny):
    r = bench("--suite", tiny, env={"FAKE_MDSIM_FAIL": "machine.cores=4"})
    assert r.returncode == 1
    assert "4 of 12 runs FAILED" in r.stderr
    assert bench.mdsim_runs() == 8
    r = bench("--suite", tiny)
    assert r.returncode == 0, r.stderr
    assert "reusing 8 of 12 runs" in r.stderr
    assert bench.mdsim_runs() == 12
    assert "0 failed" in bench.report()


def test_partially_failed_point_is_starred(bench, tiny):
    r = bench("--suite", tiny, env={"FAKE_MDSIM_FAIL": "seed=2"}, )
    assert r.returncode == 1
    txt = bench.report()
    assert "* some seeds of this point failed" in txt
    assert re.search(r"^\s+1\s+\d+\.\d+ \*", txt, re.M)


def test_unparsable_result_is_a_failure(bench, tiny):
    r = bench("--suite", tiny, "--filter", "cores=1", env={"FAKE_MDSIM_GARBAGE": "1"})
    assert r.returncode == 1
    assert "harness: result is not JSON" in bench.report()


def test_missing_metric_is_noted(bench, tiny):
    r = bench("--suite", tiny, env={"FAKE_MDSIM_OMIT": "wait_share"})
    assert r.returncode == 0
    assert "warning: metric wait_share: missing in 12 run(s)" in r.stderr
    txt = bench.report()
    assert "Notes" in txt and "no mdsim.lock_loop.wait_share" in txt
    assert re.search(r"^spinlock\s+1\s+\d+\.\d+ \+-\d+\.\d+\s+n/a$", txt, re.M)


def test_three_seeds_use_confidence_intervals(bench, tiny):
    r = bench("--suite", tiny, "--seeds", "3", "--filter", "lock=atomic")
    assert r.returncode == 0, r.stderr
    txt = bench.report()
    assert "mean +- 95% confidence interval over 3 seeds" in txt
    assert "seeds:     1, 2, 3" in txt
    assert "--seeds 3 --filter lock=atomic" in txt
    assert "9 (3 points x 3 seeds)" in txt


def test_reports_are_reproducible(bench, tiny, tmp_path):
    assert bench("--suite", tiny).returncode == 0
    other = tmp_path / "again"
    r = bench("--suite", tiny, "--out", other / "out", "--store", other / "s.sqlite",
              defaults=False)
    assert r.returncode == 0
    for name in ("report.txt", "report.md", "report.html", "throughput.png"):
        assert (bench.out / name).read_bytes() == (other / "out" / name).read_bytes(), name


def test_list_suites(bench):
    r = bench("--list", mdsim=False, defaults=False)
    assert r.returncode == 0
    assert re.search(r"^demo\s+suites/demo.json\s+\(42 runs\)", r.stdout, re.M)


# ----------------------------------------------------------------------------- bad input

BAD_ARGS = [
    (["--jobs", "0"], "--jobs: expected a positive integer"),
    (["--jobs", "x"], "--jobs: expected a positive integer"),
    (["--seeds", "-1"], "--seeds: expected a positive integer"),
    (["--timeout", "0"], "--timeout: expected a positive number"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--suite", "nope"], "no such suite: 'nope'"),
    (["--filter", "cores"], "expected KEY=VALUE"),
    (["--filter", "color=red"], "'color' is not a config path of suite 'tiny'"),
    (["--filter", "cores=3"], "no run of suite 'tiny' matches"),
    (["--executor", "fork"], "invalid choice: 'fork'"),
    (["--executor", "dask"], "--executor dask needs --scheduler"),
    (["--scheduler", "tcp://x:1"], "--scheduler needs --executor dask"),
]


@pytest.mark.parametrize("args,message", BAD_ARGS, ids=[" ".join(a) for a, _ in BAD_ARGS])
def test_bad_args_exit_2_and_write_nothing(bench, tiny, args, message):
    if "--suite" not in args:
        args = ["--suite", tiny] + args
    r = bench(*args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert not bench.out.exists() and not bench.store.exists() and bench.mdsim_runs() == 0


def test_missing_mdsim_binary_is_a_usage_error(bench, tiny, tmp_path):
    r = bench("--suite", tiny, "--mdsim", tmp_path / "nope", mdsim=False)
    assert r.returncode == 2 and "not an executable file" in r.stderr
    assert not bench.out.exists()


def test_dask_without_distributed_is_a_clear_error(bench, tiny):
    try:
        import distributed  # noqa: F401
        pytest.skip("distributed is installed")
    except ImportError:
        pass
    r = bench("--suite", tiny, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:8786")
    assert r.returncode == 2
    assert "the Python module 'distributed' cannot be imported" in r.stderr
    assert not bench.out.exists() and not bench.store.exists()


def test_bad_suite_file_exit_2_names_file_and_path(bench, tmp_path):
    doc = tiny_suite()
    doc["sweep"] = {"machine.cores": 8}
    suite = write_suite(tmp_path / "x.json", doc)
    r = bench("--suite", suite)
    assert r.returncode == 2
    assert r.stderr.strip() == f"run_bench: {suite}: $.sweep.machine.cores: expected a list, got a number"
    assert not bench.out.exists() and not bench.store.exists()


def test_bad_suite_path_is_shown_relative_to_cwd(bench, tmp_path):
    (tmp_path / "suites").mkdir()
    write_suite(tmp_path / "suites" / "x.json", {"name": "x"})
    r = bench("--suite", "suites/x.json")
    assert r.returncode == 2
    assert "run_bench: suites/x.json: $: missing required key" in r.stderr


def test_store_that_is_not_sqlite_is_rejected(bench, tiny):
    bench.store.parent.mkdir(parents=True)
    bench.store.write_text("not a database" * 100)
    r = bench("--suite", tiny)
    assert r.returncode == 2 and "not a usable results store" in r.stderr


def test_reexecs_with_system_python_when_matplotlib_is_missing(bench, tiny):
    py = shutil.which("python3")
    if py is None or subprocess.run([py, "-c", "import matplotlib"],
                                    capture_output=True).returncode == 0:
        pytest.skip("the first python3 on PATH imports matplotlib: nothing to re-exec")
    r = subprocess.run([py, str(RUN_BENCH), "--suite", str(tiny), "--out", str(bench.out),
                        "--store", str(bench.store), "--mdsim", str(FAKE_MDSIM),
                        "--filter", "cores=1"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (bench.out / "throughput.png").exists()


def test_reexec_guard_prevents_loops(bench, tiny):
    py = shutil.which("python3")
    if py is None or subprocess.run([py, "-c", "import matplotlib"],
                                    capture_output=True).returncode == 0:
        pytest.skip("the first python3 on PATH imports matplotlib")
    env = dict(os.environ, RUN_BENCH_REEXECUTED="1")
    r = subprocess.run([py, str(RUN_BENCH), "--suite", str(tiny), "--out", str(bench.out),
                        "--store", str(bench.store), "--mdsim", str(FAKE_MDSIM)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 1
    assert "matplotlib cannot be imported" in r.stderr
    assert bench.mdsim_runs() == 0


def test_run_bench_is_executable_with_env_shebang():
    first = RUN_BENCH.read_text().splitlines()[0]
    assert first == "#!/usr/bin/env python3"
    assert os.access(RUN_BENCH, os.X_OK)
    assert REPO.joinpath("harness", "cli.py").exists()
