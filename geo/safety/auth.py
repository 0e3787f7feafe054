"""Local accounts and roles.

Accounts live in a JSON file outside git (``settings.ACCOUNTS_FILE``, default
``DATA_DIR/akun.json``) with bcrypt-hashed passwords. Roles:

- ``pengamat`` (viewer): aggregates and maps; no names or NIK.
- ``perencana`` (planner): everything, including the lists of names for route sheets.
- ``admin``: accounts and the audit log, and everything a planner does.

Single sign-on users (Streamlit's OIDC login) are matched by e-mail to an account of the same
name, which gives their role; an unknown e-mail gets no access.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from geo import settings
from geo._errors import JangkauError

ROLES = ("pengamat", "perencana", "admin")
_RANK = {role: i for i, role in enumerate(ROLES)}


class AuthError(JangkauError):
    """Sign-in or account management failed; the message says why (never the password)."""


@dataclass(frozen=True)
class Account:
    """A signed-in user."""

    username: str
    peran: str
    nama: str = ""

    def __post_init__(self) -> None:
        if self.peran not in ROLES:
            raise ValueError(f"unknown role {self.peran!r}")

    def can(self, role: str) -> bool:
        """Whether this account has ``role`` or a stronger one."""
        return _RANK[self.peran] >= _RANK[role]


def accounts_file() -> Path:
    return settings.ACCOUNTS_FILE or settings.DATA_DIR / "akun.json"


def _load(path: Path | None = None) -> dict:
    path = path or accounts_file()
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise AuthError(
            f"Berkas akun {path} rusak atau tidak dapat dibaca. Pulihkan dari cadangan atau buat "
            "ulang dengan `python -m geo akun tambah`."
        ) from None


def _save(data: dict, path: Path | None = None) -> None:
    path = path or accounts_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".akun-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o600)  # hashes only, but nobody else needs to read them
    os.replace(tmp, path)


def has_accounts() -> bool:
    return bool(_load())


def list_accounts() -> list[Account]:
    return [
        Account(username=u, peran=a["peran"], nama=a.get("nama", "")) for u, a in _load().items()
    ]


def add_account(username: str, password: str, peran: str, *, nama: str = "") -> Account:
    """Create or replace an account.

    Raises
    ------
    AuthError
        Empty name, unknown role, or a password shorter than 10 characters.
    """
    username = username.strip().lower()
    if not username:
        raise AuthError("Nama pengguna kosong.")
    if peran not in ROLES:
        raise AuthError(f"Peran '{peran}' tidak dikenal; pilih {', '.join(ROLES)}.")
    if len(password) < 10:
        raise AuthError("Kata sandi terlalu pendek: paling sedikit 10 karakter.")
    data = _load()
    data[username] = {
        "hash": bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode(),
        "peran": peran,
        "nama": nama,
    }
    _save(data)
    return Account(username=username, peran=peran, nama=nama)


def remove_account(username: str) -> None:
    data = _load()
    data.pop(username.strip().lower(), None)
    _save(data)


def verify(username: str, password: str) -> Account | None:
    """The account when the password matches, else ``None`` (same answer for unknown users)."""
    data = _load()
    entry = data.get(username.strip().lower())
    # Compare against a dummy hash for unknown users so timing does not reveal who exists.
    stored = entry["hash"].encode() if entry else _DUMMY
    ok = bcrypt.checkpw(password.encode(), stored)
    if not entry or not ok:
        return None
    return Account(username=username.strip().lower(), peran=entry["peran"], nama=entry["nama"])


def sso_account(email: str | None) -> Account | None:
    """The account of a single-sign-on user (matched by e-mail), or ``None``."""
    if not email:
        return None
    entry = _load().get(email.strip().lower())
    if not entry:
        return None
    return Account(username=email.strip().lower(), peran=entry["peran"], nama=entry["nama"])


def random_password() -> str:
    return secrets.token_urlsafe(12)


def ensure_demo_admin() -> str | None:
    """Create the demo admin ``admin`` when there is no account yet; returns its password once."""
    if has_accounts():
        return None
    password = random_password()
    add_account("admin", password, "admin", nama="Admin (DATA CONTOH)")
    return password


_DUMMY = bcrypt.hashpw(b"jangkau-dummy-password", bcrypt.gensalt(rounds=4))


def session_expired(last_active: float, now: float) -> bool:
    """Whether a session idle since ``last_active`` (seconds, ``time.time()``) has run out at
    ``now``: more than ``settings.SESSION_TIMEOUT_MIN`` minutes."""
    return now - last_active > settings.SESSION_TIMEOUT_MIN * 60
