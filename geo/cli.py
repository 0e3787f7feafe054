"""Command line: ``python -m geo COMMAND ...``. Same functions as the pages.

Errors a user can fix are printed in Indonesian on stderr with exit code 2; an unexpected fault
prints a short message (no traceback, no personal data) and exits 1. Set ``JANGKAU_DEBUG=1`` to see
the traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from geo import settings
from geo._errors import JangkauError


def _store():
    from geo.store.database import Store

    return Store()


def cmd_boundaries(args: argparse.Namespace) -> int:
    from geo.areas import boundaries

    if args.action == "prepare":
        result = boundaries.prepare(args.source)
        print(json.dumps(result.summary()))
        return 0
    result = boundaries.load(source=args.source)
    print(json.dumps(result.summary()))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from geo.areas import boundaries
    from geo.intake import demo

    bounds = boundaries.load()
    data = demo.generate(bounds.villages, seed=args.seed)
    files = demo.write(data, Path(args.out))
    print(json.dumps({"folder": str(Path(args.out)), "seed": args.seed, **files.summary()}))
    return 0


def cmd_load_demo(args: argparse.Namespace) -> int:
    from geo.areas import boundaries
    from geo.datasets import load_demo
    from geo.safety import auth

    store = _store()
    if not args.force and not store.is_empty():
        print(json.dumps({"dimuat": False, "alasan": "basis data sudah berisi data"}))
        password = auth.ensure_demo_admin() if store.has_demo_points() else None
        if password:
            print(f"Akun admin DATA CONTOH dibuat: 'admin' / '{password}'.", file=sys.stderr)
        return 0
    result = load_demo(store, boundaries.load(), seed=args.seed)
    print(json.dumps({"dimuat": True, **result.summary()}, ensure_ascii=False))
    password = auth.ensure_demo_admin()
    if password:
        print(
            f"Akun admin DATA CONTOH dibuat: nama pengguna 'admin', kata sandi '{password}'. "
            "Simpan sekarang; sandi ini tidak ditampilkan lagi.",
            file=sys.stderr,
        )
    return 0


def _points(path_text: str, bounds):
    """Service points from a file, their problems printed as warnings."""
    from geo.reach.service_points import read_points

    path = Path(path_text)
    points = read_points(
        _read(path),
        filename=path.name,
        kabupaten=bounds.kabupaten.geometry.iloc[0],
        villages=bounds.villages,
    )
    for p in points.problems:
        print(f"Peringatan: {p.file} baris {p.row} kolom {p.column}: {p.reason}", file=sys.stderr)
    return points


def _boat_legs(perahu: str | None, dermaga: str | None, bounds):
    """Boat legs for the network: from ``--perahu``/``--dermaga`` files, the store's tables for
    what no file gives; problems printed as warnings. The store's legs when neither is given.
    """
    from geo.areas.lookup import VillageIndex
    from geo.reach.boats import read_boat_legs
    from geo.reach.landings import read_landings

    if not perahu and not dermaga:
        return _store().boat_legs()
    if dermaga:
        path = Path(dermaga)
        found = read_landings(
            _read(path),
            filename=path.name,
            kabupaten=bounds.kabupaten.geometry.iloc[0],
            villages=bounds.villages,
        )
        landings, problems = found.frame, found.problems
    else:
        landings, problems = _store().landings(), []
    if perahu:
        path = Path(perahu)
        data, name = _read(path), path.name
    else:
        data, name = _store().boat_legs().to_csv(index=False).encode(), "ruas perahu tersimpan"
    legs = read_boat_legs(
        data, filename=name, index=VillageIndex(bounds.villages), landings=landings
    )
    for p in [*problems, *legs.problems]:
        print(f"Peringatan: {p.file} baris {p.row} kolom {p.column}: {p.reason}", file=sys.stderr)
    return legs.frame


def _village_counts(path_text: str, bounds):
    """Per-village counts from a ``desa.csv``; problems and unknown codes printed as warnings.

    Returns the counts and whether the file is demo data.
    """
    from geo.intake.tables import has_demo_marker, read_table
    from geo.realization import coverage

    path = Path(path_text)
    table, _ = read_table(_read(path), filename=path.name)
    counts, problems = coverage.read_village_counts(table, filename=path.name)
    for code in sorted(set(counts["kode_desa"]) - set(bounds.villages["kode"])):
        problems.append(f"{path.name}: kode desa {code} tidak dikenal; baris dilewati.")
    for message in problems:
        print("Peringatan: " + message, file=sys.stderr)
    return counts, has_demo_marker(table, list(table.columns))


def cmd_peta(args: argparse.Namespace) -> int:
    from geo.areas import boundaries
    from geo.outputs import maps
    from geo.realization import coverage

    bounds = boundaries.load()
    points = _points(args.layanan, bounds)
    demo_flag = points.is_demo
    if args.desa:
        counts, demo_counts = _village_counts(args.desa, bounds)
        demo_flag = demo_flag or demo_counts
    else:
        store = _store()
        latest = store.latest_round()
        counts = store.round_villages(latest.id) if latest else coverage.empty_counts()
        demo_flag = demo_flag or bool(latest and latest.is_demo)
    cov = coverage.compute(bounds.villages, counts, program=args.program)
    fmap = maps.coverage_map(
        cov,
        kecamatan=bounds.kecamatan,
        service_points=points.active(),
        options=maps.MapOptions(metric=args.metrik, assets="inline", demo=demo_flag),
    )
    page = maps.standalone_html(fmap, title="Jangkau — Peta Cakupan", demo=demo_flag)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(
        json.dumps(
            {
                "out": str(out),
                "bytes": len(page.encode()),
                "desa": len(cov.villages),
                **{k: v for k, v in cov.totals().items() if k in ("kpm", "terealisasi", "belum")},
            }
        )
    )
    return 0


def _mapping(pairs: list[str] | None, option: str) -> dict[str, str] | None:
    if not pairs:
        return None
    out = {}
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise JangkauError(
                f"{option} '{pair}' tidak sah: tulis BIDANG=JUDUL KOLOM, misalnya "
                f'{option} nik="NIK KTP".'
            )
        out[field.strip().lower()] = header.strip()
    return out


def cmd_reconcile(args: argparse.Namespace) -> int:
    from geo.areas import boundaries
    from geo.areas.lookup import VillageIndex
    from geo.intake.problems import problems_to_frame
    from geo.intake.realisasi import read_realisasi
    from geo.intake.roster import read_roster
    from geo.outputs import export
    from geo.realization.reconcile import reconcile
    from geo.realization.rounds import InputFile, run_round

    bounds = boundaries.load()
    roster_path, real_path = Path(args.roster), Path(args.realisasi)
    roster = InputFile(roster_path.name, _read(roster_path))
    realisasi = InputFile(real_path.name, _read(real_path))
    common = _mapping(args.kolom, "--kolom") or {}
    map_roster = {**common, **(_mapping(args.kolom_roster, "--kolom-roster") or {})} or None
    map_real = {**common, **(_mapping(args.kolom_realisasi, "--kolom-realisasi") or {})} or None
    if args.round:
        info, result = run_round(
            _store(),
            roster=roster,
            realisasi=realisasi,
            villages=bounds.villages,
            label=args.round,
            mapping_roster=map_roster,
            mapping_realisasi=map_real,
            sheet_roster=args.sheet_roster,
            sheet_realisasi=args.sheet_realisasi,
        )
        saved = {"putaran": info.id, "putaran_baru": info.created}
    else:
        index = VillageIndex(bounds.villages)
        result = reconcile(
            read_roster(
                roster.data,
                filename=roster.name,
                index=index,
                mapping=map_roster,
                sheet=args.sheet_roster,
            ),
            read_realisasi(
                realisasi.data,
                filename=realisasi.name,
                index=index,
                mapping=map_real,
                sheet=args.sheet_realisasi,
            ),
            villages=bounds.villages,
        )
        saved = {}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    demo = any(s.get("data_contoh") for s in result.summary().get("berkas", {}).values())
    opts = {"demo": demo, "sep": ",", "bom": False, "decimal": "."}
    (out / "desa.csv").write_bytes(export.csv_bytes(result.villages, **opts))
    (out / "masalah.csv").write_bytes(export.csv_bytes(problems_to_frame(result.problems), **opts))
    print(json.dumps({**result.summary(), **saved, "out": str(out)}, ensure_ascii=False))
    return 0


def cmd_nearest(args: argparse.Namespace) -> int:
    from geo.areas import boundaries
    from geo.outputs import export
    from geo.reach import network, per_village
    from geo.reach.per_kpm import KPM_COLUMNS, nearest_kpm
    from geo.reach.service_points import JENIS

    if args.roster and not args.per_kpm:
        raise JangkauError("--roster hanya dipakai bersama --per-kpm OUT_KPM.csv.")
    bounds = boundaries.load()
    layanan = Path(args.layanan)
    points = _points(args.layanan, bounds)
    if points.active().empty:
        raise JangkauError(
            f"Berkas {layanan.name}: tidak ada titik layanan aktif yang sah; perbaiki baris yang "
            "dilaporkan di atas."
        )
    jenis = tuple(j.strip() for j in args.jenis.split(",") if j.strip())
    unknown = [j for j in jenis if j not in JENIS]
    if unknown or not jenis:
        raise JangkauError(
            f"--jenis tidak dikenal: {', '.join(unknown) or '(kosong)'}; pilih dari "
            f"{', '.join(JENIS)} (dipisah koma)."
        )
    boats = _boat_legs(args.perahu, args.dermaga, bounds)
    net = network.load_network(
        bounds.villages, points.active(), jaringan=args.jaringan, boats=boats
    )
    table = per_village.nearest(net, bounds.villages, points.active(), jenis=jenis)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = table[per_village.NEAREST_COLUMNS]

    out.write_bytes(export.csv_bytes(frame, demo=points.is_demo, sep=",", bom=False, decimal="."))
    unreachable = table.loc[~table["terjangkau"], "kode_desa"].tolist()
    result = {
        "out": str(out),
        "desa": len(table),
        "tak_terjangkau": unreachable,
        "jaringan": net.summary(),
    }
    if args.per_kpm:
        kpm, kpm_demo = _located_kpm(args.roster, bounds)
        reach = nearest_kpm(net, bounds.villages, points.active(), kpm, jenis=jenis)
        per_kpm = Path(args.per_kpm)
        per_kpm.parent.mkdir(parents=True, exist_ok=True)
        per_kpm.write_bytes(
            export.csv_bytes(
                reach.table[KPM_COLUMNS],
                demo=points.is_demo or kpm_demo,
                sep=",",
                bom=False,
                decimal=".",
            )
        )
        result["per_kpm"] = {"out": str(per_kpm), **reach.summary()}
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _located_kpm(roster: str | None, bounds):
    """KPM with ``lat``/``lon`` for ``nearest --per-kpm``: from ``--roster`` (problems printed
    as warnings, without values: they may be home coordinates) or the latest round.

    Returns the frame (``per_kpm.HOME_COLUMNS``) and whether it is demo data.
    """
    from geo.areas.lookup import VillageIndex
    from geo.intake.roster import read_roster
    from geo.reach import per_kpm
    from geo.realization.reconcile import location_problems

    if roster:
        path = Path(roster)
        found = read_roster(_read(path), filename=path.name, index=VillageIndex(bounds.villages))
        for p in [*found.problems, *location_problems(found, bounds.villages)]:
            where = f"baris {p.row} kolom {p.column}" if p.row else f"kolom {p.column}"
            print(f"Peringatan: {p.file} {where}: {p.reason}", file=sys.stderr)
        kpm = per_kpm.roster_homes(found.frame)
        source, demo = f"Berkas {path.name}", found.is_demo
    else:
        store = _store()
        latest = store.latest_round()
        if latest is None:
            raise JangkauError(
                "Belum ada putaran rekonsiliasi di basis data; beri --roster BERKAS (data Dinsos "
                "berkoordinat) untuk --per-kpm."
            )
        kpm = store.round_kpm(latest.id)
        source, demo = f"Putaran #{latest.id}", latest.is_demo
    return per_kpm.located_homes(kpm, source=source), demo


def cmd_routes(args: argparse.Namespace) -> int:
    from datetime import date

    from geo.areas import boundaries
    from geo.plan import calendar, routing, sheets
    from geo.reach.service_points import read_points

    bounds = boundaries.load()
    kab = bounds.kabupaten.geometry.iloc[0]
    points = _points(args.layanan, bounds)
    counts, demo_counts = _village_counts(args.desa, bounds)
    if args.depot:
        depot_path = Path(args.depot)
        depots = read_points(
            _read(depot_path), filename=depot_path.name, kabupaten=kab, depots=True
        ).frame
    else:
        from geo.intake import demo

        depots = demo.generate_depots()
    try:
        mulai = date.fromisoformat(args.mulai) if args.mulai else date.today()
    except ValueError:
        raise JangkauError(f"--mulai '{args.mulai}' bukan tanggal; tulis YYYY-MM-DD.") from None
    if args.tim < 1 or args.hari < 1:
        raise JangkauError("--tim dan --hari harus 1 atau lebih.")
    teams = routing.default_teams(depots, counts, bounds.villages, n=args.tim, hari=args.hari)
    is_demo = points.is_demo or demo_counts
    plan = routing.plan_routes(
        bounds.villages,
        points.active(),
        depots,
        counts,
        teams=teams,
        mulai=calendar.working_days(mulai, 1)[0],
        boats=_boat_legs(args.perahu, args.dermaga, bounds),
        seed=args.seed,
        batas_detik=args.batas_detik,
        is_demo=is_demo,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "rute.json").write_text(
        json.dumps(plan.to_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    files = {"rute.json": str(out / "rute.json")}
    # The CLI has no per-KPM list (desa.csv holds counts): sheets carry counts and blank lines.
    written = sheets.route_sheet_files(
        plan, villages=bounds.villages, kpm=None, out_dir=out, depots=depots
    )
    files.update({name: str(path) for name, path in written.items()})
    print(json.dumps({**plan.summary(), "berkas": files}, ensure_ascii=False))
    return 0


def cmd_jadwal(args: argparse.Namespace) -> int:
    from datetime import date, timedelta

    from geo.outputs import export
    from geo.plan import calendar, schedule
    from geo.plan.model import RoutePlan

    rute = Path(args.rute)
    raw = _read(rute)
    try:
        plan = RoutePlan.from_json(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise JangkauError(
            f"Berkas {rute.name} bukan JSON yang sah; pakai rute.json hasil 'python -m geo routes'."
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError):
        raise JangkauError(
            f"Berkas {rute.name} bukan rencana rute (isi atau kolomnya tidak lengkap); pakai "
            "rute.json hasil 'python -m geo routes' atau rencana yang disimpan."
        ) from None

    def day(text: str, option: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise JangkauError(f"{option} '{text}' bukan tanggal; tulis YYYY-MM-DD.") from None

    mulai = day(args.mulai, "--mulai")
    last = (
        day(args.rekonsiliasi_terakhir, "--rekonsiliasi-terakhir")
        if args.rekonsiliasi_terakhir
        else None
    )
    # Trips may run into the next year; holidays of both years are needed.
    holidays = calendar.indonesian_holidays(range(mulai.year, mulai.year + 2))
    warnings: list[str] = []
    if args.libur:
        path = Path(args.libur)
        extra, problems = schedule.read_holiday_file(_read(path), path.name)
        holidays = {**holidays, **extra}
        warnings += problems
    people = deadlines = None
    if args.orang:
        path = Path(args.orang)
        people, problems = schedule.read_people(_read(path), filename=path.name)
        warnings += problems
    if args.tenggat:
        path = Path(args.tenggat)
        deadlines, problems = schedule.read_deadlines(_read(path), filename=path.name)
        warnings += problems
    for message in warnings:
        print("Peringatan: " + message, file=sys.stderr)
    rounds = (
        schedule.reconciliation_dates(
            last,
            every_months=args.setiap_bulan or schedule.RECONCILE_EVERY_MONTHS,
            until=mulai + timedelta(days=365),
            holidays=holidays,
        )
        if last
        else []
    )
    result = schedule.assign(
        plan,
        mulai,
        holidays=holidays,
        people=people,
        deadlines=deadlines,
        reconciliations=rounds,
    )
    for conflict in result.conflicts:
        print(f"Konflik ({conflict.jenis}): {conflict.pesan}", file=sys.stderr)
    ics = Path(args.ics)
    ics.parent.mkdir(parents=True, exist_ok=True)
    ics.write_bytes(schedule.ics_bytes(result))
    files = {"ics": str(ics)}
    if args.xlsx:
        xlsx = Path(args.xlsx)
        xlsx.parent.mkdir(parents=True, exist_ok=True)
        xlsx.write_bytes(export.schedule_xlsx_bytes(result))
        files["xlsx"] = str(xlsx)
    print(json.dumps({**result.summary(), "berkas": files}, ensure_ascii=False))
    return 0


def cmd_akun(args: argparse.Namespace) -> int:
    import getpass

    from geo.safety import auth

    if args.action == "daftar":
        for account in auth.list_accounts():
            print(json.dumps(account.__dict__, ensure_ascii=False))
        return 0
    if args.action == "hapus":
        auth.remove_account(args.nama)
        print(json.dumps({"dihapus": args.nama}))
        return 0
    password = auth.random_password() if args.sandi_acak else None
    if password is None:
        if not sys.stdin.isatty():
            raise JangkauError("Beri --sandi-acak, atau jalankan di terminal untuk mengetik sandi.")
        password = getpass.getpass("Kata sandi baru: ")
    account = auth.add_account(args.nama, password, args.peran, nama=args.nama_lengkap or "")
    out = {"akun": account.username, "peran": account.peran}
    if args.sandi_acak:
        out["sandi"] = password  # shown once, to hand to the user
    print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from geo.store.backup import backup

    info = backup(settings.database_url(), Path(args.out))
    print(json.dumps(info.summary(), ensure_ascii=False))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from geo.store.backup import restore

    info = restore(Path(args.berkas), settings.database_url())
    print(json.dumps(info.summary(), ensure_ascii=False))
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise JangkauError(f"Berkas {path} tidak dapat dibaca ({exc.strerror}).") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Jangkau: Kukar bansos")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("boundaries", help="batas wilayah Kukar")
    p.add_argument("action", choices=["info", "prepare"])
    p.add_argument("--source", help="folder berisi tiga berkas SQL, atau URL dasar")
    p.set_defaults(func=cmd_boundaries)

    p = sub.add_parser("demo", help="tulis berkas DATA CONTOH")
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=settings.DEMO_SEED)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("load-demo", help="muat DATA CONTOH ke basis data bila masih kosong")
    p.add_argument("--seed", type=int, default=settings.DEMO_SEED)
    p.add_argument("--force", action="store_true", help="muat walau basis data sudah berisi")
    p.set_defaults(func=cmd_load_demo)

    p = sub.add_parser("reconcile", help="rekonsiliasi data Dinsos dengan realisasi BRI")
    p.add_argument("--roster", required=True, help="data Dinsos (CSV/XLSX)")
    p.add_argument("--realisasi", required=True, help="data realisasi BRI (CSV/XLSX)")
    p.add_argument("--out", required=True, help="folder untuk desa.csv dan masalah.csv")
    p.add_argument("--round", help="simpan sebagai putaran dengan label ini")
    kolom_help = 'BIDANG=JUDUL: pakai kolom JUDUL untuk BIDANG (mis. nik="NIK KTP"); berulang'
    p.add_argument("--kolom", action="append", metavar="BIDANG=JUDUL", help=kolom_help)
    p.add_argument("--kolom-roster", action="append", metavar="BIDANG=JUDUL")
    p.add_argument("--kolom-realisasi", action="append", metavar="BIDANG=JUDUL")
    p.add_argument("--sheet-roster", help="lembar XLSX data Dinsos (bawaan: pertama)")
    p.add_argument("--sheet-realisasi", help="lembar XLSX realisasi BRI (bawaan: pertama)")
    p.set_defaults(func=cmd_reconcile)

    p = sub.add_parser("nearest", help="titik layanan terdekat untuk setiap desa")
    p.add_argument("--layanan", required=True, help="CSV/XLSX titik layanan")
    p.add_argument(
        "--jaringan",
        help="perkiraan | osm:BERKAS.osm/.pbf | overpass (bawaan: JANGKAU_JARINGAN)",
    )
    p.add_argument("--jenis", default="e-warong,agen_brilink,kantor_bri")
    p.add_argument("--perahu", help="CSV ruas perahu (bawaan: tabel di basis data)")
    p.add_argument("--dermaga", help="CSV dermaga nama,lat,lon (bawaan: tabel di basis data)")
    p.add_argument("--out", required=True)
    p.add_argument(
        "--per-kpm",
        dest="per_kpm",
        metavar="OUT_KPM.csv",
        help="tulis juga titik terdekat setiap KPM berkoordinat (NIK disamarkan)",
    )
    p.add_argument(
        "--roster",
        help="data Dinsos (CSV/XLSX) berkoordinat untuk --per-kpm (bawaan: putaran terakhir)",
    )
    p.set_defaults(func=cmd_nearest)

    p = sub.add_parser("routes", help="rute kunjungan tim Dinsos+BRI dan lembar rute PDF")
    p.add_argument("--desa", required=True, help="desa.csv hasil reconcile (KPM per desa)")
    p.add_argument("--layanan", required=True, help="CSV/XLSX titik layanan")
    p.add_argument("--depot", help="CSV depot id,nama,lat,lon (bawaan: kantor BRI contoh)")
    p.add_argument("--tim", type=int, required=True, help="jumlah tim")
    p.add_argument("--hari", type=int, required=True, help="hari kerja per tim")
    p.add_argument("--mulai", help="tanggal mulai YYYY-MM-DD (bawaan: hari ini)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batas-detik", type=float, default=5.0, dest="batas_detik")
    p.add_argument("--perahu", help="CSV ruas perahu (bawaan: tabel di basis data)")
    p.add_argument("--dermaga", help="CSV dermaga nama,lat,lon (bawaan: tabel di basis data)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_routes)

    p = sub.add_parser("jadwal", help="jadwal kunjungan dari rute.json: kalender .ics dan XLSX")
    p.add_argument("--rute", required=True, help="rute.json hasil routes")
    p.add_argument("--mulai", required=True, help="hari pertama perjalanan YYYY-MM-DD")
    p.add_argument("--libur", help="CSV/XLSX libur tambahan: tanggal,nama")
    p.add_argument("--orang", help="CSV/XLSX petugas: nama,peran,tidak_tersedia")
    p.add_argument("--tenggat", help="CSV/XLSX tahap: program,tahap,tanggal_tutup")
    p.add_argument(
        "--rekonsiliasi-terakhir",
        dest="rekonsiliasi_terakhir",
        help="tanggal rekonsiliasi terakhir YYYY-MM-DD: tampilkan putaran berikutnya",
    )
    p.add_argument(
        "--setiap-bulan",
        dest="setiap_bulan",
        type=int,
        default=None,
        help="jarak antarputaran rekonsiliasi, bulan",
    )
    p.add_argument("--ics", required=True, help="berkas .ics untuk semua tim")
    p.add_argument("--xlsx", help="jadwal sebagai XLSX")
    p.set_defaults(func=cmd_jadwal)

    p = sub.add_parser("akun", help="akun pengguna dan perannya")
    p.add_argument("action", choices=["tambah", "hapus", "daftar"])
    p.add_argument("--nama", help="nama pengguna (atau e-mail untuk SSO)")
    p.add_argument("--peran", choices=["pengamat", "perencana", "admin"], default="pengamat")
    p.add_argument("--nama-lengkap", dest="nama_lengkap")
    p.add_argument("--sandi-acak", action="store_true", help="buat dan tampilkan sandi acak")
    p.set_defaults(func=cmd_akun)

    p = sub.add_parser("backup", help="cadangkan seluruh basis data ke satu berkas SQLite")
    p.add_argument("out", metavar="OUT", help="berkas cadangan (berisi nama dan NIK: simpan aman)")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore", help="pulihkan seluruh basis data dari berkas cadangan (yang lama disalin dulu)"
    )
    p.add_argument("berkas", metavar="IN", help="berkas hasil 'python -m geo backup'")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("peta", help="peta cakupan sebagai satu berkas HTML")
    p.add_argument("--layanan", required=True, help="CSV/XLSX titik layanan")
    p.add_argument("--desa", help="desa.csv hasil reconcile (tanpa ini: putaran terakhir)")
    p.add_argument("--out", required=True)
    p.add_argument("--program", choices=["SEMUA", "PKH", "BPNT"], default="SEMUA")
    p.add_argument("--metrik", choices=["jumlah", "persen"], default="jumlah")
    p.set_defaults(func=cmd_peta)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except JangkauError as exc:
        print(f"Kesalahan: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"Kesalahan: berkas atau folder {exc.filename or ''} tidak dapat ditulis atau dibaca "
            f"({exc.strerror}). Periksa jalurnya dan izin folder.",
            file=sys.stderr,
        )
        return 2
    except Exception as exc:
        if os.environ.get("JANGKAU_DEBUG"):
            raise
        print(
            f"Terjadi kesalahan tak terduga ({type(exc).__name__}). Jalankan ulang dengan "
            "JANGKAU_DEBUG=1 untuk rinciannya dan laporkan ke pengembang.",
            file=sys.stderr,
        )
        return 1
