"""Domain exceptions. Messages are in Indonesian, for planners, and never hold a NIK or a name."""

from __future__ import annotations


class JangkauError(ValueError):
    """Base of every error a user may see: the message says what, where and what to do."""


class BoundarySourceError(JangkauError):
    """The boundary source is missing, unreachable, or its files fail the checksum."""


class VillageLookupError(JangkauError):
    """A village could not be resolved unambiguously.

    Parameters
    ----------
    message
        The message for the user.
    candidates
        The closest ``(kode, nama, kecamatan)`` candidates, best first.
    """

    def __init__(self, message: str, candidates: list[tuple[str, str, str]] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


class InputFileError(JangkauError):
    """A user's file cannot be used at all (unreadable, missing required columns)."""


class StoreError(JangkauError):
    """The store cannot be opened, migrated or written."""


class ReachError(JangkauError):
    """The inputs of a nearest-point computation cannot be used (empty, not numbers, bad shape)."""


class CoordinateError(ReachError):
    """Longitudes and latitudes look swapped, or lie outside Kutai Kartanegara."""
