"""Jarak Layanan: travel time to the nearest e-warong or BRI agent, hard-to-reach ranking,
e-warong load, where to add service points, and the tables of points, boat legs and landings."""

import functools

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo import fmt, settings
from geo._errors import JangkauError
from geo.areas.lookup import VillageIndex
from geo.intake.headers import FIELDS_ROSTER
from geo.outputs import export, maps
from geo.reach import network, per_kpm, per_village, placement, ranking
from geo.reach.boats import COLUMNS as BOAT_COLUMNS
from geo.reach.boats import unresolved_names
from geo.reach.boats import validate_table as validate_legs
from geo.reach.capacity import capacity
from geo.reach.landings import validate_table as validate_landings
from geo.reach.service_points import (
    JENIS_LABELS,
    add_points,
    jenis_filter,
    mark_known,
    of_kind,
    validate_table,
)
from geo.realization import coverage
from pages.common import (
    LABELS,
    Keys,
    flash,
    map_layers,
    md,
    page_setup,
    problem_table,
    round_villages,
    service_points,
    vendor_warning,
)

ctx = page_setup("Jarak Layanan", icon=":material/route:")
store = ctx.store
points_version = store.get_meta("points_version", "0") or "0"
boats_version = store.get_meta("boats_version", "0") or "0"
points = service_points(points_version)


@st.cache_resource(show_spinner="Menyusun jaringan jalan dan perahu…", max_entries=4)
def get_network(_villages, _points, _boats, key: tuple) -> network.PlaceNetwork:
    # key: (points version, boats version, network setting) identifies the inputs.
    return network.load_network(_villages, _points, boats=_boats)


@st.cache_data(show_spinner=False, max_entries=8)
def boat_legs(version: str) -> pd.DataFrame:
    return store.boat_legs()


@st.cache_data(show_spinner=False, max_entries=8)
def landings(version: str) -> pd.DataFrame:
    # Saving landings changes the boats version too (legs carry their landings' positions).
    return store.landings()


def save_checked(checked, save, *, note: str = " (baris = nomor baris di tabel)") -> bool:
    """Save a checked table with ``save(frame, is_demo=...)``, or show its problems and save
    nothing. Returns whether it was saved (cached data is then cleared)."""
    if checked.problems:
        st.error(f"Belum disimpan: perbaiki baris berikut{note}.")
        st.dataframe(problem_table(checked.problems), hide_index=True)
        return False
    save(checked.frame, is_demo=ctx.is_demo)
    st.cache_data.clear()
    return True


boats = boat_legs(boats_version)
landing_table = landings(boats_version)
try:
    net = get_network(
        ctx.bounds.villages, points, boats, (points_version, boats_version, settings.JARINGAN)
    )
except JangkauError as exc:
    st.error(str(exc))
    st.stop()

LABELS_REACH = {
    **LABELS,
    "layanan_id": "ID titik",
    "layanan_nama": "Titik terdekat",
    "layanan_jenis": "Jenis titik",
    "jarak_lurus_km": "Jarak lurus (km)",
    "jarak_tempuh_km": "Jarak tempuh (km)",
    "waktu_menit": "Waktu (menit)",
    "sumber": "Sumber",
    "moda": "Moda",
    "perahu": "Perlu perahu",
    "terjangkau": "Terjangkau",
    "skor": "Skor",
    "peringkat": "Peringkat",
    "akses": "Akses vs realisasi",
    "persen_terealisasi": "% terealisasi",
}
#: Codes shown to people as labels, on the page and in its downloads.
READABLE = {"layanan_jenis": JENIS_LABELS, "jenis": JENIS_LABELS, "status": LABELS}

CHOICES = {"semua": "Semua", "e-warong": "e-Warong", "bri": "BRI (agen/kantor)"}

c1, c2 = st.columns([1.5, 3])
choice = (
    c1.segmented_control(
        "Titik layanan",
        list(CHOICES),
        format_func=CHOICES.get,
        default="semua",
        key="reach_jenis",
    )
    or "semua"
)
c2.caption(
    f"Jaringan: {', '.join(net.sources)} · {fmt.number(net.graph.n)} simpul, "
    f"{fmt.number(len(net.graph.edges))} ruas. Sumber tiap ruas: jalan (OpenStreetMap), perahu "
    "(tabel ruas perahu), perkiraan (jarak lurus × faktor belok ÷ kecepatan)."
    + (
        ""
        if settings.JARINGAN
        else " Peta jalan OpenStreetMap belum dipasang, jadi perjalanan darat memakai perkiraan."
    ),
    help=None
    if settings.JARINGAN
    else (
        "Untuk admin: isi pengaturan JANGKAU_JARINGAN dengan berkas jalan .osm/.pbf Kutai "
        "Kartanegara, atau dengan overpass untuk mengunduhnya (perlu internet)."
    ),
)
near = per_village.nearest(net, ctx.bounds.villages, points, jenis=jenis_filter(choice))
counts = round_villages(ctx.round.id if ctx.round else None)
cov = coverage.compute(ctx.bounds.villages, counts)

with st.expander("Bobot skor prioritas", expanded=False):
    w1, w2, w3 = st.columns(3)
    base = settings.PRIORITY_WEIGHTS
    weights = {
        "belum": w1.slider("KPM belum terealisasi", 0.0, 1.0, base["belum"], 0.05),
        "waktu": w2.slider("Waktu tempuh", 0.0, 1.0, base["waktu"], 0.05),
        "perahu": w3.slider("Perlu perahu", 0.0, 1.0, base["perahu"], 0.05),
    }
st.caption(md(ranking.priority_formula(weights)))
ranked = ranking.priority(near, cov.villages, weights=weights)

tabs = st.tabs(
    [
        "Peta",
        "Peringkat",
        "Akses vs realisasi",
        "Kapasitas e-Warong",
        "Usulan titik baru",
        "Titik layanan",
        "Ruas perahu",
        "Per KPM",
    ],
    # Tracked, so that a save (which reruns the page) comes back to the same tab.
    key=Keys.REACH_TAB,
    on_change="rerun",
)

with tabs[0]:
    vendor_warning()
    villages_layer, kecamatan_layer = map_layers()
    shown_points = of_kind(points, jenis_filter(choice))
    st_folium(
        maps.travel_time_map(
            villages_layer,
            near,
            kecamatan=kecamatan_layer,
            service_points=shown_points,
            landings=landing_table,
            options=maps.MapOptions(assets="streamlit", demo=ctx.is_demo, simplify=False),
        ),
        key="peta_jarak",
        height=620,
        use_container_width=True,
        returned_objects=[],
    )
    unreachable = per_village.unreachable(near)
    if unreachable:
        st.warning(
            f"{fmt.number(len(unreachable))} desa tidak terjangkau dari titik layanan mana pun: "
            + md(", ".join(unreachable))
        )

with tabs[1]:
    ranking_shown = export.readable(ranking.ranking_table(ranked), codes=READABLE)
    st.dataframe(
        ranking_shown.rename(columns=LABELS_REACH).style.format(
            thousands=".", decimal=",", precision=1
        ),
        hide_index=True,
        width="stretch",
        height=520,
    )
    # Downloads run on click, after the whole page has run: the values they use are bound here
    # (functools.partial), never looked up by a name that a later tab could rebind.
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Peringkat (CSV)",
        functools.partial(export.csv_bytes, ranking_shown, demo=ctx.is_demo),
        file_name="jangkau_jarak_layanan.csv",
        on_click="ignore",
    )
    d2.download_button(
        "Peringkat (XLSX)",
        functools.partial(
            export.xlsx_bytes,
            {"Peringkat": ranking_shown},
            demo=ctx.is_demo,
            title="Jarak layanan dan prioritas",
        ),
        file_name="jangkau_jarak_layanan.xlsx",
        on_click="ignore",
    )
    ranking_layer = export.village_layer(ctx.bounds.villages, ranking_shown)
    d3.download_button(
        "Peringkat (GeoPackage)",
        functools.partial(
            export.gpkg_bytes, ranking_layer, layer="jarak_layanan", demo=ctx.is_demo
        ),
        file_name="jangkau_jarak_layanan.gpkg",
        on_click="ignore",
    )

with tabs[2]:
    st.caption(
        f"Jauh = lebih dari {fmt.number(settings.FAR_MINUTES)} menit ke titik terdekat; realisasi "
        f"rendah = kurang dari {fmt.number(settings.LOW_REALIZATION_PERCENT)}% KPM terealisasi. "
        "Desa dekat dengan realisasi rendah perlu diperiksa kartunya dan datanya, bukan jaraknya."
    )
    counts_by_class = ranking.class_counts(ranked)
    cols = st.columns(len(ranking.ACCESS_CLASSES))
    for col, (key, label) in zip(cols, ranking.ACCESS_CLASSES.items(), strict=True):
        col.metric(label, fmt.number(counts_by_class[key]))
    pick = st.selectbox(
        "Tampilkan",
        list(ranking.ACCESS_CLASSES),
        format_func=ranking.ACCESS_CLASSES.get,
        placeholder="Pilih kelompok desa…",
    )
    part = ranking.in_class(ranked, pick)
    st.dataframe(
        part.rename(columns=LABELS_REACH).style.format(thousands=".", decimal=",", precision=1),
        hide_index=True,
        width="stretch",
    )

with tabs[3]:
    near_ew = per_village.nearest(net, ctx.bounds.villages, points, jenis=("e-warong",))
    bpnt = coverage.compute(ctx.bounds.villages, counts, program="BPNT").villages
    load = capacity(near_ew, bpnt.set_index("kode")["kpm"], points)
    over = int(load["kelebihan"].sum())
    st.caption(
        f"Setiap desa dilayani e-warong terdekat menurut waktu tempuh; KPM BPNT dibandingkan "
        f"dengan kapasitas e-warong (pedoman: {settings.EWARONG_MAX_KPM} KPM)."
    )
    st.metric("e-Warong kelebihan beban", f"{fmt.number(over)} dari {fmt.number(len(load))}")
    st.dataframe(
        load.rename(
            columns={
                "id": "ID",
                "nama": "e-Warong",
                "kapasitas": "Kapasitas",
                "desa_dilayani": "Desa dilayani",
                "kpm": "KPM BPNT",
                "beban_persen": "Beban (%)",
                "kelebihan": "Kelebihan",
            }
        ).style.format(thousands=".", decimal=",", precision=1),
        hide_index=True,
        width="stretch",
    )

with tabs[4]:
    k = st.slider("Jumlah titik baru", 1, 15, 5)
    chosen, proposal = placement.recommend(
        net, ctx.bounds.villages, near, cov.villages.set_index("kode")["belum"], k=k
    )
    summary = chosen.summary()
    st.caption(
        "Metode: p-median serakah (greedy) atas waktu tempuh, dibobot KPM belum terealisasi; "
        "selisihnya terhadap solusi eksak diukur pada contoh kecil di tes."
    )
    m1, m2, m3 = st.columns(3)
    m1.metric("KPM × menit sekarang", fmt.number(summary["biaya_sebelum"]))
    m2.metric("Sesudah titik baru", fmt.number(summary["biaya_sesudah"]))
    m3.metric("Turun", fmt.percent(summary["turun_persen"]))
    st.dataframe(
        proposal.rename(
            columns={
                "urutan": "Urutan",
                "kode_desa": "Kode desa",
                "desa": "Desa",
                "kecamatan": "Kecamatan",
                "kpm_menit_dihemat": "KPM × menit dihemat",
            }
        ).style.format(thousands="."),
        hide_index=True,
        width="stretch",
    )


@st.cache_data(show_spinner=False, max_entries=4)
def kpm_homes(round_id: int) -> pd.DataFrame:
    # What the per-KPM figures need (the KPM without coordinates are counted): no names.
    return store.round_kpm(round_id)[["nik", "program", "kode_desa", "status", "lat", "lon"]]


@st.cache_data(show_spinner="Menghitung jarak setiap KPM…", max_entries=8)
def kpm_reach(_net, _points, round_id: int, jenis: tuple, key: tuple) -> per_kpm.KpmNearest:
    # key: (points version, boats version, network setting) identifies the network.
    return per_kpm.nearest_kpm(_net, ctx.bounds.villages, _points, kpm_homes(round_id), jenis=jenis)


LABELS_KPM = {
    **LABELS_REACH,
    "nik_samaran": "NIK (disamarkan)",
    "status": "Status",
    "kpm_berkoordinat": "KPM berkoordinat",
    "kpm_tak_terjangkau": "Tak terjangkau",
    "median_menit": "Median waktu (menit)",
    "maks_menit": "Waktu terlama (menit)",
    "median_km": "Median jarak tempuh (km)",
    "menit_titik_desa": "Waktu dari titik desa (menit)",
}

with tabs[7]:
    homes = kpm_homes(ctx.round.id) if ctx.round else None
    if homes is None or not homes["lat"].notna().any():
        lat_names = ", ".join(FIELDS_ROSTER["lat"].synonyms)
        lon_names = ", ".join(FIELDS_ROSTER["lon"].synonyms)
        st.info(
            md(
                (
                    "Belum ada putaran rekonsiliasi, jadi jarak per KPM belum dapat dihitung. "
                    if ctx.round is None
                    else "Data Dinsos putaran ini tidak memuat koordinat rumah KPM, jadi jarak "
                    "per KPM belum dapat dihitung. "
                )
                + "(Tabel per desa memakai titik desa.) Tambahkan "
                f"kolom lintang ({lat_names}) dan bujur ({lon_names}) dalam derajat desimal, "
                "mis. -0,4412 dan 116,9876, pada data Dinsos, lalu jalankan rekonsiliasi di "
                "halaman Data & Rekonsiliasi."
            )
        )
    else:
        reach = kpm_reach(
            net,
            points,
            ctx.round.id,
            jenis_filter(choice),
            (points_version, boats_version, settings.JARINGAN),
        )
        totals = reach.summary()
        families = totals["keluarga_berkoordinat"]
        without = totals["keluarga_tanpa_koordinat"]
        k1, k2, k3, k4 = st.columns(4)
        k1.metric(
            "KPM berkoordinat",
            fmt.number(families),
            help="Keluarga (NIK) yang rumahnya berkoordinat di data Dinsos; keluarga penerima "
            "PKH dan BPNT dihitung sekali.",
        )
        k2.metric(
            "KPM tanpa koordinat",
            fmt.number(without),
            help="Tidak ada di tabel per KPM; tetap dihitung di tab Peta dan Peringkat, yang "
            "memakai titik desa.",
        )
        k3.metric("Median waktu", f"{fmt.number(totals['median_menit'], 1)} menit")
        k4.metric("Tak terjangkau", fmt.number(totals["tak_terjangkau"]))
        st.caption(
            "Dari rumah KPM (koordinat data Dinsos) ke titik layanan terdekat menurut waktu "
            "tempuh, dengan pilihan jenis titik di atas. Rumah tersambung ke simpul jaringan "
            f"terdekat dengan perkiraan: jarak lurus × {fmt.number(settings.DETOUR_FACTOR, 1)} "
            f"pada {fmt.number(settings.ESTIMATE_SPEED_KMH)} km/jam, jadi sumber selalu memuat "
            "“perkiraan”. KPM dihitung per keluarga (NIK), sekali walau ikut dua program."
        )
        left_out = (
            f"{fmt.number(without)} KPM tanpa koordinat rumah tidak ada di tabel per KPM dan di "
            "ringkasan per desa tab ini; mereka tetap dihitung di tab Peta dan Peringkat, yang "
            "memakai titik desa."
        )
        if without:
            st.info(left_out)
        st.markdown("**Ringkasan per desa** (KPM berkoordinat; paling lama lebih dulu)")
        by_village = per_kpm.villages_by_time(reach.villages)
        st.dataframe(
            by_village.rename(columns=LABELS_KPM).style.format(
                thousands=".", decimal=",", precision=1
            ),
            hide_index=True,
            width="stretch",
            height=320,
        )
        if not ctx.can("perencana"):
            st.info("Daftar per KPM (NIK disamarkan) hanya untuk perencana.")
            st.download_button(
                "Ringkasan per desa (CSV)",
                functools.partial(export.csv_bytes, by_village, demo=ctx.is_demo),
                file_name="jangkau_jarak_kpm_desa.csv",
                on_click="ignore",
            )
        else:
            kpm_table = export.readable(reach.table, codes=READABLE)
            shown = per_kpm.kpm_by_time(kpm_table)
            rows = len(kpm_table)
            st.markdown(
                "**Per KPM dan program** (NIK disamarkan, tanpa nama). Satu baris = satu keluarga "
                "dalam satu program, jadi keluarga penerima PKH dan BPNT muncul dua kali: "
                f"{fmt.number(rows)} baris untuk {fmt.number(families)} KPM berkoordinat. "
                f"Ditampilkan {fmt.number(min(rows, 2000))} baris dengan waktu terlama; unduh "
                "untuk semua."
            )
            st.dataframe(
                shown.head(2000)
                .rename(columns=LABELS_KPM)
                .style.format(thousands=".", decimal=",", precision=1),
                hide_index=True,
                width="stretch",
                height=420,
            )
            notes = [
                f"Titik layanan: {CHOICES[choice]}.",
                "Lembar Per KPM: satu baris = satu keluarga dalam satu program (keluarga "
                f"penerima PKH dan BPNT muncul dua kali); {fmt.number(rows)} baris untuk "
                f"{fmt.number(families)} KPM berkoordinat. NIK disamarkan, tanpa nama.",
                left_out.replace("tab ini", "(lembar Per desa)")
                + " Unduh Peringkat di tab Peringkat untuk semua desa.",
            ]
            e1, e2 = st.columns(2)
            e1.download_button(
                "Jarak per KPM (CSV)",
                functools.partial(export.csv_bytes, kpm_table, demo=ctx.is_demo),
                file_name="jangkau_jarak_kpm.csv",
                on_click="ignore",
            )
            e2.download_button(
                "Jarak per KPM (XLSX)",
                functools.partial(
                    export.xlsx_bytes,
                    {"Per KPM": kpm_table, "Per desa": by_village},
                    demo=ctx.is_demo,
                    title="Jarak rumah KPM ke titik layanan terdekat",
                    notes=notes,
                ),
                file_name="jangkau_jarak_kpm.xlsx",
                on_click="ignore",
            )

if not ctx.can("perencana"):
    with tabs[5]:
        st.info("Mengubah titik layanan hanya untuk perencana.")
        st.dataframe(
            export.readable(points.drop(columns=["is_demo"]), codes=READABLE),
            hide_index=True,
            width="stretch",
        )
    with tabs[6]:
        st.info("Mengubah ruas perahu hanya untuk perencana.")
        st.dataframe(boats[BOAT_COLUMNS], hide_index=True, width="stretch")
        st.markdown("**Dermaga**")
        st.dataframe(landing_table.drop(columns=["is_demo"]), hide_index=True, width="stretch")
    st.stop()

with tabs[5]:
    st.caption(
        "Ubah, tambah (baris baru di bawah) atau nonaktifkan titik layanan, lalu simpan. Titik "
        "tanpa koordinat diletakkan di titik desanya bila kode_desa diisi."
    )
    editable = store.service_points(active_only=False).drop(columns=["is_demo"])
    edited = st.data_editor(
        editable,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key="edit_points",
        column_config={
            "jenis": st.column_config.SelectboxColumn(
                "jenis",
                options=list(JENIS_LABELS),
                format_func=JENIS_LABELS.get,
                required=True,
            ),
            "aktif": st.column_config.CheckboxColumn("aktif", default=True),
        },
    )
    if st.button("Simpan titik layanan", type="primary"):
        result = validate_table(
            edited,
            label="tabel titik layanan",
            kabupaten=ctx.bounds.kabupaten.geometry.iloc[0],
            villages=ctx.bounds.villages,
            previous=editable,
        )
        if save_checked(result, store.replace_service_points):
            flash(f"{fmt.number(len(result.frame))} titik layanan tersimpan.")
            st.rerun()

    with st.expander("Impor dari OpenStreetMap (perlu internet)"):
        st.caption(
            "Mencari kantor BRI dan agen BRILink yang tercatat di OpenStreetMap di Kutai "
            "Kartanegara (nama, merek atau operatornya menyebut BRI); bisa makan beberapa menit. "
            "ATM hanya ikut bila dicentang, sebagai kantor_bri. Titik yang id-nya sudah ada di "
            "tabel tidak diubah. Simpan dulu perubahan tabel di atas: perubahan yang belum "
            "disimpan dibuang saat titik ditambahkan."
        )
        osm_atm = st.checkbox("Sertakan ATM BRI (sebagai kantor_bri)", key="osm_atm")
        if st.button("Cari titik BRI di OpenStreetMap", key="osm_fetch"):
            from geo.reach import osm

            st.session_state.pop("osm_found", None)
            try:
                with st.spinner("Mengunduh dari OpenStreetMap…"):
                    found = osm.fetch_bri_points(include_atm=osm_atm)
            except JangkauError as exc:
                st.error(str(exc))
            else:
                # Points within 100 m of a point already in the table (often the same place
                # entered twice) are flagged; they are still added, to deactivate if so.
                current = store.service_points(active_only=False)
                st.session_state["osm_found"] = mark_known(found, current)
        found = st.session_state.get("osm_found")
        if found is not None and found.empty:
            st.info("Tidak ada titik BRI di OpenStreetMap untuk Kutai Kartanegara.")
        elif found is not None:
            fresh = found[~found["sudah_ada"]]
            st.write(
                f"{fmt.number(len(found))} titik ditemukan, {fmt.number(len(fresh))} belum ada "
                "di tabel."
            )
            st.dataframe(
                export.readable(
                    found.drop(columns=["kode_desa", "kapasitas", "aktif", "catatan"]),
                    codes=READABLE,
                ),
                hide_index=True,
                width="stretch",
            )
            if len(fresh) and st.button(
                f"Tambahkan {fmt.number(len(fresh))} titik ke tabel titik layanan", key="osm_add"
            ):
                current = store.service_points(active_only=False).drop(columns=["is_demo"])
                merged = add_points(current, fresh)
                result = validate_table(
                    merged,
                    label="tabel titik layanan + OpenStreetMap",
                    kabupaten=ctx.bounds.kabupaten.geometry.iloc[0],
                    villages=ctx.bounds.villages,
                    previous=current,
                )
                if save_checked(result, store.replace_service_points, note=""):
                    for key in ("osm_found", "edit_points"):
                        st.session_state.pop(key, None)
                    added = len(result.frame) - len(current)
                    flash(f"{fmt.number(added)} titik layanan dari OpenStreetMap ditambahkan.")
                    st.rerun()

with tabs[6]:
    st.caption(
        "Ruas perahu antar desa atau dermaga (dua arah). dari/ke: nama dermaga dari tabel "
        "dermaga di bawah, kode desa, atau nama desa dengan kecamatannya, mis. “Muara Enggelam "
        "(Muara Wis)”. Waktu = menit + tunggu_menit."
    )
    edited_legs = st.data_editor(
        boats[BOAT_COLUMNS],
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key="edit_boats",
    )
    if st.button("Simpan ruas perahu", type="primary"):
        legs = validate_legs(
            edited_legs,
            label="tabel ruas perahu",
            index=VillageIndex(ctx.bounds.villages),
            landings=landing_table,
        )
        if save_checked(legs, store.replace_boat_legs):
            flash(f"{fmt.number(len(legs.frame))} ruas perahu tersimpan.")
            st.rerun()

    st.markdown("**Dermaga**")
    st.caption(
        "Tempat perahu berangkat atau tiba. nama, lat, lon (derajat desimal, mis. -0.5625 dan "
        "117.288); kode_desa: desa tempat dermaga berada (kosong: diisi dari batas desa). Dermaga "
        "di desa tanpa jalan hanya tersambung ke desanya dan ke perahu. Nama dermaga tidak boleh "
        "sama dengan nama desa: tulis mis. “Dermaga Anggana”."
    )
    edited_landings = st.data_editor(
        landing_table.drop(columns=["is_demo"]),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key="edit_landings",
        column_config={
            "lat": st.column_config.NumberColumn("lat", format="%.5f"),
            "lon": st.column_config.NumberColumn("lon", format="%.5f"),
        },
    )
    if st.button("Simpan dermaga", type="primary"):
        checked = validate_landings(
            edited_landings,
            label="tabel dermaga",
            kabupaten=ctx.bounds.kabupaten.geometry.iloc[0],
            villages=ctx.bounds.villages,
        )
        if save_checked(checked, store.replace_landings):
            # A leg naming a landing that was deleted or renamed stays in its table, out of the
            # network, until the planner fixes it.
            stale = unresolved_names(
                boats[BOAT_COLUMNS],
                index=VillageIndex(ctx.bounds.villages),
                landings=checked.frame,
            )
            done = f"{fmt.number(len(checked.frame))} dermaga tersimpan."
            if stale:
                names = ", ".join(stale)
                flash(
                    f"{done} Ruas perahu yang menyebut {names} tidak dipakai dalam jaringan "
                    "sampai diperbaiki di tabel ruas perahu (dermaga itu dihapus atau berganti "
                    "nama).",
                    kind="warning",
                )
            else:
                flash(done)
            st.rerun()
