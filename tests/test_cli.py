"""The command line: same functions as the pages, clear errors, no traceback."""

import json
import re

import pytest

from geo import cli, settings

EVIL = "<img src=x onerror=alert(1)>"


def test_demo_writes_four_files(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path / "d"), "--seed", "7"]) == 0
    info = json.loads(capsys.readouterr().out)
    names = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert names == ["depot.csv", "layanan.csv", "realisasi_bri.xlsx", "roster_dinsos.csv"]
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
    assert EVIL not in page
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
