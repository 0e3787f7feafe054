"""Load the synthetic demo set ("DATA CONTOH") into the store: files, service points, depots,
landings and boat legs, a round."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo import settings
from geo.areas.boundaries import Boundaries
from geo.areas.lookup import VillageIndex
from geo.intake import demo
from geo.reach.boats import read_boat_legs
from geo.reach.landings import read_landings
from geo.reach.service_points import read_points
from geo.realization.rounds import InputFile, run_round
from geo.store.database import RoundInfo, Store


@dataclass(frozen=True)
class DemoLoad:
    """What ``load_demo`` did."""

    files: demo.DemoFiles
    round: RoundInfo
    service_points: int
    depots: int
    boat_legs: int
    landings: int

    def summary(self) -> dict:
        return {
            "folder": str(self.files.roster.parent),
            "putaran": self.round.id,
            "putaran_baru": self.round.created,
            "titik_layanan": self.service_points,
            "depot": self.depots,
            "ruas_perahu": self.boat_legs,
            "dermaga": self.landings,
            **self.round.summary,
        }


def load_demo(
    store: Store, bounds: Boundaries, *, seed: int | None = None, out_dir: Path | None = None
) -> DemoLoad:
    """Write the demo files for ``seed`` and load them: service points, depots, landings, boat
    legs and one round.

    Loading the same seed twice does not double anything (the round is found by its files).
    """
    seed = settings.DEMO_SEED if seed is None else seed
    out_dir = out_dir or settings.DATA_DIR / "demo" / f"seed-{seed}"
    files = demo.write(demo.generate(bounds.villages, seed=seed), out_dir)
    kab = bounds.kabupaten.geometry.iloc[0]
    points = read_points(
        files.layanan.read_bytes(),
        filename=files.layanan.name,
        kabupaten=kab,
        villages=bounds.villages,
    )
    depots = read_points(
        files.depot.read_bytes(), filename=files.depot.name, kabupaten=kab, depots=True
    )
    landings = read_landings(
        files.dermaga.read_bytes(),
        filename=files.dermaga.name,
        kabupaten=kab,
        villages=bounds.villages,
    )
    legs = read_boat_legs(
        files.perahu.read_bytes(),
        filename=files.perahu.name,
        index=VillageIndex(bounds.villages),
        landings=landings.frame,
    )
    store.replace_landings(landings.frame, is_demo=True)
    store.replace_boat_legs(legs.frame, is_demo=True)
    n_points = store.replace_service_points(points.frame, is_demo=True)
    n_depots = store.replace_depots(depots.frame, is_demo=True)
    info, _ = run_round(
        store,
        roster=InputFile(files.roster.name, files.roster.read_bytes()),
        realisasi=InputFile(files.realisasi.name, files.realisasi.read_bytes()),
        villages=bounds.villages,
        label=f"DATA CONTOH — Tahap 1 2022 (seed {seed})",
    )
    store.set_meta("demo_seed", str(seed))
    return DemoLoad(
        files=files,
        round=info,
        service_points=n_points,
        depots=n_depots,
        boat_legs=len(legs.frame),
        landings=len(landings.frame),
    )
