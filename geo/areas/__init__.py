"""Stage 1, areas: Kukar's real boundaries and the villages every other stage refers to.

Takes the Kemendagri SQL dumps (a folder or the pinned upstream commit, sha256-checked); hands on
kabupaten, kecamatan and village polygons (EPSG:4326) and a lookup from codes and clerks' names.

Modules
-------
``boundaries``
    Fetch, check, parse and cache the boundaries: ``load``, ``prepare``, ``is_cached``.
``lookup``
    ``VillageIndex`` (a village from a code, or a name within its kecamatan), ``normalise``,
    ``normalise_code``, ``resolve_place``, ``name_key``.
"""
