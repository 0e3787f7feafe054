"""Field-visit routes for joint Dinsos+BRI teams: from data to a plan. The page and the CLI call
these entry points; the steps live in their own modules of ``geo.plan``:

- ``model``: teams, candidates, stops, trips, the plan and its ``rute.json``; the rules
  (working minutes of a day, service minutes, trip days, nights away);
- ``legs``: the network with the depots joined, the travel-time matrix (``geo.reach.network``);
- ``instance``: the request checked and in numbers, which villages each team can reach;
- ``solve``: the PyVRP model, the solver's run, its routes read back;
- ``timeline``: a route laid on the calendar day by day, with nights away or at home;
- ``fill``: the free time the calendar leaves filled with villages left out;
- ``reasons``: why each village left out is left out.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from geo.plan import solve
from geo.plan.legs import network_with_depots
from geo.plan.model import Candidate, RoutePlan, RoutingError, Team


def candidates_from(
    ranked: pd.DataFrame,
    *,
    wajib: tuple[str, ...] = (),
    kecuali: tuple[str, ...] = (),
    kunci: dict[str, str] | None = None,
) -> list[Candidate]:
    """Candidates from ``geo.reach.ranking.priority`` rows (``kode_desa``, ``desa``, ``kecamatan``,
    ``skor``, ``belum``), minus the excluded villages; required and locked ones marked."""
    kunci = kunci or {}
    rows = ranked[~ranked["kode_desa"].isin(kecuali)]
    return [
        Candidate(
            kode_desa=r.kode_desa,
            desa=r.desa,
            kecamatan=r.kecamatan,
            hadiah=float(r.skor),
            kpm_belum=int(r.belum),
            wajib=r.kode_desa in wajib,
            kunci_tim=kunci.get(r.kode_desa),
        )
        for r in rows.itertuples()
    ]


def plan_routes(
    villages: pd.DataFrame,
    points: pd.DataFrame,
    depots: pd.DataFrame,
    counts: pd.DataFrame,
    *,
    teams: list[Team],
    mulai: date,
    pilihan: list[str] | None = None,
    wajib: tuple[str, ...] = (),
    kecuali: tuple[str, ...] = (),
    kunci: dict[str, str] | None = None,
    boats: pd.DataFrame | None = None,
    jaringan: str | None = None,
    seed: int = 1,
    batas_detik: float = 5.0,
    iterasi: int | None = None,
    is_demo: bool = False,
) -> RoutePlan:
    """From data to a plan: network, priority scores, candidates, solve. Page and CLI use this.

    Parameters
    ----------
    counts
        Per-village counts of a round (``Store.round_villages()`` or the CLI's ``desa.csv``).
    pilihan
        Candidate village codes; ``None``: every village with unrealized KPM. Required and
        locked villages are always candidates.
    """
    from geo.reach import per_village, ranking
    from geo.realization import coverage

    net, depot_nodes = network_with_depots(villages, points, depots, boats=boats, jaringan=jaringan)
    near = per_village.nearest(net, villages, points)
    cov = coverage.compute(villages, counts)
    ranked = ranking.priority(near, cov.villages)
    keep = set(wajib) | set((kunci or {}).keys())
    if pilihan is None:
        keep |= set(ranked.loc[ranked["belum"] > 0, "kode_desa"])
    else:
        keep |= set(pilihan)
    candidates = candidates_from(
        ranked[ranked["kode_desa"].isin(keep)], wajib=wajib, kecuali=kecuali, kunci=kunci
    )
    position = {code: i for i, code in enumerate(villages["kode"])}
    candidate_nodes = net.village_node[[position[c.kode_desa] for c in candidates]]
    return solve.solve(
        net,
        depots.reset_index(drop=True),
        depot_nodes,
        candidates,
        candidate_nodes,
        teams,
        mulai=mulai,
        seed=seed,
        batas_detik=batas_detik,
        iterasi=iterasi,
        is_demo=is_demo,
    )


def default_teams(
    depots: pd.DataFrame, counts: pd.DataFrame, villages: pd.DataFrame, *, n: int, hari: int
) -> list[Team]:
    """``n`` teams of ``hari`` days at the BRI branch offices, the branch whose area holds the
    most unrealized KPM first (round-robin after that); the Dinsos office when no branch matches.
    """
    from geo.realization import coverage

    if n < 1:
        raise RoutingError("Jumlah tim harus 1 atau lebih.")
    cov = coverage.compute(villages, counts)
    need = cov.villages.groupby("cabang")["belum"].sum().sort_values(ascending=False)
    order = []
    for branch in need.index:
        match = depots[depots["nama"].str.contains(branch, case=False, regex=False)]
        if len(match):
            order.append(str(match["id"].iloc[0]))
    if not order:
        order = [str(depots["id"].iloc[0])]
    return [Team(nama=f"Tim {i + 1}", depot=order[i % len(order)], hari=hari) for i in range(n)]


def top_villages(
    villages: pd.DataFrame,
    points: pd.DataFrame,
    depots: pd.DataFrame,
    counts: pd.DataFrame,
    n: int,
    *,
    boats: pd.DataFrame | None = None,
) -> list[str]:
    """Codes of the ``n`` villages with the highest priority scores (``geo.reach.ranking``), on
    the network with the depots joined, for a round's ``counts``."""
    from geo.reach import per_village, ranking
    from geo.realization import coverage

    net, _ = network_with_depots(villages, points, depots, boats=boats)
    cov = coverage.compute(villages, counts)
    ranked = ranking.priority(per_village.nearest(net, villages, points), cov.villages)
    return list(ranked.head(n)["kode_desa"])
