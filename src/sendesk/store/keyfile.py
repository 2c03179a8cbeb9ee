"""The key file that sits beside each school database.

It holds the database's data key wrapped once per user (under a key derived from their
password) and once under the recovery key, plus a MAC keyed from the data key so that any
change to the file is noticed once it is unlocked. It names nobody: a user's slot is found
by a hash of the database id and the username, and roles live inside the encrypted database.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..crypto import kdf, keys
from ..errors import KeyFileError, StorageError, WrongPassword
from .files import atomic_write, read_limited

FORMAT = "sendesk-keys"
VERSION = 1
RECOVERY_SLOT = "recovery"
MAX_BYTES = 256 * 1024


def keyfile_path(database: Path) -> Path:
    database = Path(database)
    return database.with_name(database.name + "-keys")


@dataclass
class Slot:
    id: str
    kind: str
    nonce: bytes
    wrapped: bytes
    kdf: kdf.KdfParams | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind, "nonce": self.nonce.hex(), "wrapped": self.wrapped.hex()}
        if self.kdf is not None:
            data["kdf"] = self.kdf.to_json()
        return data


class KeyFile:
    def __init__(self, database_id: bytes, slots: dict[str, Slot] | None = None,
                 mac: bytes | None = None) -> None:
        self.database_id = database_id
        self.slots: dict[str, Slot] = slots or {}
        self.mac = mac

    # --- reading and writing -------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        path = Path(path)
        if not path.exists():
            raise KeyFileError(
                f"The key file {path.name} is missing. It must sit beside the database; "
                "restore it from a backup (the database cannot be opened without it).")
        try:
            raw = read_limited(path, MAX_BYTES, "sendesk key file")
        except StorageError as exc:
            raise KeyFileError(str(exc)) from exc
        return cls.from_bytes(raw, path.name)

    @classmethod
    def from_bytes(cls, raw: bytes, name: str = "key file") -> "KeyFile":
        """Parse without trusting: every field is type- and size-checked before use."""
        damaged = (f"The key file {name} is damaged or is not a sendesk key file. "
                   "Restore it from a backup.")
        if len(raw) > MAX_BYTES:
            raise KeyFileError(damaged)
        try:
            data = json.loads(raw.decode("utf-8"))
            if data.get("format") != FORMAT:
                raise ValueError("format")
            if data.get("version") != VERSION:
                raise KeyFileError(f"The key file {name} was written by a newer sendesk. "
                                   "Update sendesk to open it.")
            database_id = bytes.fromhex(data["database_id"])
            slots = {}
            for item in data["slots"]:
                slot = Slot(str(item["id"]), str(item["kind"]), bytes.fromhex(item["nonce"]),
                            bytes.fromhex(item["wrapped"]),
                            kdf.KdfParams.from_json(item["kdf"]) if "kdf" in item else None)
                if slot.kind not in ("password", "recovery") or (slot.kind == "password") != (slot.kdf is not None):
                    raise ValueError("slot kind")
                if len(slot.nonce) != keys.NONCE_BYTES or len(slot.id) > 64:
                    raise ValueError("slot size")
                slots[slot.id] = slot
            mac = bytes.fromhex(data["mac"])
            if len(database_id) != 16:
                raise ValueError("database id")
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError,
                OverflowError, RecursionError) as exc:
            raise KeyFileError(damaged) from exc
        return cls(database_id, slots, mac)

    def _body(self) -> bytes:
        body = {"format": FORMAT, "version": VERSION, "database_id": self.database_id.hex(),
                "slots": [self.slots[k].to_json() for k in sorted(self.slots)]}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_bytes(self, data_key: bytes | bytearray) -> bytes:
        self.mac = keys.mac(keys.subkey(data_key, "keyfile", self.database_id), self._body())
        document = json.loads(self._body())
        document["mac"] = self.mac.hex()
        return json.dumps(document, indent=1, sort_keys=True).encode()

    def save(self, path: Path, data_key: bytes | bytearray) -> None:
        atomic_write(Path(path), self.to_bytes(data_key))

    def verify(self, data_key: bytes | bytearray) -> None:
        """Once the data key is known, prove no slot was added, removed or changed."""
        if self.mac is None or not keys.mac_matches(
                keys.subkey(data_key, "keyfile", self.database_id), self._body(), self.mac):
            raise KeyFileError("The key file has been altered since sendesk last wrote it. "
                               "Restore it from a backup, or ask your IT technician to investigate.")

    # --- slots ----------------------------------------------------------------
    def user_slot_id(self, username: str) -> str:
        digest = hashlib.sha256(self.database_id + b"\0user\0" + username.encode("utf-8"))
        return digest.hexdigest()[:32]

    def _context(self, slot_id: str) -> bytes:
        return self.database_id + slot_id.encode()

    def has_user(self, username: str) -> bool:
        return self.user_slot_id(username) in self.slots

    def set_password(self, username: str, password: str, data_key: bytes | bytearray,
                     params: kdf.KdfParams | None = None) -> None:
        params = params or kdf.calibrate()
        slot_id = self.user_slot_id(username)
        nonce, wrapped = keys.wrap(kdf.derive(password, params), data_key, self._context(slot_id))
        self.slots[slot_id] = Slot(slot_id, "password", nonce, wrapped, params)

    def remove_user(self, username: str) -> None:
        self.slots.pop(self.user_slot_id(username), None)

    def set_recovery(self, recovery_key: bytes, data_key: bytes | bytearray) -> None:
        nonce, wrapped = keys.wrap(self._recovery_kek(recovery_key), data_key, self._context(RECOVERY_SLOT))
        self.slots[RECOVERY_SLOT] = Slot(RECOVERY_SLOT, "recovery", nonce, wrapped)

    def _recovery_kek(self, recovery_key: bytes) -> bytes:
        return keys.subkey(recovery_key, "recovery", self.database_id)

    def unlock_with_password(self, username: str, password: str) -> bytearray:
        slot = self.slots.get(self.user_slot_id(username))
        if slot is None or slot.kdf is None:
            kdf.derive(password, kdf.KdfParams(kdf.MIN_MEMORY_KIB, kdf.MIN_ITERATIONS, 1, b"\0" * 16))
            raise WrongPassword("Wrong username or password.")
        try:
            data_key = keys.unwrap(kdf.derive(password, slot.kdf), slot.nonce, slot.wrapped,
                                   self._context(slot.id))
        except keys.UnwrapFailed as exc:
            raise WrongPassword("Wrong username or password.") from exc
        self.verify(data_key)
        return data_key

    def unlock_with_password_any(self, password: str) -> bytearray:
        """For restoring a backup when no username was given: try each user's slot."""
        for slot in self.slots.values():
            if slot.kdf is None:
                continue
            try:
                data_key = keys.unwrap(kdf.derive(password, slot.kdf), slot.nonce, slot.wrapped,
                                       self._context(slot.id))
            except keys.UnwrapFailed:
                continue
            self.verify(data_key)
            return data_key
        raise WrongPassword("That password does not open this backup.")

    def unlock_with_recovery(self, typed: str) -> bytearray:
        recovery_key = keys.parse_recovery_key(typed)
        slot = self.slots.get(RECOVERY_SLOT)
        if recovery_key is None:
            raise WrongPassword("That is not a recovery key: it should be 32 letters and digits "
                                "in groups of four.")
        if slot is None:
            raise KeyFileError("This key file has no recovery key.")
        try:
            data_key = keys.unwrap(self._recovery_kek(recovery_key), slot.nonce, slot.wrapped,
                                   self._context(slot.id))
        except keys.UnwrapFailed as exc:
            raise WrongPassword("That recovery key does not open this database.") from exc
        self.verify(data_key)
        return data_key
