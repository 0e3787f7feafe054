"""The coverage map in a real browser: Debian's Chromium driven by Playwright, headless."""

import io
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.paths import ROOT

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = ""  # set by the app_url fixture


def open_signed_in(browser, url: str, *, height: int = 1100):
    """A new page at ``url``, signed in through the login form."""
    page = browser.new_page(viewport={"width": 1500, "height": height})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Nama pengguna").wait_for(timeout=90_000)
    page.get_by_label("Nama pengguna").fill("perencana-uji")
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    return page, errors


pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, boundaries_dir, boundaries_cache):
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian chromium is missing: `make test` installs it (apt-get install chromium)"
        )
    data = tmp_path_factory.mktemp("browser-data")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("JANGKAU_")},
        "JANGKAU_DATA_DIR": str(data),
        "JANGKAU_BOUNDARIES": str(boundaries_dir),
        "JANGKAU_BOUNDARIES_CACHE": str(boundaries_cache),
    }
    subprocess.run([sys.executable, "-m", "geo", "load-demo"], cwd=ROOT, env=env, check=True)
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "geo",
            "akun",
            "tambah",
            "--nama",
            "perencana-uji",
            "--peran",
            "admin",
            "--sandi-acak",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    global PASSWORD
    PASSWORD = json.loads(made.stdout)["sandi"]
    port = _free_port()
    log = open(data / "streamlit.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("streamlit did not start: " + (data / "streamlit.log").read_text()[-2000:])
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()
    text = (data / "streamlit.log").read_text()
    assert "Traceback" not in text, text[-3000:]
    assert not re.search(r"\b64\d{14}\b", text), "a NIK reached the server log"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def test_coverage_map_draws_all_villages(app_url, browser, tmp_path):
    page, errors = open_signed_in(browser, app_url + "/peta_cakupan")
    page.get_by_text("DATA CONTOH").first.wait_for(timeout=90_000)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    polygons = frame.locator("path.jangkau-desa")
    deadline = time.time() + 90
    while time.time() < deadline and polygons.count() < 237:
        time.sleep(0.5)
    assert polygons.count() == 237  # every village drawn, with no tile server reachable
    assert frame.get_by_text("DATA CONTOH").count() >= 1  # banner inside the map too
    assert frame.locator(".jangkau-legend").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    # The first visit straight to a page shows our menu, not a listing of the pages/ folder.
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.get_by_text("Ringkasan", exact=True).count() == 1
    assert sidebar.get_by_text("common", exact=True).count() == 0

    # Clicking a village shows its details beside the map (and raises no script error).
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.33, box["y"] + box["height"] * 0.35)
    page.get_by_text("Cabang BRI:").wait_for(timeout=30_000)
    assert page.get_by_text(re.compile(r"kode 64\.02\.\d{2}\.\d{4}")).count() == 1
    page.screenshot(path=str(tmp_path / "peta.png"), full_page=True)
    shots = os.environ.get("JANGKAU_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "peta_cakupan.png"), full_page=True)
    assert not errors, errors


def test_overview_in_browser(app_url, browser):
    page, errors = open_signed_in(browser, app_url + "/")
    page.get_by_text("KPM (keluarga)").wait_for(timeout=90_000)
    page.get_by_text("Per kecamatan").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    shots = os.environ.get("JANGKAU_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "ringkasan.png"), full_page=True)
    assert not errors, errors


def test_reconcile_page_uploads_messy_files(app_url, browser):
    messy = ROOT / "tests" / "data" / "messy"
    page, errors = open_signed_in(browser, app_url + "/rekonsiliasi", height=1400)
    page.get_by_text("Data Dinsos (DTKS / SIKS-NG)").first.wait_for(timeout=90_000)
    inputs = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    inputs.nth(0).set_input_files(str(messy / "roster_messy.csv"))
    page.get_by_text("Pratinjau 10 baris pertama").first.wait_for(timeout=30_000)
    inputs.nth(1).set_input_files(str(messy / "realisasi_messy.csv"))
    page.get_by_text("Pratinjau 10 baris pertama").nth(1).wait_for(timeout=30_000)
    body = page.inner_text("body")
    assert "6402011203810001" not in body  # the preview masks NIK
    page.get_by_role("button", name="Jalankan rekonsiliasi").click()
    page.get_by_text(re.compile(r"Putaran #\d+ .* tersimpan")).wait_for(timeout=60_000)
    page.get_by_text(re.compile(r"Hasil putaran #\d+")).wait_for()
    page.get_by_text("Daftar masalah (XLSX)").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    shots = os.environ.get("JANGKAU_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "rekonsiliasi.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="Daftar masalah (XLSX)").click()
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))["Masalah"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Berkas", "Baris", "Kolom", "Nilai", "Alasan"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert any(r[0] == "roster_messy.csv" and r[1] == 3 and r[2] == "NIK" for r in rows)
    assert not any(re.search(r"\d{16}", str(r[3])) for r in rows)
    assert not errors, errors


def test_route_page_solves_and_prints(app_url, browser):
    from pypdf import PdfReader

    page, errors = open_signed_in(browser, app_url + "/rute_kunjungan", height=1600)
    page.get_by_role("button", name="Susun rute").wait_for(timeout=90_000)
    page.get_by_role("button", name="Susun rute").click()
    page.get_by_text("3. Rencana").wait_for(timeout=120_000)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    frame.locator(".jangkau-stop").first.wait_for(timeout=60_000)  # numbered stops drawn
    assert page.locator('[data-testid="stException"]').count() == 0
    # The reasons for villages left out are read in full (a static table, wrapped), not cut off.
    page.get_by_text("Desa tidak dikunjungi (").click()
    reason = page.locator('[data-testid="stTable"] td').filter(has_text="tidak terpilih").first
    reason.wait_for(timeout=30_000)
    assert reason.inner_text().rstrip().endswith(("tandai wajib", "dikunjungi"))
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Lembar rute semua tim (PDF)").click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Lembar Rute Kunjungan" in text and "DATA CONTOH" in text
    assert not re.search(r"\b64\d{14}\b", text)  # NIK only masked on the sheet
    shots = os.environ.get("JANGKAU_SCREENSHOTS")
    if shots:
        page.screenshot(path=str(Path(shots) / "rute.png"), full_page=True)
    assert not errors, errors


def test_the_chosen_round_follows_the_planner_and_the_link(app_url, browser):
    # The reconcile test above saved a second round; a link naming round #1 opens #1.
    page, errors = open_signed_in(browser, app_url + "/?putaran=1")
    header = page.get_by_text(re.compile(r"^Putaran #1 “"))
    header.wait_for(timeout=90_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    # Through the menu to another page and back: still round #1, and still in the address.
    for label in ("Peta Cakupan", "Jarak Layanan", "Ringkasan"):
        sidebar.get_by_text(label, exact=True).click()
        page.get_by_role("heading", name=label).wait_for(timeout=90_000)
        page.get_by_text(re.compile(r"^Putaran #1 “")).wait_for(timeout=90_000)
        deadline = time.time() + 30
        while "putaran=1" not in page.url and time.time() < deadline:
            time.sleep(0.2)
        assert "putaran=1" in page.url, (label, page.url)
    # Without the link, a new session shows the newest round.
    other, more_errors = open_signed_in(browser, app_url + "/")
    other.get_by_text(re.compile(r"^Putaran #[2-9]\d* “")).wait_for(timeout=90_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert not errors and not more_errors, errors + more_errors
