"""The fio scenario through the mdsim binary: `mdsim run --output-format` (json, json+, normal and
combinations), an iolog written by the real fio replayed on a simulated array, reporting groups,
--bitmap-image and --mdsim-json for fio runs, bad inputs and determinism.

Expected values come from outside mdsim: the iolog's own records (parsed here), the real fio's
JSON for the run that wrote the iolog, and the real fio's group ids for the same job file."""
import json
import re
import subprocess
from pathlib import Path

import pytest

from conftest import real_mdsim

FIO = Path("/usr/bin/fio")
needs_fio = pytest.mark.skipif(not FIO.is_file(), reason="the real fio (/usr/bin/fio) is missing")


def mdsim(*args, cwd=None):
    return subprocess.run([str(real_mdsim()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def fio_config(tmp_path, job_text, job_name="job.fio", config_name="run.json", **array):
    """A fio-scenario config (raid1 of two null disks) running `job_text`, beside its job file."""
    (tmp_path / job_name).write_text(job_text)
    config = {"seed": 5, "scenario": "fio", "machine": {"cores": 4},
              "disks": {"profile": "null"},
              "array": {"level": "raid1", "raid_disks": 2, **array},
              "fio": {"job_file": job_name}}
    path = tmp_path / config_name
    path.write_text(json.dumps(config))
    return path


def run_ok(*args, cwd=None):
    r = mdsim("run", *args, "--quiet", cwd=cwd)
    assert r.returncode == 0, r.stderr
    return r.stdout


def iolog_counts(path):
    """(ios, bytes) per direction from a fio v2/v3 iolog, read independently of mdsim."""
    lines = Path(path).read_text().splitlines()
    m = re.fullmatch(r"fio version (\d) iolog", lines[0])
    assert m, lines[0]
    action_field = 2 if m.group(1) == "3" else 1  # v3 lines start with a timestamp
    counts = {"read": [0, 0], "write": [0, 0]}
    for line in lines[1:]:
        f = line.split()
        if len(f) > action_field and f[action_field] in counts:
            counts[f[action_field]][0] += 1
            counts[f[action_field]][1] += int(f[action_field + 2])
    return counts


def issued_rwts(text):
    """The (reads, writes) of every "issued rwts: total=R,W,T,S" line of fio's normal text."""
    return [(int(a), int(b)) for a, b in re.findall(r"issued rwts: total=(\d+),(\d+),", text)]


# ---- a real fio iolog replayed by mdsim ----

@pytest.fixture(scope="module")
def real_iolog(tmp_path_factory):
    """A few hundred 4k/8k random reads and writes by the real fio on an 8 MiB file, with the
    iolog it wrote and fio's own JSON for the run."""
    if not FIO.is_file():
        pytest.skip("the real fio (/usr/bin/fio) is missing")
    d = tmp_path_factory.mktemp("iolog")
    log = d / "log.txt"
    r = subprocess.run(
        [str(FIO), "--output-format=json", f"--output={d / 'fio.json'}", "--name=mix",
         f"--filename={d / 'data.bin'}", "--size=8m", "--rw=randrw", "--rwmixread=40",
         "--bssplit=4k/50:8k/50", "--ioengine=psync", "--number_ios=300",
         f"--write_iolog={log}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return log, json.loads((d / "fio.json").read_text())


@needs_fio
def test_real_fio_iolog_replayed_with_the_same_ios(tmp_path, real_iolog):
    log, fio_doc = real_iolog
    counts = iolog_counts(log)
    assert counts["read"][0] > 50 and counts["write"][0] > 50  # a real mix
    assert counts["read"][0] + counts["write"][0] == 300
    # The iolog agrees with what fio itself reported for the run that wrote it.
    fio_job = fio_doc["jobs"][0]
    for ddir in ("read", "write"):
        assert fio_job[ddir]["total_ios"] == counts[ddir][0]
        assert fio_job[ddir]["io_bytes"] == counts[ddir][1]
    sizes = {int(l.split()[4]) for l in log.read_text().splitlines()[1:]
             if len(l.split()) == 5}
    assert sizes == {4096, 8192}

    cfg = fio_config(tmp_path, f"[replay]\nread_iolog={log}\nioengine=psync\n")
    doc = json.loads(run_ok(cfg))
    assert [j["jobname"] for j in doc["jobs"]] == ["replay"]
    job = doc["jobs"][0]
    for ddir in ("read", "write"):
        assert job[ddir]["total_ios"] == counts[ddir][0], ddir
        assert job[ddir]["io_bytes"] == counts[ddir][1], ddir
    array = doc["mdsim"]["array"]
    assert array["host_bios"]["reads"] == counts["read"][0]
    assert array["host_bios"]["writes"] == counts["write"][0]
    assert sum(m["read"]["bytes"] for m in array["members"]) == counts["read"][1]
    for m in array["members"]:  # raid1: every write goes to both members
        assert m["write"]["bytes"] >= counts["write"][1]

    text = run_ok(cfg, "--output-format", "normal")
    assert re.search(r"^   READ: bw=", text, re.M) and re.search(r"^  WRITE: bw=", text, re.M)
    assert issued_rwts(text) == [(counts["read"][0], counts["write"][0])]
    assert text.startswith("replay: (g=0): ")
    assert "Run status group 0 (all jobs):" in text
    assert "{" not in text and "mdsim" not in text.replace("fio-3.33 (mdsim)", "")


# ---- groups, and the formats against each other ----

GROUP_JOBS = """[global]
filename={data}
ioengine=psync
bs=4k
size=4m
[a]
rw=randwrite
number_ios=120
[b]
stonewall
rw=randread
number_ios=60
numjobs=2
group_reporting
[c]
rw=read
number_ios=40
[d]
new_group
rw=write
number_ios=30
"""


@pytest.fixture
def group_run(tmp_path):
    job = GROUP_JOBS.format(data=tmp_path / "data.bin")
    return fio_config(tmp_path, job), job


def test_groups_through_the_cli(group_run):
    cfg, _ = group_run
    doc = json.loads(run_ok(cfg, "--output-format", "json"))
    # stonewall and new_group open groups 1 and 2; b's two clones report as one entry.
    got = [(j["jobname"], j["groupid"], j["read"]["total_ios"], j["write"]["total_ios"])
           for j in doc["jobs"]]
    assert got == [("a", 0, 0, 120), ("b", 1, 120, 0), ("c", 1, 40, 0), ("d", 2, 0, 30)]
    text = run_ok(cfg, "--output-format", "normal")
    for g in range(3):
        assert f"Run status group {g} (all jobs):" in text
    assert "Run status group 3" not in text
    assert re.search(r"^b: \(groupid=1, jobs=2\)", text, re.M)
    assert issued_rwts(text) == [(0, 120), (120, 0), (40, 0), (0, 30)]


@needs_fio
def test_group_ids_match_the_real_fio(tmp_path, group_run):
    cfg, job = group_run
    (tmp_path / "real.fio").write_text(job)
    r = subprocess.run([str(FIO), "--output-format=json", str(tmp_path / "real.fio")],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    fio_doc = json.loads(r.stdout[r.stdout.index("{"):])
    ours = json.loads(run_ok(cfg, "--output-format", "json"))

    def shape(doc):
        return [(j["jobname"], j["groupid"], j["read"]["total_ios"], j["write"]["total_ios"])
                for j in doc["jobs"]]
    assert shape(ours) == shape(fio_doc)


def strip_bins(node):
    if isinstance(node, dict):
        return {k: strip_bins(v) for k, v in node.items() if k != "bins"}
    if isinstance(node, list):
        return [strip_bins(v) for v in node]
    return node


def test_json_and_json_plus_differ_by_the_latency_bins(group_run):
    cfg, _ = group_run
    plain = json.loads(run_ok(cfg, "--output-format", "json"))
    plus = json.loads(run_ok(cfg, "--output-format", "json+"))
    default = json.loads(run_ok(cfg))  # json+ is the fio scenario's default
    assert default == plus
    assert all("bins" not in j["write"]["clat_ns"] for j in plain["jobs"])
    bins = plus["jobs"][0]["write"]["clat_ns"]["bins"]
    assert sum(bins.values()) == plus["jobs"][0]["write"]["clat_ns"]["N"] == 120
    assert strip_bins(plus) == plain
    assert "mdsim" in plain and "mdsim" in plus


def test_combined_formats_are_laid_out_like_fio(group_run):
    # fio 3.33 with --output-format=normal,json prints the job lines, "fio-3.33" and
    # "Starting N processes", then the JSON object, then the normal report, in either order.
    cfg, _ = group_run
    both = run_ok(cfg, "--output-format", "normal,json+")
    assert run_ok(cfg, "--output-format=json+,normal") == both
    text = run_ok(cfg, "--output-format", "normal")
    plus = run_ok(cfg, "--output-format", "json+")
    lines = both.splitlines(keepends=True)
    start = next(i for i, l in enumerate(lines) if l == "{\n")
    assert lines[start - 1].startswith("Starting ")
    end = lines.index("}\n")
    assert "".join(lines[start:end + 1]) == plus
    assert "".join(lines[:start]) + "".join(lines[end + 1:]) == text
    assert lines[end + 1] == "\n" and lines[end + 2].startswith("a: (groupid=0, jobs=1)")
    # json+ wins over json in one list: a single document.
    assert run_ok(cfg, "--output-format", "json,json+") == plus


def test_mdsim_json_and_bitmap_image_for_a_fio_run(tmp_path, group_run):
    cfg, _ = group_run
    r = mdsim("run", cfg, "--output-format", "normal", "-o", "r.txt", "--mdsim-json", "md.json",
              "--bitmap-image", "b.img", "-q", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    md = json.loads((tmp_path / "md.json").read_text())
    full = json.loads(run_ok(cfg))
    assert md == full["mdsim"]
    assert md["config"]["scenario"] == "fio" and md["array"]["host_bios"]["writes"] == 150
    # Writes within the first 4 MiB: only chunk 0 (64 MiB chunks) is dirty at the end.
    ex = mdsim("examine-bitmap", tmp_path / "b.img")
    assert ex.returncode == 0, ex.stderr
    assert re.search(r"Bitmap : \d+ bits \(chunks\), 1 dirty", ex.stdout), ex.stdout
    assert re.search(r"Dirty chunks : 0\n", ex.stdout), ex.stdout


# ---- bad inputs: exit 2, a message naming the culprit, no output file ----

LOCK_LOOP = {"seed": 3, "machine": {"cores": 4},
             "lock_loop": {"lock": "spinlock", "duration_ns": 100000}}


@pytest.mark.parametrize("case,args,message", [
    ("fio", ["--output-format", "xml"], 'run: --output-format xml: unknown format "xml"'),
    ("fio", ["--output-format", "terse"], "run: --output-format terse: terse (fio's CSV form)"),
    ("fio", ["--output-format", "normal,"], "run: --output-format normal,: empty format name"),
    ("fio", ["--output-format", "JSON"], 'run: --output-format JSON: unknown format "JSON"'),
    ("fio", ["--output-format"], "--output-format needs a format list"),
    ("lock", ["--output-format", "normal"],
     "run.json: --output-format normal: scenario lock_loop writes only mdsim's own JSON"),
    ("lock", ["--output-format", "json+"], "run.json: --output-format json+: scenario lock_loop"),
    ("bad_job", [], "bad.fio:3: bad option <iodepht=4>"),
    ("lock", ["--bitmap-image", "b.img"],
     "run: --bitmap-image needs a scenario with a bitmap (bitmap_loop, or fio on an array with "
     "one); this lock_loop run has none"),
    ("no_bitmap", ["--bitmap-image", "b.img"],
     "run: --bitmap-image needs a scenario with a bitmap (bitmap_loop, or fio on an array with "
     "one); this fio run's array has none (array.bitmap \"none\")"),
])
def test_bad_inputs_exit_2_and_write_nothing(tmp_path, case, args, message):
    if case == "lock":
        (tmp_path / "run.json").write_text(json.dumps(LOCK_LOOP))
    elif case == "bad_job":
        fio_config(tmp_path, "[w]\nrw=randwrite\niodepht=4\n", job_name="bad.fio")
    else:
        fio_config(tmp_path, "[w]\nrw=randwrite\nnumber_ios=50\n",
                   **({"bitmap": "none"} if case == "no_bitmap" else {}))
    before = sorted(p.name for p in tmp_path.iterdir())
    r = mdsim("run", "run.json", "-o", "out.json", "--mdsim-json", "md.json", *args,
              cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("mdsim: error: " + message), r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


# ---- determinism ----

@pytest.mark.parametrize("fmt", ["json", "json+", "normal", "normal,json+"])
def test_same_config_gives_identical_bytes(tmp_path, group_run, fmt):
    cfg, _ = group_run
    for name in ("a.out", "b.out"):
        r = mdsim("run", cfg, "--output-format", fmt, "-o", name, "--mdsim-json", name + ".md",
                  "-q", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "a.out").read_bytes() == (tmp_path / "b.out").read_bytes()
    assert (tmp_path / "a.out.md").read_bytes() == (tmp_path / "b.out.md").read_bytes()
    # stdout carries the same bytes as -o.
    assert run_ok(cfg, "--output-format", fmt) == (tmp_path / "a.out").read_text()
