"""Timing and reporting helpers: medians and 95th percentiles in milliseconds."""

from __future__ import annotations

import gc
import math
import resource
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    section: str
    name: str
    samples: list[float] = field(default_factory=list)  # milliseconds
    target: float | None = None  # milliseconds (or a ratio, or MB, see unit)
    unit: str = "ms"
    note: str = ""
    cpu: list[float] = field(default_factory=list)  # this process's CPU milliseconds
    # On the school server: the server's CPU milliseconds for the same runs (its backends)
    server_cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        if not self.samples:
            return None
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Samples(list):
    """Wall-clock milliseconds, with the CPU milliseconds this process spent beside them
    (when other programs load the machine, wall time grows and CPU time does not)."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []


def paired(first: Callable[[], Any], second: Callable[[], Any],
           repeat: int) -> tuple[list[float], list[float]]:
    """Time two actions alternately, so that load from other programs falls on both alike
    (for ratios such as encrypted / plain)."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeat):
        a += timed(first, 1, warmup=0)
        b += timed(second, 1, warmup=0)
    return a, b


def timed(action: Callable[[], Any], repeat: int, warmup: int = 1,
          between: Callable[[], Any] | None = None) -> list[float]:
    """Wall-clock milliseconds of `repeat` runs after `warmup` unmeasured ones; `between`
    runs (unmeasured) before each run, to undo what the last one changed."""
    samples = Samples()
    for run in range(warmup + repeat):
        if between is not None:
            between()
        gc.collect()
        started, cpu = time.perf_counter(), time.process_time()
        action()
        elapsed = (time.perf_counter() - started) * 1000
        if run >= warmup:
            samples.append(elapsed)
            samples.cpu.append((time.process_time() - cpu) * 1000)
    return samples


def peak_rss_mb() -> float:
    """This process's peak resident memory since it started.

    Linux's VmHWM belongs to this program alone; getrusage's ru_maxrss would carry over the
    parent's peak from before exec, so it is only the fallback (in KiB, or bytes on macOS).
    """
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
