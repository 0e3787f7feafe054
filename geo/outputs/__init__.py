"""Stage 6, outputs: what leaves the tool as a map or a file.

Takes the coverage figures, reach tables, routes and schedules of the stages before; hands the
pages and the CLI folium maps, standalone HTML and CSV/XLSX/GeoJSON/GeoPackage bytes, each marked
DATA CONTOH when it holds demo data.

Modules
-------
``maps``
    ``coverage_map`` (choropleth of unrealized KPM with service points), ``travel_time_map``,
    ``route_map``, ``standalone_html``, ``simplify_layer``.
``export``
    ``csv_bytes``, ``xlsx_bytes``, ``geojson_bytes``, ``gpkg_bytes``, ``readable`` (a frame as a
    person reads it), ``schedule_xlsx_bytes``.
"""
