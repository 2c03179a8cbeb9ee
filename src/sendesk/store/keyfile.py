"""The key file that sits beside each school database.

It holds the database's data key once per user and once for the recovery key, plus a MAC
keyed from the data key so that any change to the file is noticed once it is unlocked. It
names nobody: a user's slot is found by a hash of the database id and the username, and roles
live inside the encrypted database.

Since version 2 each slot holds an X25519 key pair: the private key wrapped under a key
derived from the user's password (or derived from the recovery key itself), and the data key
sealed to the public key. Whoever holds the data key can therefore seal a new data key for
every remaining user (``resealed``) without their passwords, which is what lets removing a user
re-encrypt the database under a key the removed user never saw (services/rekey.py). A
version 1 slot (the data key wrapped directly under the password's key) still opens, and is
rewritten in the new form the next time its password or the recovery key is used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..crypto import kdf, keys, sealing
from ..errors import KeyFileError, StorageError, WrongPassword
from ..models import bounded_json
from .files import atomic_write, read_limited

FORMAT = "sendesk-keys"
VERSION = 2
READABLE_VERSIONS = (1, 2)
RECOVERY_SLOT = "recovery"
MAX_BYTES = 256 * 1024


def keyfile_path(database: Path) -> Path:
    database = Path(database)
    return database.with_name(database.name + "-keys")


@dataclass
class Slot:
    """One way in. ``public``/``sealed`` set: the version 2 form (``wrapped`` is the private key,
    for password slots). Without them: a version 1 slot, ``wrapped`` being the data key."""

    id: str
    kind: str
    nonce: bytes
    wrapped: bytes
    kdf: kdf.KdfParams | None = None
    public: bytes | None = None
    sealed: bytes | None = None

    @property
    def legacy(self) -> bool:
        return self.public is None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "kind": self.kind}
        if self.wrapped:
            data.update(nonce=self.nonce.hex(), wrapped=self.wrapped.hex())
        if self.kdf is not None:
            data["kdf"] = self.kdf.to_json()
        if self.public is not None and self.sealed is not None:
            data.update(public=self.public.hex(), sealed=self.sealed.hex())
        return data

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> Slot:
        slot = cls(str(item["id"]), str(item["kind"]), bytes.fromhex(item.get("nonce", "")),
                   bytes.fromhex(item.get("wrapped", "")),
                   kdf.KdfParams.from_json(item["kdf"]) if "kdf" in item else None,
                   bytes.fromhex(item["public"]) if "public" in item else None,
                   bytes.fromhex(item["sealed"]) if "sealed" in item else None)
        if slot.kind not in ("password", "recovery") or (slot.kind == "password") != (slot.kdf is not None):
            raise ValueError("slot kind")
        if len(slot.id) > 64 or (slot.public is None) != (slot.sealed is None):
            raise ValueError("slot size")
        if slot.public is not None and slot.sealed is not None and (
                len(slot.public) != sealing.KEY_BYTES
                or len(slot.sealed) != sealing.SEALED_OVERHEAD + keys.DATA_KEY_BYTES):
            raise ValueError("slot size")
        # A password slot always wraps something (its private key, or in version 1 the data
        # key); a version 2 recovery slot wraps nothing (its private key comes from the key).
        if (slot.kind == "password" or slot.legacy) and len(slot.nonce) != keys.NONCE_BYTES:
            raise ValueError("slot size")
        if len(slot.wrapped) > 128:
            raise ValueError("slot size")
        return slot


class KeyFile:
    def __init__(self, database_id: bytes, slots: dict[str, Slot] | None = None,
                 mac: bytes | None = None, version: int = VERSION) -> None:
        self.database_id = database_id
        self.version = version  # as read (the MAC covers it); saving writes the current one
        self.slots: dict[str, Slot] = slots or {}
        self.mac = mac
        # Set when an unlock rewrote a version 1 slot in the version 2 form: save the file.
        self.upgraded = False

    # --- reading and writing -------------------------------------------------
    @classmethod
    def load(cls, path: Path) -> KeyFile:
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
    def from_bytes(cls, raw: bytes, name: str = "key file") -> KeyFile:
        """Parse without trusting: every field is type- and size-checked before use."""
        damaged = (f"The key file {name} is damaged or is not a sendesk key file. "
                   "Restore it from a backup.")
        if len(raw) > MAX_BYTES:
            raise KeyFileError(damaged)
        try:
            data = bounded_json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError("format")
            if data.get("version") not in READABLE_VERSIONS:
                raise KeyFileError(f"The key file {name} was written by a newer sendesk. "
                                   "Update sendesk to open it.")
            database_id = bytes.fromhex(data["database_id"])
            slots = {}
            for item in data["slots"]:
                slot = Slot.from_json(item)
                slots[slot.id] = slot
            mac = bytes.fromhex(data["mac"])
            if len(database_id) != 16:
                raise ValueError("database id")
        except KeyFileError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError,
                OverflowError, RecursionError) as exc:
            raise KeyFileError(damaged) from exc
        return cls(database_id, slots, mac, int(data["version"]))

    def _body(self) -> bytes:
        body = {"format": FORMAT, "version": self.version, "database_id": self.database_id.hex(),
                "slots": [self.slots[k].to_json() for k in sorted(self.slots)]}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_bytes(self, data_key: bytes | bytearray) -> bytes:
        self.version = VERSION
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
        self._set_password_slot(self.user_slot_id(username), kdf.derive(password, params), params,
                                data_key)

    def _set_password_slot(self, slot_id: str, kek: bytes, params: kdf.KdfParams,
                           data_key: bytes | bytearray) -> None:
        private = sealing.new_private_key()
        nonce, wrapped = keys.wrap(kek, private, self._context(slot_id) + b"\0private")
        public = sealing.public_key(private)
        self.slots[slot_id] = Slot(slot_id, "password", nonce, wrapped, params, public,
                                   sealing.seal(public, data_key, self._sealed_context(slot_id)))

    def _sealed_context(self, slot_id: str) -> bytes:
        return self._context(slot_id) + b"\0sealed"

    def remove_user(self, username: str) -> None:
        self.slots.pop(self.user_slot_id(username), None)

    def set_recovery(self, recovery_key: bytes, data_key: bytes | bytearray) -> None:
        public = sealing.public_key(self._recovery_private(recovery_key))
        self.slots[RECOVERY_SLOT] = Slot(RECOVERY_SLOT, "recovery", b"", b"", None, public,
                                         sealing.seal(public, data_key,
                                                      self._sealed_context(RECOVERY_SLOT)))

    def _recovery_kek(self, recovery_key: bytes) -> bytes:
        return keys.subkey(recovery_key, "recovery", self.database_id)

    def _recovery_private(self, recovery_key: bytes) -> bytes:
        return keys.subkey(recovery_key, "recovery x25519", self.database_id)

    def legacy_slots(self) -> set[str]:
        """The ids of version 1 slots: a new data key cannot be sealed for them."""
        return {slot.id for slot in self.slots.values() if slot.legacy}

    def resealed(self, new_data_key: bytes | bytearray) -> KeyFile:
        """A key file for the same database and the same ways in, opening ``new_data_key``.

        Version 1 slots are left out (they can only be rewritten with their password or the
        recovery key); the caller says what that means for the people concerned."""
        slots = {}
        for slot in self.slots.values():
            if slot.public is None:
                continue
            slots[slot.id] = Slot(slot.id, slot.kind, slot.nonce, slot.wrapped, slot.kdf,
                                  slot.public, sealing.seal(slot.public, new_data_key,
                                                            self._sealed_context(slot.id)))
        return KeyFile(self.database_id, slots)

    def _open_password_slot(self, slot: Slot, password: str) -> bytearray:
        """The data key from a password slot of either version (UnwrapFailed if wrong), checked
        against the file's MAC before a version 1 slot is rewritten in the new form."""
        assert slot.kdf is not None
        kek = kdf.derive(password, slot.kdf)
        if slot.legacy:
            data_key = keys.unwrap(kek, slot.nonce, slot.wrapped, self._context(slot.id))
            self.verify(data_key)
            self._set_password_slot(slot.id, kek, slot.kdf, data_key)
            self.upgraded = True
            return data_key
        private = keys.unwrap(kek, slot.nonce, slot.wrapped, self._context(slot.id) + b"\0private")
        try:
            assert slot.sealed is not None
            data_key = sealing.open_sealed(bytes(private), slot.sealed, self._sealed_context(slot.id))
        finally:
            keys.wipe(private)
        self.verify(data_key)
        return data_key

    def unlock_with_password(self, username: str, password: str) -> bytearray:
        slot = self.slots.get(self.user_slot_id(username))
        if slot is None or slot.kdf is None:
            kdf.derive(password, kdf.KdfParams(kdf.MIN_MEMORY_KIB, kdf.MIN_ITERATIONS, 1, b"\0" * 16))
            raise WrongPassword("Wrong username or password.")
        try:
            data_key = self._open_password_slot(slot, password)
        except keys.UnwrapFailed as exc:
            raise WrongPassword("Wrong username or password.") from exc
        return data_key

    def unlock_with_password_any(self, password: str) -> tuple[bytearray, str]:
        """For restoring a backup when no username was given: try each user's slot. Returns
        the data key and the id of the slot it opened (to find whose password it was)."""
        for slot in self.slots.values():
            if slot.kdf is None:
                continue
            try:
                data_key = self._open_password_slot(slot, password)
            except keys.UnwrapFailed:
                continue
            return data_key, slot.id
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
            if slot.legacy:
                data_key = keys.unwrap(self._recovery_kek(recovery_key), slot.nonce, slot.wrapped,
                                       self._context(slot.id))
                self.verify(data_key)
                self.set_recovery(recovery_key, data_key)
                self.upgraded = True
            else:
                assert slot.sealed is not None
                data_key = sealing.open_sealed(self._recovery_private(recovery_key), slot.sealed,
                                               self._sealed_context(slot.id))
                self.verify(data_key)
        except keys.UnwrapFailed as exc:
            raise WrongPassword("That recovery key does not open this database.") from exc
        return data_key
