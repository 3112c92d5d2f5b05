#!/usr/bin/env python3
"""mdsim's DES core against ns-3's schedulers on the hold model, measured side by side.

Runs build/sim/sim_benchmarks --benchmark_filter=BM_Hold (Google Benchmark, JSON out) and
../shared/tools/ns3_hold.sh for every ns-3 scheduler at the same populations, alternating
them --rounds times so both see the same machine conditions, and prints the medians and the
ratio of mdsim to the fastest ns-3 scheduler at each population.

Usage: tools/hold_ratio.py [--build DIR] [--rounds N] [--events N] [--ns3 PATH]
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POPULATIONS = (1000, 100000)
SCHEDULERS = ("map", "heap", "calendar", "pq")


def mdsim_hold(bench: Path) -> dict:
    out = subprocess.run([str(bench), "--benchmark_filter=BM_Hold", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True).stdout
    rates = {}
    for b in json.loads(out)["benchmarks"]:
        pop = int(b["name"].split("population:")[1].split("/")[0])
        rates[pop] = b["items_per_second"]
    return rates


def ns3_hold(script: Path, pop: int, events: int, sched: str) -> float:
    out = subprocess.run([str(script), str(pop), str(events), sched], check=True,
                         capture_output=True, text=True).stdout
    return float(out.split("events_per_sec=")[1].split()[0])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(REPO / "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--events", type=int, default=3000000)
    ap.add_argument("--ns3", default=str(REPO.parent / "shared" / "tools" / "ns3_hold.sh"))
    ap.add_argument("--schedulers", default=",".join(SCHEDULERS))
    args = ap.parse_args()
    bench = Path(args.build) / "sim" / "sim_benchmarks"
    if not bench.is_file():
        print(f"hold_ratio: {bench} not found: build with benchmarks first", file=sys.stderr)
        return 2
    scheds = args.schedulers.split(",")
    ours = {p: [] for p in POPULATIONS}
    peer = {(p, s): [] for p in POPULATIONS for s in scheds}
    for r in range(args.rounds):
        for p, v in mdsim_hold(bench).items():
            if p in ours:
                ours[p].append(v)
        for p in POPULATIONS:
            for s in scheds:
                peer[(p, s)].append(ns3_hold(Path(args.ns3), p, args.events, s))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print(f"{'population':>10} {'mdsim Mev/s':>12} " +
          " ".join(f"{'ns3 ' + s:>13}" for s in scheds) + f" {'ratio':>7}")
    worst = None
    for p in POPULATIONS:
        m = statistics.median(ours[p])
        n = {s: statistics.median(peer[(p, s)]) for s in scheds}
        best = max(n.values())
        ratio = m / best
        worst = ratio if worst is None else min(worst, ratio)
        print(f"{p:>10} {m / 1e6:>12.2f} " + " ".join(f"{n[s] / 1e6:>13.2f}" for s in scheds) +
              f" {ratio:>6.2f}x")
    print(f"medians of {args.rounds} alternating rounds; ratio = mdsim / fastest ns-3 scheduler; "
          f"worst ratio {worst:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
