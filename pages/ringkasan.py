"""Ringkasan: KPIs, per-kecamatan table and chart of unrealized KPM."""

import altair as alt
import streamlit as st

from geo import coverage, fmt
from pages.common import Keys, page_setup, round_villages, source_caption

ctx = page_setup("Ringkasan")
counts = round_villages(ctx.round.id if ctx.round else None)

program = (
    st.segmented_control("Program", list(coverage.PROGRAMS), default="SEMUA", key=Keys.PROGRAM)
    or "SEMUA"
)
cov = coverage.compute(ctx.bounds.villages, counts, program=program)
totals = cov.totals()
summary = ctx.round.summary if ctx.round else {}

cols = st.columns(4)
distinct = summary.get("nik")  # distinct families in the roster
cols[0].metric(
    "KPM (keluarga)" if distinct is not None and program == "SEMUA" else "KPM",
    fmt.number(distinct if distinct is not None and program == "SEMUA" else totals["kpm"]),
    help="Keluarga penerima dalam data Dinsos. Untuk 'SEMUA', keluarga dihitung sekali.",
)
cols[1].metric("Terealisasi", fmt.number(totals["terealisasi"]))
cols[2].metric(
    "Belum terealisasi",
    fmt.number(totals["belum"]),
    help="Belum transaksi + tidak transaksi + tidak ada di data BRI (dihitung per program).",
)
cols[3].metric("% terealisasi", fmt.percent(totals["persen_terealisasi"]))

if program == "SEMUA":
    per_program = []
    for name in ("PKH", "BPNT"):
        part = coverage.compute(ctx.bounds.villages, counts, program=name).totals()
        per_program.append((name, part))
    pcols = st.columns(len(per_program))
    for col, (name, part) in zip(pcols, per_program, strict=True):
        col.metric(
            f"{name}: terealisasi",
            fmt.percent(part["persen_terealisasi"]),
            help=f"{fmt.number(part['terealisasi'])} dari {fmt.number(part['kpm'])} KPM {name}",
        )
        col.caption(
            f"{fmt.number(part['kpm'])} KPM · belum {fmt.number(part['belum'])} "
            f"(belum transaksi {fmt.number(part['belum_transaksi'])}, tidak transaksi "
            f"{fmt.number(part['tidak_transaksi'])}, tanpa data BRI "
            f"{fmt.number(part['tanpa_data_bri'])})"
        )

st.subheader("Per kecamatan, diurutkan menurut KPM belum terealisasi")
table = cov.by_kecamatan()
if totals["kpm"] == 0:
    st.info("Belum ada KPM pada putaran ini.")
else:
    chart = (
        alt.Chart(table)
        .mark_bar(color="#bd0026")
        .encode(
            x=alt.X(
                "belum:Q",
                title="KPM belum terealisasi",
                axis=alt.Axis(labelExpr="replace(format(datum.value, ',d'), /,/g, '.')"),
            ),
            y=alt.Y("kecamatan:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("kecamatan:N", title="Kecamatan"),
                alt.Tooltip("kpm:Q", title="KPM"),
                alt.Tooltip("belum:Q", title="Belum"),
                alt.Tooltip("persen_belum:Q", title="% belum"),
            ],
        )
        .properties(height=alt.Step(22))
    )
    st.altair_chart(chart, width="stretch")
    shown = table.rename(
        columns={
            "kecamatan": "Kecamatan",
            "cabang": "Cabang BRI",
            "kpm": "KPM",
            "terealisasi": "Terealisasi",
            "belum_transaksi": "Belum transaksi",
            "tidak_transaksi": "Tidak transaksi",
            "tanpa_data_bri": "Tanpa data BRI",
            "belum": "Belum (total)",
            "persen_belum": "% belum",
        }
    ).drop(columns=["kode_kec"])
    st.dataframe(
        shown.style.format(thousands=".", decimal=",", precision=1),
        hide_index=True,
        width="stretch",
    )
source_caption(ctx)
