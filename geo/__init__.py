"""Jangkau's library and command line: the stages of the work, in the order data flows.

1. ``areas``: Kukar's boundaries and the village lookup.
2. ``intake``: reading the planners' files (roster, BRI realization, tables) and the demo set.
3. ``realization``: reconciliation, rounds, coverage figures, field outcomes.
4. ``reach``: service points, boat legs, landings, roads, the travel network, nearest points,
   ranking, capacity and placement.
5. ``plan``: the calendar, field-visit routes, the schedule and the route sheets.
6. ``outputs``: maps and file exports.

Beside them: ``store`` (the database) and ``safety`` (accounts, roles, masking). At the top:
``cli`` (``python -m geo``), ``settings``, ``_errors``, ``fmt`` (Indonesian numbers and dates),
``geometry`` (lon/lat checks, projection), ``datasets`` (loads the demo set into the store). A
stage imports only the stages before it and the top-level helpers; nothing here imports
streamlit.
"""
