"""Smoke tests: every page renders without an exception, on an empty store and on demo data."""

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.areas import boundaries
from geo.datasets import load_demo
from geo.store.database import Store
from pages.common import Keys
from tests.paths import ROOT

PAGES = [
    "pages/ringkasan.py",
    "pages/peta_cakupan.py",
    "pages/rekonsiliasi.py",
    "pages/jarak_layanan.py",
    "pages/rute_kunjungan.py",
    "pages/jadwal.py",
]


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, boundaries_cache):
    """A data folder with the demo set loaded once for this module."""
    folder = tmp_path_factory.mktemp("demo-data")
    store = Store(f"sqlite:///{folder / 'jangkau.db'}")
    load_demo(store, boundaries.load(cache_dir=boundaries_cache), out_dir=folder / "demo")
    store.dispose()
    return folder


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture
def with_demo(demo_dir, monkeypatch, isolated_settings):
    monkeypatch.setattr(settings, "DATA_DIR", demo_dir)
    return demo_dir


def app(page: str, *, role: str = "admin", timeout: int = 120) -> AppTest:
    """An AppTest of ``page`` with a signed-in user of ``role``."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=timeout)
    at.session_state[Keys.USER] = {"username": f"uji-{role}", "peran": role, "nama": "Uji"}
    at.session_state[Keys.LAST_ACTIVE] = time.time()
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_on_demo_data(with_demo, page):
    at = app(page).run()
    assert not at.exception, at.exception
    assert "DATA CONTOH" in _texts(at)


def test_overview_kpis_on_demo(with_demo):
    at = app("pages/ringkasan.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels[:5] == [
        "KPM (keluarga)",
        "KPM × program",
        "Terealisasi",
        "Belum terealisasi",
        "% terealisasi",
    ]
    value = [int(m.value.replace(".", "")) for m in at.metric[:4]]  # Indonesian thousands
    assert 30_000 < value[0] < value[1]  # families counted once, enrolments per programme
    assert value[2] + value[3] == value[1]
    assert len(at.dataframe) == 1
    assert len(at.dataframe[0].value) == 20  # one row per kecamatan


def test_overview_program_filter(with_demo):
    at = app("pages/ringkasan.py").run()
    total = int(at.metric[2].value.replace(".", ""))
    at.session_state["program"] = "PKH"
    at.run()
    assert not at.exception
    pkh = int(at.metric[2].value.replace(".", ""))
    assert 0 < pkh < total


@pytest.mark.parametrize("page", PAGES)
def test_page_on_empty_store_offers_demo(page):
    at = app(page).run()
    assert not at.exception, at.exception
    assert any(b.label == "Muat DATA CONTOH" for b in at.button)


def test_loading_demo_from_the_page(isolated_settings):
    at = app("pages/ringkasan.py", timeout=300).run()
    next(b for b in at.button if b.label == "Muat DATA CONTOH").click().run()
    assert not at.exception
    assert "DATA CONTOH" in _texts(at)
    assert Store().latest_round() is not None


def test_missing_boundaries_are_explained(monkeypatch, tmp_path):
    monkeypatch.setattr(settings, "BOUNDARIES_CACHE", tmp_path / "nocache")
    monkeypatch.setattr(settings, "BOUNDARIES_SOURCE", str(tmp_path / "nowhere"))
    at = app("pages/ringkasan.py").run()
    assert not at.exception
    assert any("JANGKAU_BOUNDARIES" in e.value for e in at.error)


def test_app_navigation_runs_default_page(with_demo):
    at = app("app.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Ringkasan"


def test_schedule_page_with_a_saved_plan(with_demo, bounds):
    from datetime import date

    from geo.plan import model, routing

    store = Store()
    plan = routing.plan_routes(
        bounds.villages,
        store.service_points(),
        store.depots(),
        store.round_villages(store.latest_round().id),
        teams=[model.Team("Tim 1", "KC-TGR", hari=2)],
        mulai=date(2026, 12, 21),
        boats=store.boat_legs(),
        batas_detik=1.0,
        is_demo=True,
    )
    store.save_plan("Uji jadwal", plan.to_json(), is_demo=True)
    at = app("pages/jadwal.py").run()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "Hari-tim" in labels and "Konflik" in labels
    dates = " ".join(str(m.value) for m in at.metric)
    assert "25 Desember" not in dates  # Christmas is skipped
    # The calendar names the depot, not only its code.
    (calendar,) = [d.value for d in at.dataframe if "Hari ke-" in d.value.columns]
    assert set(calendar["Depot"]) == {"BRI KC Tenggarong"}
    # The routes page lists the saved plan before anything is solved, with a WITA time.
    at = app("pages/rute_kunjungan.py").run()
    assert not at.exception, at.exception
    assert "Rencana tersimpan" in [h.value for h in at.subheader]
    saved = at.dataframe[-1].value
    assert saved["Nama"].tolist() == ["Uji jadwal"] and saved["Data contoh"].tolist() == ["ya"]
    assert saved["Dibuat"].iloc[0].endswith("WITA")


# -- sign-in and roles -----------------------------------------------------------------------


@pytest.mark.parametrize("page", [*PAGES, "pages/akun.py"])
def test_no_page_shows_data_before_sign_in(with_demo, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Jangkau"]
    assert not at.metric and not at.dataframe
    assert "data sintetis" not in _texts(at)  # not even the demo banner


def test_sign_in_with_a_local_account(with_demo):
    from geo.safety import auth

    auth.add_account("perencana1", "sandi-rahasia-1", "perencana", nama="Perencana Satu")
    at = AppTest.from_file(str(ROOT / "pages/ringkasan.py"), default_timeout=120).run()
    at.text_input[0].input("perencana1")
    at.text_input[1].input("salah-sandi-xx")
    at.button[0].click().run()
    assert any("salah" in e.value for e in at.error)
    at.text_input[1].input("sandi-rahasia-1")
    at.button[0].click().run()
    assert not at.exception
    assert at.title[-1].value == "Ringkasan" and at.metric


def test_viewer_is_refused_planner_pages_and_named_lists(with_demo):
    at = app("pages/rekonsiliasi.py", role="pengamat").run()
    assert any("peran perencana" in e.value for e in at.error)
    assert not at.dataframe
    at = app("pages/akun.py", role="perencana").run()
    assert any("peran admin" in e.value for e in at.error)
    at = app("pages/ringkasan.py", role="pengamat").run()
    assert not at.exception and at.metric  # aggregates are for everyone


def test_session_times_out(with_demo, monkeypatch):
    from geo import settings

    at = app("pages/ringkasan.py")
    at.session_state[Keys.LAST_ACTIVE] = time.time() - settings.SESSION_TIMEOUT_MIN * 60 - 5
    at.run()
    assert [t.value for t in at.title] == ["Jangkau"] and not at.metric


# -- downloads -------------------------------------------------------------------------------


@pytest.fixture
def deferred_downloads(monkeypatch):
    """File name -> the callable a download button registered, to call as a click would.

    Called after the run, as Streamlit does on a click: a callable that looks a name up only
    then sees what the rest of the page bound to that name.
    """
    from streamlit.runtime.media_file_manager import MediaFileManager

    served: dict = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        served[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return served


def test_ranking_downloads_hold_the_village_ranking(with_demo, deferred_downloads, tmp_path):
    import io

    import geopandas as gpd
    import pandas as pd
    from openpyxl import load_workbook

    from geo.reach.service_points import JENIS_LABELS

    at = app("pages/jarak_layanan.py", role="perencana").run()
    assert not at.exception, at.exception
    villages = len(boundaries.load().villages)
    assert villages == 237
    served = deferred_downloads
    csv = pd.read_csv(
        io.BytesIO(served["jangkau_jarak_layanan.csv"]()),
        sep=";",
        dtype=str,
        keep_default_na=False,
        encoding="utf-8-sig",
    )
    assert len(csv) == villages and csv["peringkat"].tolist() == [str(i) for i in range(1, 238)]
    assert csv["kode_desa"].is_unique and "nik_samaran" not in csv
    assert set(csv["layanan_jenis"]) <= {*JENIS_LABELS.values(), ""}
    sheet = load_workbook(io.BytesIO(served["jangkau_jarak_layanan.xlsx"]()))["Peringkat"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["peringkat", "kode_desa", "desa"] and sheet.max_row == villages + 1
    path = tmp_path / "peringkat.gpkg"
    path.write_bytes(served["jangkau_jarak_layanan.gpkg"]())
    layer = gpd.read_file(path, layer="jarak_layanan")
    assert len(layer) == villages and "nik_samaran" not in layer
    # The per-KPM downloads hold the per-KPM table, readable, with what it leaves out.
    per_kpm = pd.read_csv(
        io.BytesIO(served["jangkau_jarak_kpm.csv"]()), sep=";", dtype=str, encoding="utf-8-sig"
    )
    assert "nik_samaran" in per_kpm and len(per_kpm) > villages
    assert set(per_kpm["terjangkau"]) <= {"ya", "tidak"}
    book = load_workbook(io.BytesIO(served["jangkau_jarak_kpm.xlsx"]()))
    notes = " ".join(str(r[0].value) for r in book["KETERANGAN"].iter_rows())
    assert "satu keluarga dalam satu program" in notes and "tanpa koordinat" in notes


def test_reach_page_texts_are_indonesian(with_demo):
    at = app("pages/jarak_layanan.py", role="perencana").run()
    assert not at.exception, at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "JANGKAU_JARINGAN" not in captions and "belum dipasang" in captions
    ranking = next(df.value for df in at.dataframe if "Peringkat" in df.value.columns)
    assert set(ranking["Jenis titik"]) <= {"e-Warong", "Agen BRILink", "Kantor BRI", ""}
    assert at.tabs[0].label == "Peta"


def _tab_containers(node, found: list) -> list:
    for child in getattr(node, "children", {}).values():
        if getattr(child, "type", None) == "tab_container":
            found.append(child.proto.tab_container)
        _tab_containers(child, found)
    return found


def test_a_save_keeps_the_tab(with_demo):
    at = app("pages/jarak_layanan.py", role="perencana").run()
    at.session_state[Keys.REACH_TAB] = "Ruas perahu"
    at.run()
    next(b for b in at.button if b.label == "Simpan ruas perahu").click().run()
    assert not at.exception, at.exception
    assert any("ruas perahu tersimpan" in s.value for s in at.success)
    # The tabs are a widget with state (an id), and the rerun after the save reopens the tab
    # the planner was in; untracked tabs always come back to the first one.
    (tabs,) = _tab_containers(at._tree, [])
    labels = [t.label for t in at.tabs]
    assert tabs.id and tabs.default_tab_index == labels.index("Ruas perahu")


def test_problem_table_has_indonesian_headings():
    from geo.intake.problems import Problem
    from pages.common import problem_table

    table = problem_table([Problem("tabel dermaga", 4, "nama", "Anggana", "nama kosong.")])
    assert list(table.columns) == ["Berkas", "Baris", "Kolom", "Nilai", "Alasan"]
    assert table["Baris"].tolist() == [4]


@pytest.fixture(scope="module")
def two_rounds_dir(tmp_path_factory, demo_dir, boundaries_cache):
    """The demo data with a second, newer round (the roster without its last family)."""
    import shutil

    from geo.realization.rounds import InputFile, run_round

    folder = tmp_path_factory.mktemp("two-rounds")
    shutil.copy(demo_dir / "jangkau.db", folder / "jangkau.db")
    roster = (demo_dir / "demo" / "roster_dinsos.csv").read_bytes()
    store = Store(f"sqlite:///{folder / 'jangkau.db'}")
    info, _ = run_round(
        store,
        roster=InputFile("roster_dinsos.csv", roster[: roster.rstrip().rfind(b"\n") + 1]),
        realisasi=InputFile(
            "realisasi_bri.xlsx", (demo_dir / "demo" / "realisasi_bri.xlsx").read_bytes()
        ),
        villages=boundaries.load(cache_dir=boundaries_cache).villages,
        label="Putaran kedua",
    )
    assert info.id == 2 and info.created
    store.dispose()
    return folder


def _round_shown(at: AppTest) -> int:
    return at.sidebar.selectbox(key=Keys.ROUND).value


def test_the_chosen_round_stays_on_every_page_and_in_the_address(two_rounds_dir, monkeypatch):
    monkeypatch.setattr(settings, "DATA_DIR", two_rounds_dir)
    at = app("app.py").run()
    assert _round_shown(at) == 2  # the newest by default
    at.sidebar.selectbox(key=Keys.ROUND).set_value(1).run()
    assert not at.exception, at.exception
    assert at.query_params["putaran"] == "1"
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        assert _round_shown(at) == 1, page
        assert at.query_params["putaran"] == "1"
        assert any(c.value.startswith("Putaran #1 ") for c in at.caption), page
    at.switch_page(PAGES[0]).run()
    assert _round_shown(at) == 1


def test_a_link_with_a_round_opens_that_round(two_rounds_dir, monkeypatch):
    monkeypatch.setattr(settings, "DATA_DIR", two_rounds_dir)
    at = app("pages/peta_cakupan.py")
    at.query_params["putaran"] = "1"  # a reload, or a link a colleague sent
    at.run()
    assert not at.exception, at.exception
    assert _round_shown(at) == 1
    stale = app("pages/ringkasan.py")
    stale.query_params["putaran"] = "99"  # a round deleted since: the newest instead
    stale.run()
    assert _round_shown(stale) == 2 and stale.query_params["putaran"] == "2"
