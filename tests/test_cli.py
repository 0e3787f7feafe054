"""The command line: same functions as the pages, clear errors, no traceback."""

import json
import re

import pytest

from geo import cli, settings

EVIL = "<img src=x onerror=alert(1)>"


def test_demo_writes_its_files(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path / "d"), "--seed", "7"]) == 0
    info = json.loads(capsys.readouterr().out)
    names = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert names == [
        "depot.csv",
        "dermaga.csv",
        "layanan.csv",
        "perahu.csv",
        "realisasi_bri.xlsx",
        "roster_dinsos.csv",
    ]
    assert info["seed"] == 7 and info["kpm_pkh"] > 10_000


def test_load_demo_once(capsys):
    assert cli.main(["load-demo"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["dimuat"] is True and first["putaran"] == 1
    assert cli.main(["load-demo"]) == 0
    assert json.loads(capsys.readouterr().out)["dimuat"] is False


def test_peta_standalone_from_latest_round_escapes_names(tmp_path, capsys):
    assert cli.main(["load-demo"]) == 0
    capsys.readouterr()
    layanan = settings.DATA_DIR / "demo" / f"seed-{settings.DEMO_SEED}" / "layanan.csv"
    text = layanan.read_text(encoding="utf-8").splitlines()
    first = text[1].split(",")
    first[1] = f'"{EVIL}"'
    evil = tmp_path / "layanan_evil.csv"
    evil.write_text("\n".join([text[0], ",".join(first), *text[2:]]), encoding="utf-8")
    out = tmp_path / "peta.html"
    assert cli.main(["peta", "--layanan", str(evil), "--out", str(out)]) == 0
    info = json.loads(capsys.readouterr().out)
    page = out.read_text(encoding="utf-8")
    assert info["desa"] == 237 and info["bytes"] < 1_500_000
    assert "\\u003cimg" not in page and "<img src=x" not in page
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in page
    assert "DATA CONTOH" in page
    assert len(set(re.findall(r'"kode": ?"(64\.02\.\d{2}\.\d{4})"', page))) == 237


def test_peta_from_desa_csv(tmp_path, capsys, bounds):
    desa = tmp_path / "desa.csv"
    desa.write_text(
        "kode_desa,desa,kecamatan,program,kpm,terealisasi,belum_transaksi,tidak_transaksi,"
        "tanpa_data_bri\n64.02.04.2004,Sepatin,Anggana,BPNT,40,10,20,5,5\n"
        "64.02.99.9999,X,Y,PKH,1,1,0,0,0\n",
        encoding="utf-8",
    )
    layanan = tmp_path / "layanan.csv"
    layanan.write_text("id,nama,jenis,lat,lon\nEW-1,E-Warong A,e-warong,-0.44,116.98\n")
    out = tmp_path / "peta.html"
    code = cli.main(["peta", "--layanan", str(layanan), "--desa", str(desa), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["belum"] == 30
    assert "64.02.99.9999" in captured.err  # unknown village reported, not silently dropped


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "kosong"),
        (b"nama,jenis\nA,e-warong\n", "kolom"),
    ],
)
def test_peta_bad_layanan_exits_2(tmp_path, capsys, content, expected):
    bad = tmp_path / "layanan.csv"
    bad.write_bytes(content)
    code = cli.main(["peta", "--layanan", str(bad), "--out", str(tmp_path / "p.html")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and expected in err.lower()


def test_missing_file_exits_2(tmp_path, capsys):
    code = cli.main(["peta", "--layanan", str(tmp_path / "nope.csv"), "--out", "x.html"])
    assert code == 2
    assert "tidak dapat dibaca" in capsys.readouterr().err


DESA_COLUMNS = (
    "kode_desa,desa,kecamatan,program,kpm,terealisasi,belum_transaksi,tidak_transaksi,"
    "tanpa_data_bri"
)


def test_reconcile_contract(tmp_path, capsys):
    import pandas as pd

    assert cli.main(["demo", "--out", str(tmp_path / "d"), "--seed", "3"]) == 0
    capsys.readouterr()
    out = tmp_path / "out"
    code = cli.main(
        [
            "reconcile",
            "--roster",
            str(tmp_path / "d" / "roster_dinsos.csv"),
            "--realisasi",
            str(tmp_path / "d" / "realisasi_bri.xlsx"),
            "--out",
            str(out),
        ]
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0 and len(lines) == 1
    summary = json.loads(lines[0])
    desa = pd.read_csv(out / "desa.csv", dtype={"kode_desa": str})
    assert ",".join(desa.columns[:9]) == DESA_COLUMNS
    assert set(desa["program"]) == {"PKH", "BPNT"}
    parts = desa[["terealisasi", "belum_transaksi", "tidak_transaksi", "tanpa_data_bri"]]
    assert (parts.sum(axis=1) == desa["kpm"]).all()
    assert desa["kpm"].sum() == summary["kpm"]
    masalah = pd.read_csv(out / "masalah.csv", dtype=str)
    assert list(masalah.columns[:5]) == ["file", "row", "column", "value", "reason"]
    assert len(masalah) == summary["masalah"] > 0
    assert not masalah["value"].fillna("").str.contains(r"\d{16}").any()  # NIK masked
    assert "putaran" not in summary  # no --round: nothing saved


def test_reconcile_with_mapping_and_round(tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "NO INDUK;NAMA;KEC;KELURAHAN DESA;PKH\n"
        "6402015507800001;SITI;Tenggarong;Bukit Biru;Ya\n"
        "6402015507800002;AMIR;Anggana;Sepatin;Ya\n",
        encoding="utf-8",
    )
    real = tmp_path / "bri.csv"
    real.write_text(
        "KODE WILAYAH,NIK,PROGRAM,STATUS\n64.02.06.1003,6402015507800001,PKH,SUDAH TRANSAKSI\n",
        encoding="utf-8",
    )
    args = ["reconcile", "--roster", str(roster), "--realisasi", str(real)]
    args += ["--out", str(tmp_path / "o"), "--round", "Uji"]
    assert cli.main(args) == 2  # the roster's NIK header is not recognised
    err = capsys.readouterr().err
    assert "NIK" in err and "NO INDUK" in err and "Traceback" not in err
    args += ["--kolom-roster", "nik=NO INDUK", "--kolom-roster", "kecamatan=KEC"]
    args += ["--kolom-roster", "desa=KELURAHAN DESA"]
    assert cli.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["putaran"] == 1 and summary["putaran_baru"] is True
    assert summary["status"]["terealisasi"] == 1 and summary["status"]["tanpa_data_bri"] == 1
    assert cli.main([*args[:-6], "--kolom-roster", "nik"]) == 2
    assert "BIDANG=JUDUL" in capsys.readouterr().err


def test_reconcile_messy_files_lists_every_problem_row(tmp_path, capsys):
    import pandas as pd

    from tests.paths import ROOT

    messy = ROOT / "tests" / "data" / "messy"
    out = tmp_path / "out"
    args = ["reconcile", "--roster", str(messy / "roster_messy.csv")]
    args += ["--realisasi", str(messy / "realisasi_messy.csv"), "--out", str(out)]
    assert cli.main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    masalah = pd.read_csv(out / "masalah.csv", dtype=str)
    rows = set(zip(masalah["file"], masalah["row"].astype(int), strict=True))
    # Excel-mangled NIK (row 3) and a 15-digit NIK (row 4) in the Windows-1252 roster.
    assert ("roster_messy.csv", 3) in rows and ("roster_messy.csv", 4) in rows
    assert summary["masalah"] == len(masalah)
    assert (
        summary["berkas"]["roster"]["baris_diimpor"] < summary["berkas"]["roster"]["baris_dibaca"]
    )


def test_peta_draws_only_active_points(tmp_path, capsys):
    layanan = tmp_path / "layanan.csv"
    layanan.write_text(
        "id,nama,jenis,lat,lon,aktif\n"
        "EW-1,E-Warong Aktif,e-warong,-0.44,116.98,ya\n"
        "EW-2,E-Warong Tutup,e-warong,-0.45,116.99,tidak\n",
        encoding="utf-8",
    )
    out = tmp_path / "peta.html"
    assert cli.main(["peta", "--layanan", str(layanan), "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "E-Warong Aktif" in page and "E-Warong Tutup" not in page


def test_peta_bad_capacity_is_one_problem_not_a_crash(tmp_path, capsys):
    layanan = tmp_path / "layanan.csv"
    layanan.write_text(
        "id,nama,jenis,lat,lon,kapasitas\n"
        "EW-1,A,e-warong,-0.44,116.98,nan\n"
        "EW-2,B,e-warong,-0.45,116.99,-5\n"
        "EW-3,C,e-warong,-0.45,116.99,250\n",
        encoding="utf-8",
    )
    out = tmp_path / "peta.html"
    assert cli.main(["peta", "--layanan", str(layanan), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "baris 2 kolom kapasitas" in err and "baris 3 kolom kapasitas" in err
    assert "C" in out.read_text(encoding="utf-8")


NEAREST_HEADER = (
    "kode_desa,desa,kecamatan,layanan_id,layanan_nama,layanan_jenis,jarak_lurus_km,"
    "jarak_tempuh_km,waktu_menit,sumber"
)


def test_nearest_contract_matches_the_library(tmp_path, capsys, bounds):
    import pandas as pd

    from geo.reach import network, per_village
    from geo.store.database import Store

    assert cli.main(["load-demo"]) == 0
    capsys.readouterr()
    layanan = settings.DATA_DIR / "demo" / f"seed-{settings.DEMO_SEED}" / "layanan.csv"
    out = tmp_path / "near.csv"
    assert cli.main(["nearest", "--layanan", str(layanan), "--out", str(out)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["desa"] == 237 and info["tak_terjangkau"] == []
    table = pd.read_csv(out, dtype={"kode_desa": str})
    assert ",".join(table.columns[:10]) == NEAREST_HEADER
    assert table["sumber"].str.contains("perahu").any()
    # The page computes the same from the store's points and boat legs.
    store = Store()
    net = network.load_network(
        bounds.villages, store.service_points(), jaringan="", boats=store.boat_legs()
    )
    page = per_village.nearest(net, bounds.villages, store.service_points())
    assert table["layanan_id"].tolist() == page["layanan_id"].tolist()
    assert table["waktu_menit"].round(1).tolist() == page["waktu_menit"].round(1).tolist()
    est = tmp_path / "est.csv"
    args = ["nearest", "--layanan", str(layanan), "--jaringan", "perkiraan"]
    assert cli.main([*args, "--jenis", "e-warong", "--out", str(est)]) == 0
    capsys.readouterr()
    est_table = pd.read_csv(est)
    assert set(est_table["sumber"]) == {"perkiraan"}
    assert set(est_table["layanan_jenis"]) == {"e-warong"}
    assert cli.main([*args, "--jenis", "warung", "--out", str(est)]) == 2
    assert "--jenis" in capsys.readouterr().err
