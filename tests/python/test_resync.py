"""Resync and recovery through the mdsim binary: the timeline in the mdsim section of a fio
run's JSON (docs/RESYNC.md), checked against the members' own disk statistics, the speed
limit's arithmetic and the configuration; config errors; determinism."""
import json
import subprocess

import pytest

from conftest import real_mdsim

JOB = "[w]\nrw=randwrite\nbs=4k\niodepth=4\nruntime=20ms\ntime_based\n"
KIB = 1024
MIB = 1024 * KIB


def mdsim(*args, cwd=None):
    return subprocess.run([str(real_mdsim()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def run(tmp_path, resync, seed=5, job=JOB, name="run", **array):
    """Runs a raid1 of two null disks with `resync`; returns the result's mdsim section."""
    (tmp_path / "job.fio").write_text(job)
    config = {"seed": seed, "scenario": "fio", "machine": {"cores": 4},
              "disks": {"profile": "null"},
              "array": {"level": "raid1", "raid_disks": 2, "member_sectors": 65536,
                        "bitmap": "none", **array, "resync": resync},
              "fio": {"job_file": "job.fio"}}
    cfg = tmp_path / f"{name}.json"
    cfg.write_text(json.dumps(config))
    out = tmp_path / f"{name}.out.json"
    r = mdsim("run", cfg, "-o", out, "--quiet")
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text())["mdsim"]


def member(md, i, op):
    return md["array"]["members"][i][op]


def test_full_resync_timeline_follows_speed_max(tmp_path):
    speed = 8000  # KiB/s; the array is 32 MiB per member = 32768 KiB
    md = run(tmp_path, {"kind": "resync", "speed_max_kib": speed, "timeline_interval_ms": 500})
    t = md["resync"]
    assert t["kind"] == "resync" and t["member"] is None and t["bitmap"] == "none"
    assert not t["interrupted"]
    assert t["max_sectors"] == 65536 and t["start_sector"] == 0
    assert t["to_do_sectors"] == t["done_sectors"] == 65536
    assert t["skipped_sectors"] == 0
    # Every sector read once from member 0 (the job only writes) and written to member 1
    # (besides the job's own writes, which both members got).
    assert member(md, 0, "read")["bytes"] == 32 * MIB
    assert member(md, 1, "read")["bytes"] == 0
    assert member(md, 1, "write")["bytes"] - member(md, 0, "write")["bytes"] == 32 * MIB
    # md_do_sync's limit: by t seconds at most speed * (floor(t) + 1) KiB plus what one check
    # window and the r1bios in flight add (128 + 32 * 64 KiB); it sleeps 504 ms at most.
    kib, slack = 32768, 128 + 32 * 64
    took = t["duration_ns"] / 1e9
    assert (kib - slack) / speed - 1 <= took <= kib / speed + 0.51
    assert t["end_ns"] == t["start_ns"] + t["duration_ns"]
    assert t["throttle"]["max_sleeps"] > 0
    samples = t["samples"]
    assert [s["time_ns"] for s in samples[:-1]] == [i * 500_000_000 for i in
                                                      range(len(samples) - 1)]
    assert samples[-1]["time_ns"] == t["end_ns"]
    assert samples[-1]["done_sectors"] == 65536 == samples[-1]["position_sectors"]
    done = [s["done_sectors"] for s in samples]
    assert done == sorted(done)
    for s in samples:
        assert s["done_sectors"] / 2 <= speed * (s["time_ns"] // 1_000_000_000 + 1) + slack
    # The interval rate is what the samples' difference says.
    for a, b in zip(samples, samples[1:]):
        rate = (b["done_sectors"] - a["done_sectors"]) / 2 / ((b["time_ns"] - a["time_ns"]) / 1e9)
        assert b["interval_kib"] == pytest.approx(rate, abs=1)
    assert md["config"]["array"]["resync"]["speed_max_kib"] == speed


def test_bitmap_resync_syncs_only_the_dirty_chunks(tmp_path):
    md = run(tmp_path, {"kind": "resync", "dirty_fraction": 0.125},
             bitmap="bitmap", bitmap_chunk_bytes=MIB)
    t = md["resync"]
    chunk = MIB // 512
    assert t["dirty_chunks"] == 4  # 32 chunks of 1 MiB, an eighth of them
    assert t["to_do_sectors"] == t["done_sectors"] == 4 * chunk
    assert t["done_sectors"] + t["skipped_sectors"] == 65536
    assert member(md, 0, "read")["bytes"] == 4 * MIB
    assert member(md, 1, "write")["bytes"] - member(md, 0, "write")["bytes"] == 4 * MIB


def test_recovery_writes_only_the_new_member(tmp_path):
    job = "[r]\nrw=randread\nbs=4k\niodepth=4\nruntime=20ms\ntime_based\n"
    # Slow enough that no checkpoint (every 1/16 of the array) moves the new member's
    # recovery_offset while the job runs: its reads must all go to member 0.
    md = run(tmp_path, {"kind": "recovery", "recovery_member": 1, "speed_min_kib": 500,
                        "speed_max_kib": 1000}, job=job)
    t = md["resync"]
    assert t["kind"] == "recovery" and t["member"] == 1
    assert t["done_sectors"] == 65536
    assert member(md, 1, "write")["bytes"] == 32 * MIB
    assert member(md, 0, "write")["bytes"] == 0
    assert member(md, 1, "read")["bytes"] == 0
    assert member(md, 0, "read")["bytes"] > 32 * MIB  # the recovery's reads and the job's
    assert not md["array"]["degraded"]


def test_same_seed_same_timeline(tmp_path):
    resync = {"kind": "resync", "dirty_fraction": 0.5, "speed_max_kib": 20000,
              "timeline_interval_ms": 100}
    a = run(tmp_path, resync, name="a", bitmap="bitmap", bitmap_chunk_bytes=MIB)["resync"]
    b = run(tmp_path, resync, name="b", bitmap="bitmap", bitmap_chunk_bytes=MIB)["resync"]
    assert a == b
    c = run(tmp_path, resync, seed=6, name="c", bitmap="bitmap", bitmap_chunk_bytes=MIB)["resync"]
    assert c != a


def test_no_resync_is_null(tmp_path):
    md = run(tmp_path, {"kind": "none"})
    assert md["resync"] is None
    cfg = tmp_path / "l.json"
    cfg.write_text(json.dumps({"scenario": "lock_loop", "lock_loop": {"duration_ns": 10000}}))
    r = mdsim("run", cfg, "--quiet")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["mdsim"]["resync"] is None


@pytest.mark.parametrize("array,message", [
    ({"level": "raid5", "raid_disks": 3, "resync": {"kind": "resync"}},
     "$.array.resync: resync and recovery are modelled for raid1 only (not yet for raid5)"),
    ({"resync": {"kind": "rebuild"}}, "$.array.resync.kind: unknown value \"rebuild\""),
    ({"resync": {"kind": "resync", "speed_max_kib": 500}},
     "$.array.resync.speed_min_kib: larger than speed_max_kib (500), got 1000"),
])
def test_bad_resync_configs_exit_2(tmp_path, array, message):
    (tmp_path / "job.fio").write_text(JOB)
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"scenario": "fio", "disks": {"profile": "null"},
                               "array": array, "fio": {"job_file": "job.fio"}}))
    out = tmp_path / "out.json"
    r = mdsim("run", cfg, "-o", out)
    assert r.returncode == 2
    assert message in r.stderr
    assert not out.exists()
