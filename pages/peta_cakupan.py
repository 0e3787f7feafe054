"""Peta Cakupan: choropleth of unrealized KPM per village, service points, village details."""

import functools

import streamlit as st
from streamlit_folium import st_folium

from geo import fmt
from geo.outputs import export, maps
from geo.reach.service_points import JENIS_LABELS
from geo.realization import coverage, outcomes
from pages.common import (
    LABELS,
    Keys,
    map_layers,
    md,
    page_setup,
    program_choice,
    round_villages,
    service_points,
    source_caption,
    vendor_warning,
)

ctx = page_setup("Peta Cakupan", icon=":material/map:")
counts = round_villages(ctx.round.id if ctx.round else None)
points = service_points(ctx.store.get_meta("points_version", "0") or "0")

kec = ctx.bounds.kecamatan
kec_names = dict(zip(kec["kode"], kec["nama"], strict=True))
f1, f2, f3, f4 = st.columns([1.4, 1.2, 2, 2])
with f1:
    program = program_choice()
metric = (
    f2.segmented_control(
        "Warna menurut",
        list(maps.METRICS),
        format_func={"jumlah": "Jumlah", "persen": "Persen"}.__getitem__,
        default="jumlah",
        key=Keys.METRIC,
    )
    or "jumlah"
)
chosen_kec = f3.multiselect(
    "Kecamatan",
    list(kec_names),
    format_func=kec_names.__getitem__,
    key=Keys.KECAMATAN,
    placeholder="Semua kecamatan",
)
chosen_cabang = f4.multiselect(
    "Wilayah cabang BRI", coverage.branches(), key=Keys.CABANG, placeholder="Semua cabang"
)

villages_layer, kecamatan_layer = map_layers()
visits = outcomes.visit_status(ctx.store.table("outcomes"))
cov = coverage.compute(
    villages_layer,
    counts,
    program=program,
    kecamatan=chosen_kec or None,
    cabang=chosen_cabang or None,
)


def build_map(*, assets: str, cov=cov, metric=metric, demo=ctx.is_demo):
    # Built on every run (about 0.1 s on simplified layers): st_folium alters the map object it
    # is given, so a cached map would reach the browser with stale variable names. The defaults
    # bind this run's values for the HTML download, which builds the map again on click.
    return maps.coverage_map(
        cov,
        kecamatan=kecamatan_layer,
        service_points=points,
        options=maps.MapOptions(metric=metric, assets=assets, demo=demo, simplify=False),
        visits=visits,
    )


if cov.villages.empty:
    st.warning("Tidak ada desa yang cocok dengan filter ini.")
    st.stop()

vendor_warning()
left, right = st.columns([3, 1.2])
with left:
    state = st_folium(
        build_map(assets="streamlit"),
        key="peta_cakupan",
        height=620,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
clicked = (state or {}).get("last_active_drawing") or {}
kode = (clicked.get("properties") or {}).get("kode")
if kode:
    st.session_state[Keys.SELECTED_VILLAGE] = kode

with right:
    st.subheader("Rincian desa")
    detail = coverage.village_detail(
        cov, counts, points, st.session_state.get(Keys.SELECTED_VILLAGE, "")
    )
    if detail is None:
        st.caption("Klik sebuah desa di peta untuk melihat rinciannya.")
    else:
        st.markdown(
            f"**{md(detail.nama)}** ({detail.jenis})  \n"
            f"Kecamatan {md(detail.kecamatan)} · kode {detail.kode}  \n"
            f"Cabang BRI: {md(detail.cabang)}"
        )
        st.metric("KPM", fmt.number(detail.kpm))
        st.metric(
            "Belum terealisasi",
            fmt.number(detail.belum),
            help="Belum transaksi + tidak transaksi + tanpa data BRI",
        )
        st.write(f"Persen belum: **{fmt.percent(detail.persen_belum)}**")
        v = outcomes.visit_of(visits, detail.kode)
        if v is not None:
            st.caption(
                f"Kunjungan terakhir {fmt.tanggal(v['kunjungan_terakhir'])} "
                f"({fmt.number(v['kunjungan'])} kali): KPM ditemui {fmt.number(v['kpm_ditemui'])}, "
                f"dilayani {fmt.number(v['kpm_dilayani'])}, kartu hilang "
                f"{fmt.number(v['kartu_hilang'])}, blokir {fmt.number(v['kartu_blokir'])}, pindah "
                f"{fmt.number(v['pindah'])}, meninggal {fmt.number(v['meninggal'])}."
            )
        else:
            st.caption("Belum dikunjungi tim.")
        if not detail.per_program.empty:
            st.dataframe(
                detail.per_program.rename(columns=LABELS).style.format(thousands="."),
                hide_index=True,
                width="stretch",
            )
        st.caption(f"Titik layanan di desa ini: {fmt.number(len(detail.service_points))}")
        if not detail.service_points.empty:
            st.dataframe(
                export.readable(detail.service_points, codes={"jenis": JENIS_LABELS}).rename(
                    columns={**LABELS, "id": "ID"}
                ),
                hide_index=True,
                width="stretch",
            )

totals = cov.totals()
st.caption(
    f"{fmt.number(len(cov.villages))} desa · KPM {fmt.number(totals['kpm'])} · belum terealisasi "
    f"{fmt.number(totals['belum'])} ({fmt.percent(100 - totals['persen_terealisasi'])}) · "
    f"titik layanan aktif {fmt.number(len(points))}"
)
source_caption(ctx)

st.subheader("Unduh")
table = cov.table()


def layer(*, program=program, kecamatan=chosen_kec or None, cabang=chosen_cabang or None):
    # Downloads carry the source polygons, not the map's simplified outlines; the defaults bind
    # this run's filters (the layer is built on click).
    full = coverage.compute(
        ctx.bounds.villages, counts, program=program, kecamatan=kecamatan, cabang=cabang
    )
    return full.layer()


# Downloads run on click, after the page has run: the values they use are bound here (partial,
# default arguments), never looked up by a name that could be rebound meanwhile.
stem = f"jangkau_cakupan_{program.lower()}"
demo = ctx.is_demo
d1, d2, d3, d4, d5 = st.columns(5)
d1.download_button(
    "Tabel desa (CSV)",
    functools.partial(export.csv_bytes, table, demo=demo),
    on_click="ignore",
    file_name=f"{stem}.csv",
    mime="text/csv",
)
d2.download_button(
    "Tabel desa (XLSX)",
    functools.partial(export.xlsx_bytes, {"Desa": table}, demo=demo, title="Cakupan per desa"),
    on_click="ignore",
    file_name=f"{stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
d3.download_button(
    "Lapisan (GeoJSON)",
    lambda make=layer, demo=demo: export.geojson_bytes(make(), demo=demo),
    on_click="ignore",
    file_name=f"{stem}.geojson",
    mime="application/geo+json",
)
d4.download_button(
    "Lapisan (GeoPackage)",
    lambda make=layer, demo=demo: export.gpkg_bytes(make(), layer="cakupan_desa", demo=demo),
    on_click="ignore",
    file_name=f"{stem}.gpkg",
    mime="application/geopackage+sqlite3",
)
d5.download_button(
    "Peta (HTML)",
    lambda make=build_map, demo=demo: maps.standalone_html(
        make(assets="inline"), title="Jangkau — Peta Cakupan", demo=demo
    ),
    on_click="ignore",
    file_name=f"{stem}.html",
    mime="text/html",
)
