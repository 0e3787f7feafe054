"""Ringkasan: KPIs, per-kecamatan table and chart of unrealized KPM."""

import altair as alt
import streamlit as st

from geo import fmt
from geo.realization import coverage
from pages.common import LABELS, page_setup, program_choice, round_villages, source_caption

ctx = page_setup("Ringkasan", icon=":material/dashboard:")
counts = round_villages(ctx.round.id if ctx.round else None)
program = program_choice()
view = coverage.overview(
    ctx.bounds.villages,
    counts,
    program=program,
    round_summary=ctx.round.summary if ctx.round else None,
)
totals = view.totals

cols = st.columns(5)
cols[0].metric(
    "KPM (keluarga)",
    fmt.number(view.families) if view.families is not None else "-",
    help="Keluarga penerima dalam data Dinsos; penerima PKH dan BPNT dihitung sekali.",
)
cols[1].metric(
    "KPM × program" if program == "SEMUA" else f"KPM {program}",
    fmt.number(totals["kpm"]),
    help="Dihitung per program: keluarga penerima PKH dan BPNT dihitung dua kali. Angka "
    "terealisasi dan belum di sebelahnya memakai satuan ini.",
)
cols[2].metric("Terealisasi", fmt.number(totals["terealisasi"]))
cols[3].metric(
    "Belum terealisasi",
    fmt.number(totals["belum"]),
    help="Belum transaksi + tidak transaksi + tidak ada di data BRI.",
)
cols[4].metric("% terealisasi", fmt.percent(totals["persen_terealisasi"]))

if program == "SEMUA":
    pcols = st.columns(2)
    for col, (name, part) in zip(pcols, view.per_program.items(), strict=True):
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
table = coverage.compute(ctx.bounds.villages, counts, program=program).by_kecamatan()
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
    st.dataframe(
        table.drop(columns=["kode_kec"])
        .rename(columns=LABELS)
        .style.format(thousands=".", decimal=",", precision=1),
        hide_index=True,
        width="stretch",
    )
source_caption(ctx)
