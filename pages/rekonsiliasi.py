"""Data & Rekonsiliasi: upload the Dinsos roster and BRI's realization, map columns, reconcile."""

import functools
from datetime import date

import streamlit as st

from geo import fmt
from geo._errors import JangkauError
from geo.intake.headers import FIELDS_REALISASI, FIELDS_ROSTER, detect_mapping
from geo.intake.tables import read_table, sheet_names
from geo.outputs import export
from geo.realization import rounds
from pages.common import LABELS, Keys, flash, md, page_setup, problem_table, select_round

ctx = page_setup("Data & Rekonsiliasi", icon=":material/sync_alt:", role="perencana")
NONE = "(tidak dipakai)"
KINDS = {
    "roster": ("Data Dinsos (DTKS / SIKS-NG)", FIELDS_ROSTER),
    "realisasi": ("Data realisasi BRI", FIELDS_REALISASI),
}


def file_block(kind: str, column) -> tuple[rounds.InputFile | None, dict | None, str | None]:
    """Upload, sheet choice, masked preview and column mapping for one file."""
    title, fields = KINDS[kind]
    with column:
        st.subheader(title)
        upload = st.file_uploader(
            f"Unggah {title} (CSV atau XLSX)", type=["csv", "xlsx"], key=f"upload_{kind}"
        )
        if upload is None:
            return None, None, None
        data = upload.getvalue()
        try:
            sheets = sheet_names(data, filename=upload.name)
            sheet = (
                st.selectbox(
                    "Lembar kerja", sheets, key=f"sheet_{kind}", placeholder="Pilih lembar kerja…"
                )
                if sheets
                else None
            )
            table, headers = read_table(data, filename=upload.name, sheet=sheet)
        except JangkauError as exc:
            st.error(md(str(exc)))
            return None, None, None
        detected = detect_mapping(headers, kind)
        st.caption(
            f"{fmt.number(len(table))} baris data, {fmt.number(len(headers))} kolom. "
            "Pratinjau 10 baris pertama; NIK, No. KK dan nama disamarkan."
        )
        st.dataframe(
            rounds.masked_preview(table, detected),
            hide_index=True,
            height=240,
        )
        mapping: dict[str, str] = {}
        with st.expander("Pemetaan kolom", expanded=False):
            st.caption(
                "Kolom dikenali otomatis dari judulnya. Ubah bila judul di berkas Anda berbeda; "
                "pilih “(tidak dipakai)” untuk mengabaikan kolom."
            )
            options = [NONE, *headers]
            for name, spec in fields.items():
                current = detected.get(name)
                choice = st.selectbox(
                    spec.label + (" (wajib)" if spec.required else ""),
                    options,
                    index=options.index(current) if current in options else 0,
                    key=f"map_{kind}_{name}",
                    placeholder="Pilih kolom…",
                )
                mapping[name] = "" if choice == NONE else choice
        return (
            rounds.InputFile(upload.name, data),
            rounds.mapping_changes(mapping, detected),
            sheet,
        )


tab_import, tab_rounds, tab_compare = st.tabs(
    ["Impor & rekonsiliasi", "Daftar putaran", "Bandingkan putaran"]
)

with tab_import:
    left, right = st.columns(2)
    roster, map_roster, sheet_roster = file_block("roster", left)
    realisasi, map_real, sheet_real = file_block("realisasi", right)
    label = st.text_input("Label putaran", placeholder=f"Rekonsiliasi {fmt.tanggal(date.today())}")
    run = st.button(
        "Jalankan rekonsiliasi",
        type="primary",
        disabled=roster is None or realisasi is None,
        help="Unggah kedua berkas terlebih dahulu.",
    )
    if run and roster is not None and realisasi is not None:
        try:
            with st.spinner("Mengimpor dan merekonsiliasi…"):
                info, result = rounds.run_round(
                    ctx.store,
                    roster=roster,
                    realisasi=realisasi,
                    villages=ctx.bounds.villages,
                    label=label.strip() or None,
                    mapping_roster=map_roster,
                    mapping_realisasi=map_real,
                    sheet_roster=sheet_roster,
                    sheet_realisasi=sheet_real,
                )
        except JangkauError as exc:
            st.error(md(str(exc)))
        else:
            st.session_state[Keys.LAST_ROUND] = info.id
            if info.created:
                flash(f"Putaran #{info.id} “{info.label}” tersimpan dan dipilih.")
            else:
                flash(
                    f"Berkas yang sama sudah direkonsiliasi sebagai putaran #{info.id} "
                    f"“{info.label}”; tidak disimpan dua kali.",
                    kind="info",
                )
            select_round(info.id)

    shown_id = st.session_state.get(Keys.LAST_ROUND)
    if shown_id is not None:
        info = ctx.store.round(shown_id)
        s = info.summary
        status = s.get("status", {})
        st.subheader(f"Hasil putaran #{info.id}")
        m = st.columns(6)
        m[0].metric("KPM (keluarga)", fmt.number(s.get("nik", 0)))
        m[1].metric("KPM × program", fmt.number(s.get("kpm", 0)))
        m[2].metric("Cocok dengan BRI", fmt.number(s.get("cocok", 0)))
        m[3].metric("Terealisasi", fmt.number(status.get("terealisasi", 0)))
        m[4].metric("Belum transaksi", fmt.number(status.get("belum_transaksi", 0)))
        m[5].metric("Tidak transaksi", fmt.number(status.get("tidak_transaksi", 0)))
        m = st.columns(6)
        m[0].metric("Tanpa data BRI", fmt.number(status.get("tanpa_data_bri", 0)))
        m[1].metric("Data BRI tanpa KPM Dinsos", fmt.number(s.get("bri_tanpa_roster", 0)))
        dup = s.get("duplikat", {})
        m[2].metric("Baris duplikat", fmt.number(sum(dup.values()) if dup else 0))
        m[3].metric("Masalah", fmt.number(s.get("masalah", 0)))
        m[4].metric("KPM berkoordinat", fmt.number(s.get("nik_berkoordinat", 0)))
        for part in s.get("berkas", {}).values():
            st.caption(
                f"{md(part.get('berkas'))}: {fmt.number(part.get('baris_dibaca', 0))} baris "
                f"dibaca, {fmt.number(part.get('baris_diimpor', 0))} diimpor."
            )
        problems = problem_table(ctx.store.round_problems(info.id))
        villages = rounds.village_result(ctx.store.round_villages(info.id), ctx.bounds.villages)
        st.markdown("**Daftar masalah** (NIK disamarkan; baris = nomor baris di berkas)")
        st.dataframe(problems.head(1000), hide_index=True, height=300)
        if len(problems) > 1000:
            st.caption(f"Ditampilkan 1.000 dari {fmt.number(len(problems))}; unduh untuk semua.")
        # Downloads run on click, after the page has run: their values are bound here.
        d1, d2, d3 = st.columns(3)
        d1.download_button(
            "Daftar masalah (XLSX)",
            functools.partial(
                export.xlsx_bytes,
                {"Masalah": problems},
                demo=info.is_demo,
                title=f"Masalah putaran {info.id}",
            ),
            file_name=f"masalah_putaran_{info.id}.xlsx",
            on_click="ignore",
        )
        d2.download_button(
            "Hasil per desa (CSV)",
            functools.partial(export.csv_bytes, villages, demo=info.is_demo),
            file_name=f"desa_putaran_{info.id}.csv",
            on_click="ignore",
        )
        d3.download_button(
            "Hasil per desa (XLSX)",
            functools.partial(
                export.xlsx_bytes,
                {"Desa": villages},
                demo=info.is_demo,
                title=f"Hasil per desa putaran {info.id}",
            ),
            file_name=f"desa_putaran_{info.id}.xlsx",
            on_click="ignore",
        )

with tab_rounds:
    table = rounds.rounds_table(ctx.store.rounds())
    if table.empty:
        st.info("Belum ada putaran rekonsiliasi.")
    else:
        st.dataframe(
            table.rename(columns=LABELS).style.format(thousands=".", decimal=",", precision=1),
            hide_index=True,
            width="stretch",
        )
        st.caption("Peta dan ringkasan memakai putaran yang dipilih di panel kiri.")

with tab_compare:
    saved = ctx.store.rounds()
    if len(saved) < 2:
        st.info("Perbandingan membutuhkan sedikitnya dua putaran.")
    else:
        labels = {r.id: f"#{r.id} · {r.label}" for r in saved}
        ids = [r.id for r in saved]
        c1, c2, c3 = st.columns([2, 2, 1])
        before = c1.selectbox(
            "Putaran sebelum",
            ids,
            index=1,
            format_func=labels.__getitem__,
            placeholder="Pilih putaran…",
        )
        after = c2.selectbox(
            "Putaran sesudah",
            ids,
            index=0,
            format_func=labels.__getitem__,
            placeholder="Pilih putaran…",
        )
        program = c3.selectbox(
            "Program", ["SEMUA", "PKH", "BPNT"], key="compare_program", placeholder="Pilih…"
        )
        diff = rounds.compare(
            ctx.store.round_villages(before),
            ctx.store.round_villages(after),
            ctx.bounds.villages,
            program=program,
        )
        counts = rounds.change_counts(diff)
        m = st.columns(4)
        for col, key in zip(m, ["membaik", "memburuk", "tetap", "baru"], strict=True):
            col.metric(f"Desa {key}", fmt.number(counts[key]))
        st.caption("Membaik/memburuk: persen terealisasi berubah sedikitnya 1 poin.")
        for key, title in (("memburuk", "Memburuk"), ("membaik", "Membaik")):
            part = rounds.changed(diff, key)
            st.markdown(f"**{title}** ({fmt.number(len(part))} desa)")
            st.dataframe(
                part.rename(columns=LABELS).style.format(thousands=".", decimal=",", precision=1),
                hide_index=True,
                width="stretch",
            )
