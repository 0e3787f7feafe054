"""Akun & Audit (admin): accounts and roles, and who exported names or NIK when."""

import streamlit as st

from geo.safety import auth
from pages.common import flash, md, page_setup

ctx = page_setup("Akun & Audit", icon=":material/admin_panel_settings:", role="admin")

st.subheader("Akun")
accounts = auth.list_accounts()
st.dataframe(
    [{"Nama pengguna": a.username, "Nama": a.nama, "Peran": a.peran} for a in accounts],
    hide_index=True,
    width="stretch",
)
with st.form("new_account"):
    c1, c2, c3 = st.columns(3)
    username = c1.text_input("Nama pengguna (atau e-mail SSO)")
    nama = c2.text_input("Nama lengkap")
    peran = c3.selectbox("Peran", list(auth.ROLES), placeholder="Pilih peran…")
    password = st.text_input("Kata sandi (min. 10 karakter)", type="password")
    if st.form_submit_button("Simpan akun"):
        try:
            auth.add_account(username, password, peran, nama=nama)
        except auth.AuthError as exc:
            st.error(md(str(exc)))
        else:
            ctx.store.audit(ctx.user.username, "akun disimpan", f"{username} ({peran})")
            flash(f"Akun {username} tersimpan.")
            st.rerun()
others = [a.username for a in accounts if a.username != ctx.user.username]
if others:
    gone = st.selectbox("Hapus akun", others, placeholder="Pilih akun…")
    if st.button("Hapus"):
        auth.remove_account(gone)
        ctx.store.audit(ctx.user.username, "akun dihapus", gone)
        flash(f"Akun {gone} dihapus.")
        st.rerun()

st.subheader("Catatan audit")
st.caption("Setiap unduhan yang memuat nama atau NIK, dan setiap perubahan akun.")
st.dataframe(
    ctx.store.audit_log().rename(
        columns={"waktu": "Waktu", "pengguna": "Pengguna", "aksi": "Aksi", "rincian": "Rincian"}
    ),
    hide_index=True,
    width="stretch",
)
