"""Which column is which: the canonical fields, their header synonyms and the column mapping.

Headers are recognised through synonyms (``FIELDS_ROSTER``, ``FIELDS_REALISASI``), case-, space-
and punctuation-insensitive (``_key``); an explicit mapping overrides them. A file missing a
required column is refused with the headers it does have (:func:`shown_headers`, which never
echoes a row of data taken for a header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.intake.problems import _refuse

__all__ = [
    "FIELDS_REALISASI",
    "FIELDS_ROSTER",
    "Field",
    "detect_mapping",
    "shown_headers",
]


@dataclass(frozen=True)
class Field:
    """A canonical field: an Indonesian label for messages and the headers that mean it."""

    label: str
    synonyms: tuple[str, ...]
    required: bool = False


_NIK = Field(
    "NIK",
    (
        "NIK",
        "NIK KTP",
        "NIK_KPM",
        "NIK PENGURUS",
        "NIK PENERIMA",
        "NIK KPM",
        "NO NIK",
        "NOMOR NIK",
        "NOMOR INDUK KEPENDUDUKAN",
    ),
    required=True,
)


_NAMA = Field(
    "nama",
    ("NAMA", "NAMA PENERIMA", "NAMA PENGURUS", "NAMA KPM", "NAMA LENGKAP", "NAMA PENERIMA MANFAAT"),
)


_NO_KK = Field(
    "No. KK", ("NO KK", "NOMOR KK", "NO_KK", "NKK", "NOMOR KARTU KELUARGA", "NO KARTU KELUARGA")
)


_ALAMAT = Field("alamat", ("ALAMAT", "ALAMAT KPM", "ALAMAT LENGKAP", "ALAMAT RUMAH"))


_KECAMATAN = Field("kecamatan", ("KECAMATAN", "NM KEC", "NAMA KECAMATAN", "NM KECAMATAN", "KEC"))


_DESA = Field(
    "desa/kelurahan",
    (
        "DESA",
        "KELURAHAN",
        "DESA/KELURAHAN",
        "KELURAHAN/DESA",
        "NM KEL",
        "NAMA DESA",
        "NAMA KELURAHAN",
        "NAMA DESA/KELURAHAN",
        "NM DESA",
    ),
)


_KODE = Field(
    "kode wilayah",
    (
        "KODE WILAYAH",
        "KODE DESA",
        "KD WILAYAH",
        "KODE DESA/KELURAHAN",
        "KODE KELURAHAN",
        "KODE KEMENDAGRI",
        "KD DESA",
    ),
)


_PROGRAM = Field(
    "program",
    ("PROGRAM", "BANSOS", "JENIS BANSOS", "PROGRAM BANSOS", "JENIS BANTUAN", "PROGRAM BANTUAN"),
)


_LAT = Field(
    "lintang (lat)",
    (
        "LATITUDE",
        "LAT",
        "LINTANG",
        "KOORDINAT Y",
        "KOORDINAT LINTANG",
        "TITIK LINTANG",
        "LAT KPM",
        "LATITUDE KPM",
        "LATITUDE RUMAH",
        "GEOTAG LAT",
        "GEOTAGGING LAT",
    ),
)


_LON = Field(
    "bujur (lon)",
    (
        "LONGITUDE",
        "LON",
        "LNG",
        "LONG",
        "BUJUR",
        "KOORDINAT X",
        "KOORDINAT BUJUR",
        "TITIK BUJUR",
        "LON KPM",
        "LONGITUDE KPM",
        "LONGITUDE RUMAH",
        "GEOTAG LON",
        "GEOTAGGING LON",
    ),
)


#: Roster fields. Besides ``nik``, a roster needs a village (``kode_wilayah`` or ``desa``) and a
#: programme (``program``, or at least one of the flag columns ``pkh``, ``bpnt``, ``sembako``).
#: ``lat``/``lon`` (the family's home, decimal degrees, from DTKS geotagging) are optional.
FIELDS_ROSTER: dict[str, Field] = {
    "nik": _NIK,
    "no_kk": _NO_KK,
    "nama": _NAMA,
    "alamat": _ALAMAT,
    "kode_wilayah": _KODE,
    "kecamatan": _KECAMATAN,
    "desa": _DESA,
    "program": _PROGRAM,
    "pkh": Field("kolom PKH", ("PKH", "PENERIMA PKH", "FLAG PKH")),
    "bpnt": Field("kolom BPNT", ("BPNT", "BPNT/SEMBAKO", "PENERIMA BPNT", "FLAG BPNT")),
    "sembako": Field("kolom SEMBAKO", ("SEMBAKO", "PROGRAM SEMBAKO", "PENERIMA SEMBAKO")),
    "lat": _LAT,
    "lon": _LON,
}


#: BRI realization fields. Besides ``nik``, ``program`` and ``status`` are required, and a village
#: (``kode_wilayah`` or ``desa``).
FIELDS_REALISASI: dict[str, Field] = {
    "nik": _NIK,
    "nama": _NAMA,
    "no_kk": _NO_KK,
    "no_kks": Field(
        "No. KKS",
        ("NO KKS", "NOMOR KKS", "NO REKENING", "NOMOR REKENING", "NO KARTU", "NOMOR KARTU"),
    ),
    "kode_wilayah": _KODE,
    "kecamatan": _KECAMATAN,
    "desa": _DESA,
    "program": Field(_PROGRAM.label, _PROGRAM.synonyms, required=True),
    "status": Field(
        "status",
        ("STATUS", "STATUS TRANSAKSI", "STATUS REALISASI", "STATUS SALUR", "STATUS PENYALURAN"),
        required=True,
    ),
    "keterangan": Field(
        "keterangan", ("KETERANGAN", "ALASAN", "KET", "KETERANGAN TIDAK TRANSAKSI")
    ),
    "tahap": Field("tahap", ("TAHAP", "PERIODE", "TAHAP PENYALURAN", "TAHAP/PERIODE")),
    "nominal": Field("nominal", ("NOMINAL", "JUMLAH", "NILAI", "NOMINAL BANTUAN", "NILAI BANTUAN")),
    "tanggal_transaksi": Field("tanggal transaksi", ("TANGGAL TRANSAKSI", "TGL TRANSAKSI")),
    "id_agen": Field(
        "ID agen",
        ("ID AGEN", "KODE AGEN", "ID E-WARONG", "ID EWARONG", "KODE E-WARONG", "ID AGEN/E-WARONG"),
    ),
}


# Groups of which at least one field must be present, besides the required fields.
_NEED_ANY: dict[str, list[tuple[tuple[str, ...], str]]] = {
    "roster": [
        (("kode_wilayah", "desa"), "kolom desa (KODE WILAYAH atau DESA/KELURAHAN)"),
        (
            ("program", "pkh", "bpnt", "sembako"),
            "kolom program (PROGRAM, atau kolom PKH/BPNT/SEMBAKO)",
        ),
    ],
    "realisasi": [
        (("kode_wilayah", "desa"), "kolom desa (KODE WILAYAH atau DESA/KELURAHAN)"),
    ],
}


def _fields(kind: str) -> dict[str, Field]:
    if kind == "roster":
        return FIELDS_ROSTER
    if kind == "realisasi":
        return FIELDS_REALISASI
    raise ValueError(f"Jenis berkas tidak dikenal: {kind!r} (harus 'roster' atau 'realisasi').")


def _key(text: object) -> str:
    """Header comparison key: upper case, letters and digits only."""
    return re.sub(r"[^A-Z0-9]", "", str(text).upper())


def detect_mapping(headers: list[str], kind: str) -> dict[str, str]:
    """Map canonical fields to headers through their synonyms.

    Parameters
    ----------
    headers
        Headers as found.
    kind
        ``"roster"`` or ``"realisasi"``.

    Returns
    -------
    dict
        Field -> header, for the fields found. Matching ignores case, spaces and punctuation;
        synonyms earlier in a field's list win, and a header is used for one field only.
    """
    fields = _fields(kind)
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_key(header), header)
    used: set[str] = set()
    mapping: dict[str, str] = {}
    for name, spec in fields.items():
        for synonym in spec.synonyms:
            header = by_key.get(_key(synonym))
            if header is not None and header not in used:
                mapping[name] = header
                used.add(header)
                break
    return mapping


def shown_headers(headers: list[str]) -> str:
    """The headers found, for a message: the first 40, each cut to 40 characters.

    A first row that looks like data (a run of 8 or more digits) is not echoed, so a headerless
    file never shows a NIK in an error message.
    """
    if not headers:
        return "(tidak ada)"
    # A headerless file puts data on row 1; never echo a NIK or a long number.
    if any(re.search(r"\d{8,}", h) for h in headers):
        return (
            "(baris 1 tampaknya berisi data, bukan judul kolom; isinya tidak ditampilkan untuk "
            "melindungi data pribadi)"
        )
    shown = [h if len(h) <= 40 else h[:40] + "…" for h in headers[:40]]
    more = f" dan {len(headers) - 40} kolom lain" if len(headers) > 40 else ""
    return ", ".join(shown) + more


def _resolve_mapping(
    headers: list[str], kind: str, override: dict[str, str] | None, filename: str
) -> dict[str, str]:
    fields = _fields(kind)
    override = dict(override or {})
    unknown = [f for f in override if f not in fields]
    if unknown:
        raise _refuse(
            filename,
            f"pemetaan kolom menyebut bidang yang tidak dikenal: {', '.join(map(str, unknown))}. "
            f"Bidang yang dikenal: {', '.join(fields)}.",
        )
    by_key = {_key(h): h for h in reversed(headers)}
    mapping: dict[str, str] = {}
    for name, header in override.items():
        if header is None or not str(header).strip():
            continue
        found = header if header in headers else by_key.get(_key(header))
        if found is None:
            raise _refuse(
                filename,
                f"kolom '{header}' yang dipetakan ke {fields[name].label} tidak ada. "
                f"Kolom yang ditemukan: {shown_headers(headers)}.",
            )
        mapping[name] = found
    taken = set(mapping.values())
    detected = detect_mapping([h for h in headers if h not in taken], kind)
    for name, header in detected.items():
        if name not in override:
            mapping[name] = header
    missing = [spec for name, spec in fields.items() if spec.required and name not in mapping]
    what = [
        f"kolom {spec.label} (judul yang dikenali: {', '.join(spec.synonyms)})" for spec in missing
    ]
    what += [label for group, label in _NEED_ANY[kind] if not any(f in mapping for f in group)]
    if what:
        raise _refuse(
            filename,
            f"tidak ada {'; tidak ada '.join(what)}. Kolom yang ditemukan: "
            f"{shown_headers(headers)}. Ganti judul kolom di baris 1 atau atur pemetaan kolom.",
        )
    return {name: mapping[name] for name in fields if name in mapping}
