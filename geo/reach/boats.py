"""Boat legs that planners maintain: ``dari,ke,moda,menit,tunggu_menit,biaya``.

``dari`` and ``ke`` name a landing (``geo.reach.landings``: ``Dermaga Anggana``, case and spaces
ignored) or a village: a code (``64.02.18.2007``), a unique name (``Sepatin``), or a name with its
kecamatan (``Muara Enggelam (Muara Wis)`` or ``Muara Enggelam, Muara Wis``). Landing names are
matched first; ``geo.reach.landings`` refuses a landing name that could also be read as a village,
so the order never changes what a cell means. A leg can be travelled both ways; its time is
``menit + tunggu_menit`` (waiting for the tide or a boat). Bad rows are reported (file, row,
column, value, reason) and skipped; rows are numbered as in the file (header = row 1), or as in
the page's editor (first row = 1) for a table edited there.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from geo._errors import InputFileError, VillageLookupError
from geo.areas.lookup import VillageIndex, name_key, resolve_place
from geo.intake.headers import shown_headers
from geo.intake.limits import base_name
from geo.intake.problems import Problem
from geo.intake.tables import has_demo_marker, read_table
from geo.reach.landings import by_name, close_names

COLUMNS = ["dari", "ke", "moda", "menit", "tunggu_menit", "biaya"]
MODA = ("ketinting", "longboat", "speedboat", "kapal", "perahu")
#: What an end of a leg is (``dari_jenis``, ``ke_jenis``).
JENIS = ("desa", "dermaga")
#: Per end: its kind, its name, and for a landing its position (degrees) and village.
END_COLUMNS = [
    f"{end}_{what}"
    for end in ("dari", "ke")
    for what in ("jenis", "nama", "lat", "lon", "kode_desa")
]


@dataclass
class BoatLegs:
    """Validated boat legs; times in minutes, cost in rupiah.

    ``frame``: ``COLUMNS`` and ``END_COLUMNS``. ``dari``/``ke`` is a village code when
    ``dari_jenis``/``ke_jenis`` is ``desa`` and the landing's name when it is ``dermaga``; a
    landing end carries its ``lat``, ``lon`` and ``kode_desa``, so that ``geo.reach.network`` needs
    no other table to place it.
    """

    file: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    is_demo: bool = False

    def __post_init__(self) -> None:
        missing = [c for c in [*COLUMNS, *END_COLUMNS] if c not in self.frame]
        if missing:
            raise ValueError(f"boat legs lack columns {missing}")

    def summary(self) -> dict:
        return {"berkas": self.file, "ruas_perahu": len(self.frame), "masalah": len(self.problems)}


def _end(index: VillageIndex, landings: dict[str, dict], text: str) -> dict:
    """One end of a leg: a landing by its name, else a village.

    Raises
    ------
    VillageLookupError
        Neither a landing nor a village.
    """
    landing = landings.get(name_key(text))
    if landing is not None:
        return {
            "kode": landing["nama"],
            "jenis": "dermaga",
            "nama": landing["nama"],
            "lat": landing["lat"],
            "lon": landing["lon"],
            "kode_desa": landing["kode_desa"],
        }
    village = resolve_place(index, text)
    return {"kode": village.kode, "jenis": "desa", "nama": village.nama}


def _number(text: str) -> float | None:
    cleaned = str(text).strip().replace(" ", "")
    if not cleaned:
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):  # 150.000 (Indonesian thousands)
        cleaned = cleaned.replace(".", "")
    try:
        value = float(cleaned.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_boat_legs(
    data: bytes,
    *,
    filename: str,
    index: VillageIndex,
    landings: pd.DataFrame | None = None,
    first_row: int = 2,
) -> BoatLegs:
    """Read and check a boat-leg table (CSV or XLSX).

    Parameters
    ----------
    index
        Resolves the ends that are villages.
    landings
        ``geo.reach.landings.Landings.frame`` (or ``Store.landings()``): the landings an end may
        name.
    first_row
        The number messages give the first data row: 2 in a file (the header is row 1), 1 for a
        table edited on a page, whose editor numbers its rows from 1.

    Raises
    ------
    InputFileError
        Unreadable file, or a required column (``dari``, ``ke``, ``menit``) missing.
    """
    filename = base_name(filename)
    table, headers = read_table(data, filename=filename)
    by_key = {h.strip().lower(): h for h in headers}
    missing = [c for c in ("dari", "ke", "menit") if c not in by_key]
    if missing:
        raise InputFileError(
            f"Berkas {filename}: kolom {', '.join(missing)} tidak ada. Kolom yang ditemukan: "
            f"{shown_headers(headers)}. Kolom: {', '.join(COLUMNS)}."
        )
    known = by_name(landings)
    problems: list[Problem] = []
    rows = []
    for i, rec in enumerate(table.to_dict("records")):
        row_no = i + first_row
        if not any(str(v).strip() for v in rec.values()):
            continue
        ends = []
        for col in ("dari", "ke"):
            text = rec[by_key[col]]
            try:
                ends.append(_end(index, known, text))
            except VillageLookupError as exc:
                close = close_names(text, landings)
                hint = f" (mungkin maksudnya: {', '.join(close)})" if close else ""
                reason = (
                    f"{exc} Bukan pula nama dermaga di tabel dermaga{hint}; bila tempat ini "
                    "dermaga, tambahkan dulu di tabel dermaga."
                )
                problems.append(Problem(filename, row_no, by_key[col], text, reason))
                break
        if len(ends) < 2:
            continue
        if (ends[0]["jenis"], ends[0]["kode"]) == (ends[1]["jenis"], ends[1]["kode"]):
            problems.append(
                Problem(filename, row_no, by_key["ke"], rec[by_key["ke"]], "dari dan ke sama.")
            )
            continue
        values = {}
        for col in ("menit", "tunggu_menit", "biaya"):
            raw = rec.get(by_key.get(col, ""), "") if col in by_key else ""
            value = _number(raw)
            if (value is None and col == "menit") or (value is not None and value < 0):
                problems.append(
                    Problem(
                        filename,
                        row_no,
                        by_key.get(col, col),
                        raw,
                        f"{col} harus angka nol atau lebih (menit untuk waktu, rupiah untuk "
                        "biaya).",
                    )
                )
                break
            values[col] = value or 0.0
        else:
            moda = str(rec.get(by_key.get("moda", ""), "") or "perahu").strip().lower()
            if values["menit"] == 0:
                problems.append(
                    Problem(filename, row_no, by_key["menit"], "0", "menit tempuh tidak boleh 0.")
                )
                continue
            row = {
                "dari": ends[0]["kode"],
                "ke": ends[1]["kode"],
                "moda": moda if moda in MODA else "perahu",
                "menit": values["menit"],
                "tunggu_menit": values["tunggu_menit"],
                "biaya": values["biaya"],
            }
            for end, found in zip(("dari", "ke"), ends, strict=True):
                row.update({f"{end}_{k}": v for k, v in found.items() if k != "kode"})
            rows.append(row)
    frame = pd.DataFrame(rows, columns=[*COLUMNS, *END_COLUMNS])
    return BoatLegs(
        file=filename, frame=frame, problems=problems, is_demo=has_demo_marker(table, headers)
    )


def validate_table(
    table: pd.DataFrame,
    *,
    label: str,
    index: VillageIndex,
    landings: pd.DataFrame | None = None,
) -> BoatLegs:
    """Check a table of boat legs edited on a page, by the same rules as a file.

    Only ``COLUMNS`` are read: the kinds and positions of the ends are looked up again. Problems
    number rows as the editor shows them (first row = 1).
    """
    data = table.reindex(columns=[c for c in table.columns if c in COLUMNS])
    return read_boat_legs(
        data.to_csv(index=False).encode(),
        filename=label,
        index=index,
        landings=landings,
        first_row=1,
    )


def unresolved_names(
    legs: pd.DataFrame, *, index: VillageIndex, landings: pd.DataFrame | None
) -> list[str]:
    """What saved boat legs name that no longer resolves against ``landings`` (a landing deleted
    or renamed), sorted, each once; empty when every leg still holds."""
    problems = validate_table(legs, label="tabel ruas perahu", index=index, landings=landings)
    return sorted({str(p.value) for p in problems.problems})
