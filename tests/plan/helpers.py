"""Helpers shared by the routing tests: a Monday to start on, a plan on the demo data."""

from datetime import date

from geo.plan import routing

MONDAY = date(2026, 12, 7)


def _plan(bounds, data, teams, **kw):
    return routing.plan_routes(
        bounds.villages,
        data["points"],
        data["depots"],
        data["counts"],
        teams=teams,
        mulai=kw.pop("mulai", MONDAY),
        boats=data["boats"],
        batas_detik=kw.pop("batas_detik", 1.0),
        **kw,
    )
