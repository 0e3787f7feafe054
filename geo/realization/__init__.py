"""Stage 3, realization: who has received their aid, village by village and round by round.

Takes the roster and realization frames of ``geo.intake`` and the villages of ``geo.areas``;
hands on one status per KPM and programme, per-village counts saved as a round in the store,
the coverage figures every page and map shows, and the field outcomes against later rounds.

Modules
-------
``reconcile``
    ``reconcile``: roster matched with BRI's file by NIK and programme (``Reconciliation``,
    ``location_problems``).
``rounds``
    Reconciliation rounds in the store: ``run_round``, ``rounds_table``, ``compare``,
    ``village_result``, ``fingerprint``.
``coverage``
    KPM, realized and not yet per village, kecamatan and branch: ``compute``, ``overview``,
    ``village_detail``, ``read_village_counts``, ``empty_counts``.
``outcomes``
    What field teams found: ``read_outcomes``, ``validate``, ``visit_status``, ``progress``,
    ``not_improved``.
"""
