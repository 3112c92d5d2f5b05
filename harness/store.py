"""The results store: one sqlite row per run.

A row is keyed by run_key(suite name, point config, seed, mdsim store id), so rerunning a
suite against the same build finds its earlier runs (resume), while a new build, a changed
base config or a renamed suite runs afresh. Rows of failed runs keep the exit code and stderr.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key          TEXT PRIMARY KEY,
    suite        TEXT NOT NULL,
    build_id     TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    label        TEXT NOT NULL,
    config       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    exit_code    INTEGER,
    result       TEXT,
    stderr       TEXT NOT NULL DEFAULT '',
    wall_seconds REAL NOT NULL,
    recorded_at  TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS runs_by_suite ON runs (suite, build_id);
"""


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def run_key(suite: str, point_config: dict, seed: int, store_id: str) -> str:
    material = canonical({"suite": suite, "config": point_config, "seed": seed, "build": store_id})
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class StoredRun:
    key: str
    status: str
    exit_code: int | None
    result: dict | None
    stderr: str
    wall_seconds: float


class Store:
    def __init__(self, path: str):
        self.path = path
        parent = os.path.dirname(os.path.abspath(path))
        os.makedirs(parent, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=60)
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            self._db.close()
            raise RuntimeError(f"{path}: results store schema {version}, this harness "
                               f"understands {SCHEMA_VERSION}; use another --store")
        with self._db:
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def get(self, key: str) -> StoredRun | None:
        row = self._db.execute(
            "SELECT key, status, exit_code, result, stderr, wall_seconds FROM runs WHERE key = ?",
            (key,)).fetchone()
        if row is None:
            return None
        result = json.loads(row[3]) if row[3] is not None else None
        return StoredRun(key=row[0], status=row[1], exit_code=row[2], result=result,
                         stderr=row[4], wall_seconds=row[5])

    def get_ok(self, key: str) -> StoredRun | None:
        r = self.get(key)
        return r if r is not None and r.status == "ok" else None

    def put(self, *, key: str, suite: str, build_id: str, seed: int, label: str, config: dict,
            status: str, exit_code: int | None, result_text: str | None, stderr: str,
            wall_seconds: float) -> None:
        """Inserts or replaces one run and commits at once, so an interrupted sweep keeps every
        run finished before the interruption."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO runs (key, suite, build_id, seed, label, config, status,"
                " exit_code, result, stderr, wall_seconds) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (key, suite, build_id, seed, label, canonical(config), status, exit_code,
                 result_text, stderr, wall_seconds))

    def count(self, suite: str | None = None) -> dict[str, int]:
        q = "SELECT status, COUNT(*) FROM runs"
        args: tuple = ()
        if suite is not None:
            q += " WHERE suite = ?"
            args = (suite,)
        return dict(self._db.execute(q + " GROUP BY status", args).fetchall())
