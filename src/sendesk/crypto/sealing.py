"""Sealing a secret to a public key (X25519, HKDF-SHA256, AES-256-GCM), as age and libsodium's
sealed boxes do.

The key file seals the database key to each user's public key, so that whoever holds the
database key can seal a *new* one for every user without knowing their passwords (rotating
the key after a user is removed). Opening a seal needs the user's private key, which only
their password unwraps; a removed user who kept the old database key learns nothing that
opens the new seals.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .keys import NONCE_BYTES, UnwrapFailed

KEY_BYTES = 32
SEALED_OVERHEAD = KEY_BYTES + NONCE_BYTES + 16  # ephemeral public key, nonce, GCM tag


def new_private_key() -> bytes:
    return X25519PrivateKey.generate().private_bytes_raw()


def public_key(private: bytes) -> bytes:
    """The public half; any 32 bytes are a valid X25519 private key (a derived one too)."""
    return X25519PrivateKey.from_private_bytes(bytes(private)).public_key().public_bytes_raw()


def _kek(shared: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient,
                info=b"sendesk sealed key").derive(shared)


def seal(recipient: bytes, secret: bytes | bytearray, context: bytes) -> bytes:
    """Encrypt ``secret`` so that only the holder of ``recipient``'s private key can read it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_kek(shared, ephemeral_public, recipient)).encrypt(nonce, bytes(secret), context)
    return ephemeral_public + nonce + sealed


def open_sealed(private: bytes, sealed: bytes, context: bytes) -> bytearray:
    """The secret, or UnwrapFailed if the private key is not the recipient's or a byte changed."""
    if len(sealed) < SEALED_OVERHEAD:
        raise UnwrapFailed()
    mine = X25519PrivateKey.from_private_bytes(bytes(private))
    ephemeral_public, nonce = sealed[:KEY_BYTES], sealed[KEY_BYTES:KEY_BYTES + NONCE_BYTES]
    try:
        shared = mine.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        kek = _kek(shared, ephemeral_public, mine.public_key().public_bytes_raw())
        return bytearray(AESGCM(kek).decrypt(nonce, sealed[KEY_BYTES + NONCE_BYTES:], context))
    except (InvalidTag, ValueError) as exc:
        raise UnwrapFailed() from exc
