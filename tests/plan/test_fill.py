"""Filling free time: no village left out for want of time would fit the calendar."""

import numpy as np

from geo import settings
from geo.plan import calendar, model, routing, timeline
from geo.plan.legs import leg_matrix, network_with_depots
from tests.plan.helpers import MONDAY, _plan


def test_no_village_left_out_for_time_fits_the_calendar(bounds, data):
    # The solver counts a trip as one block of minutes; on the calendar the last day may end
    # early. Any village left out "for want of time" must truly not fit: inserted anywhere in
    # any team's trip where its prize outweighs the extra travel, the trip laid on the calendar
    # from its start date needs more than its days or waits out a weekend in the field.
    from geo.reach import per_village, ranking
    from geo.realization import coverage

    net, depot_nodes = network_with_depots(
        bounds.villages, data["points"], data["depots"], boats=data["boats"]
    )
    ranked = ranking.priority(
        per_village.nearest(net, bounds.villages, data["points"]),
        coverage.compute(bounds.villages, data["counts"]).villages,
    )
    top = ranked[ranked["belum"] > 0].head(40)
    teams = [
        *routing.default_teams(data["depots"], data["counts"], bounds.villages, n=3, hari=3),
        model.Team("Tim 4", "KC-KBR", hari=3),
    ]
    plan = _plan(bounds, data, teams, pilihan=list(top["kode_desa"]), batas_detik=60)
    candidates = routing.candidates_from(top)
    position = {code: i for i, code in enumerate(bounds.villages["kode"])}
    nodes = np.concatenate(
        [depot_nodes, net.village_node[[position[c.kode_desa] for c in candidates]]]
    )
    legs = leg_matrix(net, nodes)
    depots = data["depots"].reset_index(drop=True)
    depot_ids = list(depots["id"])
    n_dep = len(depot_ids)
    service = np.array([model.service_minutes(c.kpm_belum) for c in candidates])
    index = {c.kode_desa: k for k, c in enumerate(candidates)}
    by_team = {r.tim: r for r in plan.routes}
    for_time = [code for code, _, why in plan.tidak_dikunjungi if "waktu tim habis" in why]
    assert plan.routes and plan.summary()["desa_dikunjungi"] > 0
    tried = 0
    for code in for_time:
        k = index[code]
        worth = round(candidates[k].hadiah * settings.PRIZE_MINUTES_PER_POINT)
        for team in teams:
            d = depot_ids.index(team.depot)
            route = by_team.get(team.nama)
            order = [index[s.kode_desa] for s in route.stops] if route else []
            start = route.berangkat.date() if route else calendar.working_days(MONDAY, 1)[0]
            path = [d, *(n_dep + j for j in order), d]
            for pos in range(len(order) + 1):
                a, b = path[pos], path[pos + 1]
                detour = (
                    legs.minutes[a, n_dep + k] + legs.minutes[n_dep + k, b] - legs.minutes[a, b]
                )
                if not worth > detour:
                    continue
                tried += 1
                new = [*order[:pos], k, *order[pos:]]
                args = (team, d, depots, new, candidates, legs, n_dep, service, start)
                fits = [
                    laid.hari <= team.hari and not model.nights_over_break(laid)
                    for laid in (
                        timeline.lay_out_days(*args, home_nights=True),
                        timeline.lay_out_days(*args, home_nights=False),
                    )
                ]
                assert not any(fits), f"{candidates[k].desa} fits {team.nama} at {pos}"
    assert tried > 0  # the check ran on real insertions
