"""Routing entry points: from data to a plan (excluded and locked villages), and the CLI."""

import json

from geo import settings
from geo.plan import model
from tests.plan.helpers import _plan


def test_excluded_and_locked_villages(bounds, data):
    teams = [model.Team("Tim A", "KC-TGR", hari=1), model.Team("Tim B", "KC-SMD", hari=1)]
    pick = ["64.02.06.1003", "64.02.06.1004", "64.02.06.1005"]
    plan = _plan(
        bounds,
        data,
        teams,
        pilihan=pick,
        kecuali=("64.02.06.1005",),
        kunci={"64.02.06.1003": "Tim B"},
        wajib=("64.02.06.1003",),
    )
    where = {s.kode_desa: r.tim for r in plan.routes for s in r.stops}
    assert where.get("64.02.06.1003") == "Tim B"
    assert "64.02.06.1005" not in where
    assert "64.02.06.1005" not in {k for k, _, _ in plan.tidak_dikunjungi}


def test_cli_routes_writes_json_and_readable_pdfs(tmp_path, capsys, bounds):
    from pypdf import PdfReader

    from geo import cli

    assert cli.main(["load-demo"]) == 0
    demo_dir = settings.DATA_DIR / "demo" / f"seed-{settings.DEMO_SEED}"
    args = ["reconcile", "--roster", str(demo_dir / "roster_dinsos.csv")]
    args += ["--realisasi", str(demo_dir / "realisasi_bri.xlsx"), "--out", str(tmp_path / "r")]
    assert cli.main(args) == 0
    capsys.readouterr()
    out = tmp_path / "routes"
    args = ["routes", "--desa", str(tmp_path / "r" / "desa.csv")]
    args += ["--layanan", str(demo_dir / "layanan.csv"), "--tim", "4", "--hari", "3"]
    args += ["--mulai", "2026-12-07", "--batas-detik", "2", "--out", str(out)]
    assert cli.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    data = json.loads((out / "rute.json").read_text(encoding="utf-8"))
    assert data["params"]["jam_kerja_menit"] == 480
    assert summary["desa_dikunjungi"] == sum(len(r["stops"]) for r in data["routes"])
    assert all("alasan" in x and "kode_desa" in x for x in data["tidak_dikunjungi"])
    assert any(
        (r["stops"] and r["stops"][-1]["tiba"][:10] != r["berangkat"][:10])
        or any(s["menginap"] for s in r["stops"])
        for r in data["routes"]
    )  # multi-day
    text = "\n".join(p.extract_text() for p in PdfReader(out / "lembar_rute.pdf").pages)
    for route in data["routes"]:
        assert route["tim"] in text
        for stop in route["stops"]:
            assert stop["desa"] in text
        assert (out / f"lembar_rute_{route['tim'].lower().replace(' ', '_')}.pdf").is_file()
    assert "DATA CONTOH" in text
