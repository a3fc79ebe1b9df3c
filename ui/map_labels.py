"""Where the map's names go: station names first, commune names where they fit, none over another (the rest are in
the hover); each in dark or light text, whichever reads better on the fill below it."""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from data_model.reference.geo import ProvinceShapes

# the narrowest map drawn: a 390 px phone less the page's padding; names that do not collide there do not collide
# on a wider screen either (the map grows, the text does not)
NARROW_MAP_PX = 360
CHAR_WIDTH_EM = 0.6  # an upper bound of the font's average letter width (bold and capitals included)
LINE_EM = 1.25
MARKER_PX = 12
GAP_PX = 2
DARK, LIGHT = "#000000", "#ffffff"
STATION_POSITIONS = ("middle right", "middle left", "top center", "bottom center", "top right", "bottom right",
                     "top left", "bottom left")

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels, y downwards


@dataclass(frozen=True)
class PlacedLabel:
    """A name drawn on the map: where, how, on what fill."""

    text: str
    lon: float
    lat: float
    box: Box
    position: str  # plotly textposition
    color: str
    fill: str  # of the colours under the label, the one it reads worst on


Projection = Callable[[float, float], tuple[float, float]]


def projector(extent: tuple[float, float, float, float], *, width: float,
              height: float) -> tuple[Projection, Projection]:
    """lon/lat → pixels of a Mercator map of the extent fitted into width × height (as plotly fits its geo axes),
    and pixels → lon/lat."""
    lon_min, lon_max, lat_min, lat_max = extent

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx, dy = math.radians(lon_max - lon_min), merc(lat_max) - merc(lat_min)
    scale = min(width / dx, height / dy) if dx > 0 and dy > 0 else 1.0
    top = merc(lat_max)

    def to_px(lon: float, lat: float) -> tuple[float, float]:
        return math.radians(lon - lon_min) * scale, (top - merc(lat)) * scale

    def to_lonlat(x: float, y: float) -> tuple[float, float]:
        return lon_min + math.degrees(x / scale), math.degrees(2 * math.atan(math.exp(top - y / scale)) - math.pi / 2)

    return to_px, to_lonlat


def text_box(x: float, y: float, text: str, *, size: float, position: str, offset: float = 0.0) -> Box:
    """The pixels a text covers when plotly draws it at (x, y) in the position."""
    w, h = len(text) * size * CHAR_WIDTH_EM, size * LINE_EM
    vertical, horizontal = position.split(" ")
    x0 = {"left": x - offset - w, "center": x - w / 2, "right": x + offset}[horizontal]
    y0 = {"top": y - offset - h, "middle": y - h / 2, "bottom": y + offset}[vertical]
    return (x0, y0, x0 + w, y0 + h)


def overlaps(a: Box, b: Box, gap: float = GAP_PX) -> bool:
    """Whether two boxes come closer than the gap."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


MIN_CONTRAST = 4.5  # WCAG AA for normal text


def readable_on(fills: Iterable[str], *, preferred: str = DARK) -> tuple[str, str] | None:
    """A text colour that reads on every fill (the preferred one if it does, else black or white) and the fill it
    reads worst on; None when no colour reads on them all (a label across a dark and a light commune)."""
    fills = list(dict.fromkeys(fills))
    for color in (preferred, DARK, LIGHT):
        worst = min(fills, key=lambda f: contrast_ratio(color, f))
        if contrast_ratio(color, worst) >= MIN_CONTRAST:
            return color, worst
    return None


def scale_color(stops: list[str], share: float) -> str:
    """The colour at a share (0–1) of a scale of evenly spaced stops, mixed linearly in RGB as plotly does."""
    share = min(max(share, 0.0), 1.0) * (len(stops) - 1)
    i = min(int(share), len(stops) - 2)
    t = share - i
    a, b = ([int(s.lstrip("#")[k:k + 2], 16) for k in (0, 2, 4)] for s in (stops[i], stops[i + 1]))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(a, b))


def _inside(lon: float, lat: float, ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


_BOXES: dict[tuple[int, str], Box] = {}  # the communes' lon/lat boxes, per loaded set of polygons


def _lonlat_box(shapes: ProvinceShapes, key: str) -> Box:
    found = _BOXES.get((id(shapes), key))
    if found is None:
        points = [p for polygon in shapes.communes[key].polygons for p in polygon[0]]
        found = (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
                 max(p[1] for p in points)) if points else (0.0, 0.0, -1.0, -1.0)
        _BOXES[(id(shapes), key)] = found
    return found


def commune_at(lon: float, lat: float, shapes: ProvinceShapes, *, first: str | None = None) -> str | None:
    """The key of the commune whose polygon holds the point (None outside every commune); `first` is tried first."""
    keys = [first] if first in shapes.communes else []
    for key in keys + [k for k in shapes.communes if k != first]:
        x0, y0, x1, y1 = _lonlat_box(shapes, key)
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            continue
        for polygon in shapes.communes[key].polygons:
            ring = list(polygon[0])
            if _inside(lon, lat, ring) and not any(_inside(lon, lat, list(hole)) for hole in polygon[1:]):
                return key
    return None


def place_labels(*, shapes: ProvinceShapes, extent: tuple[float, float, float, float], fills: Mapping[str, str], background: str,
                 stations: Iterable[tuple[str, float, float]], station_size: float, station_color: str,
                 commune_size: float, commune_order: Iterable[str], lift_deg: float, height: float,
                 width: float = NARROW_MAP_PX, station_communes: list[str] | None = None) -> tuple[list[PlacedLabel | None], list[PlacedLabel]]:
    """Station names (each beside its marker, or none) and the commune names that fit, in the order given."""
    to_px, to_lonlat = projector(extent, width=width, height=height)
    right, bottom = to_px(extent[1], extent[2])
    stations = list(stations)
    taken: list[Box] = []
    for _, lon, lat in stations:  # every marker stays visible
        x, y = to_px(lon, lat)
        taken.append((x - MARKER_PX / 2, y - MARKER_PX / 2, x + MARKER_PX / 2, y + MARKER_PX / 2))

    def fills_under(box: Box, near: str | None) -> list[str]:
        # five points across the text's middle line and one above and below its centre
        x0, y0, x1, y1 = box
        points = [(x0 + (x1 - x0) * i / 4, (y0 + y1) / 2) for i in range(5)] + [((x0 + x1) / 2, y0), ((x0 + x1) / 2, y1)]
        keys = [commune_at(*to_lonlat(x, y), shapes, first=near) for x, y in points]
        return [fills.get(k, background) if k else background for k in keys]

    def free(box: Box) -> bool:
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= right and box[3] <= bottom
        return inside and not any(overlaps(box, other) for other in taken)

    station_labels: list[PlacedLabel | None] = []
    for (name, lon, lat), near in zip(stations, station_communes or [None] * len(stations)):
        x, y = to_px(lon, lat)
        placed = None
        for position in STATION_POSITIONS:
            box = text_box(x, y, name, size=station_size, position=position, offset=MARKER_PX / 2 + GAP_PX + 1)
            colors = readable_on(fills_under(box, near), preferred=station_color) if free(box) else None
            if colors:
                placed = PlacedLabel(name, lon, lat, box, position, *colors)
                taken.append(box)
                break
        station_labels.append(placed)
    commune_labels: list[PlacedLabel] = []
    for key in commune_order:
        commune = shapes.communes[key]
        cx, cy = commune.centroid
        for lat in (cy + lift_deg, cy, cy - lift_deg):
            box = text_box(*to_px(cx, lat), commune.name, size=commune_size, position="middle center")
            colors = readable_on(fills_under(box, key)) if free(box) else None
            if colors:
                commune_labels.append(PlacedLabel(commune.name, cx, lat, box, "middle center", *colors))
                taken.append(box)
                break
    return station_labels, commune_labels
