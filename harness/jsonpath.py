"""Paths into JSON documents.

Two flavours:

* Config paths (sweep keys, plot x/series, table rows/columns, --filter keys) are plain
  dotted key names: ``machine.cores``, ``lock_loop.lock``. Each part matches [A-Za-z0-9_-]+.

* Result paths (metrics) select a value in a result JSON. Parts are separated by dots;
  brackets select list elements or keys that contain dots:
      mdsim.lock_loop.ops_per_sec
      mdsim.lock_loop.latency_ns.percentile["99.000000"]   quoted key (may contain dots)
      mdsim.lock_stat[0].contentions                        list index
      mdsim.lock_stat[rw=W].contentions                     first element whose "rw" == "W"
      jobs[jobname=seqread].read.bw_bytes

Also `describe(parts)` renders a location like ``$.sweep.machine.cores`` or ``$.plots[0].y``
for error messages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[A-Za-z0-9_-]+")


def parse_config_path(path: Any) -> tuple[str, ...]:
    """Splits a dotted config path; raises ValueError with a reason if malformed."""
    if not isinstance(path, str) or not path:
        raise ValueError("expected a dotted config path such as \"machine.cores\"")
    parts = tuple(path.split("."))
    for p in parts:
        if not _NAME.fullmatch(p):
            raise ValueError(f"bad config path {path!r}: each dotted part must match [A-Za-z0-9_-]+")
    return parts


def config_get(doc: Any, parts: tuple[str, ...]) -> Any:
    """Value at a config path; raises KeyError if any part is missing."""
    cur = doc
    for p in parts:
        if not isinstance(cur, dict) or p not in cur:
            raise KeyError(".".join(parts))
        cur = cur[p]
    return cur


def config_has(doc: Any, parts: tuple[str, ...]) -> bool:
    try:
        config_get(doc, parts)
        return True
    except KeyError:
        return False


def config_set(doc: dict, parts: tuple[str, ...], value: Any) -> None:
    """Sets an existing or new leaf; intermediate objects must exist."""
    cur = doc
    for p in parts[:-1]:
        cur = cur[p]
    cur[parts[-1]] = value


@dataclass(frozen=True)
class Step:
    kind: str  # "key" | "index" | "match"
    key: str = ""
    index: int = 0
    value: str = ""

    def render(self) -> str:
        if self.kind == "index":
            return f"[{self.index}]"
        if self.kind == "match":
            return f"[{self.key}={self.value}]"
        if _NAME.fullmatch(self.key):
            return "." + self.key
        return '["' + self.key + '"]'


def parse_result_path(path: Any) -> tuple[Step, ...]:
    """Parses a result path (see module doc); raises ValueError with a reason if malformed."""
    if not isinstance(path, str) or not path:
        raise ValueError("expected a result path such as \"mdsim.lock_loop.ops_per_sec\"")
    steps: list[Step] = []
    i, n = 0, len(path)
    expect_name = True  # at the start or just after a dot
    while i < n:
        c = path[i]
        if c == "[":
            if expect_name and steps:
                raise ValueError(f"bad path {path!r}: '[' after '.' at offset {i}")
            end = _bracket_end(path, i)
            steps.append(_parse_selector(path, path[i + 1:end], i))
            i = end + 1
            expect_name = False
        elif c == ".":
            if expect_name:
                raise ValueError(f"bad path {path!r}: empty part at offset {i}")
            i += 1
            expect_name = True
            if i == n:
                raise ValueError(f"bad path {path!r}: ends with '.'")
        else:
            if not expect_name:
                raise ValueError(f"bad path {path!r}: expected '.' or '[' at offset {i}")
            m = _NAME.match(path, i)
            if not m:
                raise ValueError(f"bad path {path!r}: unexpected {c!r} at offset {i}")
            steps.append(Step("key", key=m.group()))
            i = m.end()
            expect_name = False
    return tuple(steps)


def _bracket_end(path: str, start: int) -> int:
    i = start + 1
    if i < len(path) and path[i] == '"':
        close = path.find('"', i + 1)
        if close < 0 or close + 1 >= len(path) or path[close + 1] != "]":
            raise ValueError(f"bad path {path!r}: unterminated [\"...\"] at offset {start}")
        return close + 1
    close = path.find("]", i)
    if close < 0:
        raise ValueError(f"bad path {path!r}: unterminated '[' at offset {start}")
    return close


def _parse_selector(path: str, inner: str, offset: int) -> Step:
    if len(inner) >= 2 and inner[0] == '"' and inner[-1] == '"':
        key = inner[1:-1]
        if not key:
            raise ValueError(f"bad path {path!r}: empty quoted key at offset {offset}")
        return Step("key", key=key)
    if re.fullmatch(r"-?[0-9]+", inner):
        return Step("index", index=int(inner))
    if "=" in inner:
        k, v = inner.split("=", 1)
        if _NAME.fullmatch(k) and v:
            return Step("match", key=k, value=v)
    raise ValueError(f"bad path {path!r}: bad selector [{inner}] at offset {offset} "
                     "(expected [N], [\"key\"] or [field=value])")


def result_get(doc: Any, steps: tuple[Step, ...]) -> Any:
    """Evaluates a parsed result path; raises LookupError naming the first failing step."""
    cur = doc
    for pos, st in enumerate(steps):
        where = "".join(s.render() for s in steps[:pos + 1]).lstrip(".")
        if st.kind == "key":
            if not isinstance(cur, dict) or st.key not in cur:
                raise LookupError(f"no {where}")
            cur = cur[st.key]
        elif st.kind == "index":
            if not isinstance(cur, list) or not -len(cur) <= st.index < len(cur):
                raise LookupError(f"no {where}")
            cur = cur[st.index]
        else:
            if not isinstance(cur, list):
                raise LookupError(f"no {where} (not a list)")
            for item in cur:
                if isinstance(item, dict) and st.key in item and _loose_str(item[st.key]) == st.value:
                    cur = item
                    break
            else:
                raise LookupError(f"no {where}")
    return cur


def _loose_str(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def describe(parts: list | tuple) -> str:
    """Renders a location in a JSON document: ("sweep", "machine.cores") -> $.sweep.machine.cores,
    ("plots", 0, "y") -> $.plots[0].y."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else "." + str(p)
    return out
