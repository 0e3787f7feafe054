"""Deterministic synthetic demo data: Dinsos roster, BRI realization, service points, depots.

Everything here is invented (*data contoh*): NIK, names, card numbers, service points and statuses
are drawn from ``np.random.default_rng(seed)``; only the villages (codes, names, polygons) and the
depot towns are real. Every file says so: the roster and the BRI sheet carry a ``CATATAN`` column
``DATA CONTOH (sintetis, bukan data nyata)``, the workbook has a ``KETERANGAN`` sheet, and the
service point and depot files a ``catatan`` column. The same seed gives byte-identical files.

Patterns built in, so that the maps and reports have something to show:

- **Families (KPM)** are spread over villages by an estimated 2020 population per kecamatan
  (``KEC_POPULATION_K``, rough estimates, not census figures), split over its villages with
  kelurahan and the kecamatan seat weighted heavier and log-normal noise. The poverty share rises
  with distance from the road network (up to +60 % for villages 25 km or more away, and for the
  named remote villages).
- **Service points** (e-warong, BRILink agents, BRI units) are placed in villages weighted by
  population, by closeness to the road network (``ROADS``: the corridor Samarinda - Tenggarong -
  Kota Bangun - Kenohan - Kembang Janggut - Tabang, the branch to Muara Kaman, the coastal roads to
  Anggana, Muara Badak - Marang Kayu - Bontang and Sanga Sanga - Muara Jawa - Samboja, and the
  Samarinda - Balikpapan road; all approximate), by being a kelurahan, and by being the kecamatan
  seat (``KEC_SEAT``, approximate). The villages in ``REMOTE_VILLAGES`` (Anggana's delta, the
  lake villages of Muara Wis, Muara Muntai and Kenohan, upriver Tabang) get none. A point lies
  inside its village polygon, drawn around the village's reference point (the settlement).
- **Realization**: the chance that a credited KPM has spent or withdrawn the aid (``SUDAH
  TRANSAKSI``) falls with the straight-line distance (EPSG:32750) from the village's reference
  point to the nearest e-warong or agent, from about 90 % (PKH) / 75 % (BPNT) within 3 km to
  about 50 % / 35-40 % beyond 20 km; some villages far from the road have no signal (a further
  drop). About 5 % of families are ``TIDAK TRANSAKSI`` with a reason (more in remote villages).
  Overall 25-30 % of the BRI rows are not realized, most of them BPNT.
- **Messiness** as in real files: about 30 % of roster rows have no village code (the names then
  decide), about 15 % spell the kecamatan or village as clerks do (upper case, ``DESA ``/``KEL. ``
  prefixes, ``Sanga-Sanga``, ``Marangkayu``, ``Semboja``), about 1 % of NIKs carry Excel's leading
  apostrophe; in the BRI file about 2 % of roster KPM-programmes are missing, about 0.5 % of rows
  are for NIKs not in the roster and about 0.3 % are duplicated (some with another status); BPNT is
  labelled ``BPNT`` by the Bontang and Balikpapan branches and ``SEMBAKO`` by the others.
- **Home coordinates** (``LINTANG``/``BUJUR``, decimal comma) for about 70 % of roster families,
  inside their village polygon around its settlement, from a separate random stream; a handful
  are spoiled (swapped, BUJUR missing, typed as degrees-minutes, decimal point lost, placed in a
  far village) so that the coordinate checks show.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import xlsxwriter
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString

from geo import settings

#: Marks every demo row (roster and BRI file).
DEMO_MARK = "DATA CONTOH (sintetis, bukan data nyata)"
#: ``catatan`` of service points and depots.
LAYANAN_MARK = "DATA CONTOH"
#: Text of the BRI workbook's ``KETERANGAN`` sheet.
KETERANGAN_TEXT = (
    "DATA CONTOH — data sintetis untuk demonstrasi Jangkau, bukan data penerima nyata."
)

FILE_NAMES: dict[str, str] = {
    "roster": "roster_dinsos.csv",
    "realisasi": "realisasi_bri.xlsx",
    "layanan": "layanan.csv",
    "depot": "depot.csv",
    "perahu": "perahu.csv",
    "dermaga": "dermaga.csv",
}

#: Boat legs planners keep (``geo.reach.boats``): the legs named in domain.md, times and waits as
#: reported there (estimates), fares invented. The same for every seed.
PERAHU_COLUMNS: list[str] = ["dari", "ke", "moda", "menit", "tunggu_menit", "biaya", "catatan"]
PERAHU: list[tuple[str, str, str, int, int, int]] = [
    ("Dermaga Muara Muntai", "Muara Enggelam (Muara Wis)", "ketinting", 60, 15, 100000),
    ("Dermaga Kota Bangun", "Muara Enggelam (Muara Wis)", "longboat", 90, 15, 150000),
    ("Muara Wis (Muara Wis)", "Melintang (Muara Wis)", "ketinting", 45, 10, 75000),
    ("Dermaga Anggana", "Sepatin (Anggana)", "longboat", 240, 60, 750000),
    ("Dermaga Anggana", "Muara Pantuan (Anggana)", "speedboat", 150, 60, 1000000),
    ("Dermaga Anggana", "Tani Baru (Anggana)", "longboat", 120, 45, 500000),
    ("Muara Kaman Ilir (Muara Kaman)", "Muara Siran (Muara Kaman)", "ketinting", 120, 20, 200000),
]

#: Landings the boat legs leave from (``geo.reach.landings``): on the Mahakam at Anggana's port
#: (about 2 h by road from Tenggarong), Muara Muntai and Kota Bangun. Positions approximate, each
#: inside the village named. The same for every seed.
DERMAGA_COLUMNS: list[str] = ["nama", "lat", "lon", "kode_desa", "keterangan", "catatan"]
DERMAGA: list[tuple[str, float, float, str, str]] = [
    (
        "Dermaga Anggana",
        -0.5625,
        117.2880,
        "64.02.04.2005",
        "Pelabuhan Anggana di tepi Mahakam; perahu ke desa delta menunggu pasang",
    ),
    ("Dermaga Muara Muntai", -0.3390, 116.3985, "64.02.01.2007", "Tepi Mahakam, Muara Muntai Ulu"),
    ("Dermaga Kota Bangun", -0.2600, 116.5905, "64.02.08.2005", "Tepi Mahakam, Kota Bangun Ulu"),
]

ROSTER_COLUMNS: list[str] = [
    "NO",
    "NIK",
    "NO KK",
    "NAMA",
    "ALAMAT",
    "KODE WILAYAH",
    "KECAMATAN",
    "DESA/KELURAHAN",
    "PKH",
    "BPNT",
    "LINTANG",
    "BUJUR",
    "PERIODE",
    "CATATAN",
]
REALISASI_COLUMNS: list[str] = [
    "KODE WILAYAH",
    "KECAMATAN",
    "DESA",
    "NAMA PENGURUS",
    "NIK",
    "NO KK",
    "NO KKS",
    "PROGRAM",
    "TAHAP",
    "NOMINAL",
    "TANGGAL KREDIT",
    "STATUS",
    "TANGGAL TRANSAKSI",
    "ID AGEN",
    "KETERANGAN",
    "CATATAN",
]
LAYANAN_COLUMNS: list[str] = [
    "id",
    "nama",
    "jenis",
    "lat",
    "lon",
    "kode_desa",
    "kapasitas",
    "catatan",
]
DEPOT_COLUMNS: list[str] = ["id", "nama", "lat", "lon", "catatan"]

REALISASI_SHEET = "Realisasi"
KETERANGAN_SHEET = "KETERANGAN"

JENIS_LAYANAN: tuple[str, ...] = ("e-warong", "agen_brilink", "kantor_bri")
STATUS_SUDAH = "SUDAH TRANSAKSI"
STATUS_BELUM = "BELUM TRANSAKSI"
STATUS_TIDAK = "TIDAK TRANSAKSI"
#: Reasons for ``TIDAK TRANSAKSI`` and their shares.
KETERANGAN_TIDAK: dict[str, float] = {
    "MENINGGAL": 0.18,
    "PINDAH DOMISILI": 0.27,
    "MAMPU": 0.15,
    "KARTU HILANG": 0.22,
    "KARTU BLOKIR": 0.18,
}

#: Roster period and the date the BRI snapshot was taken.
PERIODE = "2022-01"
#: Share of roster families with home coordinates (DTKS geotagging is partial), and the
#: random stream they are drawn from: ``default_rng([seed, HOME_STREAM])``, apart from the
#: main one, so adding them changed no other figure of a seed.
HOME_SHARE = 0.70
HOME_STREAM = 41
DATA_DATE = dt.date(2022, 4, 30)
TAHAP = 1

#: Estimated 2020 population per kecamatan, thousands. Rough estimates for weighting only.
KEC_POPULATION_K: dict[str, float] = {
    "Tenggarong": 115,
    "Tenggarong Seberang": 70,
    "Samboja": 66,
    "Loa Janan": 65,
    "Loa Kulu": 52,
    "Muara Badak": 47,
    "Anggana": 45,
    "Sebulu": 40,
    "Muara Kaman": 40,
    "Muara Jawa": 40,
    "Kota Bangun": 34,
    "Samboja Barat": 30,
    "Marang Kayu": 27,
    "Kembang Janggut": 27,
    "Sanga Sanga": 20,
    "Muara Muntai": 18,
    "Tabang": 12,
    "Kota Bangun Darat": 12,
    "Kenohan": 11,
    "Muara Wis": 9,
}
_DEFAULT_KEC_POPULATION_K = 20.0

#: Seat (ibu kota) of each kecamatan as a village name; approximate where sources disagree.
KEC_SEAT: dict[str, str] = {
    "Muara Muntai": "Muara Muntai Ilir",
    "Loa Kulu": "Loa Kulu Kota",
    "Loa Janan": "Loa Janan Ulu",
    "Anggana": "Anggana",
    "Muara Badak": "Muara Badak Ulu",
    "Tenggarong": "Melayu",
    "Sebulu": "Sebulu Ilir",
    "Kota Bangun": "Kota Bangun Ilir",
    "Kenohan": "Teluk Muda",
    "Kembang Janggut": "Kembang Janggut",
    "Muara Kaman": "Muara Kaman Ulu",
    "Tabang": "Sidomulyo",
    "Samboja": "Samboja Kuala",
    "Muara Jawa": "Muara Jawa Tengah",
    "Sanga Sanga": "Sanga-Sanga Dalam",
    "Tenggarong Seberang": "Bukit Raya",
    "Marang Kayu": "Santan Tengah",
    "Muara Wis": "Muara Wis",
    "Kota Bangun Darat": "Kota Bangun I",
    "Samboja Barat": "Bukit Merdeka",
}

#: Villages reached by boat or far upriver: no service points, more poverty. (kecamatan, nama).
REMOTE_VILLAGES: dict[str, tuple[tuple[str, str], ...]] = {
    "delta": (("Anggana", "Muara Pantuan"), ("Anggana", "Sepatin"), ("Anggana", "Tani Baru")),
    "danau": (
        ("Muara Wis", "Muara Enggelam"),
        ("Muara Wis", "Enggelam"),
        ("Muara Wis", "Melintang"),
        ("Muara Muntai", "Jantur"),
        ("Muara Muntai", "Jantur Selatan"),
        ("Muara Muntai", "Jantur Baru"),
        ("Muara Muntai", "Muara Aloh"),
        ("Kenohan", "Semayang"),
        ("Kenohan", "Tubuhan"),
        ("Kenohan", "Kahala Ilir"),
    ),
    "hulu": (
        ("Tabang", "Muara Tiq"),
        ("Tabang", "Muara Belinau"),
        ("Tabang", "Muara Tubo"),
        ("Tabang", "Muara Kebaq"),
        ("Tabang", "Umaq Bekuay"),
        ("Tabang", "Muara Salung"),
        ("Tabang", "Muara Ritan"),
    ),
}

#: Main roads as (lon, lat) polylines. Approximate, drawn from town positions.
ROADS: dict[str, tuple[tuple[float, float], ...]] = {
    "koridor_utama": (
        (117.15, -0.50),  # Samarinda
        (117.09, -0.56),  # Loa Janan
        (117.04, -0.52),  # Loa Kulu
        (116.99, -0.42),  # Tenggarong
        (116.81, -0.37),  # Senoni
        (116.66, -0.36),  # Kota Bangun Darat
        (116.58, -0.27),  # Kota Bangun
        (116.48, -0.12),  # Kenohan
        (116.45, 0.06),  # Genting Tanah
        (116.36, 0.22),  # Kembang Janggut
        (116.25, 0.34),  # Muai
        (116.16, 0.43),  # Gunung Sari
        (116.07, 0.58),  # Tabang
        (116.03, 0.71),  # Sidomulyo
    ),
    "muara_kaman": ((116.99, -0.42), (117.02, -0.25), (116.90, -0.17), (116.72, -0.10)),
    "seberang_bontang": (
        (117.15, -0.50),
        (117.07, -0.41),
        (117.11, -0.35),
        (117.26, -0.33),
        (117.43, -0.34),  # Muara Badak
        (117.40, -0.14),
        (117.46, -0.01),  # Santan
        (117.50, 0.13),  # Bontang
    ),
    "anggana": ((117.15, -0.50), (117.26, -0.57), (117.33, -0.57)),
    "pesisir_selatan": (
        (117.15, -0.50),
        (117.25, -0.66),  # Sanga Sanga
        (117.23, -0.84),  # Muara Jawa
        (117.17, -0.90),  # Handil Baru
        (117.10, -1.00),  # Samboja
        (117.01, -1.12),
        (116.83, -1.27),  # Balikpapan
    ),
    "samarinda_balikpapan": ((117.15, -0.50), (117.02, -0.92), (116.99, -1.08), (116.83, -1.27)),
}

#: BRI branch offices and Dinsos: (id, nama, lat, lon). Approximate positions, same for every seed.
DEPOTS: tuple[tuple[str, str, float, float], ...] = (
    ("KC-TGR", "BRI KC Tenggarong", -0.44, 116.98),
    ("KC-SMD", "BRI KC Samarinda", -0.50, 117.15),
    ("KC-BTG", "BRI KC Bontang", 0.13, 117.50),
    ("KC-BPN", "BRI KC Balikpapan", -1.27, 116.83),
    ("KC-KBR", "BRI KC Kutai Barat (Sendawar)", -0.24, 115.83),
    ("DINSOS", "Dinas Sosial Kukar", -0.43, 116.99),
)

#: Branches whose clerks label Program Sembako ``BPNT`` (the others write ``SEMBAKO``).
_BPNT_LABEL_KECAMATAN = ("Muara Badak", "Marang Kayu", "Samboja", "Samboja Barat")

# PKH components per tahap in 2022 (a quarter of the yearly amount), rupiah, and their shares.
_PKH_COMPONENTS = np.array([750_000, 750_000, 225_000, 375_000, 500_000, 600_000, 600_000])
_PKH_COMPONENT_P = np.array([0.06, 0.22, 0.26, 0.16, 0.12, 0.04, 0.14])
_BPNT_MONTHLY = 200_000

_PKH_CREDIT_DATES = (dt.date(2022, 2, 14), dt.date(2022, 2, 21), dt.date(2022, 3, 7))
_BPNT_CREDIT_DATES = (dt.date(2022, 1, 24), dt.date(2022, 2, 17), dt.date(2022, 3, 14))

# Fixed timestamps so the workbook is byte-identical for a seed.
_XLSX_TIME = dt.datetime(2022, 4, 30, 8, 0, 0)  # UTC

# --- Names ------------------------------------------------------------------------------------
# Given names common among Kutai, Banjar, Bugis and Javanese families in East Kalimantan, and the
# words service points are named with. Comma-separated so the lists stay compact.


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.strip() for word in text.split(",") if word.strip())


_FEMALE_FIRST = _words(
    "SITI, NUR, NOR, NURUL, SRI, DEWI, RATNA, RAHMAH, HJ., ST., ANDI, DAYANG, AJI, FATIMAH, "
    "AMINAH, HALIMAH, MASITAH, JUBAIDAH, SAMSIAH, HASNAH, NORMA, NORHAYATI, RABIAH, ROSNANI, "
    "RINA, YULIANA, HERLINA, MARLINA, SUSANTI, HARTATI, MULYANI, ERNAWATI, HASMAWATI, "
    "HADIJAH, SARIPAH, ZAINAB, MARIANA, YUNITA, ASMAH, SALMAH, MISNAH, JUMIATI, RAHMAWATI, "
    "SURIANI, MAISARAH"
)
_FEMALE_SECOND = _words(
    "AMINAH, FATIMAH, HALIMAH, RAHMAWATI, NURHAYATI, MARLINA, LESTARI, WAHYUNI, HANDAYANI, "
    "KURNIASIH, PURWANTI, SARI, MAWARNI, AISYAH, JANNAH, HASANAH, KHADIJAH, ROHANI, SAMSIAR, "
    "NURJANAH, ARDIANTI, SULASTRI, MASLIANI, HAMIDAH, SAFITRI, ANGGRAINI, RAMLAH, BULAN, "
    "INDAH, KASMAWATI, MUNAWARAH, ZUBAIDAH"
)
_FEMALE_SINGLE = _words(
    "SUPARMI, SUGIYEM, TUMINAH, SULASTRI, WARSINI, PAINEM, SUMARNI, SUPINAH, KASMINI, "
    "SUKINAH, PONIRAH, SRIYATUN, MASNAH, ASNAH, RUSMINI, NORJANAH, MASLIANI, HASNIAH, "
    "NURHAYATI, KARTINI, JUMRAH, BECCE, SAHARIAH, TIMAH"
)
_MALE_FIRST = _words(
    "MUHAMMAD, M., MUH., AHMAD, ABDUL, SYAMSUL, RUSDI, H., ANDI, AJI, AWANG, ARIF, BUDI, "
    "AGUS, HENDRA, RUDI, SYAHRUL, ISMAIL, YUSUF, HAMZAH, SAIFUL, ZAINAL, JUNAIDI, RAHMAD, "
    "IWAN, DEDI, HERMAN, SUDIRMAN, HASAN, ALI, MASRANI, GUSTI, LA, ARSYAD, FIRMAN, SABRAN, "
    "JAMALUDDIN, IRWAN"
)
_MALE_SECOND = _words(
    "RAHMAN, HIDAYAT, YUSUF, SYAHRANI, ARIFIN, SALEH, KADIR, HAMID, SANTOSO, SETIAWAN, "
    "SAPUTRA, FADLI, NOOR, ANSHARI, ABIDIN, RIDWAN, HAKIM, RASYID, MAKMUR, HASANUDDIN, TAHIR, "
    "MAPPA, BACO, SYAFRUDDIN, WIJAYA, PRASETYO, GUNAWAN, FAUZI, AMIN, ASRANI, BAHRI, EFFENDI, "
    "IDRUS, RAMLI"
)
_MALE_SINGLE = _words(
    "SUPRIYADI, SUGENG, SLAMET, SUKIRNO, PAIMAN, SUMARNO, WAGIMAN, TUKIMAN, SUTRISNO, JUMADI, "
    "SAHARUDDIN, BEDDU, SYAMSUDDIN, MASRAN, ASPIANNOR, JUHRI, SARIPUDIN, MISRAN, KASIM, "
    "PARDI, SUYANTO, SUBANDI, MULYADI, SAPRI"
)
_STREETS = _words(
    "MERDEKA, PAHLAWAN, JEND. SUDIRMAN, A. YANI, DIPONEGORO, KH. AHMAD DAHLAN, MULAWARMAN, "
    "KARTINI, PATTIMURA, GAJAH MADA, WOLTER MONGINSIDI, KI HAJAR DEWANTARA, IMAM BONJOL, CUT "
    "NYAK DIEN, MELATI, MAWAR, ANGGREK, KENANGA, SEROJA, PERJUANGAN, KESUMA BANGSA, SULTAN "
    "SULAIMAN, PESUT, SEMERU, NUSANTARA, PELITA"
)
_DUSUN = _words(
    "SUKAMAJU, KARYA BARU, SIDODADI, TANJUNG, ULU, ILIR, TENGAH, BERSATU, SUMBER REJEKI, "
    "MEKAR SARI, HARAPAN, SEBERANG"
)
_GANG = _words("MELATI, BERSAMA, MUSHOLLA, ANGGREK, HIDAYAH, SEPAKAT, DAMAI, RUKUN")
_EWARONG_WORDS = _words(
    "Sejahtera, Berkah, Mandiri, Makmur, Sumber Rezeki, Harapan Bersama, KUBE Maju, Bina "
    "Usaha, Amanah, Barokah, Lestari, Rukun Jaya, Karya Bersama, Mekar"
)
_AGENT_SHOPS = _words("Toko, Warung, Kios, Counter, Toko Kelontong")
_AGENT_WOMEN = (
    _words("Hj., Bu, Acil, Mama"),
    _words("Aminah, Sri, Hasnah, Norma, Rahmah, Halimah, Salmah, Dewi, Masitah, Zainab"),
)
_AGENT_MEN = (
    _words("H., Pak"),
    _words("Rudi, Saiful, Yusuf, Agus, Iwan, Jumadi, Firman, Arsyad, Budi, Ali"),
)
_AGENT_BUSINESSES = _words(
    "Berkah Jaya, Rizky Cell, Dua Saudara, Sinar Harapan, Barokah, Amanah, Putri, Mitra "
    "Usaha, Sumber Jaya, Al-Ikhlas, Bersaudara, Maju Bersama, Fajar Cell"
)


@dataclass(frozen=True, eq=False)
class DemoData:
    """The demo tables in memory, exactly as ``write`` puts them in the files.

    Attributes
    ----------
    roster
        Dinsos roster, ``ROSTER_COLUMNS``, one row per family; all text except ``NO``.
    realisasi
        BRI realization, ``REALISASI_COLUMNS``; NIK, NO KK and NO KKS are text, dates are
        ``datetime.date`` or ``None``, blanks are empty strings (written as empty cells).
    layanan
        Service points, ``LAYANAN_COLUMNS``; ``lat``/``lon`` in degrees (EPSG:4326).
    depot
        Branch offices and Dinsos, ``DEPOT_COLUMNS``.
    perahu
        Boat legs, ``PERAHU_COLUMNS`` (``PERAHU``).
    dermaga
        Landings the boat legs name, ``DERMAGA_COLUMNS`` (``DERMAGA``).
    seed
        The seed the data was drawn with.
    """

    roster: pd.DataFrame
    realisasi: pd.DataFrame
    layanan: pd.DataFrame
    depot: pd.DataFrame
    perahu: pd.DataFrame
    dermaga: pd.DataFrame
    seed: int = field(default=0)

    def __post_init__(self) -> None:
        expected = {
            "roster": ROSTER_COLUMNS,
            "realisasi": REALISASI_COLUMNS,
            "layanan": LAYANAN_COLUMNS,
            "depot": DEPOT_COLUMNS,
            "perahu": PERAHU_COLUMNS,
            "dermaga": DERMAGA_COLUMNS,
        }
        for name, columns in expected.items():
            actual = list(getattr(self, name).columns)
            if actual != columns:
                raise ValueError(f"{name} columns must be {columns}, got {actual}")

    def summary(self) -> dict:
        """Counts for a page: KPM per programme, distinct KPM, service points per jenis, depots,
        BRI rows and the share of BRI rows not yet realized (not ``SUDAH TRANSAKSI``)."""
        out = _counts(self.roster, self.layanan, self.depot)
        status = self.realisasi["STATUS"]
        out["realisasi_rows"] = len(self.realisasi)
        out["not_realized_share"] = round(float((status != STATUS_SUDAH).mean()), 3)
        out["seed"] = self.seed
        return out


@dataclass(frozen=True)
class DemoFiles:
    """Paths of the written demo files."""

    roster: Path
    realisasi: Path
    layanan: Path
    depot: Path
    perahu: Path
    dermaga: Path

    def summary(self) -> dict:
        """Counts read back from the CSV files: KPM per programme, distinct KPM, service points per
        jenis, depots (the same keys as ``DemoData.summary`` without the BRI figures)."""
        roster = pd.read_csv(
            self.roster, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig"
        )
        layanan = pd.read_csv(self.layanan, dtype=str, keep_default_na=False)
        depot = pd.read_csv(self.depot, dtype=str, keep_default_na=False)
        return _counts(roster, layanan, depot)


def _counts(roster: pd.DataFrame, layanan: pd.DataFrame, depot: pd.DataFrame) -> dict:
    nik = roster["NIK"].astype(str).str.lstrip("'")
    jenis = layanan["jenis"].value_counts()
    return {
        "kpm_pkh": int((roster["PKH"] == "Ya").sum()),
        "kpm_bpnt": int((roster["BPNT"] == "Ya").sum()),
        "kpm_distinct": int(nik.nunique()),
        "e_warong": int(jenis.get("e-warong", 0)),
        "agen_brilink": int(jenis.get("agen_brilink", 0)),
        "kantor_bri": int(jenis.get("kantor_bri", 0)),
        "depots": len(depot),
    }


# --- Villages ---------------------------------------------------------------------------------

_REQUIRED_VILLAGE_COLUMNS = ("kode", "nama", "kecamatan", "jenis", "ref_lon", "ref_lat")


def _roads_metric() -> MultiLineString:
    lines = gpd.GeoSeries([LineString(r) for r in ROADS.values()], crs=settings.CRS_GEO)
    return MultiLineString(list(lines.to_crs(settings.CRS_METRIC)))


def _village_table(rng: np.random.Generator, villages: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per village: metric reference point and polygon, road distance, flags and weights."""
    if villages.crs is None:
        raise ValueError("villages has no CRS; expected the EPSG:4326 villages of boundaries.load")
    missing = [c for c in _REQUIRED_VILLAGE_COLUMNS if c not in villages.columns]
    if missing:
        raise ValueError(f"villages lacks columns {missing}; use boundaries.load().villages")
    if villages.empty:
        raise ValueError("villages is empty")
    v = villages.sort_values("kode").reset_index(drop=True)
    ref_geo = gpd.GeoSeries(gpd.points_from_xy(v["ref_lon"], v["ref_lat"]), crs=settings.CRS_GEO)
    ref = ref_geo.to_crs(settings.CRS_METRIC)
    roads = _roads_metric()
    table = pd.DataFrame(
        {
            "kode": v["kode"].astype(str),
            "nama": v["nama"].astype(str),
            "kecamatan": v["kecamatan"].astype(str),
            "kelurahan": (v["jenis"] == "kelurahan").to_numpy(),
            "x": ref.x.to_numpy(),
            "y": ref.y.to_numpy(),
            "d_road_km": ref.distance(roads).to_numpy() / 1000.0,
        }
    )
    table["geom"] = list(v.geometry.to_crs(settings.CRS_METRIC))
    pairs = list(zip(table["kecamatan"], table["nama"], strict=True))
    remote_pairs = {p for group in REMOTE_VILLAGES.values() for p in group}
    table["remote"] = [p in remote_pairs for p in pairs]
    table["seat"] = [KEC_SEAT.get(k) == n for k, n in pairs]

    # Population: the kecamatan estimate split over its villages.
    share = (
        np.where(table["kelurahan"], 2.0, 1.0)
        * np.where(table["seat"], 1.6, 1.0)
        * rng.lognormal(0.0, 0.4, len(table))
    )
    kec_total = pd.Series(share).groupby(table["kecamatan"]).transform("sum").to_numpy()
    kec_pop = table["kecamatan"].map(KEC_POPULATION_K).fillna(_DEFAULT_KEC_POPULATION_K)
    table["pop"] = kec_pop.to_numpy() * 1000.0 * share / kec_total

    # Remoteness 0..1 from the road; the named remote villages count as fully remote.
    remoteness = np.clip(table["d_road_km"].to_numpy() / 25.0, 0.0, 1.0)
    table["remoteness"] = np.where(table["remote"], 1.0, remoteness)
    table["kpm_weight"] = table["pop"] * (1.0 + 0.6 * table["remoteness"])

    # Attractiveness for a service point: near a road, kelurahan, kecamatan seat; none if remote.
    access = (
        np.exp(-table["d_road_km"].to_numpy() / 8.0)
        * np.where(table["kelurahan"], 1.8, 1.0)
        * np.where(table["seat"], 2.5, 1.0)
    )
    table["access"] = np.where(table["remote"], 0.0, access)
    # Some villages far from the road have no phone signal: card readers fail there.
    no_signal = (table["d_road_km"].to_numpy() > 10.0) & (rng.random(len(table)) < 0.35)
    table["no_signal"] = no_signal | table["remote"].to_numpy()
    table["village_effect"] = rng.normal(0.0, 0.04, len(table))
    return table


# --- Service points ---------------------------------------------------------------------------


def _points_in_villages(
    rng: np.random.Generator, vt: pd.DataFrame, idx: np.ndarray, sigma_m: float
) -> np.ndarray:
    """One point per entry of ``idx`` (village row), inside the village polygon, drawn around its
    reference point with a normal spread of ``sigma_m`` metres. Returns metric (x, y)."""
    out = np.empty((len(idx), 2))
    for i, vi in enumerate(idx):
        geom = vt.at[vi, "geom"]
        cx, cy = vt.at[vi, "x"], vt.at[vi, "y"]
        point = None
        for spread in (sigma_m, sigma_m / 3.0):
            xs = cx + rng.normal(0.0, spread, 32)
            ys = cy + rng.normal(0.0, spread, 32)
            inside = np.flatnonzero(shapely.contains_xy(geom, xs, ys))
            if inside.size:
                point = (xs[inside[0]], ys[inside[0]])
                break
        if point is None:
            rep = geom.representative_point()
            point = (rep.x, rep.y)
        out[i] = point
    return out


def _unique_names(rng: np.random.Generator, make, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        name = make(i)
        for _ in range(5):
            if name not in seen:
                break
            name = make(i)
        if name in seen:
            k = 2
            while f"{name} {k}" in seen:
                k += 1
            name = f"{name} {k}"
        seen.add(name)
        names.append(name)
    return names


def _layanan(rng: np.random.Generator, vt: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Service points and their metric coordinates (same row order)."""
    n_ew = int(rng.integers(100, 131))
    n_ag = int(rng.integers(250, 351))
    access = vt["access"].to_numpy()

    seats = np.flatnonzero(vt["seat"].to_numpy() & ~vt["remote"].to_numpy())
    if seats.size == 0:
        seats = np.flatnonzero(access > 0) if (access > 0).any() else np.arange(len(vt))
    # Every kecamatan seat has at least one e-warong and one agent; the rest follow the weights.
    base = np.bincount(seats, minlength=len(vt))
    p_ew = vt["kpm_weight"].to_numpy() ** 0.7 * access
    p_ag = vt["pop"].to_numpy() ** 0.9 * access**1.2 * np.where(vt["kelurahan"], 1.5, 1.0)
    counts_ew = base + rng.multinomial(n_ew - seats.size, p_ew / p_ew.sum())
    counts_ag = base + rng.multinomial(n_ag - seats.size, p_ag / p_ag.sum())
    ew_idx = np.repeat(np.arange(len(vt)), counts_ew)
    ag_idx = np.repeat(np.arange(len(vt)), counts_ag)

    n_bri = min(int(rng.integers(12, 19)), seats.size)
    seat_pop = vt["kecamatan"].iloc[seats].map(KEC_POPULATION_K).fillna(_DEFAULT_KEC_POPULATION_K)
    p_bri = seat_pop.to_numpy() ** 2
    forced = seats[vt["kecamatan"].iloc[seats].to_numpy() == "Tenggarong"][:1]
    rest = seats[~np.isin(seats, forced)]
    p_rest = p_bri[~np.isin(seats, forced)]
    chosen = rng.choice(rest, size=n_bri - forced.size, replace=False, p=p_rest / p_rest.sum())
    bri_idx = np.concatenate([forced, chosen]).astype(int)

    frames = []
    coords = []
    for jenis, idx, sigma in (
        ("e-warong", ew_idx, 1500.0),
        ("agen_brilink", ag_idx, 2000.0),
        ("kantor_bri", bri_idx, 400.0),
    ):
        xy = _points_in_villages(rng, vt, idx, sigma)
        # Ids run by village code, then west to east.
        order = np.lexsort((xy[:, 0], vt["kode"].to_numpy()[idx].astype(str)))
        idx, xy = idx[order], xy[order]
        n = len(idx)
        village = vt["nama"].to_numpy()[idx]
        if jenis == "e-warong":
            ids = [f"EW-{i + 1:04d}" for i in range(n)]

            def make(i, village=village):
                return f"E-Warong {rng.choice(_EWARONG_WORDS)} {village[i]}"

            nama = _unique_names(rng, make, n)
            big = rng.random(n) < 0.3
            kapasitas = np.where(big, rng.choice([150, 200, 300], n), 250)
            kapasitas = pd.array(kapasitas, dtype="Int64")
        elif jenis == "agen_brilink":
            ids = [f"AG-{i + 1:04d}" for i in range(n)]
            nama = [_agent_name(rng) for _ in range(n)]
            kapasitas = pd.array([pd.NA] * n, dtype="Int64")
        else:
            ids = [f"BRI-{i + 1:02d}" for i in range(n)]
            nama = [f"BRI Unit {k}" for k in vt["kecamatan"].to_numpy()[idx]]
            kapasitas = pd.array([pd.NA] * n, dtype="Int64")
        frames.append(
            pd.DataFrame(
                {
                    "id": ids,
                    "nama": nama,
                    "jenis": jenis,
                    "kode_desa": vt["kode"].to_numpy()[idx],
                    "kapasitas": kapasitas,
                    "catatan": LAYANAN_MARK,
                }
            )
        )
        coords.append(xy)
    layanan = pd.concat(frames, ignore_index=True)
    xy = np.concatenate(coords)
    to_geo = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_GEO, always_xy=True)
    lon, lat = to_geo.transform(xy[:, 0], xy[:, 1])
    layanan["lat"] = np.round(lat, 6)
    layanan["lon"] = np.round(lon, 6)
    return layanan[LAYANAN_COLUMNS], xy


def _agent_name(rng: np.random.Generator) -> str:
    shop = rng.choice(_AGENT_SHOPS)
    if rng.random() < 0.6:
        titles, names = _AGENT_WOMEN if rng.random() < 0.5 else _AGENT_MEN
        owner = f"{rng.choice(titles)} {rng.choice(names)}"
    else:
        owner = str(rng.choice(_AGENT_BUSINESSES))
    return f"BRILink {shop} {owner}"


# --- Families ---------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, items: tuple[str, ...], n: int) -> np.ndarray:
    return np.asarray(items, dtype=object)[rng.integers(0, len(items), n)]


def _names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    pattern = rng.choice(4, size=n, p=[0.22, 0.58, 0.12, 0.08])
    first = np.where(female, _pick(rng, _FEMALE_FIRST, n), _pick(rng, _MALE_FIRST, n))
    second = np.where(female, _pick(rng, _FEMALE_SECOND, n), _pick(rng, _MALE_SECOND, n))
    single = np.where(female, _pick(rng, _FEMALE_SINGLE, n), _pick(rng, _MALE_SINGLE, n))
    father = _pick(rng, _MALE_SINGLE, n)
    extra = np.where(female, _pick(rng, _FEMALE_SECOND, n), _pick(rng, _MALE_SECOND, n))
    out = np.empty(n, dtype=object)
    for i in range(n):
        p = pattern[i]
        if p == 0:
            out[i] = single[i]
        elif p == 1:
            out[i] = f"{first[i]} {second[i]}"
        elif p == 2:
            out[i] = f"{first[i]} {second[i]} {extra[i]}"
        else:
            out[i] = f"{single[i]} {'BINTI' if female[i] else 'BIN'} {father[i]}"
    return out


def _unique_numbers(rng: np.random.Generator, prefix: np.ndarray, width: int) -> list[str]:
    """``prefix + serial`` of ``width`` random digits (not all zero), redrawn until unique."""
    serial = np.char.zfill(rng.integers(1, 10**width, len(prefix)).astype(str), width)
    out = np.char.add(prefix.astype(str), serial).astype(object)
    while True:
        seen: set[str] = set()
        dup = []
        for i, value in enumerate(out):
            if value in seen:
                dup.append(i)
            else:
                seen.add(value)
        if not dup:
            return list(out)
        for i in dup:
            out[i] = str(prefix[i]) + f"{int(rng.integers(1, 10**width)):0{width}d}"


def _families(
    rng: np.random.Generator, vt: pd.DataFrame, n: int, female_share: np.ndarray
) -> pd.DataFrame:
    """``n`` families drawn over the villages: village row, sex, NIK, NO KK, KKS, name, address."""
    p = vt["kpm_weight"].to_numpy()
    village = np.repeat(np.arange(len(vt)), rng.multinomial(n, p / p.sum()))
    village = village[rng.permutation(n)]
    female = rng.random(n) < female_share
    kec2 = vt["kode"].str[6:8].to_numpy()[village].astype(str)

    # NIK: 64 02 KK DDMMYY SSSS, women's day + 40.
    year = 2022 - rng.integers(22, 76, n)
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n) + np.where(female, 40, 0)
    birth = np.char.add(
        np.char.add(np.char.zfill(day.astype(str), 2), np.char.zfill(month.astype(str), 2)),
        np.char.zfill((year % 100).astype(str), 2),
    )
    nik = _unique_numbers(rng, np.char.add(np.char.add("6402", kec2), birth), 4)

    # NO KK: 64 02 KK DDMMYY SSSS with the issue date.
    issued = dt.date(2008, 1, 1).toordinal() + rng.integers(0, 14 * 365, n)
    issued_txt = np.array([dt.date.fromordinal(int(o)).strftime("%d%m%y") for o in issued])
    no_kk = _unique_numbers(rng, np.char.add(np.char.add("6402", kec2), issued_txt), 4)

    # KKS card numbers: an invented 16-digit number.
    kks = _unique_numbers(rng, np.full(n, "522184"), 10)

    return pd.DataFrame(
        {
            "village": village,
            "female": female,
            "nik": nik,
            "no_kk": no_kk,
            "kks": kks,
            "nama": _names(rng, female),
            "alamat": _addresses(rng, vt, village),
        }
    )


def _addresses(rng: np.random.Generator, vt: pd.DataFrame, village: np.ndarray) -> list[str]:
    n = len(village)
    kelurahan = vt["kelurahan"].to_numpy()[village]
    vname = vt["nama"].str.upper().to_numpy()[village]
    rt = rng.integers(1, np.where(kelurahan, 46, 21))
    rt_style = rng.integers(0, 3, n)
    form = rng.random(n)
    streets, dusun, gang = _pick(rng, _STREETS, n), _pick(rng, _DUSUN, n), _pick(rng, _GANG, n)
    house = rng.integers(1, 120, n)
    out = []
    for i in range(n):
        r = (f"RT {rt[i]:03d}", f"RT {rt[i]}", f"RT. {rt[i]:02d}")[rt_style[i]]
        f = form[i]
        if kelurahan[i]:
            if f < 0.45:
                out.append(f"JL. {streets[i]} {r}")
            elif f < 0.6:
                out.append(f"JL. {streets[i]} NO. {house[i]} {r}")
            elif f < 0.75:
                out.append(f"GG. {gang[i]} {r}")
            else:
                out.append(r)
        elif f < 0.5:
            out.append(r)
        elif f < 0.75:
            out.append(f"DUSUN {dusun[i]} {r}")
        elif f < 0.9:
            out.append(f"JL. POROS {vname[i]} {r}")
        else:
            out.append(f"JL. {streets[i]} {r}")
    return out


# --- Clerk spellings --------------------------------------------------------------------------


def _kec_variant(rng: np.random.Generator, name: str) -> str:
    out = name
    if "Sanga Sanga" in out and rng.random() < 0.7:
        out = out.replace("Sanga Sanga", "Sanga-Sanga")
    if "Marang Kayu" in out and rng.random() < 0.7:
        out = out.replace("Marang Kayu", "Marangkayu")
    if "Samboja" in out and rng.random() < 0.7:
        out = out.replace("Samboja", "Semboja")
    if rng.random() < 0.5:
        out = out.upper()
    return out


def _desa_variant(rng: np.random.Generator, name: str, kelurahan: bool) -> str:
    out = name
    if "Sanga-Sanga" in out and rng.random() < 0.6:
        out = out.replace("Sanga-Sanga", "Sanga Sanga")
    # Only kecamatan get the Semboja spelling: geo.areas.lookup aliases whole names, not village
    # parts.
    if rng.random() < 0.5:
        out = ("KEL. " if kelurahan else "DESA ") + out
    if rng.random() < 0.5:
        out = out.upper()
    return out


# --- Tables -----------------------------------------------------------------------------------


def _roster(
    rng: np.random.Generator,
    vt: pd.DataFrame,
    fam: pd.DataFrame,
    home_rng: np.random.Generator,
) -> pd.DataFrame:
    n = len(fam)
    village = fam["village"].to_numpy()
    # From their own stream, so the other columns are drawn exactly as before coordinates.
    lintang, bujur = _home_coordinates(home_rng, vt, village)
    kode = vt["kode"].to_numpy()[village]
    kec = vt["kecamatan"].to_numpy()[village].astype(object)
    desa = vt["nama"].to_numpy()[village].astype(object)
    kelurahan = vt["kelurahan"].to_numpy()[village]
    has_code = rng.random(n) < 0.70
    variant = rng.random(n) < 0.15
    for i in np.flatnonzero(variant):
        new_kec = _kec_variant(rng, kec[i])
        new_desa = _desa_variant(rng, desa[i], bool(kelurahan[i]))
        if new_kec == kec[i] and new_desa == desa[i]:
            new_desa = new_desa.upper()
        kec[i], desa[i] = new_kec, new_desa
    nik = np.asarray(fam["nik"], dtype=object)
    apostrophe = rng.random(n) < 0.01
    nik = np.where(apostrophe, "'" + nik, nik)
    roster = pd.DataFrame(
        {
            "NO": 0,
            "NIK": nik,
            "NO KK": fam["no_kk"].to_numpy(),
            "NAMA": fam["nama"].to_numpy(),
            "ALAMAT": fam["alamat"].to_numpy(),
            "KODE WILAYAH": np.where(has_code, kode, ""),
            "KECAMATAN": kec,
            "DESA/KELURAHAN": desa,
            "PKH": np.where(fam["pkh"], "Ya", ""),
            "BPNT": np.where(fam["bpnt"], "Ya", ""),
            "LINTANG": lintang,
            "BUJUR": bujur,
            "PERIODE": PERIODE,
            "CATATAN": DEMO_MARK,
        }
    )
    order = np.lexsort((rng.random(n), kode.astype(str)))
    roster = roster.iloc[order].reset_index(drop=True)
    roster["NO"] = np.arange(1, n + 1)
    return roster[ROSTER_COLUMNS]


def _home_coordinates(
    rng: np.random.Generator, vt: pd.DataFrame, village: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """LINTANG and BUJUR as a clerk's semicolon CSV holds them (decimal comma, 5 decimals).

    About ``HOME_SHARE`` of families have a point, drawn around their village's settlement (the
    reference point, or a point inside the polygon when the reference lies outside it) with a
    spread that grows with the village's size, inside the polygon. Then a few are spoiled as
    clerks spoil them (``_spoil_coordinates``). The rest are blank.
    """
    n = len(village)
    has = rng.random(n) < HOME_SHARE
    xs, ys = np.full(n, np.nan), np.full(n, np.nan)
    rows = np.flatnonzero(has)
    order = rows[np.argsort(village[rows], kind="stable")]
    starts = np.flatnonzero(np.r_[True, np.diff(village[order]) != 0])
    for group in np.split(order, starts[1:]) if order.size else []:
        vi = village[group[0]]
        geom = vt.at[vi, "geom"]
        cx, cy = vt.at[vi, "x"], vt.at[vi, "y"]
        if not shapely.contains_xy(geom, cx, cy):
            rep = geom.representative_point()
            cx, cy = rep.x, rep.y
        spread = float(np.clip(np.sqrt(geom.area) / 6.0, 300.0, 2_500.0))
        left = group
        for sigma in (spread, spread / 2.0, spread / 4.0, spread / 8.0):
            x = cx + rng.normal(0.0, sigma, left.size)
            y = cy + rng.normal(0.0, sigma, left.size)
            inside = shapely.contains_xy(geom, x, y)
            xs[left[inside]], ys[left[inside]] = x[inside], y[inside]
            left = left[~inside]
            if not left.size:
                break
        xs[left], ys[left] = cx, cy
    to_geo = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_GEO, always_xy=True)
    lon, lat = to_geo.transform(xs, ys)

    def text(values: np.ndarray) -> np.ndarray:
        out = np.char.replace(np.char.mod("%.5f", values), ".", ",").astype(object)
        out[~np.isfinite(values)] = ""
        return out

    lintang, bujur = text(np.asarray(lat)), text(np.asarray(lon))
    _spoil_coordinates(rng, vt, village, has, lintang, bujur)
    return lintang, bujur


def _spoil_coordinates(
    rng: np.random.Generator,
    vt: pd.DataFrame,
    village: np.ndarray,
    has: np.ndarray,
    lintang: np.ndarray,
    bujur: np.ndarray,
) -> None:
    """A handful of coordinates as real files have them, so the checks have something to show:
    swapped columns, a missing BUJUR, degrees-minutes typed as text, a decimal point lost in
    Excel, and a few points in a village far from the KPM's own (in place)."""
    kinds = ["tukar"] * 4 + ["tanpa_bujur"] * 2 + ["teks", "tanpa_koma"] + ["desa_lain"] * 3
    pick = rng.choice(np.flatnonzero(has), size=min(len(kinds), int(has.sum())), replace=False)
    for i, kind in zip(pick.tolist(), kinds, strict=False):
        if kind == "tukar":
            lintang[i], bujur[i] = bujur[i], lintang[i]
        elif kind == "tanpa_bujur":
            bujur[i] = ""
        elif kind == "teks":
            lintang[i] = "0°26'LS"
        elif kind == "tanpa_koma":
            bujur[i] = bujur[i].replace(",", "")
        else:
            d = np.hypot(
                vt["x"].to_numpy() - vt.at[village[i], "x"],
                vt["y"].to_numpy() - vt.at[village[i], "y"],
            )
            other = int(rng.choice(np.flatnonzero(d > 20_000.0)))
            to_geo = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_GEO, always_xy=True)
            lon, lat = to_geo.transform(vt.at[other, "x"], vt.at[other, "y"])
            lintang[i] = f"{lat:.5f}".replace(".", ",")
            bujur[i] = f"{lon:.5f}".replace(".", ",")


def _nearest_choice(
    rng: np.random.Generator, tree_xy: np.ndarray, ids: np.ndarray, vt: pd.DataFrame, village
) -> np.ndarray:
    """For each row's village, one of the (up to) three nearest points, nearest most often."""
    if len(ids) == 0:
        return np.full(len(village), "", dtype=object)
    k = min(3, len(ids))
    _, nearest = cKDTree(tree_xy).query(vt[["x", "y"]].to_numpy(), k=k)
    nearest = np.asarray(nearest).reshape(len(vt), k)
    weights = np.array([0.6, 0.25, 0.15])[:k]
    rank = rng.choice(k, size=len(village), p=weights / weights.sum())
    return ids[nearest[village, rank]]


def _realisasi(
    rng: np.random.Generator,
    vt: pd.DataFrame,
    fam: pd.DataFrame,
    layanan: pd.DataFrame,
    xy: np.ndarray,
) -> pd.DataFrame:
    # Distance (km) from each village's reference point to the nearest e-warong or agent.
    ids = layanan["id"].to_numpy()
    jenis = layanan["jenis"].to_numpy()
    shop = jenis != "kantor_bri"
    d_km, _ = cKDTree(xy[shop]).query(vt[["x", "y"]].to_numpy())
    d_km = d_km / 1000.0

    # Family-level: TIDAK TRANSAKSI with a reason, the same for all of a family's programmes.
    village_f = fam["village"].to_numpy()
    p_tidak = 0.04 + 0.03 * vt["remoteness"].to_numpy()[village_f]
    tidak = rng.random(len(fam)) < p_tidak
    reason = rng.choice(
        list(KETERANGAN_TIDAK), size=len(fam), p=list(KETERANGAN_TIDAK.values())
    ).astype(object)
    pkh_nominal = np.zeros(len(fam), dtype=np.int64)
    n_comp = rng.choice([1, 2, 3, 4], size=len(fam), p=[0.35, 0.35, 0.2, 0.1])
    comps = rng.choice(_PKH_COMPONENTS, size=(len(fam), 4), p=_PKH_COMPONENT_P)
    for j in range(4):
        pkh_nominal += np.where(n_comp > j, comps[:, j], 0)

    fam_idx = np.concatenate([np.flatnonzero(fam["pkh"]), np.flatnonzero(fam["bpnt"])])
    is_pkh = np.concatenate([np.ones(fam["pkh"].sum(), bool), np.zeros(fam["bpnt"].sum(), bool)])
    n = len(fam_idx)
    village = village_f[fam_idx]
    d = d_km[village]

    # Chance of SUDAH among those not TIDAK: near -> far, decaying beyond 2 km with 8 km scale.
    near_far = np.where(is_pkh[:, None], [[0.95, 0.55]], [[0.76, 0.40]])
    closeness = np.exp(-np.maximum(d - 2.0, 0.0) / 8.0)
    p_sudah = near_far[:, 1] + (near_far[:, 0] - near_far[:, 1]) * closeness
    p_sudah += vt["village_effect"].to_numpy()[village]
    p_sudah -= np.where(vt["no_signal"].to_numpy()[village], 0.08, 0.0)
    p_sudah = np.clip(p_sudah, 0.05, 0.98)
    sudah = rng.random(n) < p_sudah

    status = np.where(sudah, STATUS_SUDAH, STATUS_BELUM).astype(object)
    status[tidak[fam_idx]] = STATUS_TIDAK
    keterangan = np.where(status == STATUS_TIDAK, reason[fam_idx], "").astype(object)

    credit_choices = np.where(
        is_pkh,
        rng.choice(3, size=n, p=[0.6, 0.3, 0.1]),
        rng.choice(3, size=n, p=[0.5, 0.35, 0.15]),
    )
    credit = np.array(
        [
            (_PKH_CREDIT_DATES if p else _BPNT_CREDIT_DATES)[c]
            for p, c in zip(is_pkh, credit_choices, strict=True)
        ],
        dtype=object,
    )
    # Days until the KPM spends or withdraws: longer far from a service point.
    delay = 1 + rng.exponential(5.0 + 0.8 * d).astype(int)
    room = np.array([(DATA_DATE - c).days for c in credit])
    delay = np.minimum(delay, room)
    tx_date = np.array(
        [c + dt.timedelta(days=int(x)) for c, x in zip(credit, delay, strict=True)], dtype=object
    )

    # The service point used: BPNT mostly at an e-warong, PKH mostly at an agent.
    ew, ag, bri = (jenis == "e-warong"), (jenis == "agen_brilink"), (jenis == "kantor_bri")
    via_ew = _nearest_choice(rng, xy[ew], ids[ew], vt, village)
    via_ag = _nearest_choice(rng, xy[ag], ids[ag], vt, village)
    via_bri = _nearest_choice(rng, xy[bri], ids[bri], vt, village)
    u = rng.random(n)
    agent = np.where(
        is_pkh,
        np.where(u < 0.85, via_ag, via_bri),
        np.where(u < 0.8, via_ew, via_ag),
    ).astype(object)

    kecamatan = vt["kecamatan"].to_numpy()[village]
    label_bpnt = np.isin(kecamatan, _BPNT_LABEL_KECAMATAN) ^ (rng.random(n) < 0.05)
    program = np.where(is_pkh, "PKH", np.where(label_bpnt, "BPNT", "SEMBAKO")).astype(object)
    months = rng.choice([3, 2, 1], size=n, p=[0.95, 0.03, 0.02])
    nominal = np.where(is_pkh, pkh_nominal[fam_idx], _BPNT_MONTHLY * months)

    rows = pd.DataFrame(
        {
            "KODE WILAYAH": vt["kode"].to_numpy()[village],
            "KECAMATAN": np.char.upper(kecamatan.astype(str)),
            "DESA": np.char.upper(vt["nama"].to_numpy()[village].astype(str)),
            "NAMA PENGURUS": fam["nama"].to_numpy()[fam_idx],
            "NIK": np.asarray(fam["nik"], dtype=object)[fam_idx],
            "NO KK": np.asarray(fam["no_kk"], dtype=object)[fam_idx],
            "NO KKS": np.asarray(fam["kks"], dtype=object)[fam_idx],
            "PROGRAM": program,
            "TAHAP": TAHAP,
            "NOMINAL": nominal.astype(np.int64),
            "TANGGAL KREDIT": credit,
            "STATUS": status,
            "TANGGAL TRANSAKSI": tx_date,
            "ID AGEN": agent,
            "KETERANGAN": keterangan,
            "CATATAN": DEMO_MARK,
            "_roster": fam["in_roster"].to_numpy()[fam_idx],
        }
    )
    # About 2 % of the roster's KPM-programmes never reach the BRI file.
    drop = rows["_roster"].to_numpy() & (rng.random(n) < 0.02)
    rows = rows.loc[~drop].reset_index(drop=True)

    # About 0.3 % of rows come twice, a quarter of those with the other status.
    dup_idx = np.flatnonzero(rng.random(len(rows)) < 0.003)
    dups = rows.iloc[dup_idx].copy()
    flip = rng.random(len(dups)) < 0.25
    flip_to = np.where(dups["STATUS"] == STATUS_SUDAH, STATUS_BELUM, STATUS_SUDAH)
    dups.loc[flip, "STATUS"] = flip_to[flip]
    dups.loc[flip, "KETERANGAN"] = ""
    rows = pd.concat([rows, dups], ignore_index=True)

    not_sudah = rows["STATUS"].to_numpy() != STATUS_SUDAH
    rows.loc[not_sudah, "TANGGAL TRANSAKSI"] = None
    rows.loc[not_sudah, "ID AGEN"] = ""
    rows["TANGGAL TRANSAKSI"] = rows["TANGGAL TRANSAKSI"].astype(object)
    rows["TANGGAL KREDIT"] = rows["TANGGAL KREDIT"].astype(object)

    keys = (rows["PROGRAM"].to_numpy(str), rows["KODE WILAYAH"].to_numpy(str))
    order = np.lexsort((rng.random(len(rows)), *keys))
    return rows.iloc[order][REALISASI_COLUMNS].reset_index(drop=True)


def generate_depots() -> pd.DataFrame:
    """The demo depots (``id``, ``nama``, ``lat``, ``lon``): BRI branch offices and Dinsos."""
    return _depot()[["id", "nama", "lat", "lon"]]


def _depot() -> pd.DataFrame:
    return pd.DataFrame(
        [(i, nama, lat, lon, f"{LAYANAN_MARK} (lokasi perkiraan)") for i, nama, lat, lon in DEPOTS],
        columns=DEPOT_COLUMNS,
    )


def _perahu() -> pd.DataFrame:
    return pd.DataFrame(
        [(*leg, f"{LAYANAN_MARK} (waktu perkiraan)") for leg in PERAHU], columns=PERAHU_COLUMNS
    )


def _dermaga() -> pd.DataFrame:
    return pd.DataFrame(
        [(*row, f"{LAYANAN_MARK} (lokasi perkiraan)") for row in DERMAGA], columns=DERMAGA_COLUMNS
    )


def generate(villages: gpd.GeoDataFrame, *, seed: int) -> DemoData:
    """Draw a complete demo data set for the given villages.

    Pure: depends only on ``villages`` and ``seed`` (all randomness from
    ``np.random.default_rng(seed)``), writes nothing.

    Parameters
    ----------
    villages
        The villages of ``boundaries.load().villages`` (EPSG:4326, with ``kode``, ``nama``,
        ``kecamatan``, ``jenis``, ``ref_lon``, ``ref_lat``). Sizes are set for all 237 villages.
    seed
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    DemoData
        Roster, BRI realization, service points and depots.

    Raises
    ------
    ValueError
        ``villages`` has no CRS, lacks a column, or is empty.
    """
    rng = np.random.default_rng(seed)
    vt = _village_table(rng, villages)
    layanan, xy = _layanan(rng, vt)

    n_pkh = int(rng.integers(14_450, 14_751))
    n_bpnt = int(rng.integers(22_000, 25_001))
    n_both = round(n_pkh * rng.uniform(0.18, 0.28))
    n_distinct = n_pkh + n_bpnt - n_both
    # 0 PKH only, 1 both, 2 BPNT only; then families the roster lacks but BRI credits (about
    # 0.5 % of BRI rows), drawn together so that NIK, NO KK and KKS are unique across both.
    programme = np.full(n_distinct, 2, dtype=np.int8)
    programme[: n_pkh - n_both] = 0
    programme[n_pkh - n_both : n_pkh] = 1
    n_extra = round(0.005 * (n_pkh + n_bpnt))
    extra = np.where(rng.random(n_extra) < n_pkh / (n_pkh + n_bpnt), 0, 2).astype(np.int8)
    programme = np.concatenate([programme, extra])
    # PKH's pengurus is nearly always the mother; BPNT-only families less so.
    fam = _families(rng, vt, len(programme), np.where(programme == 2, 0.6, 0.85))
    fam["pkh"] = programme <= 1
    fam["bpnt"] = programme >= 1
    fam["in_roster"] = np.arange(len(programme)) < n_distinct

    roster = _roster(
        rng,
        vt,
        fam.loc[fam["in_roster"]].reset_index(drop=True),
        np.random.default_rng([seed, HOME_STREAM]),
    )
    realisasi = _realisasi(rng, vt, fam, layanan, xy)
    return DemoData(
        roster=roster,
        realisasi=realisasi,
        layanan=layanan,
        depot=_depot(),
        perahu=_perahu(),
        dermaga=_dermaga(),
        seed=seed,
    )


# --- Writing ----------------------------------------------------------------------------------


def _write_text(path: Path, text: str, encoding: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(text.encode(encoding))
    tmp.replace(path)


_TEXT_COLUMNS = ("NIK", "NO KK", "NO KKS")
_DATE_COLUMNS = ("TANGGAL KREDIT", "TANGGAL TRANSAKSI")
_WIDTHS = [16, 20, 22, 30, 20, 20, 20, 10, 7, 11, 15, 18, 18, 10, 17, 40]


def _xlsx_bytes(data: DemoData) -> bytes:
    """The BRI workbook. xlsxwriter with a fixed creation date writes the same bytes every time.

    NIK, NO KK and NO KKS are text cells with the text format ``@`` (as a careful clerk saves
    them); dates are real date cells shown ``dd/mm/yyyy``.
    """
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.set_properties(
        {
            "title": "DATA CONTOH realisasi BRI (sintetis)",
            "author": "Jangkau (data contoh)",
            "created": _XLSX_TIME,
        }
    )
    header = wb.add_format({"bold": True})
    text = wb.add_format({"num_format": "@"})
    date = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws = wb.add_worksheet(REALISASI_SHEET)
    ws.freeze_panes(1, 0)
    for j, name in enumerate(REALISASI_COLUMNS):
        ws.set_column(j, j, _WIDTHS[j])
        ws.write_string(0, j, name, header)
        values = data.realisasi[name].tolist()
        for i, value in enumerate(values, start=1):
            if name in _DATE_COLUMNS:
                if isinstance(value, dt.date):
                    ws.write_datetime(i, j, dt.datetime.combine(value, dt.time()), date)
            elif name in ("TAHAP", "NOMINAL"):
                ws.write_number(i, j, int(value))
            elif not pd.isna(value) and str(value):
                ws.write_string(i, j, str(value), text if name in _TEXT_COLUMNS else None)
    notes = wb.add_worksheet(KETERANGAN_SHEET)
    notes.set_column(0, 0, 90)
    for i, line in enumerate(
        [
            KETERANGAN_TEXT,
            f"Seed: {data.seed}",
            "NIK, nama, nomor KK dan nomor KKS di berkas ini rekaan (tidak ada orangnya).",
            f"Data per {DATA_DATE:%d/%m/%Y}; dibuat oleh geo.demo (Jangkau).",
        ]
    ):
        notes.write_string(i, 0, line)
    wb.close()
    return out.getvalue()


def write(data: DemoData, out_dir: Path) -> DemoFiles:
    """Write the demo files (``FILE_NAMES``) into ``out_dir`` (created if missing), replacing older
    ones.

    The roster is semicolon-separated UTF-8 with a byte-order mark and CRLF line ends (as Excel
    saves it); ``layanan.csv``, ``depot.csv``, ``perahu.csv`` and ``dermaga.csv`` are
    comma-separated UTF-8; the BRI file is an XLSX
    with fixed timestamps. The same ``data`` always gives the same bytes.

    Returns
    -------
    DemoFiles
        The paths written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {key: out_dir / name for key, name in FILE_NAMES.items()}
    roster = data.roster.to_csv(sep=";", index=False, lineterminator="\r\n")
    _write_text(paths["roster"], roster, "utf-8-sig")
    _write_text(paths["layanan"], data.layanan.to_csv(index=False, lineterminator="\n"), "utf-8")
    _write_text(paths["depot"], data.depot.to_csv(index=False, lineterminator="\n"), "utf-8")
    _write_text(paths["perahu"], data.perahu.to_csv(index=False, lineterminator="\n"), "utf-8")
    _write_text(paths["dermaga"], data.dermaga.to_csv(index=False, lineterminator="\n"), "utf-8")
    tmp = paths["realisasi"].with_name(paths["realisasi"].name + ".tmp")
    tmp.write_bytes(_xlsx_bytes(data))
    tmp.replace(paths["realisasi"])
    return DemoFiles(**paths)
