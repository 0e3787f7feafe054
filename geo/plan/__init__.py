"""Stage 5, plan: field-visit routes for joint Dinsos+BRI teams, their calendar and route sheets.

Takes the travel network and the hard-to-reach ranking of ``geo.reach``, a round's counts, the
depots and the teams; hands on a route plan (``rute.json``), the teams' days on the calendar with
conflicts and ``.ics`` files, and printable route sheets (PDF).

Modules
-------
``routing``
    The entry points: ``plan_routes`` (data to a plan), ``candidates_from``, ``default_teams``,
    ``top_villages``.
``model``
    ``Team``, ``Candidate``, ``Stop``, ``TeamRoute``, ``RoutePlan`` (with its JSON),
    ``RoutingError``; the rules ``service_minutes``, ``day_minutes``, ``trip_days``,
    ``nights_away``, ``nights_over_break``.
``legs``
    ``network_with_depots``, ``LegMatrix`` and ``leg_matrix``: travel between depots and villages.
``instance``
    A request checked and in numbers: ``check_request``, ``Instance``, ``reachable``,
    ``check_required``, ``Trips``.
``solve``
    ``solve``: the PyVRP model (``build_model``), the solver's run (``run_solver``,
    ``solver_params``), its routes read back (``read_routes``), the plan's ``plan_params``.
``timeline``
    A route on the calendar: ``lay_out_days``, ``lay_out_trip``, ``lay_out_clear_of_breaks``.
``fill``
    ``fill_free_time``: the time the calendar leaves free filled with villages left out.
``reasons``
    ``left_out``: why each village left out is left out.
``calendar``
    Working days and Indonesian holidays: ``working_days``, ``count_working_days``,
    ``indonesian_holidays``, ``is_working_day``.
``schedule``
    Saved plans on the calendar: ``assign``, ``check``, ``reconciliation_dates``, ``ics_bytes``.
``sheets``
    Route sheets as PDF: ``route_sheet_pdf``, ``route_sheet_files``.
``sheet_map``
    The overview map on a route sheet: ``route_map_png``.
``tables``
    The tables the plan pages read and show: ``teams_from_table``, ``stop_table``,
    ``schedule_table``, ``outcome_row`` and more.
"""
