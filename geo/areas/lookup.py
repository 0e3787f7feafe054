"""Resolve villages (desa/kelurahan) from a code or from a kecamatan and a name as clerks type them.

Names vary across files: case, extra spaces, ``DESA ``/``KEL. ``/``KELURAHAN `` prefixes,
``Sanga-Sanga``/``Sanga Sanga``, ``Marangkayu``/``Marang Kayu``, ``Semboja``/``Samboja``. Names
also repeat across kecamatan (Sumber Sari is in three), so the kecamatan decides; an ambiguous or
unknown name raises ``VillageLookupError`` with the closest candidates, never a silent guess.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import pandas as pd

from geo._errors import VillageLookupError

_PREFIXES = re.compile(
    r"^(?:DESA|DS|KEL|KELURAHAN|KECAMATAN|KEC)\b\.?\s*",
)
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")

# Spellings seen in files (normalised form -> the boundary file's form), replaced anywhere in a
# name: "Semboja Kuala" is Samboja Kuala.
ALIASES: dict[str, str] = {
    "SEMBOJA": "SAMBOJA",
}

_CODE = re.compile(r"^\s*64\.?02\.?(\d{2})\.?(\d{4})\s*$")
_WITH_KEC = re.compile(r"^(?P<desa>.+?)\s*(?:\((?P<kec1>[^)]+)\)|,\s*(?P<kec2>.+))\s*$")


def normalise(name: object) -> str:
    """A comparison key: upper case, prefixes dropped, only letters and digits, aliases applied.

    >>> normalise("  desa  Sanga-Sanga ")
    'SANGASANGA'
    >>> normalise("KEL. Marang kayu")
    'MARANGKAYU'
    """
    if name is None or (isinstance(name, float) and pd.isna(name)):
        return ""
    text = " ".join(str(name).upper().split())
    # A prefix may be stacked ("KEL. DESA X" is rare but seen); strip repeatedly.
    while True:
        stripped = _PREFIXES.sub("", text)
        if stripped == text or not stripped:
            break
        text = stripped
    key = _NON_ALNUM.sub("", text)
    for wrong, right in ALIASES.items():
        key = key.replace(wrong, right)
    return key


def normalise_code(code: object) -> str | None:
    """``64.02.KK.VVVV`` from the code as typed (dots optional), or ``None`` if it is not one."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return None
    match = _CODE.match(str(code))
    if not match:
        return None
    return f"64.02.{match[1]}.{match[2]}"


@dataclass(frozen=True)
class Village:
    """One resolved village."""

    kode: str
    nama: str
    kode_kec: str
    kecamatan: str
    jenis: str


class VillageIndex:
    """Look villages up by code or by (kecamatan, name).

    Parameters
    ----------
    villages
        The villages frame of ``geo.areas.boundaries.Boundaries`` (``kode``, ``nama``, ``kode_kec``,
        ``kecamatan``, ``jenis``).
    """

    def __init__(self, villages: pd.DataFrame):
        self._by_code: dict[str, Village] = {}
        self._kec: dict[str, tuple[str, str]] = {}
        self._by_kec_name: dict[tuple[str, str], Village] = {}
        self._by_name: dict[str, list[Village]] = {}
        for row in villages.itertuples(index=False):
            village = Village(row.kode, row.nama, row.kode_kec, row.kecamatan, row.jenis)
            self._by_code[village.kode] = village
            self._kec[normalise(village.kecamatan)] = (village.kode_kec, village.kecamatan)
            key = (village.kode_kec, normalise(village.nama))
            if key in self._by_kec_name:
                raise ValueError(f"two villages of {village.kecamatan} normalise to {key[1]}")
            self._by_kec_name[key] = village
            self._by_name.setdefault(normalise(village.nama), []).append(village)

    def __len__(self) -> int:
        return len(self._by_code)

    def by_code(self, code: object) -> Village | None:
        """The village with this code (dots optional), or ``None``."""
        key = normalise_code(code)
        return self._by_code.get(key) if key else None

    def kecamatan(self, name: object) -> tuple[str, str]:
        """``(kode_kec, nama)`` of a kecamatan from its name as typed, or its code.

        Raises
        ------
        VillageLookupError
            Unknown name; the message names the closest kecamatan.
        """
        text = "" if name is None else str(name).strip()
        if re.fullmatch(r"64\.?02\.?\d{2}", text):
            code = f"64.02.{text[-2:]}"
            for kode_kec, nama in self._kec.values():
                if kode_kec == code:
                    return kode_kec, nama
        key = normalise(name)
        if key in self._kec:
            return self._kec[key]
        close = difflib.get_close_matches(key, list(self._kec), n=3, cutoff=0.6)
        names = [self._kec[k][1] for k in close]
        hint = f" Mungkin maksudnya: {', '.join(names)}." if names else ""
        raise VillageLookupError(
            f"Kecamatan '{text}' tidak dikenal di Kutai Kartanegara.{hint} "
            "Periksa ejaan atau isi kolom kode wilayah.",
            [(self._kec[k][0], self._kec[k][1], self._kec[k][1]) for k in close],
        )

    def resolve(
        self, *, kode: object = None, kecamatan: object = None, desa: object = None
    ) -> Village:
        """Resolve a village: by code when one is given and known, else by kecamatan and name.

        Parameters
        ----------
        kode
            ``64.02.KK.VVVV`` (dots optional); takes precedence when it is a known code.
        kecamatan
            Kecamatan name as typed (or its code); decides between villages of the same name.
        desa
            Village name as typed.

        Raises
        ------
        VillageLookupError
            Unknown code with no name, unknown kecamatan, unknown name, or a name found in several
            kecamatan with no kecamatan given. The message lists the closest candidates.
        """
        by_code = self.by_code(kode)
        if by_code is not None:
            return by_code
        key = normalise(desa)
        typed_code = "" if kode is None or pd.isna(kode) else str(kode).strip()
        if not key:
            if typed_code:
                raise VillageLookupError(
                    f"Kode wilayah '{typed_code}' tidak dikenal dan nama desa kosong. "
                    "Isi nama desa/kelurahan atau perbaiki kode (format 64.02.KK.VVVV)."
                )
            raise VillageLookupError("Nama desa/kelurahan kosong; isi nama atau kode wilayah.")
        shown = " ".join(str(desa).split())
        if kecamatan is None or normalise(kecamatan) == "":
            matches = self._by_name.get(key, [])
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise VillageLookupError(
                    f"Desa '{shown}' ada di {len(matches)} kecamatan "
                    f"({', '.join(v.kecamatan for v in matches)}); isi kolom kecamatan.",
                    [(v.kode, v.nama, v.kecamatan) for v in matches],
                )
            return self._unknown(shown, key, None)
        kode_kec, kec_nama = self.kecamatan(kecamatan)
        village = self._by_kec_name.get((kode_kec, key))
        if village is not None:
            return village
        return self._unknown(shown, key, (kode_kec, kec_nama))

    def _unknown(self, shown: str, key: str, kec: tuple[str, str] | None) -> Village:
        if kec is None:
            pool = self._by_name
        else:
            pool = {
                name: [v] for (kode_kec, name), v in self._by_kec_name.items() if kode_kec == kec[0]
            }
        close = difflib.get_close_matches(key, list(pool), n=3, cutoff=0.6)
        candidates = [v for k in close for v in pool[k]]
        where = f" di Kecamatan {kec[1]}" if kec else ""
        elsewhere = [v for v in self._by_name.get(key, []) if kec and v.kode_kec != kec[0]]
        hint = ""
        if elsewhere:
            hint = f" Nama ini ada di Kecamatan {', '.join(v.kecamatan for v in elsewhere)}."
            candidates = elsewhere + candidates
        elif candidates:
            hint = " Mungkin maksudnya: " + ", ".join(
                f"{v.nama} ({v.kecamatan})" for v in candidates
            )
            hint += "."
        raise VillageLookupError(
            f"Desa/kelurahan '{shown}' tidak ditemukan{where}.{hint} "
            "Periksa ejaan, kecamatan, atau isi kode wilayah.",
            [(v.kode, v.nama, v.kecamatan) for v in candidates],
        )


def resolve_place(index: VillageIndex, text: object) -> Village:
    """A village from one cell: a code, a unique name, or ``Name (Kecamatan)``/``Name, Kecamatan``.

    Raises
    ------
    VillageLookupError
        As ``VillageIndex.resolve``.
    """
    text = " ".join(str(text).split())
    village = index.by_code(text)
    if village is not None:
        return village
    match = _WITH_KEC.match(text)
    if match:
        kec = match["kec1"] or match["kec2"]
        return index.resolve(kecamatan=kec, desa=match["desa"])
    return index.resolve(desa=text)


def name_key(name: object) -> str:
    """How landing names are compared: case and runs of spaces ignored."""
    return " ".join(str(name).split()).casefold()
