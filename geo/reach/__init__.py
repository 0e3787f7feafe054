"""Stage 4, reach: how far each village and each KPM is from aid, and where new points would help.

Takes the villages, the planners' tables of service points, boat legs and landings, the road
network (OpenStreetMap) and a round's counts; hands on the travel network, the nearest service
point per village and per KPM, the hard-to-reach ranking, the e-warong load and proposed new
points. Times are minutes, distances kilometres.

Modules
-------
``service_points``
    Service points and depots from files or the page's table (``read_points``,
    ``validate_table``), the point-type vocabulary (``JENIS``, ``JENIS_BRI``, ``JENIS_LABELS``,
    ``jenis_filter``, ``of_kind``), points found in OpenStreetMap against the table
    (``mark_known``, ``add_points``).
``landings``
    Named landings (dermaga) where boat legs start or end: ``read_landings``, ``validate_table``.
``boats``
    Boat legs between villages and landings: ``read_boat_legs``, ``validate_table``,
    ``unresolved_names``.
``osm``
    OpenStreetMap roads through osmnx (``load_road_graph``) and BRI points
    (``fetch_bri_points``).
``graph``
    ``TravelGraph``: nodes in metres and directed legs with their source (``SUMBER``).
``network``
    ``PlaceNetwork``: roads, boat legs and straight-line estimates in one graph with the places
    on it (``build``, ``load_network``).
``nearest``
    The algorithms: ``straight_nearest`` (k-d tree), ``network_nearest`` and ``multi_source``
    (one multi-source Dijkstra), ``path_totals``.
``per_village``
    The nearest point for every village (``nearest``, ``NEAREST_COLUMNS``, ``unreachable``).
``per_kpm``
    The nearest point for every KPM with home coordinates (``nearest_kpm``, ``KpmNearest``,
    ``join_kpm``, ``KPM_COLUMNS``), the homes it reads (``roster_homes``, ``located_homes``), and
    its tables longest first.
``ranking``
    The priority score (``priority``, ``priority_formula``) and the access-vs-realization class
    (``access_class``, ``ACCESS_CLASSES``); the ranking as shown (``ranking_table``).
``capacity``
    ``capacity``: the BPNT KPM each e-warong serves against its capacity.
``placement``
    New service points by greedy p-median with swaps (``recommend``, ``greedy_placement``,
    ``exact_placement``, ``Placement``).
"""
