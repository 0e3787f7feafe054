"""Boat legs that planners maintain: ``dari,ke,moda,menit,tunggu_menit,biaya``.

``dari`` and ``ke`` name villages: a code (``64.02.18.2007``), a unique name (``Sepatin``), or a
name with its kecamatan (``Muara Enggelam (Muara Wis)`` or ``Muara Enggelam, Muara Wis``). A leg
can be travelled both ways; its time is ``menit + tunggu_menit`` (waiting for the tide or a boat).
Bad rows are reported (file, row, column, value, reason) and skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from geo._errors import InputFileError, VillageLookupError
from geo.importer import Problem, _shown_headers, has_demo_marker, read_table
from geo.limits import base_name
from geo.lookup import VillageIndex

COLUMNS = ["dari", "ke", "moda", "menit", "tunggu_menit", "biaya"]
MODA = ("ketinting", "longboat", "speedboat", "kapal", "perahu")
_WITH_KEC = re.compile(r"^(?P<desa>.+?)\s*(?:\((?P<kec1>[^)]+)\)|,\s*(?P<kec2>.+))\s*$")


@dataclass
class BoatLegs:
    """Validated boat legs: ``dari``/``ke`` as village codes, times in minutes, cost in rupiah."""

    file: str
    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    is_demo: bool = False

    def __post_init__(self) -> None:
        missing = [c for c in [*COLUMNS, "dari_nama", "ke_nama"] if c not in self.frame]
        if missing:
            raise ValueError(f"boat legs lack columns {missing}")

    def summary(self) -> dict:
        return {"berkas": self.file, "ruas_perahu": len(self.frame), "masalah": len(self.problems)}


def resolve_place(index: VillageIndex, text: str):
    """A village from a code, a unique name, or ``Name (Kecamatan)`` / ``Name, Kecamatan``."""
    text = " ".join(str(text).split())
    village = index.by_code(text)
    if village is not None:
        return village
    match = _WITH_KEC.match(text)
    if match:
        kec = match["kec1"] or match["kec2"]
        return index.resolve(kecamatan=kec, desa=match["desa"])
    return index.resolve(desa=text)


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


def read_boat_legs(data: bytes, *, filename: str, index: VillageIndex) -> BoatLegs:
    """Read and check a boat-leg table (CSV or XLSX).

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
            f"{_shown_headers(headers)}. Kolom: {', '.join(COLUMNS)}."
        )
    problems: list[Problem] = []
    rows = []
    for i, rec in enumerate(table.to_dict("records")):
        row_no = i + 2
        if not any(str(v).strip() for v in rec.values()):
            continue
        ends = []
        for col in ("dari", "ke"):
            try:
                ends.append(resolve_place(index, rec[by_key[col]]))
            except VillageLookupError as exc:
                problems.append(Problem(filename, row_no, by_key[col], rec[by_key[col]], str(exc)))
                break
        if len(ends) < 2:
            continue
        if ends[0].kode == ends[1].kode:
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
            rows.append(
                {
                    "dari": ends[0].kode,
                    "ke": ends[1].kode,
                    "moda": moda if moda in MODA else "perahu",
                    "menit": values["menit"],
                    "tunggu_menit": values["tunggu_menit"],
                    "biaya": values["biaya"],
                    "dari_nama": ends[0].nama,
                    "ke_nama": ends[1].nama,
                }
            )
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "dari_nama", "ke_nama"])
    return BoatLegs(
        file=filename, frame=frame, problems=problems, is_demo=has_demo_marker(table, headers)
    )


def validate_table(table: pd.DataFrame, *, label: str, index: VillageIndex) -> BoatLegs:
    """Check a table of boat legs edited on a page, by the same rules as a file."""
    return read_boat_legs(table.to_csv(index=False).encode(), filename=label, index=index)
