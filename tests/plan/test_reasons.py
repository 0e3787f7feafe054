"""Reasons for villages left out: the cheapest detour against the prize."""

import numpy as np

from geo.plan import model, reasons


def test_a_village_left_out_says_why():
    # Depot 0, a trip 0 -> 1 -> 0; village 2 lies 50 min off the way (cheapest detour 2*50 -
    # the 0-1 leg shortcut), village 3 right beside village 1.
    minutes = np.array(
        [
            [0, 30, 60, 31],
            [30, 0, 50, 2],
            [60, 50, 0, 52],
            [31, 2, 52, 0],
        ],
        dtype=float,
    )
    paths = [[0, 1, 0]]
    assert reasons.cheapest_detour(minutes, paths, 2) == 60 + 50 - 30
    assert reasons.cheapest_detour(minutes, paths, 3) == 2 + 31 - 30
    far = model.Candidate("64.02.01.2002", "Jauh", "Tenggarong", 5.0, 10)  # worth 50 min
    near = model.Candidate("64.02.01.2003", "Dekat", "Tenggarong", 5.0, 10)
    reason = reasons.left_out_reason(far, reasons.cheapest_detour(minutes, paths, 2))
    assert "80 menit" in reason and "5,0 poin = 50 menit" in reason and "wajib" in reason
    reason = reasons.left_out_reason(near, reasons.cheapest_detour(minutes, paths, 3))
    assert "waktu tim habis" in reason
