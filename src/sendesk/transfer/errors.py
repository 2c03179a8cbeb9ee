"""Why a records-transfer package or receipt was refused, one class per cause.

Each message tells a school administrator what happened and what to do; every one of them
means nothing was shown or stored. The UI and the CLI show the message as it stands.
"""

from __future__ import annotations

from ..errors import SendeskError


class PackageError(SendeskError):
    """A package (or a receipt) could not be accepted."""


class WrongPassphrase(PackageError):
    """The passphrase does not open the package."""


class DamagedPackage(PackageError):
    """The file is cut short, corrupted, or not a package at all."""


class TamperedPackage(PackageError):
    """The file opens but its contents do not match what the sending school signed."""


class UnknownVersion(PackageError):
    """The package was made by a newer (or unknown) sendesk format."""


class UnexpectedSigner(PackageError):
    """The signature is valid but made by a key we do not expect for that school."""


class NotForThisSchool(PackageError):
    """The package (or receipt) is addressed to a different school."""
