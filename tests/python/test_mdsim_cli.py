"""The mdsim binary's command line: exit codes, messages, determinism, no partial output."""
import json
import subprocess
from pathlib import Path

import pytest

from conftest import real_mdsim


def mdsim(*args, cwd=None, stdin=None):
    return subprocess.run([str(real_mdsim()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, input=stdin, timeout=120)


SMALL = {"seed": 3, "machine": {"cores": 4},
         "lock_loop": {"lock": "spinlock", "duration_ns": 200000}}


def test_help_version_list():
    r = mdsim("--help")
    assert r.returncode == 0 and "mdsim run CONFIG.json" not in r.stderr
    assert "run CONFIG.json" in r.stdout
    r = mdsim("--version")
    assert r.returncode == 0 and r.stdout.startswith("mdsim 0.1.0 (build ")
    r = mdsim("list")
    assert r.returncode == 0
    assert "lock_loop" in r.stdout and "spinlock" in r.stdout and "default" in r.stdout


def test_run_writes_result_and_lock_stat_deterministically(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps(SMALL))
    r1 = mdsim("run", cfg, "-o", tmp_path / "a.json", "--lock-stat", tmp_path / "ls.txt")
    assert r1.returncode == 0, r1.stderr
    assert "events in" in r1.stderr
    r2 = mdsim("run", cfg, "-o", tmp_path / "b.json", "--quiet")
    assert r2.returncode == 0 and r2.stderr == ""
    a = (tmp_path / "a.json").read_bytes()
    assert a == (tmp_path / "b.json").read_bytes()
    doc = json.loads(a)
    assert doc["mdsim"]["config"]["seed"] == 3
    assert doc["mdsim"]["lock_loop"]["ops"] > 0
    assert doc["mdsim"]["lock_stat"][0]["class"] == "lock_loop.spinlock"
    text = (tmp_path / "ls.txt").read_text()
    assert text.startswith("lock_stat version 0.4\n")
    assert "lock_loop.spinlock:" in text
    # stdin config, stdout result
    r3 = mdsim("run", "-", "--quiet", stdin=json.dumps(SMALL))
    assert r3.returncode == 0 and json.loads(r3.stdout) == doc


def test_resolve_prints_every_default(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text("{}")
    r = mdsim("resolve", cfg)
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    assert doc["machine"]["cross_socket_ns"] == 120
    assert doc["lock_loop"]["hold_ns"] == 100


@pytest.mark.parametrize("config,message", [
    ('{"machine": {"cores": 0}}', "c.json: $.machine.cores: must be between 1 and 4096, got 0"),
    ('{"lock_loop": {"lok": "spinlock"}}', "c.json: $.lock_loop.lok: unknown key"),
    ('{"seed": 1,,}', "c.json:1:12: syntax error"),
])
def test_bad_config_exits_2_and_writes_nothing(tmp_path, config, message):
    cfg = tmp_path / "c.json"
    cfg.write_text(config)
    r = mdsim("run", "c.json", "-o", "out.json", "--lock-stat", "ls.txt", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("mdsim: error: " + message), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


@pytest.mark.parametrize("args,message", [
    ([], "no command given"),
    (["frobnicate"], 'unknown command "frobnicate"'),
    (["run"], "run: no config file given"),
    (["run", "a.json", "b.json"], "run: more than one config file given"),
    (["run", "a.json", "--bogus"], "run: unknown option --bogus"),
    (["run", "a.json", "-o"], "-o needs a file name"),
    (["run", "missing.json"], "missing.json: cannot open file"),
    (["list", "x"], "list: takes no arguments"),
])
def test_bad_arguments_exit_2(tmp_path, args, message):
    r = mdsim(*args, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("mdsim: error: " + message), r.stderr


def test_unwritable_output_leaves_nothing(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps(SMALL))
    r = mdsim("run", cfg, "-o", tmp_path / "ok.json", "--lock-stat", tmp_path / "no" / "ls.txt")
    assert r.returncode == 2
    assert "cannot create output file" in r.stderr
    assert not (tmp_path / "ok.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]
