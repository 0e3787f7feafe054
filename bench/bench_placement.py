"""Gap of the greedy + swap p-median (geo.reach.placement) to the exact optimum on small instances.

Run: ``.venv/bin/python bench/bench_placement.py``. Prints the gap distribution and times.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.reach import placement


def main(instances: int = 300) -> None:
    rng = np.random.default_rng(2022)
    gaps, t_greedy, t_exact = [], 0.0, 0.0
    for _ in range(instances):
        n, c, k = 40, 15, int(rng.integers(2, 5))
        weights = rng.integers(0, 200, n).astype(float)
        current = rng.uniform(10, 400, n)
        current[rng.random(n) < 0.1] = np.inf
        times = rng.uniform(0, 400, (n, c))
        codes = [str(i) for i in range(c)]
        start = time.perf_counter()
        greedy = placement.greedy_placement(weights, current, times, k, codes)
        t_greedy += time.perf_counter() - start
        start = time.perf_counter()
        exact = placement.exact_placement(weights, current, times, k, codes)
        t_exact += time.perf_counter() - start
        gaps.append((greedy.cost_after - exact.cost_after) / exact.cost_after)
    gaps = np.array(gaps)
    print(
        json.dumps(
            {
                "instances": instances,
                "villages": 40,
                "candidates": 15,
                "k": "2-4",
                "optimal_share": round(float((gaps < 1e-9).mean()), 3),
                "gap_mean_percent": round(100 * float(gaps.mean()), 2),
                "gap_p95_percent": round(100 * float(np.quantile(gaps, 0.95)), 2),
                "gap_max_percent": round(100 * float(gaps.max()), 2),
                "greedy_ms_per_instance": round(1000 * t_greedy / instances, 2),
                "exact_ms_per_instance": round(1000 * t_exact / instances, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
