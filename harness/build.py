"""Getting a usable mdsim binary: bootstrap, (re)build when stale, and its version/build id."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

from .errors import EnvironmentProblem

# Source files whose change makes build/app/mdsim stale.
_SOURCE_SUFFIXES = (".cc", ".h", ".hh", ".cpp", ".hpp", ".cmake", ".json")
# Top-level directories that never hold mdsim sources.
_SKIP_TOP = {".git", "out", "results-store", "harness", "suites", "tests", "docs", "tools",
             ".ci", "__pycache__"}


@dataclass(frozen=True)
class MdsimInfo:
    path: str
    version: str      # e.g. "0.1.0"
    build_id: str     # as printed by `mdsim --version`
    store_id: str     # what keys the results store: build_id, plus a hash of the binary
                      # when the build id cannot tell builds apart ("unknown", "-dirty")

    @property
    def banner(self) -> str:
        return f"mdsim {self.version} (build {self.build_id})"


def newest_source_mtime(root: str) -> float:
    newest = 0.0
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == root:
            dirnames[:] = [d for d in dirnames if d not in _SKIP_TOP and not d.startswith("build")]
        else:
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for f in filenames:
            if dirpath == root and f != "CMakeLists.txt":
                continue
            if f == "CMakeLists.txt" or f.endswith(_SOURCE_SUFFIXES):
                try:
                    newest = max(newest, os.stat(os.path.join(dirpath, f)).st_mtime)
                except OSError:
                    pass
    return newest


def _stamp(binary: str) -> str:
    # Touched after every successful build: a build that leaves the binary untouched (only
    # tests changed) must not make every later invocation rebuild.
    return os.path.join(os.path.dirname(binary), ".run_bench-built")


def is_stale(binary: str, root: str) -> bool:
    try:
        built = os.stat(binary).st_mtime
    except OSError:
        return True
    try:
        built = max(built, os.stat(_stamp(binary)).st_mtime)
    except OSError:
        pass
    return newest_source_mtime(root) > built


def bootstrap(root: str) -> None:
    """tools/bootstrap.sh: installs missing Debian packages; silent when all are present."""
    script = os.path.join(root, "tools", "bootstrap.sh")
    r = subprocess.run([script], cwd=root)
    if r.returncode != 0:
        raise EnvironmentProblem(f"{script} failed (exit {r.returncode})")


def ensure_built(root: str, build_dir: str, jobs: int, log=sys.stderr) -> str:
    """Bootstraps, then configures and builds with cmake if the binary is missing or older
    than the sources. Quiet unless the build fails, when the log is shown."""
    bootstrap(root)
    binary = os.path.join(build_dir, "app", "mdsim")
    if not is_stale(binary, root):
        return binary
    print(f"building mdsim in {build_dir} ({jobs} jobs) ...", file=log, flush=True)
    os.makedirs(build_dir, exist_ok=True)
    log_path = os.path.join(build_dir, "run_bench-build.log")
    started = time.time()
    steps = [["cmake", "-S", root, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release"],
             ["cmake", "--build", build_dir, f"-j{jobs}"]]
    with open(log_path, "w", encoding="utf-8", errors="replace") as f:
        for cmd in steps:
            f.write("$ " + " ".join(cmd) + "\n")
            f.flush()
            r = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=root)
            if r.returncode != 0:
                f.close()
                with open(log_path, encoding="utf-8", errors="replace") as g:
                    sys.stderr.write(g.read())
                raise EnvironmentProblem(f"build failed: {' '.join(cmd)} (exit {r.returncode}); "
                                         f"log above and in {log_path}")
    if not os.path.isfile(binary):
        raise EnvironmentProblem(f"build succeeded but {binary} does not exist")
    with open(_stamp(binary), "w", encoding="utf-8") as f:
        f.write("built by run_bench.py\n")
    # Dated at the build's start: sources edited during the build still count as newer.
    os.utime(_stamp(binary), (started, started))
    return binary


_VERSION = re.compile(r"^mdsim (\S+) \(build ([^)\s]+)\)\s*$")


def probe(binary: str) -> MdsimInfo:
    """Runs `mdsim --version`; raises EnvironmentProblem if it fails or prints nonsense."""
    try:
        r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
    except OSError as e:
        raise EnvironmentProblem(f"cannot run {binary}: {e.strerror}") from None
    except subprocess.TimeoutExpired:
        raise EnvironmentProblem(f"{binary} --version timed out") from None
    line = r.stdout.strip().splitlines()[0] if r.stdout.strip() else ""
    m = _VERSION.match(line)
    if r.returncode != 0 or not m:
        raise EnvironmentProblem(f"{binary} --version: expected 'mdsim X.Y.Z (build ID)', got "
                                 f"{line!r} (exit {r.returncode}) {r.stderr.strip()}")
    version, build_id = m.groups()
    store_id = build_id
    if build_id == "unknown" or "dirty" in build_id:
        store_id = f"{build_id}+bin:{_file_hash(binary)[:16]}"
    return MdsimInfo(path=binary, version=version, build_id=build_id, store_id=store_id)


def _file_hash(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
