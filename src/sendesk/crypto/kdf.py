"""Turning a password into a key-encryption key with Argon2id.

Parameters are stored per user and calibrated on the machine that sets the password, so a
fast admin PC and a slow laptop each get about half a second of work, but never less than
OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane).
"""

from __future__ import annotations

import os
import time
import unicodedata
from dataclasses import dataclass

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

MIN_MEMORY_KIB = 19 * 1024
MIN_ITERATIONS = 2
LANES = 1
MAX_MEMORY_KIB = 256 * 1024
MAX_ITERATIONS = 64
SALT_BYTES = 16
KEY_BYTES = 32
DEFAULT_TARGET_SECONDS = 0.5


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    def to_json(self) -> dict:
        return {"algorithm": "argon2id", "memory_kib": self.memory_kib,
                "iterations": self.iterations, "lanes": self.lanes, "salt": self.salt.hex()}

    @classmethod
    def from_json(cls, data: dict) -> KdfParams:
        """Read stored parameters, refusing any that are weaker than the minimum or absurd."""
        if data.get("algorithm") != "argon2id":
            raise ValueError("unknown key derivation")
        params = cls(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]),
                     bytes.fromhex(data["salt"]))
        if not (MIN_MEMORY_KIB <= params.memory_kib <= 4 * MAX_MEMORY_KIB
                and MIN_ITERATIONS <= params.iterations <= 4 * MAX_ITERATIONS
                and 1 <= params.lanes <= 16 and len(params.salt) == SALT_BYTES):
            raise ValueError("key derivation parameters out of range")
        return params


def target_seconds() -> float:
    """SENDESK_KDF_SECONDS lowers the work for test suites; the floor still applies."""
    raw = os.environ.get("SENDESK_KDF_SECONDS")
    try:
        return max(0.0, float(raw)) if raw is not None else DEFAULT_TARGET_SECONDS
    except ValueError:
        return DEFAULT_TARGET_SECONDS


def normalise(password: str) -> bytes:
    """The same password typed on Windows and macOS must give the same key."""
    return unicodedata.normalize("NFC", password).encode("utf-8")


def derive(password: str, params: KdfParams) -> bytes:
    kdf = Argon2id(salt=params.salt, length=KEY_BYTES, iterations=params.iterations,
                   lanes=params.lanes, memory_cost=params.memory_kib)
    return kdf.derive(normalise(password))


def calibrate(target: float | None = None) -> KdfParams:
    """Find parameters that take about `target` seconds here, starting from the minimum."""
    goal = target_seconds() if target is None else target
    memory, iterations = MIN_MEMORY_KIB, MIN_ITERATIONS
    probe = KdfParams(memory, iterations, LANES, os.urandom(SALT_BYTES))
    while True:
        started = time.perf_counter()
        derive("calibration", probe)
        elapsed = time.perf_counter() - started
        if elapsed >= goal * 0.8 or (memory >= MAX_MEMORY_KIB and iterations >= MAX_ITERATIONS):
            break
        scale = min(4.0, max(1.25, goal / max(elapsed, 1e-3)))
        if memory < MAX_MEMORY_KIB:
            memory = min(MAX_MEMORY_KIB, int(memory * scale))
        else:
            iterations = min(MAX_ITERATIONS, int(iterations * scale) + 1)
        probe = KdfParams(memory, iterations, LANES, probe.salt)
    return KdfParams(memory, iterations, LANES, os.urandom(SALT_BYTES))
