"""The records-transfer package: one file per pupil, readable by any age tool.

Outside, the age format with a passphrase recipient (pyrage), so the file is encrypted and
authenticated by a published, reviewed scheme rather than one of ours. Inside, a ZIP that is
read in memory and never extracted, holding:

- manifest.json: format version, sending and receiving school, creation time, the pupil's
  identifiers and every other member with its size and SHA-256;
- manifest.sig: the sending school's Ed25519 signature of manifest.json's exact bytes;
- record.json, send-file.pdf, ctf.xml and attachments/N: the items the manifest lists.

read_package() checks everything before it returns anything: the age layer, the ZIP structure
(names, duplicates, counts, sizes, compression ratios), the signature and signer, every hash,
and the shape and version of the manifest. Each failure raises its own PackageError subclass.

Making or opening a package costs little apart from age's passphrase stretching (scrypt).
rage sizes that to about a second of the encrypting computer's processor, and scrypt needs
2^log_n KiB of memory for it, on both sides: 512 MB (log_n 19) on the benchmark machine, which
is nearly all of an export's peak memory and two thirds of its time. The PDF, record, ZIP and
signature of the longest history add about 30 MB. A slower computer picks a smaller factor
(256 MB at 18, 128 MB at 17); pyrage lets us choose none, and a smaller one would weaken a
chosen passphrase, so the cost is kept. pyrage holds Python's lock while scrypt runs, so the
age layer runs in a child process (age_worker), and the window keeps answering meanwhile.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyrage

from ..crypto import signing
from ..models import bounded_json
from . import age_worker
from .errors import DamagedPackage, TamperedPackage, UnexpectedSigner, UnknownVersion, WrongPassphrase

FORMAT = "sendesk-transfer"
VERSION = 1
SUFFIX = ".sendesk-transfer"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
AGE_HEADER = b"age-encryption.org/v1\n"

# Limits well above any real pupil file (a specialist report is at most 10 MB) and far below
# what would exhaust a school laptop's memory.
MAX_PACKAGE_BYTES = 400 * 1024 * 1024
# Opening a package makes scrypt take 2^N KiB of memory, N read from the age header. rage
# accepts up to its own calibration plus four (8 GB on the benchmark machine) and allocates it
# before any integrity check, so a doctored header could freeze or crash a 4 GB school
# computer. Real packages use 17 to 20 (rage calibrates to about a second of work); above 21
# (2 GB) the target computer could not open it anyway, so it is refused before age is asked.
MAX_SCRYPT_WORK = 21
# sendesk writes exactly one recipient, this scrypt line; anything else is refused here rather
# than trusting every pyrage version to be as strict about the header as today's.
_SCRYPT_LINE = re.compile(rb"-> scrypt [A-Za-z0-9+/]{22} (\S+)\n")
MAX_MEMBERS = 500
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_RATIO = 200
_SAFE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,80}(/[a-z0-9][a-z0-9._-]{0,80})?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEY = re.compile(r"[0-9a-f]{64}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ITEM_KINDS = ("record", "pdf", "ctf", "attachment")


@dataclass(frozen=True)
class Item:
    name: str
    kind: str
    data: bytes
    title: str = ""
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class OpenedPackage:
    """A package that has passed every check: its manifest, raw bytes and items by name."""

    manifest: dict[str, Any]
    manifest_bytes: bytes
    items: dict[str, bytes] = field(repr=False)

    @property
    def manifest_sha256(self) -> str:
        return hashlib.sha256(self.manifest_bytes).hexdigest()

    @property
    def fingerprint(self) -> str:
        return package_fingerprint(self.manifest_sha256)

    @property
    def sender_public_key(self) -> bytes:
        return bytes.fromhex(self.manifest["sender"]["public_key"])

    def item_of_kind(self, kind: str) -> bytes:
        for entry in self.manifest["items"]:
            if entry["kind"] == kind:
                return self.items[entry["name"]]
        raise TamperedPackage(f"The package has no {kind} item.")


def package_fingerprint(manifest_sha256: str) -> str:
    """The package's short name for forms and phone calls: its manifest hash, grouped."""
    text = manifest_sha256[:20].upper()
    return " ".join(text[i:i + 4] for i in range(0, 20, 4))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, indent=1).encode("utf-8")


def build_manifest(header: Mapping[str, Any], items: list[Item]) -> bytes:
    """The manifest's bytes: the header fields plus each item's name, kind, size and hash."""
    listed = [{"name": item.name, "kind": item.kind, "title": item.title,
               "media_type": item.media_type, "size": len(item.data), "sha256": sha256(item.data)}
              for item in items]
    return canonical_json({"format": FORMAT, "version": VERSION, **header, "items": listed})


def write_package(header: Mapping[str, Any], items: list[Item], private_key: bytes,
                  passphrase: str) -> tuple[bytes, bytes]:
    """Sign, pack and encrypt; returns (package bytes, manifest bytes)."""
    names = [item.name for item in items]
    if len(set(names)) != len(names) or any(not _SAFE_NAME.fullmatch(n) for n in names):
        raise ValueError("package item names must be unique and safe")
    manifest = build_manifest({**header, "sender": {**header["sender"],
                                                    "public_key": signing.public_key(private_key).hex()}},
                              items)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest)
        archive.writestr(SIGNATURE, signing.sign(private_key, manifest).hex())
        for item in items:
            archive.writestr(item.name, item.data)
    return age_worker.encrypt(buffer.getvalue(), passphrase), manifest


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The age layer: a wrong passphrase and a damaged file are told apart where age can."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise DamagedPackage("This file is far larger than any records-transfer package; it "
                             "was not opened.")
    if not data.startswith(AGE_HEADER):
        raise DamagedPackage("This file is not a records-transfer package (it is not "
                             "age-encrypted), or its beginning is damaged. Ask the sending "
                             "school to send it again.")
    _check_work_factor(data)
    try:
        return age_worker.decrypt(data, passphrase)
    except pyrage.DecryptError as exc:
        reason = str(exc).lower()
        if "excessive work" in reason:
            raise _too_much_work() from exc
        if "decryption failed" in reason or "no matching keys" in reason:
            raise WrongPassphrase("The passphrase does not open this package. Check it with the "
                                  "sending school; it should reach you separately from the file. "
                                  "Nothing was imported.") from exc
        raise DamagedPackage("This package is damaged or incomplete (it fails its integrity "
                             "check). Ask the sending school to send the file again. Nothing "
                             "was imported.") from exc


def _check_work_factor(data: bytes) -> None:
    match = _SCRYPT_LINE.match(data, len(AGE_HEADER))
    if match is None:
        raise DamagedPackage("This file is not a sendesk records-transfer package (its "
                             "encryption header is not the one sendesk writes), or its beginning "
                             "is damaged. Ask the sending school to send it again. Nothing was "
                             "imported.")
    work = match.group(1)
    if not work.isdigit() or len(work) > 2 or int(work) > MAX_SCRYPT_WORK:
        raise _too_much_work()


def _too_much_work() -> DamagedPackage:
    return DamagedPackage("This package asks for far more memory to open than sendesk allows "
                          "(its passphrase settings have been altered or are not sendesk's), "
                          "so it was not opened. Ask the sending school to send it again. "
                          "Nothing was imported.")


def read_package(data: bytes, passphrase: str,
                 expected_signer: bytes | None = None) -> OpenedPackage:
    """Decrypt and verify a whole package; see the module docstring for what is checked."""
    return open_archive(decrypt(data, passphrase), expected_signer)


def _damaged(detail: str) -> DamagedPackage:
    return DamagedPackage(f"This package is damaged or not a sendesk package ({detail}). Ask the "
                          "sending school to send it again. Nothing was imported.")


def _tampered(detail: str) -> TamperedPackage:
    return TamperedPackage(f"This package has been altered since the sending school signed it "
                           f"({detail}). Do not use it; tell the sending school. Nothing was "
                           "imported.")


def _check_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _damaged(f"it holds {len(infos)} files, more than a package ever does")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name in members:
            raise _tampered(f"the name {name!r} appears twice")
        if (name.startswith(("/", "\\")) or "\\" in name or ".." in name.split("/")
                or re.match(r"[A-Za-z]:", name) or not _SAFE_NAME.fullmatch(name)):
            raise _tampered(f"it contains a file with an unsafe name, {name[:60]!r}")
        if info.flag_bits & 0x1:
            raise _damaged("it contains a password-protected ZIP entry")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _damaged("it uses an unsupported ZIP compression method")
        if info.file_size > MAX_MEMBER_BYTES:
            raise _damaged(f"{name} is larger than any item a package may hold")
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 4096:
            raise _damaged(f"{name} expands far more than real documents do")
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise _damaged("its contents are larger than any real pupil file")
        members[name] = info
    return members


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise _damaged(f"{info.filename} is larger than it may be")
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise _damaged(f"{info.filename} cannot be read") from exc
    except Exception as exc:  # zlib.error and friends: any failure here is damage
        raise _damaged(f"{info.filename} cannot be read") from exc
    if len(data) != info.file_size:
        raise _damaged(f"{info.filename} is not the size the archive says")
    return data


def _load_manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = bounded_json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise _tampered("its manifest is not readable") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _tampered("its manifest is not a sendesk transfer manifest")
    return manifest


def _check_version(manifest: Mapping[str, Any]) -> None:
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _tampered("its manifest has no format version")
    if version != VERSION:
        raise UnknownVersion(
            f"This package uses transfer format version {version}; this sendesk reads version "
            f"{VERSION}. " + ("Install the latest sendesk to open it." if version > VERSION else
                              "Ask the sending school to update sendesk and send it again.")
            + " Nothing was imported.")


def _require(condition: bool, detail: str) -> None:
    if not condition:
        raise _tampered(detail)


def _is_text(value: Any, max_length: int = 200, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, str) and len(value) <= max_length


# No school's name has markup or control characters; a name with them is an attempt to
# draw something other than the name on the screen that shows it.
_UNSAFE_NAME = re.compile(r"[<>&\x00-\x1f\x7f]")


def _real_date(text: str | None) -> bool:
    if text is None:
        return True
    try:
        return bool(_ISO_DATE.fullmatch(text)) and dt.date.fromisoformat(text).year >= 1900
    except ValueError:
        return False


def _real_moment(text: str) -> bool:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).year >= 1900
    except ValueError:
        return False


def check_manifest_shape(manifest: Mapping[str, Any]) -> None:
    """The manifest schema: every field the importer relies on, with the right type."""
    sender, recipient, pupil = (manifest.get(k) for k in ("sender", "recipient", "pupil"))
    if not (isinstance(sender, dict) and isinstance(recipient, dict) and isinstance(pupil, dict)):
        raise _tampered("its manifest lacks the schools or the pupil")
    for school in (sender, recipient):
        _require(_is_text(school.get("name")) and all(
            _is_text(school.get(k), 20, optional=True) for k in ("urn", "la_code", "estab")),
            "a school in its manifest is not named properly")
        _require(not any(_UNSAFE_NAME.search(str(school.get(k) or ""))
                         for k in ("name", "urn", "la_code", "estab", "contact")),
                 "a school in its manifest is named with markup or control characters")
    _require(isinstance(sender.get("public_key"), str) and bool(_KEY.fullmatch(sender["public_key"])),
             "its manifest has no sending school key")
    _require(_is_text(recipient.get("contact"), 200, optional=True), "the named contact is malformed")
    _require(all(_is_text(pupil.get(k), 100) for k in ("upn", "legal_surname", "legal_forename", "dob")),
             "its manifest does not identify the pupil")
    _require(_is_text(manifest.get("created_at"), 40) and _is_text(manifest.get("package_id"), 64),
             "its manifest has no creation time or package id")
    _require(_is_text(manifest.get("leaving_date"), 10, optional=True)
             and _real_date(manifest.get("leaving_date")), "the leaving date is malformed")
    _require(_real_moment(manifest["created_at"]), "its creation time is not a real date and time")
    stripped = manifest.get("stripped", [])
    _require(isinstance(stripped, list) and all(_is_text(s, 400) for s in stripped),
             "the list of removed details is malformed")
    items = manifest.get("items")
    if not (isinstance(items, list) and 0 < len(items) <= MAX_MEMBERS):
        raise _tampered("its manifest lists no items")
    for entry in items:
        _require(isinstance(entry, dict)
                 and isinstance(entry.get("name"), str) and bool(_SAFE_NAME.fullmatch(entry["name"]))
                 and entry.get("kind") in ITEM_KINDS
                 and _is_text(entry.get("title"), 300) and _is_text(entry.get("media_type"), 100)
                 and isinstance(entry.get("size"), int) and not isinstance(entry.get("size"), bool)
                 and 0 <= entry["size"] <= MAX_MEMBER_BYTES
                 and isinstance(entry.get("sha256"), str) and bool(_SHA256.fullmatch(entry["sha256"])),
                 "an item in its manifest is malformed")
    kinds = [entry["kind"] for entry in items]
    _require(all(kinds.count(kind) == 1 for kind in ("record", "pdf", "ctf")),
             "it must hold exactly one record, one SEND file PDF and one CTF")


def open_archive(zipped: bytes, expected_signer: bytes | None = None) -> OpenedPackage:
    """Verify the decrypted ZIP; returns the package only when every check has passed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(zipped))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _damaged("its archive cannot be read") from exc
    except Exception as exc:  # a malformed archive may fail in many ways; all mean damage
        raise _damaged("its archive cannot be read") from exc
    with archive:
        members = _check_members(archive)
        if MANIFEST not in members or SIGNATURE not in members:
            raise _tampered("its manifest or signature is missing")
        manifest_bytes = _read_member(archive, members[MANIFEST], MAX_MANIFEST_BYTES)
        signature_text = _read_member(archive, members[SIGNATURE], 256)
        manifest = _load_manifest(manifest_bytes)
        _check_version(manifest)
        check_manifest_shape(manifest)
        public = bytes.fromhex(manifest["sender"]["public_key"])
        try:
            signature = bytes.fromhex(signature_text.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError) as exc:
            raise _tampered("its signature is unreadable") from exc
        if not signing.signature_valid(public, manifest_bytes, signature):
            raise _tampered("the signature does not match the manifest")
        if expected_signer is not None and public != expected_signer:
            raise UnexpectedSigner(
                f"This package is signed by a key with fingerprint {signing.fingerprint(public)}, "
                f"but {manifest['sender']['name']} has signed with "
                f"{signing.fingerprint(expected_signer)} before. Phone the sending school to "
                "check before going further. Nothing was imported.")
        listed = {entry["name"]: entry for entry in manifest["items"]}
        if len(listed) != len(manifest["items"]):
            raise _tampered("its manifest lists an item twice")
        extra = set(members) - set(listed) - {MANIFEST, SIGNATURE}
        if extra:
            raise _tampered(f"it holds a file the manifest does not list ({sorted(extra)[0]})")
        items: dict[str, bytes] = {}
        for name, entry in listed.items():
            if name not in members:
                raise _tampered(f"{name} is missing")
            data = _read_member(archive, members[name], entry["size"])
            if sha256(data) != entry["sha256"]:
                raise _tampered(f"{name} does not match its fingerprint")
            items[name] = data
    return OpenedPackage(manifest, manifest_bytes, items)
