"""Coverage-map payload and build time: the raw village layer against the simplified one.

Run: ``make bench`` (or ``.venv/bin/python bench/bench_map.py``). Uses the demo data set for the
counts and service points, built in a temporary folder. Target: the full 237-village map under
1.5 MB of standalone HTML.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import settings
from geo.areas import boundaries
from geo.datasets import load_demo
from geo.outputs import maps
from geo.realization import coverage
from geo.store.database import Store

TARGET_BYTES = 1_500_000
REPEATS = 3


def measure(cov, bounds, points, *, simplify: bool) -> dict:
    times, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        fmap = maps.coverage_map(
            cov,
            kecamatan=bounds.kecamatan,
            service_points=points,
            options=maps.MapOptions(assets="inline", demo=True, simplify=simplify),
        )
        page = maps.standalone_html(fmap, title="bench", demo=True)
        times.append(time.perf_counter() - start)
        size = len(page.encode("utf-8"))
    return {"bytes": size, "build_s": round(statistics.median(times), 3)}


def main() -> None:
    bounds = boundaries.load()
    with tempfile.TemporaryDirectory() as tmp:
        settings.DATA_DIR = Path(tmp)
        store = Store(f"sqlite:///{tmp}/bench.db")
        loaded = load_demo(store, bounds, out_dir=Path(tmp) / "demo")
        counts = store.round_villages(loaded.round.id)
        points = store.service_points()
        cov = coverage.compute(bounds.villages, counts)
        layer_raw = len(bounds.villages[["kode", "geometry"]].to_json(drop_id=True))
        layer_simple = len(
            maps.simplify_layer(bounds.villages[["kode", "geometry"]]).to_json(drop_id=True)
        )
        raw = measure(cov, bounds, points, simplify=False)
        simple = measure(cov, bounds, points, simplify=True)
        store.dispose()
    result = {
        "villages": len(cov.villages),
        "service_points": len(points),
        "village_layer_geojson_bytes": {
            "raw": layer_raw,
            "simplified": layer_simple,
            "ratio": round(layer_raw / layer_simple, 2),
        },
        "raw": raw,
        "simplified": simple,
        "size_ratio_raw_over_simplified": round(raw["bytes"] / simple["bytes"], 2),
        "time_ratio_raw_over_simplified": round(raw["build_s"] / simple["build_s"], 2),
        "target_bytes": TARGET_BYTES,
        "meets_target": simple["bytes"] < TARGET_BYTES,
        "vendor_inlined": maps.vendor_available(),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
