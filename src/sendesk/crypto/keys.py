"""Small, well-trodden primitives: AES-256-GCM key wrapping, HKDF sub-keys, recovery keys.

The database key is 32 random bytes. It is never derived from a password; passwords and the
recovery key only ever unwrap it, so changing a password re-wraps 60 bytes and leaves the
database untouched.
"""

from __future__ import annotations

import base64
import hmac
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

DATA_KEY_BYTES = 32
NONCE_BYTES = 12
RECOVERY_KEY_BYTES = 20


class UnwrapFailed(Exception):
    """The wrapping key was wrong or the wrapped bytes were altered."""


def new_data_key() -> bytearray:
    return bytearray(os.urandom(DATA_KEY_BYTES))


def wrap(kek: bytes, secret: bytes | bytearray, context: bytes) -> tuple[bytes, bytes]:
    """Encrypt `secret` under `kek`; `context` binds it to one slot of one database."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(kek).encrypt(nonce, bytes(secret), context)


def unwrap(kek: bytes, nonce: bytes, wrapped: bytes, context: bytes) -> bytearray:
    try:
        return bytearray(AESGCM(kek).decrypt(nonce, wrapped, context))
    except InvalidTag as exc:
        raise UnwrapFailed() from exc


def subkey(key: bytes | bytearray, purpose: str, salt: bytes = b"") -> bytes:
    """A separate key for each use of the data key (key file MAC, backup MAC, ...)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt or None,
                info=b"sendesk " + purpose.encode()).derive(bytes(key))


def mac(key: bytes, message: bytes) -> bytes:
    return hmac.new(key, message, "sha256").digest()


def mac_matches(key: bytes, message: bytes, tag: bytes) -> bool:
    return hmac.compare_digest(mac(key, message), tag)


def new_recovery_key() -> str:
    """A 160-bit key written as eight groups of four letters and digits, easy to copy by hand."""
    text = base64.b32encode(os.urandom(RECOVERY_KEY_BYTES)).decode().rstrip("=")
    return "-".join(text[i:i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(typed: str) -> bytes | None:
    """Accept the key however it was typed: any case, spaces or dashes, 0 for O and 1 for I."""
    cleaned = re.sub(r"[\s\-]", "", typed.upper()).replace("0", "O").replace("1", "I").replace("8", "B")
    if not re.fullmatch(r"[A-Z2-7]{32}", cleaned):
        return None
    return base64.b32decode(cleaned)


def wipe(buffer: bytearray | None) -> None:
    """Overwrite a key held in a mutable buffer before it is let go."""
    if buffer is not None:
        for i in range(len(buffer)):
            buffer[i] = 0
