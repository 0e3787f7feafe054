import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import datetime

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.plan import sheets
from geo.plan.model import RoutePlan, RoutingError, Stop, TeamRoute

# Villages of Muara Muntai (team 1, delta boat legs) and Tabang (team 2).
TEAM1_CODES = ["64.02.01.2001", "64.02.01.2002", "64.02.01.2008"]
TEAM2_CODES = ["64.02.12.2001", "64.02.12.2005"]
LIST_VILLAGE = TEAM1_CODES[0]
ODD_NAME = "<b>Siti & Co</b>"
NIK_MASKED = re.compile(r"6402\*{10}\d{2}")
FULL_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")

DEPOTS = pd.DataFrame(
    {
        "id": ["DINSOS", "KC-KBR"],
        "nama": ["Dinas Sosial Kukar", "BRI KC Kutai Barat (Sendawar)"],
        "lat": [-0.43, -0.24],
        "lon": [116.99, 115.83],
    }
)


def _stop(villages, code, urutan, hari, tiba, berangkat, menit, moda, sumber, kpm, **kw):
    row = villages.loc[villages["kode"] == code].iloc[0]
    return Stop(
        urutan=urutan,
        kode_desa=code,
        desa=row["nama"],
        kecamatan=row["kecamatan"],
        hari=hari,
        tiba=tiba,
        berangkat=berangkat,
        menit_tempuh=menit,
        moda=moda,
        sumber=sumber,
        kpm_belum=kpm,
        **kw,
    )


def _plan(villages, *, demo=True) -> RoutePlan:
    d = datetime
    team1 = TeamRoute(
        tim="Tim 1 Delta",
        depot="DINSOS",
        depot_nama="Dinas Sosial Kukar",
        anggota=("Andi (Dinsos)", "Rina (BRI)"),
        stops=(
            _stop(
                villages,
                TEAM1_CODES[0],
                1,
                1,
                d(2026, 11, 2, 11, 30),
                d(2026, 11, 2, 15, 0),
                210,
                "mobil",
                "jalan",
                62,
                menginap=True,
            ),
            _stop(
                villages,
                TEAM1_CODES[1],
                2,
                2,
                d(2026, 11, 3, 9, 10),
                d(2026, 11, 3, 11, 0),
                70,
                "longboat",
                "perahu",
                14,
            ),
            _stop(
                villages,
                TEAM1_CODES[2],
                3,
                2,
                d(2026, 11, 3, 11, 40),
                d(2026, 11, 3, 13, 0),
                40,
                "mobil+longboat",
                "jalan+perahu",
                9,
            ),
        ),
        berangkat=d(2026, 11, 2, 8, 0),
        kembali=d(2026, 11, 3, 15, 50),
        menit_pulang=170,
        moda_pulang="mobil",
        sumber_pulang="jalan",
    )
    team2 = TeamRoute(
        tim="Tim 2 Hulu",
        depot="KC-KBR",
        depot_nama="BRI KC Kutai Barat (Sendawar)",
        anggota=("Budi",),
        stops=(
            _stop(
                villages,
                TEAM2_CODES[0],
                1,
                1,
                d(2026, 11, 2, 12, 0),
                d(2026, 11, 2, 13, 0),
                240,
                "mobil",
                "perkiraan",
                5,
            ),
            _stop(
                villages,
                TEAM2_CODES[1],
                2,
                1,
                d(2026, 11, 2, 13, 25),
                d(2026, 11, 2, 14, 20),
                25,
                "motor",
                "jalan",
                4,
            ),
        ),
        berangkat=d(2026, 11, 2, 8, 0),
        kembali=d(2026, 11, 2, 18, 5),
        menit_pulang=225,
        moda_pulang="mobil",
        sumber_pulang="perkiraan",
    )
    return RoutePlan(
        params={"jam_mulai": "08:00", "jam_selesai": "16:00"},
        routes=(team1, team2),
        tidak_dikunjungi=(),
        is_demo=demo,
        dibuat=d(2026, 10, 30, 9, 15),
    )


def _kpm() -> pd.DataFrame:
    statuses = ["belum_transaksi", "tidak_transaksi", "tanpa_data_bri"]
    rows = [
        {
            "nik": f"640201{i:010d}",
            "nama": f"Warga Contoh {i:02d}",
            "program": "PKH" if i % 2 else "BPNT",
            "status": statuses[i % 3],
            "alasan": "pindah domisili" if i % 3 == 1 else "",
            "kode_desa": LIST_VILLAGE,
        }
        for i in range(60)
    ]
    rows.append({**rows[0], "nik": "6402019999999901", "nama": ODD_NAME})
    rows.append(
        {**rows[0], "nik": "6402018888888801", "nama": "Sudah Cair", "status": "terealisasi"}
    )
    rows.append(
        {**rows[0], "nik": "6402017777777701", "nama": "Tim Dua Orang", "kode_desa": TEAM2_CODES[0]}
    )
    rows.append(
        {**rows[0], "nik": "6402016666666601", "nama": "Desa Lain", "kode_desa": "64.02.04.2001"}
    )
    return pd.DataFrame(rows)


def _pages(data: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def plan(bounds):
    return _plan(bounds.villages)


@pytest.fixture(scope="module")
def combined(plan, bounds):
    data = sheets.route_sheet_pdf(
        plan,
        villages=bounds.villages,
        kpm=_kpm(),
        depots=DEPOTS,
        contacts=pd.DataFrame(
            {
                "kode_desa": [TEAM1_CODES[0]],
                "kepala_desa": ["Pak Kades Perian"],
                "pendamping": ["Bu Pendamping"],
                "telepon": ["0812-0000-1111"],
            }
        ),
    )
    return data, _pages(data)


def test_combined_sheet_has_teams_villages_and_demo_mark(combined, plan):
    data, pages = combined
    assert data.startswith(b"%PDF")
    text = " ".join(pages)
    for route in plan.routes:
        assert route.tim in text
        assert route.depot_nama in text
        for stop in route.stops:
            assert stop.desa in text
    assert all("DATA CONTOH" in page for page in pages)
    assert "Halaman 1 dari" in pages[0]
    assert f"Halaman {len(pages)} dari {len(pages)}" in pages[-1]
    assert "30 Oktober 2026" in pages[0]  # the plan's date
    assert "Senin, 2 November 2026" in pages[0]
    assert "menginap" in text and "perahu" in text and "perkiraan" in text
    assert "Kembali ke depot" in text
    assert "Pak Kades Perian" in text and "0812-0000-1111" in text
    assert "Dinas Sosial Kabupaten Kutai Kartanegara" in text and "Bank BRI" in text
    assert "Tanda tangan" in text


def test_each_team_starts_on_a_new_page(combined):
    _, pages = combined
    # The header band names the team of every page; team 2's pages follow team 1's.
    owners = ["Tim 2 Hulu" in p for p in pages]
    assert not owners[0] and owners[-1]
    first2 = owners.index(True)
    assert all(owners[first2:]) and not any(owners[:first2])
    assert not any("Tim 1 Delta" in p for p in pages[first2:])
    assert "Lembar Rute Kunjungan \u2013 Tim 2 Hulu" in pages[first2]


def test_names_masked_nik_and_escaping(combined):
    _, pages = combined
    text = " ".join(pages)
    assert NIK_MASKED.search(text)
    assert not FULL_NIK.search(text)
    assert ODD_NAME in text  # markup shown literally, not bold text "Siti & Co"
    assert "Warga Contoh 59" in text
    assert "Sudah Cair" not in text  # terealisasi
    assert "Desa Lain" not in text  # a village off the route
    assert "Tim Dua Orang" in text
    assert "belum transaksi" in text and "tidak transaksi" in text and "tanpa data BRI" in text
    assert "pindah domisili" in text


def test_long_kpm_list_paginates_with_repeated_header(combined):
    _, pages = combined
    assert len(pages) > 1
    with_header = [p for p in pages if "NIK (disamarkan)" in p]
    assert len(with_header) >= 2


def test_version_without_names_has_no_names_or_nik(plan, bounds):
    data = sheets.route_sheet_pdf(
        plan, villages=bounds.villages, kpm=_kpm(), with_names=False, depots=DEPOTS
    )
    pages = _pages(data)
    text = " ".join(pages)
    assert "Warga Contoh" not in text and "Siti" not in text and "Tim Dua Orang" not in text
    assert not NIK_MASKED.search(text)
    assert not re.search(r"\d{4}\*+\d{2}", text)
    assert not FULL_NIK.search(text)
    assert "NIK (disamarkan)" not in text
    assert all("DATA CONTOH" in p for p in pages)
    assert "belum transaksi" in text and "PKH" in text and "BPNT" in text
    for route in plan.routes:
        for stop in route.stops:
            assert stop.desa in text


def test_one_team_only(plan, bounds):
    pages = _pages(
        sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=_kpm(), team="Tim 2 Hulu")
    )
    text = " ".join(pages)
    assert "Tim 2 Hulu" in text and "Gunung Sari" in text
    assert "Tim 1 Delta" not in text and "Perian" not in text
    assert "Lokasi depot tidak tersedia" in text  # no depots given
    with pytest.raises(RoutingError, match="Tim 9"):
        sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=None, team="Tim 9")


def test_not_demo_has_no_demo_mark_and_works_without_kpm(bounds):
    plan = _plan(bounds.villages, demo=False)
    pages = _pages(sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=None))
    text = " ".join(pages)
    assert "DATA CONTOH" not in text
    assert "Halaman 1 dari" in pages[0]
    assert "Daftar KPM tidak disertakan" in text
    assert "Isi nama dan nomor telepon" in text  # blank contact lines


def test_escaped_team_and_village_text(bounds):
    plan = _plan(bounds.villages)
    odd = replace(plan.routes[1], tim="Tim <i>&", anggota=("A & B <x>",))
    plan = replace(plan, routes=(plan.routes[0], odd))
    text = " ".join(_pages(sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=None)))
    assert "Tim <i>&" in text and "A & B <x>" in text


def test_files(plan, bounds, tmp_path):
    paths = sheets.route_sheet_files(
        plan, villages=bounds.villages, kpm=_kpm(), out_dir=tmp_path / "out", depots=DEPOTS
    )
    assert list(paths) == [
        "lembar_rute.pdf",
        "lembar_rute_tim_1_delta.pdf",
        "lembar_rute_tim_2_hulu.pdf",
        "lembar_rute_tanpa_nama.pdf",
    ]
    assert all(p.is_file() and p.parent == tmp_path / "out" for p in paths.values())
    team1 = " ".join(_pages(paths["lembar_rute_tim_1_delta.pdf"].read_bytes()))
    assert "Tim 1 Delta" in team1 and "Tim 2 Hulu" not in team1 and "Gunung Sari" not in team1
    assert ODD_NAME in team1
    blind = " ".join(_pages(paths["lembar_rute_tanpa_nama.pdf"].read_bytes()))
    assert "Warga Contoh" not in blind and not re.search(r"\d{4}\*+\d{2}", blind)
    assert "Tim 1 Delta" in blind and "Tim 2 Hulu" in blind


def test_team_files_slugs_do_not_collide(bounds):
    plan = _plan(bounds.villages)
    plan = replace(
        plan,
        routes=(
            replace(plan.routes[0], tim="Tim 1"),
            replace(plan.routes[1], tim="Tim-1"),
        ),
    )
    assert sheets.team_files(plan) == {
        "Tim 1": "lembar_rute_tim_1.pdf",
        "Tim-1": "lembar_rute_tim_1_2.pdf",
    }
    assert sheets.slug("Tanpa Nama") == "tanpa_nama"


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) missing")
def test_first_page_renders_to_png(combined, tmp_path):
    data, _ = combined
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    out = list(tmp_path.glob("p*.png"))
    assert len(out) == 1 and out[0].read_bytes().startswith(b"\x89PNG")


def test_same_plan_gives_identical_bytes(plan, bounds):
    one = sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=_kpm(), team="Tim 2 Hulu")
    two = sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=_kpm(), team="Tim 2 Hulu")
    assert one == two


def test_a_night_at_home_and_a_landing_are_on_the_sheet(bounds):
    import dataclasses

    plan = _plan(bounds.villages)
    team1 = plan.routes[0]
    first = dataclasses.replace(team1.stops[0], menginap=False, pulang_malam=45)
    boat = dataclasses.replace(team1.stops[1], dermaga="Dermaga Anggana")
    home = dataclasses.replace(team1, stops=(first, boat, *team1.stops[2:]))
    plan = dataclasses.replace(plan, routes=(home, *plan.routes[1:]))
    text = " ".join(
        _pages(sheets.route_sheet_pdf(plan, villages=bounds.villages, kpm=None, team=home.tim))
    )
    assert "1 malam pulang ke depot" in text
    assert "pulang ke depot (45 menit), bermalam di rumah" in " ".join(text.split())
    assert "kali menginap" not in text
    assert "via Dermaga Anggana" in text  # the landing where the boat leaves
