"""Printable route sheets ("Lembar Rute") for joint Dinsos+BRI field teams: A4 PDFs in Indonesian.

A sheet per team holds a header (team, dates, depot, members), an overview map of the route (a
static image from :mod:`geo.plan.sheet_map`; no tile server), the stop table with planned times,
leg modes and sources, a contacts table (kepala desa, pendamping) or blank lines to fill in, the
KPM to find at each stop with a tick box, a notes area and signature blocks for Dinsos and BRI.
Every page carries "Halaman X dari Y", the plan's date and, for demo data, "DATA CONTOH".

Privacy: a NIK is only ever shown masked (:func:`geo.safety.privacy.mask_nik`); the version for
wider distribution (``with_names=False``) shows no KPM name and no NIK at all, only counts per
programme and status. All user text is XML-escaped before it reaches reportlab's Paragraph markup.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from geo import fmt
from geo.fmt import DEMO_LABEL, DEMO_NOTE
from geo.plan.calendar import count_working_days
from geo.plan.model import (
    RoutePlan,
    RoutingError,
    Stop,
    TeamRoute,
    nights_away,
)
from geo.plan.sheet_map import MAP_SIZE_IN, depot_lonlat, route_map_png
from geo.safety.privacy import mask_nik

if TYPE_CHECKING:
    import geopandas as gpd

#: Status words on the sheets (``geo.store.schema.STATUSES`` but terealisasi).
STATUS_WORDS = {
    "belum_transaksi": "belum transaksi",
    "tidak_transaksi": "tidak transaksi",
    "tanpa_data_bri": "tanpa data BRI",
}
REALIZED = "terealisasi"

HARI = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]

COMBINED_FILE = "lembar_rute.pdf"
NO_NAMES_FILE = "lembar_rute_tanpa_nama.pdf"

_PAGE_W, _PAGE_H = A4
_MARGIN = 1.5 * cm
_TOP = 2.1 * cm  # room for the header band
_BOTTOM = 1.7 * cm  # room for the footer
_FRAME_W = _PAGE_W - 2 * _MARGIN

_DEMO_RED = colors.HexColor("#b00020")
_HEAD_BG = colors.HexColor("#e6edf6")
_GRID = colors.HexColor("#9aa5b1")


# -- text helpers ----------------------------------------------------------------------------


def _text(value: object) -> str:
    """A cell value as plain text: ``""`` for None/NaN."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value).strip()


def _esc(value: object) -> str:
    """Plain text made safe for Paragraph markup (``<b>`` and ``&`` show as written)."""
    return escape(_text(value))


def _jam(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _tgl_pendek(day: date) -> str:
    return f"{day.day} {fmt.MONTHS[day.month - 1][:3]}"


def _tgl_hari(day: date) -> str:
    """``Senin, 3 November 2026``."""
    return f"{HARI[day.weekday()]}, {fmt.tanggal(day)}"


def _words(value: str) -> str:
    """``jalan+perahu`` -> ``jalan + perahu``; ``-`` when empty."""
    parts = [p for p in _text(value).split("+") if p]
    return " + ".join(parts) if parts else "-"


def _status_key(value: object) -> str:
    return re.sub(r"[\s-]+", "_", _text(value).lower())


def _status_word(value: object) -> str:
    key = _status_key(value)
    return STATUS_WORDS.get(key, _text(value))


def slug(name: str) -> str:
    """A file-name part for a team name: ``Tim 1 (Tabang)`` -> ``tim_1_tabang``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    return out or "tim"


def team_files(plan: RoutePlan) -> dict[str, str]:
    """The file name of each team's sheet: team name -> ``lembar_rute_<slug>.pdf``.

    Slugs that collide (``Tim 1`` and ``Tim-1``) or would overwrite the combined files get a
    numeric suffix, so every team keeps its own file.
    """
    taken = {COMBINED_FILE, NO_NAMES_FILE}
    out: dict[str, str] = {}
    for route in plan.routes:
        base = f"lembar_rute_{slug(route.tim)}"
        name, n = f"{base}.pdf", 1
        while name in taken:
            n += 1
            name = f"{base}_{n}.pdf"
        taken.add(name)
        out[route.tim] = name
    return out


# -- styles ----------------------------------------------------------------------------------

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=9, leading=11.5)
_STYLES = {
    "title": ParagraphStyle(
        "title", parent=_BASE, fontName="Helvetica-Bold", fontSize=15, leading=19
    ),
    "h2": ParagraphStyle(
        "h2",
        parent=_BASE,
        fontName="Helvetica-Bold",
        fontSize=11,
        leading=14,
        spaceBefore=8,
        spaceAfter=4,
        keepWithNext=1,
    ),
    "h3": ParagraphStyle(
        "h3",
        parent=_BASE,
        fontName="Helvetica-Bold",
        fontSize=9.5,
        leading=12,
        spaceBefore=6,
        spaceAfter=3,
    ),
    "body": _BASE,
    "small": ParagraphStyle(
        "small", parent=_BASE, fontSize=7.5, leading=9.5, textColor=colors.grey
    ),
    "cell": ParagraphStyle("cell", parent=_BASE, fontSize=7.5, leading=9),
    "cellb": ParagraphStyle(
        "cellb", parent=_BASE, fontName="Helvetica-Bold", fontSize=7.5, leading=9
    ),
    "cellc": ParagraphStyle("cellc", parent=_BASE, fontSize=7.5, leading=9, alignment=TA_CENTER),
    "demo": ParagraphStyle(
        "demo", parent=_BASE, fontName="Helvetica-Bold", fontSize=10, textColor=_DEMO_RED
    ),
}


def _p(markup: str, style: str = "cell") -> Paragraph:
    """A Paragraph of markup that is already escaped."""
    return Paragraph(markup, _STYLES[style])


def _grid_style(header_rows: int = 1) -> list:
    return [
        ("GRID", (0, 0), (-1, -1), 0.4, _GRID),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), _HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]


def _widths(*fractions: float) -> list[float]:
    total = sum(fractions)
    return [_FRAME_W * f / total for f in fractions]


# -- flowables and page decoration ------------------------------------------------------------


class _TeamMark(Flowable):
    """Zero-size marker: the pages from here on belong to this team (for the header band)."""

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        self.canv.jangkau_tim = self.name


class _TickBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = 9):
        super().__init__()
        self.size = size

    def wrap(self, avail_width, avail_height):
        return self.size, self.size

    def draw(self):
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


class _RuledLines(Flowable):
    """Ruled lines for notes written by hand."""

    def __init__(self, lines: int = 8, gap: float = 0.75 * cm):
        super().__init__()
        self.lines, self.gap = lines, gap

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.lines * self.gap

    def draw(self):
        self.canv.setStrokeColor(_GRID)
        self.canv.setLineWidth(0.5)
        for i in range(self.lines):
            y = i * self.gap
            self.canv.line(0, y, self.width, y)


class _SheetCanvas(rl_canvas.Canvas):
    """A canvas that holds its pages until the end to write "Halaman X dari Y" and the bands."""

    def __init__(self, *args, demo: bool, dibuat: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._demo = demo
        self._dibuat = dibuat
        self._held: list[dict] = []
        self.jangkau_tim = ""

    def showPage(self):
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self._decorate(number, total)
            super().showPage()
        super().save()

    def _decorate(self, number: int, total: int) -> None:
        if self._demo:
            # Over the content (and the map image), faint enough to read through.
            self.saveState()
            self.setFillColor(_DEMO_RED)
            self.setFillAlpha(0.09)
            self.setFont("Helvetica-Bold", 80)
            self.translate(_PAGE_W / 2, _PAGE_H / 2)
            self.rotate(40)
            self.drawCentredString(0, -28, DEMO_LABEL)
            self.restoreState()
        self.saveState()
        top = _PAGE_H - 1.0 * cm
        title = "Lembar Rute Kunjungan Dinsos + BRI"
        if self.jangkau_tim:
            title += f" \u2013 {self.jangkau_tim}"
        if self._demo:
            self.setFillColor(_DEMO_RED)
            self.rect(_MARGIN, top - 0.15 * cm, _FRAME_W, 0.6 * cm, stroke=0, fill=1)
            self.setFillColor(colors.white)
            self.setFont("Helvetica-Bold", 9)
            self.drawString(_MARGIN + 0.2 * cm, top, DEMO_NOTE)
            self.setFont("Helvetica", 8)
            self.drawRightString(_MARGIN + _FRAME_W - 0.2 * cm, top, title)
        else:
            self.setFillColor(colors.black)
            self.setFont("Helvetica", 8)
            self.drawRightString(_MARGIN + _FRAME_W, top, title)
            self.setStrokeColor(_GRID)
            self.setLineWidth(0.5)
            self.line(_MARGIN, top - 0.2 * cm, _MARGIN + _FRAME_W, top - 0.2 * cm)
        bottom = 1.0 * cm
        self.setStrokeColor(_GRID)
        self.setLineWidth(0.5)
        self.line(_MARGIN, bottom + 0.35 * cm, _MARGIN + _FRAME_W, bottom + 0.35 * cm)
        self.setFillColor(colors.black)
        self.setFont("Helvetica", 7.5)
        self.drawString(_MARGIN, bottom, "Jangkau \u00b7 Dinas Sosial Kukar & Bank BRI")
        dibuat = f"Rencana dibuat {fmt.tanggal(self._dibuat)}, {_jam(self._dibuat)} WITA"
        self.drawCentredString(_PAGE_W / 2, bottom, dibuat)
        self.drawRightString(_MARGIN + _FRAME_W, bottom, f"Halaman {number} dari {total}")
        if self._demo:
            self.setFillColor(_DEMO_RED)
            self.setFont("Helvetica-Bold", 7.5)
            self.drawCentredString(_PAGE_W / 2, bottom - 0.35 * cm, DEMO_NOTE)
        self.restoreState()


# -- sections --------------------------------------------------------------------------------


def _header(route: TeamRoute, plan: RoutePlan, *, with_names: bool) -> list:
    days = route.hari
    kpm = sum(s.kpm_belum for s in route.stops)
    overnight = nights_away(route)
    home = sum(bool(s.pulang_malam) for s in route.stops)
    tanggal = _tgl_hari(route.berangkat.date())
    if route.kembali.date() != route.berangkat.date():
        tanggal += f" \u2013 {_tgl_hari(route.kembali.date())}"
    depot = _esc(route.depot_nama)
    if route.depot and route.depot != route.depot_nama:
        depot += f" ({_esc(route.depot)})"
    members = ", ".join(_esc(m) for m in route.anggota if _text(m))
    jam = ""
    if plan.params.get("jam_mulai") and plan.params.get("jam_selesai"):
        jam = f"{_esc(plan.params['jam_mulai'])}\u2013{_esc(plan.params['jam_selesai'])} WITA"
        slack = plan.params.get("lebih_menit")
        if slack:
            end = datetime.strptime(str(plan.params["jam_selesai"]), "%H:%M") + timedelta(
                minutes=int(slack)
            )
            jam += f" (kunjungan atau perjalanan boleh selesai sampai {end:%H:%M})"
    perjalanan = (
        f"{days} hari kerja \u00b7 {len(route.stops)} desa \u00b7 "
        f"{fmt.number(kpm)} KPM belum terealisasi"
    )
    if overnight:
        perjalanan += f" \u00b7 {overnight} kali menginap"
    if home:
        perjalanan += f" \u00b7 {home} malam pulang ke depot"
    rows = [
        ("Tim", f"<b>{_esc(route.tim)}</b>"),
        ("Tanggal", tanggal),
        ("Depot", depot),
        ("Anggota", members or "_" * 60),
        ("Perjalanan", perjalanan),
    ]
    if jam:
        rows.append(("Jam kerja", jam))
    table = Table([[_p(k, "cellb"), _p(v, "body")] for k, v in rows], colWidths=_widths(1.2, 8.8))
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, _GRID),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    version = "dengan nama KPM" if with_names else "tanpa nama KPM (untuk dibagikan)"
    out = [
        _TeamMark(route.tim),
        _p(f"Lembar Rute Kunjungan \u2013 {_esc(route.tim)}", "title"),
        _p(
            f"Kunjungan bersama Dinas Sosial Kabupaten Kutai Kartanegara dan Bank BRI \u00b7 "
            f"versi {version}",
            "small",
        ),
    ]
    if plan.is_demo:
        out.append(_p(escape(DEMO_NOTE), "demo"))
    out += [Spacer(1, 4), table, Spacer(1, 6)]
    return out


def _map_section(route: TeamRoute, png: bytes, *, has_depot: bool) -> list:
    width = _FRAME_W
    height = width * MAP_SIZE_IN[1] / MAP_SIZE_IN[0]
    note = "Peta ikhtisar: garis lurus antartitik (bukan jalur jalan); garis putus-putus = perahu."
    if not has_depot:
        note += " Lokasi depot tidak tersedia; garis dimulai di desa pertama."
    return [Image(io.BytesIO(png), width=width, height=height), _p(note, "small"), Spacer(1, 4)]


def _mode_cell(moda: str, dermaga: str) -> str:
    """A leg's modes, and the landings where the team boards or leaves the boat."""
    cell = _esc(_words(moda))
    if dermaga:
        cell += f"<br/>via {_esc(dermaga)}"
    return cell


def _night_note(stop: Stop) -> str:
    """The stop table's note on where the team spends the night around this visit."""
    if stop.menginap_sebelum and stop.menginap:
        return "<b>menginap</b> malam sebelum dan sesudah kunjungan"
    if stop.menginap_sebelum:
        return "tiba sore, <b>menginap</b>; kunjungan esok pagi"
    if stop.menginap:
        return "<b>menginap</b>"
    if stop.pulang_malam:
        return f"<b>pulang ke depot</b> ({fmt.number(stop.pulang_malam)} menit), bermalam di rumah"
    return ""


def _stop_table(route: TeamRoute) -> list:
    head = [
        "No.",
        "Desa",
        "Kecamatan",
        "Hari ke-",
        "Tiba",
        "Berangkat",
        "Tempuh (menit)",
        "Moda",
        "Sumber",
        "KPM belum",
        "Ket.",
    ]
    rows = [[_p(h, "cellb") for h in head]]
    start = route.berangkat
    rows.append(
        [
            "",
            _p(f"<b>Berangkat dari depot</b> {_esc(route.depot_nama)}"),
            "",
            _p("1", "cellc"),
            "",
            _p(f"{_jam(start)}<br/>{_tgl_pendek(start)}"),
            *[""] * 5,
        ]
    )
    for s in route.stops:
        rows.append(
            [
                _p(str(s.urutan), "cellc"),
                _p(f"<b>{_esc(s.desa)}</b>"),
                _p(_esc(s.kecamatan)),
                _p(str(s.hari), "cellc"),
                _p(f"{_jam(s.tiba)}<br/>{_tgl_pendek(s.tiba)}"),
                _p(f"{_jam(s.berangkat)}<br/>{_tgl_pendek(s.berangkat)}"),
                _p(fmt.number(s.menit_tempuh), "cellc"),
                _p(_mode_cell(s.moda, s.dermaga)),
                _p(_esc(_words(s.sumber))),
                _p(fmt.number(s.kpm_belum), "cellc"),
                _p(_night_note(s)),
            ]
        )
    back = route.kembali
    last_day = route.stops[-1].hari if route.stops else 1
    last_date = route.stops[-1].berangkat.date() if route.stops else start.date()
    back_day = last_day + max(count_working_days(last_date, back.date()) - 1, 0)
    rows.append(
        [
            "",
            _p(f"<b>Kembali ke depot</b> {_esc(route.depot_nama)}"),
            "",
            _p(str(back_day), "cellc"),
            _p(f"{_jam(back)}<br/>{_tgl_pendek(back)}"),
            "",
            _p(fmt.number(route.menit_pulang), "cellc"),
            _p(_mode_cell(route.moda_pulang, route.dermaga_pulang)),
            _p(_esc(_words(route.sumber_pulang))),
            "",
            "",
        ]
    )
    table = Table(
        rows,
        colWidths=_widths(0.45, 1.8, 1.45, 0.55, 0.85, 0.95, 0.8, 1.3, 1.05, 0.65, 1.15),
        repeatRows=1,
    )
    style = _grid_style()
    style += [
        ("BACKGROUND", (0, 1), (-1, 1), colors.HexColor("#f3f3f3")),
        ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f3f3f3")),
    ]
    table.setStyle(TableStyle(style))
    return [
        _p("Urutan kunjungan", "h2"),
        table,
        _p(
            "Waktu WITA. Tempuh = menit perjalanan ke desa itu dari titik sebelumnya (dari depot "
            "bila tim pulang ke depot malam sebelumnya). Sumber: jalan (jaringan jalan), perahu "
            "(ruas perahu), perkiraan (jarak lurus x faktor).",
            "small",
        ),
    ]


def _contacts_section(route: TeamRoute, contacts: pd.DataFrame | None) -> list:
    found: dict[str, dict] = {}
    if contacts is not None and not contacts.empty:
        frame = contacts.reindex(columns=["kode_desa", "kepala_desa", "pendamping", "telepon"])
        for row in frame.itertuples(index=False):
            found.setdefault(_text(row.kode_desa), row._asdict())
    head = ["No.", "Desa", "Kepala desa", "Pendamping", "Telepon"]
    rows = [[_p(h, "cellb") for h in head]]
    blank_rows = []
    for i, s in enumerate(route.stops, start=1):
        c = found.get(s.kode_desa)
        cells = [
            _p(str(s.urutan), "cellc"),
            _p(f"<b>{_esc(s.desa)}</b><br/>Kec. {_esc(s.kecamatan)}"),
        ]
        if c is None:
            cells += ["", "", ""]
            blank_rows.append(i)
        else:
            cells += [_p(_esc(c["kepala_desa"])), _p(_esc(c["pendamping"])), _p(_esc(c["telepon"]))]
        rows.append(cells)
    table = Table(rows, colWidths=_widths(0.5, 2.2, 2.4, 2.4, 2.0), repeatRows=1)
    style = _grid_style()
    for i in blank_rows:
        style.append(("BOTTOMPADDING", (0, i), (-1, i), 10))
    table.setStyle(TableStyle(style))
    note = (
        "Isi nama dan nomor telepon yang belum ada."
        if blank_rows
        else "Periksa kembali nomor sebelum berangkat."
    )
    return [_p("Kontak desa", "h2"), table, _p(note, "small")]


def _open_kpm(kpm: pd.DataFrame | None, codes: set[str]) -> pd.DataFrame | None:
    """KPM of the given villages that are not yet realized, in a stable order."""
    if kpm is None:
        return None
    cols = ["nik", "nama", "program", "status", "alasan", "kode_desa"]
    # Vectorised first cut: the roster of all Kukar can hold a million rows.
    here = kpm["kode_desa"].astype("string").str.strip().isin(codes).fillna(False)
    frame = kpm.loc[here.to_numpy(dtype=bool)].reindex(columns=cols)
    frame["kode_desa"] = frame["kode_desa"].map(_text)
    frame["_status"] = frame["status"].map(_status_key)
    frame = frame[frame["_status"] != REALIZED]
    rank = {k: i for i, k in enumerate(STATUS_WORDS)}
    frame["_rank"] = frame["_status"].map(rank).fillna(len(rank))
    frame["_nama"] = frame["nama"].map(_text).str.upper()
    return frame.sort_values(["kode_desa", "_rank", "_nama"], kind="stable")


def _kpm_names_section(route: TeamRoute, open_kpm: pd.DataFrame | None) -> list:
    out: list = [
        CondPageBreak(6 * cm),
        _p("KPM yang dicari per desa", "h2"),
        _p(
            "Centang kotak bila KPM sudah ditemui. NIK ditampilkan tersamar; cocokkan dengan "
            "KTP/KKS yang ditunjukkan. Data pribadi: jangan difoto atau dibagikan.",
            "small",
        ),
    ]
    head = ["", "No.", "Nama", "NIK (disamarkan)", "Program", "Status", "Alasan"]
    for s in route.stops:
        title = f"{s.urutan}. {_esc(s.desa)}, Kec. {_esc(s.kecamatan)}"
        # A heading never ends a page alone; a long list then splits with its header repeated.
        out.append(CondPageBreak(3.5 * cm))
        if open_kpm is None:
            out += [
                _p(title, "h3"),
                _p(
                    f"Daftar KPM tidak disertakan; {fmt.number(s.kpm_belum)} KPM belum terealisasi "
                    "menurut rencana.",
                    "body",
                ),
            ]
            continue
        rows_here = open_kpm[open_kpm["kode_desa"] == s.kode_desa]
        out.append(_p(f"{title} \u2013 {fmt.number(len(rows_here))} KPM", "h3"))
        if rows_here.empty:
            out.append(_p("Tidak ada KPM belum terealisasi dalam data untuk desa ini.", "body"))
            continue
        rows = [[_p(h, "cellb") for h in head]]
        for n, r in enumerate(rows_here.itertuples(index=False), start=1):
            rows.append(
                [
                    _TickBox(),
                    _p(str(n), "cellc"),
                    _p(_esc(r.nama)),
                    _p(_esc(mask_nik(r.nik))),
                    _p(_esc(r.program)),
                    _p(_esc(_status_word(r.status))),
                    _p(_esc(r.alasan)),
                ]
            )
        table = Table(rows, colWidths=_widths(0.35, 0.45, 2.6, 1.65, 0.9, 1.2, 2.85), repeatRows=1)
        style = _grid_style()
        style.append(("VALIGN", (0, 1), (0, -1), "MIDDLE"))
        style.append(("ALIGN", (0, 1), (0, -1), "CENTER"))
        table.setStyle(TableStyle(style))
        out.append(table)
    return out


def _kpm_counts_section(route: TeamRoute, open_kpm: pd.DataFrame | None) -> list:
    out: list = [
        _p("KPM yang dicari per desa (jumlah)", "h2"),
        _p(
            "Versi untuk dibagikan: tanpa nama dan NIK. Daftar nama ada pada lembar tim.",
            "small",
        ),
    ]
    statuses = list(STATUS_WORDS)
    head = ["No.", "Desa", "Program", *STATUS_WORDS.values(), "Jumlah"]
    rows = [[_p(h, "cellb") for h in head]]
    for s in route.stops:
        if open_kpm is None:
            rows.append(
                [
                    _p(str(s.urutan), "cellc"),
                    _p(f"<b>{_esc(s.desa)}</b>"),
                    _p("semua"),
                    *[""] * len(STATUS_WORDS),
                    _p(fmt.number(s.kpm_belum), "cellc"),
                ]
            )
            continue
        here = open_kpm[open_kpm["kode_desa"] == s.kode_desa]
        if here.empty:
            rows.append(
                [
                    _p(str(s.urutan), "cellc"),
                    _p(f"<b>{_esc(s.desa)}</b>"),
                    _p("-"),
                    *[""] * len(STATUS_WORDS),
                    _p("0", "cellc"),
                ]
            )
            continue
        programs = here["program"].map(_text)
        counts = pd.crosstab(programs, here["_status"])
        for k, (program, row) in enumerate(counts.iterrows()):
            rows.append(
                [
                    _p(str(s.urutan), "cellc") if k == 0 else "",
                    _p(f"<b>{_esc(s.desa)}</b>") if k == 0 else "",
                    _p(_esc(program) or "-"),
                    *[_p(fmt.number(int(row.get(st, 0))), "cellc") for st in statuses],
                    _p(fmt.number(int(row.sum())), "cellc"),
                ]
            )
    table = Table(rows, colWidths=_widths(0.5, 2.2, 1.3, 1.3, 1.3, 1.3, 0.9), repeatRows=1)
    table.setStyle(TableStyle(_grid_style()))
    return [*out, table]


def _closing(route: TeamRoute) -> list:
    notes = [_p("Catatan lapangan", "h2"), _RuledLines(8)]
    labels = ["Tanda tangan", "Nama", "NIP / Jabatan", "Tanggal"]
    sign_rows = [
        [
            _p("<b>Dinas Sosial Kabupaten Kutai Kartanegara</b>", "body"),
            "",
            _p("<b>Bank BRI</b>", "body"),
            "",
        ]
    ]
    for label in labels:
        bri_label = "No. pegawai / Jabatan" if label == "NIP / Jabatan" else label
        sign_rows.append([_p(label), "", _p(bri_label), ""])
    signatures = Table(sign_rows, colWidths=_widths(1.9, 2.9, 1.9, 2.9))
    style = [
        ("SPAN", (0, 0), (1, 0)),
        ("SPAN", (2, 0), (3, 0)),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LINEBELOW", (1, 1), (1, -1), 0.5, colors.black),
        ("LINEBELOW", (3, 1), (3, -1), 0.5, colors.black),
        ("TOPPADDING", (0, 2), (-1, -1), 10),
        ("TOPPADDING", (0, 1), (-1, 1), 36),  # room to sign
        ("RIGHTPADDING", (1, 0), (1, -1), 14),
    ]
    signatures.setStyle(TableStyle(style))
    return [
        CondPageBreak(13 * cm),
        KeepTogether(notes),
        Spacer(1, 10),
        KeepTogether([_p(f"Pengesahan \u2013 {_esc(route.tim)}", "h2"), signatures]),
    ]


def _team_story(
    route: TeamRoute,
    plan: RoutePlan,
    *,
    png: bytes,
    has_depot: bool,
    open_kpm: pd.DataFrame | None,
    with_names: bool,
    contacts: pd.DataFrame | None,
) -> list:
    story = _header(route, plan, with_names=with_names)
    story += _map_section(route, png, has_depot=has_depot)
    if not route.stops:
        story.append(_p("Tim ini tidak mendapat desa kunjungan dalam rencana ini.", "body"))
        return story
    story += _stop_table(route)
    story += _contacts_section(route, contacts)
    if with_names:
        story += _kpm_names_section(route, open_kpm)
    else:
        story += _kpm_counts_section(route, open_kpm)
    story += _closing(route)
    return story


# -- public API ------------------------------------------------------------------------------


def _render(
    plan: RoutePlan,
    routes: list[TeamRoute],
    *,
    villages: gpd.GeoDataFrame,
    kpm: pd.DataFrame | None,
    with_names: bool,
    contacts: pd.DataFrame | None,
    depots: pd.DataFrame | None,
    maps: dict[str, bytes],
) -> bytes:
    codes = {s.kode_desa for r in routes for s in r.stops}
    open_kpm = _open_kpm(kpm, codes)
    story: list = []
    for i, route in enumerate(routes):
        if i:
            story.append(PageBreak())
        depot_xy = depot_lonlat(route, depots)
        if route.tim not in maps:
            maps[route.tim] = route_map_png(
                route, villages, depot_lonlat=depot_xy, demo=plan.is_demo
            )
        story += _team_story(
            route,
            plan,
            png=maps[route.tim],
            has_depot=depot_xy is not None,
            open_kpm=open_kpm,
            with_names=with_names,
            contacts=contacts,
        )
    if not routes:
        story.append(_p("Lembar Rute Kunjungan", "title"))
        story.append(_p("Rencana ini tidak memuat rute tim.", "body"))

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=_MARGIN,
        rightMargin=_MARGIN,
        topMargin=_TOP,
        bottomMargin=_BOTTOM,
        title="Lembar Rute Kunjungan" + (f" \u2013 {DEMO_LABEL}" if plan.is_demo else ""),
        author="Jangkau",
        subject="Rute kunjungan Dinas Sosial Kukar dan Bank BRI",
        creator="Jangkau",
        invariant=1,
    )
    doc.build(
        story,
        canvasmaker=partial(_SheetCanvas, demo=plan.is_demo, dibuat=plan.dibuat),
    )
    return buf.getvalue()


def route_sheet_pdf(
    plan: RoutePlan,
    *,
    villages: gpd.GeoDataFrame,
    kpm: pd.DataFrame | None,
    team: str | None = None,
    with_names: bool = True,
    contacts: pd.DataFrame | None = None,
    depots: pd.DataFrame | None = None,
) -> bytes:
    """The route sheet of a plan as an A4 PDF (Indonesian, text extractable).

    Parameters
    ----------
    plan
        The solved plan; ``plan.is_demo`` puts DATA CONTOH on every page.
    villages
        Village polygons of ``geo.areas.boundaries`` (EPSG:4326, ``kode``, ``kecamatan``,
        ``ref_lon``, ``ref_lat``) for the overview map.
    kpm
        KPM rows (``nik``, ``nama``, ``program``, ``status``, ``alasan``, ``kode_desa``) of any
        villages, as ``geo.realization.reconcile.Reconciliation.kpm``; those of the route's
        villages that are not ``terealisasi`` are listed. None: no lists, only the plan's counts.
    team
        One team's name, or None for all teams (each from a new page).
    with_names
        False for the version for wider distribution: no KPM name and no NIK anywhere, only counts
        per programme and status for each stop.
    contacts
        ``kode_desa``, ``kepala_desa``, ``pendamping``, ``telepon``; villages without a row get
        blank lines to fill in.
    depots
        ``id``, ``lon``, ``lat`` (degrees) of the depots, to draw the depot on the map; without it
        the map's line runs from the first to the last stop.

    Returns
    -------
    bytes
        The PDF.

    Raises
    ------
    RoutingError
        ``team`` is not in the plan.
    """
    routes = list(plan.routes)
    if team is not None:
        routes = [r for r in routes if r.tim == team]
        if not routes:
            known = ", ".join(r.tim for r in plan.routes) or "tidak ada"
            raise RoutingError(f"Tim {team} tidak ada dalam rencana ini (tim: {known}).")
    return _render(
        plan,
        routes,
        villages=villages,
        kpm=kpm,
        with_names=with_names,
        contacts=contacts,
        depots=depots,
        maps={},
    )


def route_sheet_files(
    plan: RoutePlan,
    *,
    villages: gpd.GeoDataFrame,
    kpm: pd.DataFrame | None,
    out_dir: Path,
    contacts: pd.DataFrame | None = None,
    depots: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write the route sheets of a plan into ``out_dir``.

    Writes ``lembar_rute.pdf`` (all teams, with names), one ``lembar_rute_<slug>.pdf`` per team
    (see :func:`team_files`) and ``lembar_rute_tanpa_nama.pdf`` (all teams, no names or NIK).
    Parameters as in :func:`route_sheet_pdf`.

    Returns
    -------
    dict
        File name -> path of every file written: the combined sheet first, then the teams in plan
        order, then the version without names.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    maps: dict[str, bytes] = {}  # each team's map is drawn once for all files
    common = {
        "villages": villages,
        "kpm": kpm,
        "contacts": contacts,
        "depots": depots,
        "maps": maps,
    }
    routes = list(plan.routes)
    written: dict[str, Path] = {}

    def write(name: str, data: bytes) -> None:
        path = out_dir / name
        path.write_bytes(data)
        written[name] = path

    write(COMBINED_FILE, _render(plan, routes, with_names=True, **common))
    names = team_files(plan)
    for route in routes:
        write(names[route.tim], _render(plan, [route], with_names=True, **common))
    write(NO_NAMES_FILE, _render(plan, routes, with_names=False, **common))
    return written
