"""Stage 2, intake: the files clerks and banks send, read as they come and checked row by row.

Takes the bytes of a Dinsos roster (DTKS / SIKS-NG export) or a BRI realisation file, CSV or XLSX,
and a village lookup from ``geo.areas``; hands on clean frames (one row per KPM and programme,
village codes resolved) with every rejected or doubtful row reported as a problem, in Indonesian
and with personal numbers masked. Only a file that cannot be used at all is refused.

Modules
-------
``limits``
    Upload limits checked on the bytes before anything is read (size, rows, columns, ZIP bombs):
    ``check_upload``, ``base_name``.
``tables``
    CSV/XLSX as a table of text cells, header on row 1: ``read_table``, ``sheet_names``,
    ``XLSX_ENGINES``, ``has_demo_marker``.
``headers``
    The canonical fields and their header synonyms: ``FIELDS_ROSTER``, ``FIELDS_REALISASI``,
    ``Field``, ``detect_mapping``, ``shown_headers``.
``problems``
    What an import reports: ``Problem``, ``ImportResult``, ``problems_to_frame``.
``values``
    Cleaning single cells: NIK and No. KK, programmes, flags, statuses, ``normalise_reason``,
    nominal amounts.
``coordinates``
    A roster's home coordinates, parsed and checked against Kukar.
``roster``
    ``read_roster``: a Dinsos roster.
``realisasi``
    ``read_realisasi``: a BRI realisation file.
``demo``
    Deterministic synthetic demo files (*data contoh*): ``generate``, ``write``.
"""
