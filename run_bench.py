#!/usr/bin/env python3
"""Runs an mdsim benchmark suite and writes its report: ./run_bench.py [--help].

The harness lives in harness/ (see harness/__init__.py). This file only makes sure the
interpreter can import matplotlib: the python3 first on PATH may be one that cannot see
Debian's python3-matplotlib, so it re-executes itself once with /usr/bin/python3.
"""
import os
import sys

SYSTEM_PYTHON = "/usr/bin/python3"
GUARD = "RUN_BENCH_REEXECUTED"


def _matplotlib_importable() -> bool:
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def _maybe_reexec() -> None:
    if _matplotlib_importable() or os.environ.get(GUARD) == "1":
        return
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return
    if os.path.realpath(sys.executable) == os.path.realpath(SYSTEM_PYTHON):
        return
    os.environ[GUARD] = "1"
    os.execv(SYSTEM_PYTHON, [SYSTEM_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])


if __name__ == "__main__":
    _maybe_reexec()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness.cli import main
    sys.exit(main())
