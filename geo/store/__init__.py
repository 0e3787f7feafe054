"""The store, beside every stage: rounds, service points, boat legs, plans, schedules, audit log.

Takes what the stages produce and the planners save; hands back the same frames in a fresh
session, from SQLite (WAL, the default) or PostgreSQL through SQLAlchemy.

Modules
-------
``database``
    ``Store``: the engine, ``migrate``, and the read/write functions of every table (one
    transaction per write); ``RoundInfo``.
``migrations``
    ``MIGRATIONS``: the schema's history, portable SQL steps applied once each.
``schema``
    The vocabulary the tables are built on: ``STATUSES``, ``VILLAGE_COUNTS``, ``OUTCOME_COLUMNS``.
``backup``
    A consistent copy of the live database, and a checked restore: ``backup``, ``restore``.
"""
