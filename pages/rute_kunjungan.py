"""Rute Kunjungan: choose villages, teams and dates; solve; see, adjust, save and print routes."""

from datetime import date, timedelta

import streamlit as st
from streamlit_folium import st_folium

from geo import fmt
from geo._errors import JangkauError
from geo.outputs import maps
from geo.plan import calendar, routing, sheets, tables
from geo.plan.model import RoutePlan
from pages.common import Keys, flash, map_layers, md, page_setup, round_villages, service_points

ctx = page_setup("Rute Kunjungan", icon=":material/directions_car:")
store = ctx.store
points = service_points(store.get_meta("points_version", "0") or "0")
depots = store.depots()
counts = round_villages(ctx.round.id if ctx.round else None)
if depots.empty:
    st.warning("Belum ada depot (kantor cabang BRI / Dinsos). Muat DATA CONTOH atau tambah depot.")
    st.stop()

villages = ctx.bounds.villages
names = dict(
    zip(villages["kode"], villages["nama"] + " (" + villages["kecamatan"] + ")", strict=True)
)
depot_names = dict(zip(depots["id"], depots["nama"], strict=True))

st.subheader("1. Desa calon")
c1, c2 = st.columns([1, 2])
mode = c1.radio(
    "Pilih desa", ["Prioritas teratas", "Per kecamatan", "Pilih sendiri"], key="route_mode"
)
if mode == "Prioritas teratas":
    top_n = c2.slider("Jumlah desa dengan skor prioritas tertinggi", 5, 237, 40, key="route_top")
    pilihan = None
elif mode == "Per kecamatan":
    kec = dict(zip(ctx.bounds.kecamatan["kode"], ctx.bounds.kecamatan["nama"], strict=True))
    chosen_kec = c2.multiselect(
        "Kecamatan", list(kec), format_func=kec.get, key="route_kec", placeholder="Pilih kecamatan"
    )
    pilihan = list(villages.loc[villages["kode_kec"].isin(chosen_kec), "kode"])
else:
    pilihan = c2.multiselect(
        "Desa", list(names), format_func=names.get, key="route_desa", placeholder="Pilih desa"
    )
if "route_x_next" in st.session_state:  # set by "Susun ulang tanpa desa ini"
    st.session_state["route_x"] = st.session_state.pop("route_x_next")
r1, r2 = st.columns(2)
wajib = r1.multiselect(
    "Wajib dikunjungi",
    list(names),
    format_func=names.get,
    key="route_wajib",
    placeholder="Pilih desa",
    help="Desa yang harus masuk rute walau jauh (mis. desa delta yang prioritasnya tinggi).",
)
kecuali = r2.multiselect(
    "Jangan dikunjungi", list(names), format_func=names.get, key="route_x", placeholder="Pilih desa"
)

st.subheader("2. Tim dan tanggal")
if "route_teams" not in st.session_state:
    st.session_state["route_teams"] = tables.team_rows(
        routing.default_teams(depots, counts, villages, n=3, hari=2)
    )
teams_table = st.data_editor(
    st.session_state["route_teams"],
    num_rows="dynamic",
    hide_index=True,
    width="stretch",
    key="route_teams_editor",
    column_config={
        "nama": st.column_config.TextColumn("Tim", required=True),
        "depot": st.column_config.SelectboxColumn(
            "Depot",
            options=list(depot_names),
            required=True,
            format_func=lambda k: f"{depot_names.get(k, k)} ({k})",
        ),
        "hari": st.column_config.NumberColumn("Hari", min_value=1, max_value=10, step=1),
        "perahu": st.column_config.CheckboxColumn("Boleh naik perahu", default=True),
        "anggota": st.column_config.TextColumn("Anggota (pisahkan dengan koma)"),
    },
)
st.caption("Depot: " + md(", ".join(f"{k} = {v}" for k, v in depot_names.items())))
d1, d2, d3 = st.columns(3)
mulai = d1.date_input(
    "Mulai",
    value=calendar.working_days(date.today() + timedelta(days=7), 1)[0],
    format="DD/MM/YYYY",
    help="Hari kerja pertama; akhir pekan dan hari libur dilewati. Perjalanan yang menginap "
    "dimulai pada hari yang membuatnya tidak terpotong akhir pekan atau libur.",
)
seed = d2.number_input(
    "Benih acak (seed)",
    min_value=0,
    value=1,
    step=1,
    help="Angka yang sama dengan data yang sama menghasilkan rute yang sama.",
)
limit = d3.number_input("Batas waktu hitung (detik)", min_value=1, max_value=120, value=5)

kunci = st.session_state.get("route_locks", {})
if kunci:
    st.caption("Dikunci ke tim: " + md(", ".join(f"{names[k]} → {t}" for k, t in kunci.items())))


def solve() -> None:
    try:
        with st.spinner("Menyusun rute…"):
            if pilihan is None:
                chosen = routing.top_villages(
                    villages, points, depots, counts, top_n, boats=store.boat_legs()
                )
            else:
                chosen = pilihan
            plan = routing.plan_routes(
                villages,
                points,
                depots,
                counts,
                teams=tables.teams_from_table(teams_table),
                mulai=calendar.working_days(mulai, 1)[0],
                pilihan=chosen,
                wajib=tuple(wajib),
                kecuali=tuple(kecuali),
                kunci=kunci,
                boats=store.boat_legs(),
                seed=int(seed),
                batas_detik=float(limit),
                is_demo=ctx.is_demo,
            )
    except JangkauError as exc:
        st.error(str(exc))
        return
    st.session_state[Keys.PLAN] = plan.to_json()


def show_saved_plans() -> None:
    """The plans saved in the store, newest first, with WITA times."""
    saved = store.plans()
    if saved.empty:
        return
    st.subheader("Rencana tersimpan")
    st.dataframe(
        tables.saved_plans_table(saved),
        hide_index=True,
        width="stretch",
    )


if st.button("Susun rute", type="primary") or st.session_state.pop("route_resolve", False):
    solve()

data = st.session_state.get(Keys.PLAN)
if data is None:
    st.info("Atur desa, tim dan tanggal, lalu tekan “Susun rute”.")
    show_saved_plans()
    st.stop()
plan = RoutePlan.from_json(data)

st.subheader("3. Rencana")
summary = plan.summary()
m = st.columns(4)
m[0].metric("Tim berangkat", fmt.number(summary["tim"]))
m[1].metric("Desa dikunjungi", fmt.number(summary["desa_dikunjungi"]))
m[2].metric(
    "KPM belum terealisasi yang didatangi",
    fmt.number(summary["kpm_belum_dijangkau"]),
    help="KPM yang belum menerima bantuan di desa-desa yang dikunjungi rencana ini.",
)
m[3].metric("Desa tidak dikunjungi", fmt.number(summary["desa_tidak_dikunjungi"]))
villages_layer, kecamatan_layer = map_layers()
st_folium(
    maps.route_map(
        list(plan.routes),
        villages=villages_layer,
        kecamatan=kecamatan_layer,
        depots=depots,
        options=maps.MapOptions(assets="streamlit", demo=ctx.is_demo, simplify=False),
    ),
    key="peta_rute",
    height=560,
    use_container_width=True,
    returned_objects=[],
)
idle = tables.idle_teams(plan)
if idle:
    st.info(
        md(
            f"{', '.join(idle)} tidak diberangkatkan: tidak ada desa calon yang sepadan dengan "
            "perjalanannya dari depot tim itu. Tambah desa calon di dekat depotnya, tandai desa "
            "wajib, atau kunci desa ke tim itu."
        )
    )
for route in plan.routes:
    st.markdown(
        f"**{md(route.tim)}** — {md(route.depot_nama)} · {fmt.tanggal(route.berangkat)} s.d. "
        f"{fmt.tanggal(route.kembali)} ({route.hari} hari) · anggota: "
        f"{md(', '.join(route.anggota) or '-')}"
    )
    st.dataframe(
        tables.stop_table(route),
        hide_index=True,
        width="stretch",
        # The night's note is read in full; the landings (mostly empty) come last.
        column_config={
            "Malam": st.column_config.TextColumn(width="medium"),
            "Lewat dermaga": st.column_config.TextColumn(width="large"),
        },
    )
if plan.tidak_dikunjungi:
    with st.expander(f"Desa tidak dikunjungi ({fmt.number(len(plan.tidak_dikunjungi))})"):
        # A static table, so that long reasons wrap and are read in full.
        st.table(tables.left_out_table(plan))

st.subheader("4. Ubah, simpan, cetak")
a1, a2 = st.columns(2)
if a1.button("Kunci desa terpilih ke timnya", help="Rute berikutnya tetap memuat desa ini."):
    st.session_state["route_locks"] = tables.team_of_village(plan)
    flash("Desa dalam rencana dikunci ke timnya; susun ulang untuk menambah desa lain.")
    st.rerun()
drop = a2.multiselect(
    "Keluarkan dari rencana lalu susun ulang",
    list(tables.team_of_village(plan)),
    format_func=names.get,
    key="route_drop",
    placeholder="Pilih desa",
)
if drop and a2.button("Susun ulang tanpa desa ini"):
    st.session_state["route_x_next"] = sorted(set(kecuali) | set(drop))
    st.session_state["route_locks"] = {k: t for k, t in kunci.items() if k not in drop}
    st.session_state["route_resolve"] = True
    st.rerun()

s1, s2 = st.columns([2, 1])
plan_name = s1.text_input("Nama rencana", value=tables.plan_name(plan, mulai))
if s2.button("Simpan rencana", disabled=not ctx.can("perencana")):
    try:
        number = store.save_plan(
            plan_name.strip() or "Rencana", plan.to_json(), is_demo=plan.is_demo
        )
    except JangkauError as exc:
        st.error(str(exc))
    else:
        flash(f"Rencana #{number} tersimpan.")
        st.rerun()

planner = ctx.can("perencana")
# Names and NIK only for planners; every export that holds them is written to the audit log.
kpm = ctx.store.round_kpm(ctx.round.id) if ctx.round and planner else None


def named_pdf(team_name: str | None = None) -> bytes:
    data = sheets.route_sheet_pdf(plan, villages=villages, kpm=kpm, team=team_name, depots=depots)
    store.audit(
        ctx.user.username,
        "unduh lembar rute dengan nama",
        f"{team_name or 'semua tim'}; {summary['desa_dikunjungi']} desa",
    )
    return data


p1, p2, p3 = st.columns(3)
if planner:
    p1.download_button(
        "Lembar rute semua tim (PDF)",
        named_pdf,
        file_name="lembar_rute.pdf",
        mime="application/pdf",
        on_click="ignore",
    )
else:
    p1.caption("Lembar dengan nama KPM hanya untuk perencana.")
p2.download_button(
    "Tanpa nama, untuk dibagikan (PDF)",
    lambda: sheets.route_sheet_pdf(
        plan, villages=villages, kpm=kpm, with_names=False, depots=depots
    ),
    file_name="lembar_rute_tanpa_nama.pdf",
    mime="application/pdf",
    on_click="ignore",
)
team = p3.selectbox("Lembar satu tim", [r.tim for r in plan.routes])
if team and planner:
    p3.download_button(
        f"Lembar {team} (PDF)",
        lambda: named_pdf(team),
        file_name=f"lembar_rute_{team.lower().replace(' ', '_')}.pdf",
        mime="application/pdf",
        on_click="ignore",
    )

show_saved_plans()
