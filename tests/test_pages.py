"""Smoke tests: every page renders without an exception, on an empty store and on demo data."""

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import boundaries, settings
from geo.datasets import load_demo
from geo.store import Store
from pages.common import Keys

from .conftest import ROOT

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

    from geo import routing

    store = Store()
    plan = routing.plan_routes(
        bounds.villages,
        store.service_points(),
        store.depots(),
        store.round_villages(store.latest_round().id),
        teams=[routing.Team("Tim 1", "KC-TGR", hari=2)],
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


# -- sign-in and roles -----------------------------------------------------------------------


@pytest.mark.parametrize("page", [*PAGES, "pages/akun.py"])
def test_no_page_shows_data_before_sign_in(with_demo, page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=120).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Jangkau"]
    assert not at.metric and not at.dataframe
    assert "data sintetis" not in _texts(at)  # not even the demo banner


def test_sign_in_with_a_local_account(with_demo):
    from geo import auth

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
