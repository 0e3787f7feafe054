"""Shared page setup: header, sidebar (round selector), demo banner, cached loaders.

Pages call ``page_setup(title)`` first. Everything a page computes comes from ``geo``; this module
only caches it and renders the common parts. Session-state keys live in ``Keys``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from geo import fmt
from geo._errors import BoundarySourceError, JangkauError
from geo.areas import boundaries
from geo.intake.problems import Problem, problems_to_frame
from geo.outputs import maps
from geo.realization import coverage
from geo.realization import rounds as round_choice
from geo.safety import auth
from geo.store.database import RoundInfo, Store

#: Indonesian column headings for tables shown on pages.
LABELS = {
    "kode": "Kode",
    "kode_desa": "Kode desa",
    "nama": "Nama",
    "desa": "Desa",
    "jenis": "Jenis",
    "kecamatan": "Kecamatan",
    "cabang": "Cabang BRI",
    "program": "Program",
    "kpm": "KPM",
    "terealisasi": "Terealisasi",
    "belum_transaksi": "Belum transaksi",
    "tidak_transaksi": "Tidak transaksi",
    "tanpa_data_bri": "Tanpa data BRI",
    "belum": "Belum (total)",
    "persen_belum": "% belum",
    "kpm_sebelum": "KPM sebelum",
    "belum_sebelum": "Belum sebelum",
    "persen_sebelum": "% terealisasi sebelum",
    "kpm_sesudah": "KPM sesudah",
    "belum_sesudah": "Belum sesudah",
    "persen_sesudah": "% terealisasi sesudah",
    "selisih_pp": "Selisih (poin)",
    "perubahan": "Perubahan",
    "putaran": "Putaran",
    "label": "Label",
    "tanggal": "Tanggal",
    "berkas": "Berkas",
    "persen_terealisasi": "% terealisasi",
    "masalah": "Masalah",
    "data_contoh": "Data contoh",
}

#: Indonesian headings for a table of problems (``geo.intake.problems.problems_to_frame``).
PROBLEM_LABELS = {
    "file": "Berkas",
    "row": "Baris",
    "column": "Kolom",
    "value": "Nilai",
    "reason": "Alasan",
}

#: The app's pages in menu order: (file, title, icon). The first is the default page.
PAGES: list[tuple[str, str, str]] = [
    ("pages/ringkasan.py", "Ringkasan", ":material/dashboard:"),
    ("pages/peta_cakupan.py", "Peta Cakupan", ":material/map:"),
    ("pages/rekonsiliasi.py", "Data & Rekonsiliasi", ":material/sync_alt:"),
    ("pages/jarak_layanan.py", "Jarak Layanan", ":material/route:"),
    ("pages/rute_kunjungan.py", "Rute Kunjungan", ":material/directions_car:"),
    ("pages/jadwal.py", "Jadwal", ":material/calendar_month:"),
    ("pages/akun.py", "Akun & Audit", ":material/admin_panel_settings:"),
]

#: The least role that may open each page (others: pengamat).
PAGE_ROLES = {"pages/rekonsiliasi.py": "perencana", "pages/akun.py": "admin"}


class Keys:
    """Every ``st.session_state`` key the app uses (UI selections only)."""

    ROUND = "round_id"
    #: The round chosen last, kept apart from the sidebar widget: Streamlit drops a widget's
    #: state when another page runs, this key survives the page change.
    ROUND_KEPT = "round_kept"
    PROGRAM = "program"
    METRIC = "map_metric"
    KECAMATAN = "filter_kecamatan"
    CABANG = "filter_cabang"
    SELECTED_VILLAGE = "selected_village"
    SELECT_ROUND = "select_round_next_run"
    LAST_ROUND = "last_reconciled_round"
    FLASH = "flash_message"
    PLAN = "route_plan"
    USER = "signed_in_user"
    LAST_ACTIVE = "last_active"
    REACH_TAB = "reach_tab"


#: The page address's query parameter holding the round shown (``?putaran=2``).
ROUND_PARAM = "putaran"


@st.cache_resource(show_spinner="Memuat batas wilayah Kutai Kartanegara…")
def get_boundaries() -> boundaries.Boundaries:
    return boundaries.load()


@st.cache_resource(show_spinner="Menyederhanakan lapisan peta…")
def map_layers() -> tuple:
    """Villages and kecamatan simplified for the map (shared borders kept); computed once."""
    bounds = get_boundaries()
    return maps.simplify_layer(bounds.villages), maps.simplify_layer(bounds.kecamatan)


@st.cache_resource
def get_store() -> Store:
    return Store()


@st.cache_data(show_spinner=False)
def round_villages(round_id: int | None) -> pd.DataFrame:
    if round_id is None:
        return coverage.empty_counts()
    return get_store().round_villages(round_id)


@st.cache_data(show_spinner=False)
def service_points(version: str) -> pd.DataFrame:
    # ``version`` changes whenever points are saved, so an edit shows at once.
    return get_store().service_points()


@dataclass(frozen=True)
class PageContext:
    """What every page gets from ``page_setup``."""

    bounds: boundaries.Boundaries
    store: Store
    round: RoundInfo | None
    is_demo: bool
    user: auth.Account

    def can(self, role: str) -> bool:
        return self.user.can(role)


def _sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, StreamlitAPIException):
        return False


def signed_in() -> auth.Account | None:
    """The signed-in account, or ``None`` (also after ``settings.SESSION_TIMEOUT_MIN`` idle)."""
    data = st.session_state.get(Keys.USER)
    last = st.session_state.get(Keys.LAST_ACTIVE, 0.0)
    if data and auth.session_expired(last, time.time()):
        st.session_state.pop(Keys.USER, None)
        st.session_state[Keys.FLASH] = (
            "info",
            "Sesi berakhir karena lama tidak dipakai; masuk lagi.",
        )
        data = None
    if data is None and _sso_configured() and getattr(st.user, "is_logged_in", False):
        account = auth.sso_account(getattr(st.user, "email", None))
        if account is not None:
            data = account.__dict__
            st.session_state[Keys.USER] = data
    if data is None:
        return None
    st.session_state[Keys.LAST_ACTIVE] = time.time()
    return auth.Account(**data)


def _login_form(title: str) -> None:
    st.title("Jangkau")
    st.caption("Dinas Sosial Kutai Kartanegara · Bank BRI — masuk untuk melihat data.")
    message = st.session_state.pop(Keys.FLASH, None)
    if message:
        getattr(st, message[0])(md(message[1]))
    try:
        no_accounts = not auth.has_accounts()
    except auth.AuthError as exc:
        st.error(md(str(exc)))
        st.stop()
    if no_accounts:
        st.warning(
            "Belum ada akun. Buat admin pertama dengan `python -m geo akun tambah --nama admin "
            "--peran admin` (atau `make run`, yang membuat admin DATA CONTOH)."
        )
    with st.form("login"):
        username = st.text_input("Nama pengguna")
        password = st.text_input("Kata sandi", type="password")
        if st.form_submit_button("Masuk", type="primary"):
            account = auth.verify(username, password)
            if account is None:
                st.error("Nama pengguna atau kata sandi salah.")
            else:
                st.session_state[Keys.USER] = account.__dict__
                st.session_state[Keys.LAST_ACTIVE] = time.time()
                st.rerun()
    if _sso_configured():
        st.button("Masuk dengan SSO", on_click=st.login)
        if getattr(st.user, "is_logged_in", False):
            st.error("Akun SSO ini belum terdaftar di Jangkau; minta admin menambahkannya.")
    st.stop()


def _load_demo_offer(store: Store, bounds: boundaries.Boundaries) -> None:
    from geo.datasets import load_demo

    st.info(
        "Basis data masih kosong. Unggah data Dinsos dan BRI di halaman Data & Rekonsiliasi, "
        "atau muat DATA CONTOH untuk mencoba aplikasi."
    )
    if st.button("Muat DATA CONTOH", type="primary"):
        try:
            with st.spinner("Membuat dan memuat DATA CONTOH…"):
                load_demo(store, bounds)
        except (JangkauError, OSError) as exc:
            st.error(f"DATA CONTOH tidak dapat dimuat: {md(str(exc))}")
            return
        st.cache_data.clear()
        st.rerun()


def _menu(user: auth.Account) -> None:
    try:
        for path, label, icon in PAGES:
            if user.can(PAGE_ROLES.get(path, "pengamat")):
                st.page_link(path, label=label, icon=icon)
    except StreamlitAPIException:
        # A page run on its own (tests, `streamlit run pages/x.py`) has no navigation to link to.
        pass
    st.caption(f"Masuk sebagai {md(user.nama or user.username)} ({user.peran})")
    if st.button("Keluar", key="logout"):
        st.session_state.pop(Keys.USER, None)
        if _sso_configured() and getattr(st.user, "is_logged_in", False):
            st.logout()
        st.rerun()
    st.divider()


def page_setup(title: str, *, icon: str = ":material/map:", role: str = "pengamat") -> PageContext:
    """Sign-in, header, sidebar and demo banner; stops the page with a clear message when the
    user may not see it or data is missing."""
    st.set_page_config(page_title=f"{title} · Jangkau", page_icon=icon, layout="wide")
    user = signed_in()
    if user is None:
        _login_form(title)
    if not user.can(role):
        st.title(title)
        st.error(
            f"Halaman ini untuk peran {role} atau lebih tinggi; akun Anda berperan {user.peran}. "
            "Minta admin bila Anda memerlukannya."
        )
        st.stop()
    try:
        bounds = get_boundaries()
    except BoundarySourceError as exc:
        st.title(title)
        st.error(str(exc))
        st.stop()
    try:
        store = get_store()
    except JangkauError as exc:
        st.title(title)
        st.error(str(exc))
        st.stop()

    rounds = store.rounds()
    with st.sidebar:
        st.markdown("### Jangkau")
        st.caption("Dinas Sosial Kutai Kartanegara · Bank BRI")
        _menu(user)
        selected = _round_picker(rounds)
    is_demo = bool(selected and selected.is_demo) or store.has_demo_points()
    if is_demo:
        st.markdown(
            '<div data-testid="demo-banner" style="background:#b00020;color:white;'
            'padding:6px 12px;border-radius:4px;font-weight:bold;margin-bottom:8px">'
            f"{fmt.DEMO_BANNER}</div>",
            unsafe_allow_html=True,
        )
    st.title(title)
    if selected is not None:
        st.caption(
            f"Putaran #{selected.id} “{md(selected.label)}”, {fmt.tanggal(selected.created_at)}",
            help="Putaran rekonsiliasi yang ditampilkan; ganti di sisi kiri.",
        )
    message = st.session_state.pop(Keys.FLASH, None)
    if message:
        getattr(st, message[0])(md(message[1]))
    if selected is None and store.is_empty() and user.can("perencana"):
        _load_demo_offer(store, bounds)
    return PageContext(bounds=bounds, store=store, round=selected, is_demo=is_demo, user=user)


def _round_picker(rounds: list[RoundInfo]) -> RoundInfo | None:
    """The sidebar's round choice. It stays on every page and across reruns, and it is in the
    page address (``?putaran=N``), so that a reload or a link a planner sends opens that round."""
    if not rounds:
        return None
    ids = [r.id for r in rounds]
    labels = {r.id: f"#{r.id} · {r.label} · {fmt.tanggal(r.created_at)}" for r in rounds}
    st.session_state[Keys.ROUND] = round_choice.pick_round(
        ids,
        asked=st.session_state.pop(Keys.SELECT_ROUND, None),
        shown=st.session_state.get(Keys.ROUND),
        linked=st.query_params.get(ROUND_PARAM),
        kept=st.session_state.get(Keys.ROUND_KEPT),
    )
    rid = st.selectbox(
        "Putaran rekonsiliasi",
        ids,
        format_func=labels.__getitem__,
        key=Keys.ROUND,
        help="Bawaan: putaran terbaru. Pilihan ini berlaku di semua halaman dan ikut dalam "
        "alamat halaman.",
        placeholder="Pilih putaran…",
    )
    st.session_state[Keys.ROUND_KEPT] = rid
    st.query_params[ROUND_PARAM] = str(rid)
    return next(r for r in rounds if r.id == rid)


def md(text: object) -> str:
    """Text from a user's file or form, escaped so that markdown shows it as written."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in str(text))


_MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~$:")


def program_choice(container=st) -> str:
    """The programme filter shared by the pages (``SEMUA``, ``PKH`` or ``BPNT``)."""
    return (
        container.segmented_control(
            "Program", list(coverage.PROGRAMS), default="SEMUA", key=Keys.PROGRAM
        )
        or "SEMUA"
    )


def vendor_warning() -> None:
    """Say so when Leaflet is not installed locally: the map then needs internet."""
    if not maps.vendor_available():
        st.warning(
            "Pustaka peta (Leaflet) belum terpasang di static/vendor, jadi peta memerlukan "
            "internet. Jalankan `make vendor` (atau `make run`) untuk memasangnya."
        )


def problem_table(problems: list[Problem] | pd.DataFrame) -> pd.DataFrame:
    """Problems (a list, or a frame with ``file, row, column, value, reason``) with Indonesian
    headings, to show on a page or in a planner's export."""
    frame = problems if isinstance(problems, pd.DataFrame) else problems_to_frame(problems)
    return frame.rename(columns=PROBLEM_LABELS)


def flash(text: str, *, kind: str = "success") -> None:
    """Show ``text`` at the top of the next run (after ``st.rerun``)."""
    st.session_state[Keys.FLASH] = (kind, text)


def select_round(round_id: int) -> None:
    """Make ``round_id`` the selected round everywhere and rerun with fresh data."""
    st.session_state[Keys.SELECT_ROUND] = round_id
    st.cache_data.clear()
    st.rerun()


def source_caption(ctx: PageContext) -> None:
    """One line naming the data source and its date."""
    if ctx.round is None:
        st.caption("Belum ada putaran rekonsiliasi.")
        return
    files = ", ".join(s.get("nama", "?") for s in ctx.round.sources)
    st.caption(
        f"Sumber: putaran #{ctx.round.id} “{md(ctx.round.label)}”, "
        f"{fmt.tanggal(ctx.round.created_at)} — berkas: {md(files)}."
    )
