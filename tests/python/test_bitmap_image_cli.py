"""The bitmap image through the CLI: `run --bitmap-image` at the end of a run or a crash point,
`examine-bitmap`, and Debian's `mdadm --examine-bitmap` agreeing on chunks and dirty bits."""
import json
import re
import shutil
import subprocess

import pytest

from conftest import real_mdsim


def mdsim(*args, cwd=None):
    return subprocess.run([str(real_mdsim()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def loop_config(**bitmap_loop):
    base = {"variant": "bitmap", "pattern": "rand", "iodepth": 2, "duration_ns": 400000,
            "daemon_sleep_ns": 100000, "sync_size_sectors": 1 << 24}
    base.update(bitmap_loop)
    return {"seed": 4, "scenario": "bitmap_loop", "machine": {"cores": 4},
            "bitmap_loop": base}


def run_with_image(tmp_path, config):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps(config))
    r = mdsim("run", cfg, "-o", tmp_path / "r.json", "--bitmap-image", tmp_path / "b.img", "-q")
    assert r.returncode == 0, r.stderr
    return json.loads((tmp_path / "r.json").read_text())["mdsim"]["bitmap_loop"]


def examine(path):
    r = mdsim("examine-bitmap", path)
    assert r.returncode == 0, r.stderr
    m = re.search(r"Bitmap : (\d+) (?:bits \(chunks\)|chunks), (\d+) (?:dirty|need resync)",
                  r.stdout)
    assert m, r.stdout
    return int(m.group(1)), int(m.group(2)), r.stdout


def test_crash_point_image_is_read_alike_by_mdsim_and_mdadm(tmp_path):
    res = run_with_image(tmp_path, loop_config(crash_at_ns=250000))
    assert res["crashed"] and res["in_flight_at_end"] > 0
    chunks, dirty, text = examine(tmp_path / "b.img")
    assert chunks == 128  # 8 GiB / 64 MiB
    assert dirty >= 1 and "Dirty chunks : " in text
    mdadm = shutil.which("mdadm") or "/sbin/mdadm"
    r = subprocess.run([mdadm, "--examine-bitmap", str(tmp_path / "b.img")],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Bitmap : (\d+) bits \(chunks\), (\d+) dirty", r.stdout)
    assert m, r.stdout + r.stderr
    assert (int(m.group(1)), int(m.group(2))) == (chunks, dirty)


def test_image_at_end_of_run_has_the_daemon_cleared_bits(tmp_path):
    # Random writes over 128 chunks for 400 us; the daemon passes every 100 us clear the bits of
    # chunks whose writes ended early, so fewer chunks are dirty than were written.
    res = run_with_image(tmp_path, loop_config())
    _, dirty, _ = examine(tmp_path / "b.img")
    assert res["daemon_passes"] == 3
    assert dirty < res["writes"]


@pytest.mark.parametrize("config,message", [
    ({"machine": {"cores": 2}}, "run: --bitmap-image needs a scenario with a bitmap"),
    (loop_config(variant="none"), 'c.json: --bitmap-image: bitmap variant "none" has no on-disk'),
])
def test_bitmap_image_errors_exit_2_and_write_nothing(tmp_path, config, message):
    (tmp_path / "c.json").write_text(json.dumps(config))
    r = mdsim("run", "c.json", "-o", "r.json", "--bitmap-image", "b.img", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("mdsim: error: " + message), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.json"]


@pytest.mark.parametrize("content,message", [
    (b"", "x.img: "),
    (b"\0" * 300, "x.img: "),
], ids=["empty", "zeros"])
def test_examine_bitmap_rejects_garbage(tmp_path, content, message):
    (tmp_path / "x.img").write_bytes(content)
    r = mdsim("examine-bitmap", "x.img", cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("mdsim: error: " + message), r.stderr


def test_examine_bitmap_missing_file(tmp_path):
    r = mdsim("examine-bitmap", "nope.img", cwd=tmp_path)
    assert r.returncode == 2 and "nope.img: cannot open" in r.stderr


def test_llbitmap_image_is_examined_in_its_own_format(tmp_path):
    # 8 GiB in 64 KiB chunks: llbitmap's version-6 area, which mdadm 4.2 cannot read.
    res = run_with_image(tmp_path, loop_config(variant="llbitmap", chunk_bytes=65536,
                                               crash_at_ns=250000, check_invariant=True))
    chunks, dirty, text = examine(tmp_path / "b.img")
    assert "Version : 6 (llbitmap)" in text
    assert chunks == (1 << 24) * 512 // 65536
    # infection marks whole 512-byte blocks (512 chunks) dirty, so dirty can exceed the writes
    assert 1 <= dirty < chunks
    assert "States : Unwritten" in text
    assert res["invariant"]["checks"] > 0
