"""Distances on the WGS-84 ellipsoid's sphere approximation — plenty for "is the
inspector at the enterprise" (errors well under 1 % at these distances)."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8
#: Farther than this from the registered point, a position or photo is flagged.
FAR_M = 500.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))
