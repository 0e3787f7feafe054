"""Laying a route on the calendar: the solver gives each team an order of villages; here the
visits get their days, times and nights (away, or at home when the office is near), and a trip
with nights away starts late enough that no weekend or holiday falls inside it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from geo import settings
from geo.plan.calendar import working_days
from geo.plan.instance import Instance
from geo.plan.model import Stop, TeamRoute, day_minutes, nights_over_break, trip_days


def lay_out_trip(instance: Instance, t: int, order: list[int], start: date) -> TeamRoute:
    """Team ``t``'s trip through ``order`` (candidate positions) from ``start``: nights at home
    where the office is near, unless the extra driving makes the trip longer than the team's
    days; then the team stays out."""
    team = instance.teams[t]
    args = (
        team,
        instance.team_depot[t],
        instance.depots,
        order,
        instance.candidates,
        instance.legs,
        instance.n_dep,
        instance.service,
        start,
    )
    laid = lay_out_days(*args, home_nights=True)
    if laid.hari > trip_days(team):
        laid = lay_out_days(*args, home_nights=False)
    return laid


def lay_out_clear_of_breaks(instance: Instance, t: int, order: list[int], mulai: date) -> TeamRoute:
    """Team ``t``'s trip from ``mulai`` or later: a trip with a night away starts late enough that
    no weekend or holiday falls inside (the first layout when a month of tries finds none)."""
    start, first = mulai, None
    for _ in range(31):
        laid = lay_out_trip(instance, t, order, start)
        first = first or laid
        if not nights_over_break(laid):
            return laid
        start = working_days(start + timedelta(days=1), 1)[0]
    return first


def lay_out_days(
    team, d, depots, order, candidates, legs, n_dep, service, mulai, *, home_nights: bool = False
) -> TeamRoute:
    """Lay a route's visits on the calendar, day by day, with overnight stays.

    A working day runs ``WORK_START``–``WORK_END``; legs and visits may run
    ``settings.DAY_SLACK_MIN`` past its end. A leg that would end later but fits in a day starts
    the next morning (the team stays overnight where it is). A longer leg (a boat trip to the
    delta) runs on into the next working day. A visit that would end later starts the next
    morning. With ``home_nights``, a team whose last visit of the day and next visit are both
    within ``settings.HOME_NIGHT_MAX_MIN`` of its depot drives home for the night (after the
    working day, if need be) and sets off from the depot the next morning.
    """
    day, slack = day_minutes(), settings.DAY_SLACK_MIN
    days = working_days(mulai, 2 * (len(order) + 2) + settings.MAX_TRIP_DAYS)

    def clock(di: int, minute: int) -> datetime:
        return datetime.combine(days[di], settings.WORK_START) + timedelta(minutes=minute)

    def minutes(a: int, b: int) -> int:
        return int(round(legs.minutes[a, b]))

    near = settings.HOME_NIGHT_MAX_MIN
    stops: list[Stop] = []
    here, di, minute = d, 0, 0
    for pos, k in enumerate(order, start=1):
        there = n_dep + k
        travel = minutes(here, there)
        arrive_day, arrive = _arrival(di, minute, travel, day, slack)
        before = False
        if arrive + int(service[k]) > day + slack:
            # No time left for the visit today: stay overnight and set off the next morning
            # (after a leg longer than a day: arrive, sleep there, visit in the morning).
            before = travel > day
            arrive_day, arrive = (arrive_day + 1, 0) if before else (di + 1, travel)
        # A night between the last visit and this one (on a leg that runs on over days, the
        # night is shown at the village the team left).
        night = arrive_day > di and stops
        if night and home_nights and minutes(here, d) <= near and minutes(d, there) <= near:
            # Home for the night: the evening drive back, and tomorrow's leg from the depot.
            stops[-1] = Stop(**{**stops[-1].__dict__, "pulang_malam": minutes(here, d)})
            here, travel = d, minutes(d, there)
            arrive_day, arrive = di + 1, travel
        elif night:
            stops[-1] = _with_overnight(stops[-1])
        leave = arrive + int(service[k])
        stops.append(
            Stop(
                urutan=pos,
                kode_desa=candidates[k].kode_desa,
                desa=candidates[k].desa,
                kecamatan=candidates[k].kecamatan,
                hari=arrive_day + 1,
                tiba=clock(arrive_day, arrive),
                berangkat=clock(arrive_day, leave),
                menit_tempuh=travel,
                moda=str(legs.moda[here, there]),
                sumber=str(legs.sumber[here, there]),
                kpm_belum=candidates[k].kpm_belum,
                dermaga=legs.landings(here, there),
                menginap_sebelum=before,
            )
        )
        here, di, minute = there, arrive_day, leave
    back = int(round(legs.minutes[here, d])) if order else 0
    end_day, end = _home_arrival(di, minute, back, day, slack)
    if end_day > di and stops:
        stops[-1] = _with_overnight(stops[-1])
    return TeamRoute(
        tim=team.nama,
        depot=str(depots["id"].iloc[d]),
        depot_nama=str(depots["nama"].iloc[d]),
        anggota=team.anggota,
        stops=tuple(stops),
        berangkat=clock(0, 0),
        kembali=clock(end_day, end),
        menit_pulang=back,
        moda_pulang=str(legs.moda[here, d]) if order else "",
        sumber_pulang=str(legs.sumber[here, d]) if order else "",
        dermaga_pulang=legs.landings(here, d) if order else "",
    )


def _arrival(di: int, minute: int, travel: int, day: int, slack: int) -> tuple[int, int]:
    """Day (index into the trip's working days) and minute of the working day of arrival, after
    ``travel`` working minutes from minute ``minute`` of day ``di`` (``day`` minutes a day, legs
    may run ``slack`` past its end)."""
    if minute + travel <= day + slack:
        return di, minute + travel
    if travel <= day:
        return di + 1, travel  # leave the next morning
    rest = travel - (day - minute)
    return di + 1 + rest // day, rest % day  # a long leg runs on over the next day(s)


def _home_arrival(di: int, minute: int, travel: int, day: int, slack: int) -> tuple[int, int]:
    """Day and minute back at the depot: a drive home that fits a day with its slack starts the
    next morning rather than running on into the night."""
    if minute + travel > day + slack and travel <= day + slack:
        return di + 1, travel
    return _arrival(di, minute, travel, day, slack)


def _with_overnight(stop: Stop) -> Stop:
    return Stop(**{**stop.__dict__, "menginap": True})
