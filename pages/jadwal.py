"""Jadwal: saved route plans on the calendar with BRI, conflicts, .ics/XLSX exports, what teams
found in the field, and realization round by round."""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from geo import fmt
from geo.areas.lookup import VillageIndex
from geo.outputs import export
from geo.plan import calendar, schedule, tables
from geo.plan.model import RoutePlan
from geo.realization import outcomes
from pages.common import flash, md, page_setup, problem_table

ctx = page_setup("Jadwal", icon=":material/calendar_month:")
store = ctx.store
tab_cal, tab_out, tab_prog = st.tabs(["Kalender", "Hasil kunjungan", "Kemajuan"])

with tab_cal:
    plans = store.plans()
    if plans.empty:
        st.info("Belum ada rencana rute tersimpan. Susun dan simpan rencana di Rute Kunjungan.")
    else:
        labels = tables.plan_labels(plans)
        plan_id = st.selectbox("Rencana rute", list(labels), format_func=labels.get)
        plan = RoutePlan.from_json(store.plan(plan_id))
        c1, c2, c3 = st.columns(3)
        default_start = date.fromisoformat(plan.params.get("mulai", date.today().isoformat()))
        mulai = c1.date_input("Mulai", value=default_start, format="DD/MM/YYYY")
        every = c2.selectbox("Rekonsiliasi tiap (bulan)", [2, 3], index=0)
        extra = c3.file_uploader("Libur tambahan (CSV/XLSX: tanggal,nama)", type=["csv", "xlsx"])
        holidays = calendar.indonesian_holidays(range(mulai.year, mulai.year + 2))
        if extra is not None:
            more, problems = schedule.read_holiday_file(extra.getvalue(), extra.name)
            holidays = {**holidays, **more}
            for message in problems:
                st.warning(md(message))
        with st.expander("Orang dan tanggal tidak tersedia", expanded=False):
            people = st.data_editor(
                store.table("people").reindex(columns=schedule.PEOPLE_COLUMNS),
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                key="people_editor",
                column_config={
                    "nama": st.column_config.TextColumn("Nama"),
                    "peran": st.column_config.SelectboxColumn(
                        "Peran", options=list(schedule.PERAN)
                    ),
                    "tidak_tersedia": st.column_config.TextColumn(
                        "Tidak tersedia (mis. 2026-12-10, 2026-12-14..2026-12-16)"
                    ),
                },
            )
            if st.button("Simpan orang"):
                store.replace_table(
                    "people", people.dropna(subset=["nama"]).fillna(""), schedule.PEOPLE_COLUMNS
                )
                flash("Daftar orang tersimpan.")
                st.rerun()
        with st.expander("Tahap penyaluran dan tanggal tutup", expanded=False):
            deadlines = st.data_editor(
                store.table("deadlines").reindex(columns=schedule.DEADLINE_COLUMNS),
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                key="deadline_editor",
                column_config={
                    "program": st.column_config.SelectboxColumn(
                        "Program", options=list(schedule.PROGRAM)
                    ),
                    "tahap": st.column_config.Column("Tahap"),
                    "tanggal_tutup": st.column_config.TextColumn("Tanggal tutup (YYYY-MM-DD)"),
                },
            )
            if st.button("Simpan tahap"):
                store.replace_table(
                    "deadlines",
                    deadlines.dropna(subset=["program"]).fillna(""),
                    schedule.DEADLINE_COLUMNS,
                )
                flash("Tahap penyaluran tersimpan.")
                st.rerun()
        last_round = ctx.round.created_at[:10] if ctx.round else date.today().isoformat()
        try:
            cadence = schedule.reconciliation_dates(
                date.fromisoformat(last_round),
                every_months=every,
                until=mulai + timedelta(days=365),
                holidays=holidays,
            )
            sched = schedule.assign(
                plan,
                mulai,
                holidays=holidays,
                people=people.dropna(subset=["nama"]),
                deadlines=deadlines.dropna(subset=["program"]),
                reconciliations=cadence,
                plan_id=f"rencana-{plan_id}",
            )
        except schedule.ScheduleError as exc:
            st.error(md(str(exc)))
            st.stop()
        summary = sched.summary()
        m = st.columns(4)
        m[0].metric("Hari-tim", fmt.number(summary["hari_tim"]))
        m[1].metric("Mulai", tables.short_date(summary["mulai"]))
        m[2].metric("Selesai", tables.short_date(summary["selesai"]))
        m[3].metric("Konflik", fmt.number(summary["konflik"]))
        for conflict in sched.conflicts:
            st.warning(md(f"{fmt.tanggal(conflict.tanggal)} · {conflict.tim}: {conflict.pesan}"))
        if summary["libur_dilewati"]:
            st.caption(
                "Hari libur dilewati: "
                + md(", ".join(fmt.tanggal(d) for d in summary["libur_dilewati"]))
            )
        st.caption("Rekonsiliasi berikutnya: " + ", ".join(fmt.tanggal(d) for d in cadence[:4]))
        st.dataframe(tables.schedule_table(sched, plan), hide_index=True, width="stretch")
        d1, d2, d3, d4 = st.columns(4)
        d1.download_button(
            "Kalender semua tim (.ics)",
            lambda: schedule.ics_bytes(sched),
            file_name=f"jadwal_rencana_{plan_id}.ics",
            mime="text/calendar",
            on_click="ignore",
        )
        team = d2.selectbox("Tim", sched.teams(), label_visibility="collapsed")
        if team:
            d2.download_button(
                f"Kalender {team} (.ics)",
                lambda: schedule.ics_bytes(sched, team=team),
                file_name=f"jadwal_{team.lower().replace(' ', '_')}.ics",
                mime="text/calendar",
                on_click="ignore",
            )
        d3.download_button(
            "Jadwal (XLSX)",
            lambda: export.schedule_xlsx_bytes(sched),
            file_name=f"jadwal_rencana_{plan_id}.xlsx",
            on_click="ignore",
        )
        if d4.button("Simpan jadwal", disabled=not ctx.can("perencana")):
            number = store.save_schedule(
                plan_id, mulai.isoformat(), sched.days, is_demo=sched.is_demo
            )
            flash(f"Jadwal #{number} tersimpan.")
            st.rerun()


def outcomes_tab() -> None:
    """Record what teams found (planners only)."""
    st.caption(
        "Catat hasil kunjungan per desa: lewat formulir, atau unggah tabel lembar rute yang sudah "
        "diisi (unduh templatnya dulu)."
    )
    index = VillageIndex(ctx.bounds.villages)
    plans = store.plans()
    if not plans.empty:
        labels = tables.plan_labels(plans)
        chosen = st.selectbox(
            "Templat untuk rencana", list(labels), format_func=labels.get, key="outcome_plan"
        )
        saved_plan = RoutePlan.from_json(store.plan(chosen))
        stops = tables.plan_stops(saved_plan)
        st.download_button(
            "Templat hasil kunjungan (XLSX)",
            lambda: export.xlsx_bytes(
                {"Hasil": outcomes.template(stops, plan_id=chosen)},
                demo=saved_plan.is_demo,
                title="Hasil kunjungan: isi dikunjungi (ya/tidak) dan jumlahnya",
            ),
            file_name=f"hasil_kunjungan_rencana_{chosen}.xlsx",
            on_click="ignore",
        )
    upload = st.file_uploader("Unggah hasil kunjungan (XLSX/CSV)", type=["xlsx", "csv"])
    if upload is not None and st.button("Simpan hasil dari berkas"):
        try:
            result = outcomes.read_outcomes(upload.getvalue(), filename=upload.name, index=index)
        except ValueError as exc:
            st.error(md(str(exc)))
        else:
            if result.problems:
                st.warning(f"{fmt.number(len(result.problems))} baris tidak disimpan:")
                st.dataframe(problem_table(result.problems), hide_index=True)
            if len(result.frame):
                store.add_outcomes(result.frame)
                st.success(f"{fmt.number(len(result.frame))} hasil kunjungan tersimpan.")
    with st.form("outcome_form"):
        names = dict(
            zip(
                ctx.bounds.villages["kode"],
                ctx.bounds.villages["nama"] + " (" + ctx.bounds.villages["kecamatan"] + ")",
                strict=True,
            )
        )
        f1, f2, f3 = st.columns(3)
        kode = f1.selectbox("Desa", list(names), format_func=names.get)
        tanggal = f2.date_input("Tanggal", value=date.today(), format="DD/MM/YYYY")
        visited = f3.checkbox("Dikunjungi", value=True)
        n = st.columns(6)
        counts = {
            name: n[i].number_input(label, min_value=0, step=1, value=0)
            for i, (name, label) in enumerate(tables.OUTCOME_COUNTS)
        }
        lainnya = st.text_input("Masalah lain")
        if st.form_submit_button("Simpan hasil"):
            row = tables.outcome_row(kode, tanggal, visited, counts, lainnya)
            result = outcomes.validate(row, filename="formulir", index=index)
            if result.problems:
                st.error(md(result.problems[0].reason))
            else:
                store.add_outcomes(result.frame)
                st.success("Hasil kunjungan tersimpan; peta cakupan menandai desa ini.")
    recorded = outcomes.visit_status(store.table("outcomes"))
    if len(recorded):
        st.markdown("**Desa yang sudah dikunjungi**")
        st.dataframe(recorded, hide_index=True, width="stretch")


with tab_out:
    if ctx.can("perencana"):
        outcomes_tab()
    else:
        st.info("Mencatat hasil kunjungan hanya untuk perencana.")

with tab_prog:
    rounds = store.rounds()
    if not rounds:
        st.info("Belum ada putaran rekonsiliasi.")
    else:
        counts = {r.id: store.round_villages(r.id) for r in rounds}
        target = st.date_input("Tanggal target", value=date.today() + timedelta(days=90))
        table = outcomes.progress(rounds, counts, ctx.bounds.villages)
        chart = (
            alt.Chart(table)
            .mark_line(point=True)
            .encode(
                x=alt.X("tanggal:T", title="Putaran"),
                y=alt.Y("persen_terealisasi:Q", title="% terealisasi"),
                color=alt.Color("wilayah:N", title="Kecamatan"),
                tooltip=["wilayah", "label", "persen_terealisasi"],
            )
        )
        rule = (
            alt.Chart(pd.DataFrame({"target": [target.isoformat()]}))
            .mark_rule(strokeDash=[6, 4])
            .encode(x="target:T")
        )
        st.altair_chart(chart + rule, width="stretch")
        st.caption(f"Garis putus-putus: tanggal target {fmt.tanggal(target)}.")
        stuck = outcomes.not_improved(
            outcomes.visit_status(store.table("outcomes")), rounds, counts, ctx.bounds.villages
        )
        st.markdown("**Desa yang belum membaik sejak dikunjungi**")
        if stuck.empty:
            st.caption("Tidak ada (atau belum ada kunjungan yang diikuti putaran baru).")
        else:
            st.dataframe(stuck, hide_index=True, width="stretch")
