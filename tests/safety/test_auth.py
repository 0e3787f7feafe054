import json
import stat

import pytest

from geo import cli, settings
from geo.safety import auth


def test_accounts_are_hashed_and_verified(tmp_path):
    auth.add_account("Siti", "sandi-yang-panjang", "perencana", nama="Siti A.")
    path = auth.accounts_file()
    text = path.read_text(encoding="utf-8")
    assert "sandi-yang-panjang" not in text and "$2b$" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    account = auth.verify("  SITI ", "sandi-yang-panjang")
    assert account.peran == "perencana" and account.can("pengamat") and not account.can("admin")
    assert auth.verify("siti", "salah-sandi-panjang") is None
    assert auth.verify("tidak-ada", "apa-saja-panjang") is None


def test_bad_accounts_are_refused():
    with pytest.raises(auth.AuthError, match="10 karakter"):
        auth.add_account("a", "pendek", "admin")
    with pytest.raises(auth.AuthError, match="Peran"):
        auth.add_account("a", "cukup-panjang-123", "raja")


def test_sso_user_needs_an_account():
    assert auth.sso_account("orang@bri.co.id") is None
    auth.add_account("orang@bri.co.id", "tidak-dipakai-sso", "pengamat")
    assert auth.sso_account("Orang@BRI.co.id").peran == "pengamat"


def test_demo_admin_once_and_cli(capsys):
    first = auth.ensure_demo_admin()
    assert first and auth.verify("admin", first).peran == "admin"
    assert auth.ensure_demo_admin() is None
    assert (
        cli.main(["akun", "tambah", "--nama", "pengamat1", "--peran", "pengamat", "--sandi-acak"])
        == 0
    )
    made = json.loads(capsys.readouterr().out)
    assert auth.verify("pengamat1", made["sandi"]).peran == "pengamat"
    assert cli.main(["akun", "daftar"]) == 0
    listed = capsys.readouterr().out
    assert "pengamat1" in listed and "$2b$" not in listed


def test_audit_log_records_exports():
    from geo.store.database import Store

    store = Store()
    store.audit("perencana1", "unduh lembar rute dengan nama", "semua tim; 12 desa")
    log = store.audit_log()
    assert log.loc[0, "pengguna"] == "perencana1" and "12 desa" in log.loc[0, "rincian"]


def test_session_runs_out_after_the_idle_minutes(monkeypatch):
    monkeypatch.setattr(settings, "SESSION_TIMEOUT_MIN", 10)
    assert not auth.session_expired(1000.0, 1000.0 + 600)
    assert auth.session_expired(1000.0, 1000.0 + 601)
