"""Reading a flowchart file (or the one shipped with sendesk) and handing it to the checker."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .. import bounded_json
from .check import parse
from .model import MAX_FILE_BYTES, Flowchart, FlowchartError


def load_file(path: str | Path) -> Flowchart:
    """Read and check a flowchart file; FlowchartError names every fault."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FlowchartError(path.name, [
                f"the file is {size // 1024} KB; a flowchart file may be at most "
                f"{MAX_FILE_BYTES // 1024} KB"])
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except FlowchartError:
        raise
    except IsADirectoryError:
        raise FlowchartError(path.name, ["it is a folder, not a file"]) from None
    except FileNotFoundError:
        raise FlowchartError(path.name, ["the file cannot be found"]) from None
    except OSError as exc:
        raise FlowchartError(path.name, [f"the file cannot be read ({exc.strerror or exc})"]) from None
    return load_bytes(data, path.name)


def load_bytes(data: bytes, source: str = "file") -> Flowchart:
    if len(data) > MAX_FILE_BYTES:
        raise FlowchartError(source, [f"the file is over {MAX_FILE_BYTES // 1024} KB; a "
                                      f"flowchart file may be at most {MAX_FILE_BYTES // 1024} KB"])
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FlowchartError(source, [f"the file is not UTF-8 text (byte {exc.start + 1} cannot "
                                      "be read); save it as UTF-8"]) from None
    try:
        raw = bounded_json.loads(text, max_depth=64)
    except bounded_json.JsonRefused as exc:
        raise FlowchartError(source, [f"the file cannot be a flowchart: {exc}"]) from None
    except json.JSONDecodeError as exc:
        raise FlowchartError(source, [f"the file is not valid JSON: {exc.msg.lower()} at line "
                                      f"{exc.lineno}, column {exc.colno}"]) from None
    except RecursionError:
        raise FlowchartError(source, ["the file is nested too deeply to be a flowchart"]) from None
    digest = hashlib.sha256(data).hexdigest()
    return parse(raw, source, digest)


def default_path() -> Path:
    from ...resources import resource_path
    return resource_path("flowcharts", "initial_concerns.json")


_cache: dict[str, tuple[float, Flowchart]] = {}


def load_default() -> Flowchart:
    """The flowchart shipped with sendesk (or put in its place by the local authority)."""
    path = default_path()
    try:
        stamp = path.stat().st_mtime
    except OSError:
        stamp = -1.0
    cached = _cache.get(str(path))
    if cached is None or cached[0] != stamp:
        cached = (stamp, load_file(path))
        _cache[str(path)] = cached
    return cached[1]
