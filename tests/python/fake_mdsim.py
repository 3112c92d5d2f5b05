#!/usr/bin/python3
"""A stand-in for mdsim that follows its CLI contract, for the harness tests.

  fake_mdsim.py --version            mdsim 0.1.0 (build $FAKE_MDSIM_BUILD or fake0001)
  fake_mdsim.py list                 the scenarios and lock kinds
  fake_mdsim.py run CONFIG -o OUT    a deterministic lock_loop-shaped result

Knobs (environment):
  FAKE_MDSIM_LOG=FILE        append one line per `run` (the canonical config) to FILE
  FAKE_MDSIM_FAIL=PATH=VAL   exit 2 for configs whose dotted PATH equals VAL (e.g.
                             machine.cores=4); any config containing "__fail__" fails too
  FAKE_MDSIM_OMIT=KEY        leave mdsim.lock_loop.KEY out of the result
  FAKE_MDSIM_GARBAGE=1       write a result file that is not JSON
  FAKE_MDSIM_SLEEP=SECONDS   sleep this long in every `run`
"""
import hashlib
import json
import os
import sys
import time

VERSION = "0.1.0"
LOCKS = {"spinlock": 1.0, "rwlock_read": 0.45, "rwlock_write": 1.2, "rwlock_mixed": 0.7,
         "atomic": 0.25}
CONFIG_KEYS = {"seed", "scenario", "machine", "lock_loop"}


def fail(msg):
    print(f"mdsim: {msg}", file=sys.stderr)
    sys.exit(2)


def jitter(*parts):
    """Deterministic pseudo-random number in [0, 1) from the parts."""
    h = hashlib.sha256(json.dumps(parts).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def dotted(doc, path):
    for p in path.split("."):
        if not isinstance(doc, dict) or p not in doc:
            return None
        doc = doc[p]
    return doc


def simulate(cfg):
    m, ll = cfg["machine"], cfg["lock_loop"]
    cores = m["cores"]
    threads = ll["threads"] or cores
    hold, think = ll["hold_ns"], ll["think_ns"]
    factor = LOCKS[ll["lock"]]
    uncontended = threads * 1e9 / (hold + think)
    saturated = 1e9 / (hold * factor)
    noise = 1.0 - 0.05 * jitter(cfg["seed"], cores, ll["lock"])
    ops_per_sec = min(uncontended, saturated) * noise
    wait_share = max(0.0, 1.0 - ops_per_sec / uncontended)
    ops = int(ops_per_sec * ll["duration_ns"] / 1e9)
    mean = (hold + think) / (1.0 - wait_share) - think
    spin = int(wait_share * threads * ll["duration_ns"])
    return {
        "threads": threads, "ops": ops, "ops_per_sec": ops_per_sec,
        "theory": {"uncontended_ops_per_sec": uncontended, "saturated_ops_per_sec": saturated},
        "wait_share": wait_share,
        "latency_ns": {"mean": mean, "percentile": {"50.000000": int(mean * 0.9),
                                                     "99.000000": int(mean * 3 + 50)}},
    }, spin


def run(cfg_path, out_path):
    try:
        with open(cfg_path) as f:
            text = f.read()
        cfg = json.loads(text)
    except (OSError, json.JSONDecodeError) as e:
        fail(f"{cfg_path}: {e}")
    if "__fail__" in text:
        fail(f"{cfg_path}: marker __fail__ found: refusing this config")
    rule = os.environ.get("FAKE_MDSIM_FAIL")
    if rule:
        path, val = rule.split("=", 1)
        if json.dumps(dotted(cfg, path)) == val or dotted(cfg, path) == val:
            fail(f"{cfg_path}: {path}={val}: injected failure")
    unknown = set(cfg) - CONFIG_KEYS
    if unknown:
        fail(f"{cfg_path}: unknown keys {sorted(unknown)}")
    if cfg.get("scenario") != "lock_loop" or cfg["lock_loop"].get("lock") not in LOCKS:
        fail(f"{cfg_path}: unsupported scenario or lock")
    log = os.environ.get("FAKE_MDSIM_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps(cfg, sort_keys=True) + "\n")
    time.sleep(float(os.environ.get("FAKE_MDSIM_SLEEP", "0")))
    ll, spin = simulate(cfg)
    omit = os.environ.get("FAKE_MDSIM_OMIT")
    if omit:
        ll.pop(omit, None)
    cores = cfg["machine"]["cores"]
    dur = cfg["lock_loop"]["duration_ns"]
    result = {"mdsim": {
        "version": VERSION, "build_id": build_id(), "config": cfg,
        "sim": {"events": ll.get("ops", 0) * 4, "sim_time_ns": dur},
        "lock_stat": [{"class": "demo_lock", "rw": "", "con_bounces": 0, "contentions": 0,
                       "waittime_min_ns": 0, "waittime_max_ns": 0, "waittime_total_ns": spin,
                       "acq_bounces": 0, "acquisitions": ll.get("ops", 0),
                       "holdtime_min_ns": 0, "holdtime_max_ns": 0, "holdtime_total_ns": 0}],
        "cpu": {"cores": cores, "utilisation": [0.5] * cores,
                "time_ns_by_kind": {"hold": 1, "think": 2, "spin": spin}},
        "lock_loop": ll}}
    with open(out_path, "w") as f:
        if os.environ.get("FAKE_MDSIM_GARBAGE") == "1":
            f.write("this is not json")
        else:
            json.dump(result, f, indent=1, sort_keys=True)


def build_id():
    return os.environ.get("FAKE_MDSIM_BUILD", "fake0001")


def main(argv):
    if argv == ["--version"]:
        print(f"mdsim {VERSION} (build {build_id()})")
        return 0
    if argv == ["list"]:
        print("scenarios: lock_loop")
        print("locks: " + " ".join(LOCKS))
        return 0
    if len(argv) == 4 and argv[0] == "run" and argv[2] == "-o":
        run(argv[1], argv[3])
        return 0
    fail("usage: mdsim run CONFIG.json -o RESULT.json | mdsim list | mdsim --version")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
