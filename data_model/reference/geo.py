"""The province's 2025 commune polygons, outline and border line, read once from the reference folder (offline)."""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from data_model.schema.settings import get_settings

GEO_FOLDER = "geo"
COMMUNES_FILE = "lai_chau_communes_2025.geojson"
OUTLINE_FILE = "lai_chau_outline.geojson"
BORDER_FILE = "lai_chau_border_vn_cn_derived.geojson"
BROWSER_DECIMALS = 4  # about 11 m: well below the 0.0005° (~50 m) the polygons were simplified by; less to send

Point = tuple[float, float]  # (lon, lat)
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]  # exterior ring first, then holes


class GeoUnavailable(Exception):
    """The polygons cannot be read; vi and en say why, so a page can show it instead of the map."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(vi)
        self.vi, self.en = vi, en

    def text(self, lang: str) -> str:
        """The reason in the language."""
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class CommuneShape:
    """One 2025 commune's polygons and the point its label and stations go to."""

    key: str
    code: str
    name: str
    polygons: tuple[Polygon, ...]
    centroid: Point


class SharedJSON(dict):
    """A JSON object made once per process and never changed: copying it (plotly copies every trace's geojson when a
    figure is built and again when it is sent) returns the same object."""

    def __deepcopy__(self, memo: dict) -> SharedJSON:
        return self

    def __copy__(self) -> SharedJSON:
        return self


@dataclass(frozen=True)
class LonLat:
    """Lines as two lists of numbers with None between the lines (a break for plotly).

    Lists, not float arrays: plotly sends arrays base64-encoded, and "NaN" by chance in base64 text makes its JSON
    encoder decode and encode the whole figure a second time."""

    lon: tuple[float | None, ...]
    lat: tuple[float | None, ...]


@dataclass(frozen=True)
class ProvinceShapes:
    """Everything the map draws besides the figures: communes, the province outline, the China-facing border."""

    communes: dict[str, CommuneShape]  # by unit key (c03439@2025 …)
    outline: tuple[Ring, ...]
    border: tuple[tuple[Point, ...], ...]
    missing: tuple[str, ...] = ()  # optional layers that could not be read, said in Vietnamese
    # the communes as a GeoJSON FeatureCollection for plotly: id = unit key, rings wound the way d3 wants
    browser_geojson: dict = field(default_factory=dict, repr=False, compare=False)
    # the same prepared once for the browser: each commune's feature, the outline, each border line, the extent
    browser_features: dict = field(default_factory=dict, repr=False, compare=False)
    browser_outline: LonLat | None = field(default=None, repr=False, compare=False)
    browser_border: tuple[LonLat, ...] = field(default=(), repr=False, compare=False)
    extent: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # lon min, lon max, lat min, lat max


def geo_dir() -> Path:
    """Where the polygons live: the reference folder's geo/ (REFERENCE_DIR moves both)."""
    return get_settings().reference_dir / GEO_FOLDER


def load_province_shapes(*, directory: Path | None = None) -> ProvinceShapes:
    """The polygons of the folder (read once per file version); GeoUnavailable when the communes cannot be read."""
    folder = directory or geo_dir()
    path = folder / COMMUNES_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise GeoUnavailable(f"Không có tệp ranh giới xã {path.name} trong thư mục {folder}.",
                             f"The commune boundary file {path.name} is not in {folder}.") from None
    return _load(str(folder), stamp)


@functools.lru_cache(maxsize=4)
def _load(folder: str, _stamp: int) -> ProvinceShapes:
    base = Path(folder)
    communes = _read_communes(base / COMMUNES_FILE)
    missing = []
    try:
        outline = tuple(ring for geometry in _geometries(base / OUTLINE_FILE) for polygon in _polygons(geometry)
                        for ring in polygon[:1])
    except GeoUnavailable as error:
        outline, missing = (), [error.vi]
    try:
        border = tuple(line for geometry in _geometries(base / BORDER_FILE) for line in _lines(geometry))
    except GeoUnavailable as error:
        border, missing = (), [*missing, error.vi]
    geojson = _browser_geojson(communes)
    points = [p for c in communes.values() for polygon in c.polygons for p in polygon[0]]
    extent = (min(p[0] for p in points), max(p[0] for p in points), min(p[1] for p in points), max(p[1] for p in points))
    return ProvinceShapes(communes=communes, outline=outline, border=border, missing=tuple(missing),
                          browser_geojson=geojson, browser_features={f["id"]: f for f in geojson["features"]},
                          browser_outline=lon_lat(outline), browser_border=tuple(lon_lat([line]) for line in border),
                          extent=extent)


def lon_lat(lines) -> LonLat:
    """Lines (sequences of points) as one LonLat with a break after each line."""
    lon: list[float | None] = []
    lat: list[float | None] = []
    for line in lines:
        lon += [round(p[0], BROWSER_DECIMALS) for p in line] + [None]
        lat += [round(p[1], BROWSER_DECIMALS) for p in line] + [None]
    return LonLat(lon=tuple(lon), lat=tuple(lat))


def _read_json(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise GeoUnavailable(f"Không có tệp {path.name} trong thư mục {path.parent}.",
                             f"The file {path.name} is not in {path.parent}.") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GeoUnavailable(f"Không đọc được tệp {path.name}: {error}.",
                             f"The file {path.name} cannot be read: {error}.") from None
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise GeoUnavailable(f"Tệp {path.name} không phải GeoJSON FeatureCollection.",
                             f"The file {path.name} is not a GeoJSON FeatureCollection.")
    return data


def _geometries(path: Path) -> list[dict]:
    return [f.get("geometry") or {} for f in _read_json(path)["features"] if isinstance(f, dict)]


def _point(value, path_name: str) -> Point:
    try:
        lon, lat = float(value[0]), float(value[1])
    except (TypeError, ValueError, IndexError):
        raise GeoUnavailable(f"Tệp {path_name} có toạ độ hỏng: {value!r}.",
                             f"The file {path_name} holds a broken coordinate: {value!r}.") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeoUnavailable(f"Tệp {path_name} có toạ độ ngoài phạm vi: {value!r}.",
                             f"The file {path_name} holds a coordinate out of range: {value!r}.")
    return lon, lat


def _polygons(geometry: dict, path_name: str = "GeoJSON") -> tuple[Polygon, ...]:
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        coords = [coords]
    elif kind != "MultiPolygon":
        raise GeoUnavailable(f"Tệp {path_name}: cần Polygon hoặc MultiPolygon, không phải {kind!r}.",
                             f"The file {path_name}: Polygon or MultiPolygon expected, not {kind!r}.")
    try:
        return tuple(tuple(tuple(_point(p, path_name) for p in ring) for ring in polygon) for polygon in coords
                     if polygon and len(polygon[0]) >= 4)
    except TypeError:
        raise GeoUnavailable(f"Tệp {path_name} có hình hỏng.", f"The file {path_name} holds a broken shape.") from None


def _lines(geometry: dict) -> tuple[tuple[Point, ...], ...]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "LineString":
        coords = [coords]
    elif kind != "MultiLineString":
        raise GeoUnavailable(f"Đường biên giới: cần LineString, không phải {kind!r}.",
                             f"Border line: LineString expected, not {kind!r}.")
    return tuple(tuple(_point(p, BORDER_FILE) for p in line) for line in coords)


def _signed_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2.0


def _centroid(polygons: tuple[Polygon, ...]) -> Point:
    """Area-weighted centroid of the largest part's exterior ring (planar: the province spans 2 degrees)."""
    ring = max((p[0] for p in polygons), key=lambda r: abs(_signed_area(r)))
    area = _signed_area(ring)
    if not area:
        return ring[0]
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))
    return cx / (6 * area), cy / (6 * area)


def _read_communes(path: Path) -> dict[str, CommuneShape]:
    communes: dict[str, CommuneShape] = {}
    for feature in _read_json(path)["features"]:
        props = (feature or {}).get("properties") or {}
        key = str(props.get("unit_key") or "")
        if not key:
            raise GeoUnavailable(f"Tệp {path.name}: một vùng không có unit_key.",
                                 f"The file {path.name}: a feature has no unit_key.")
        polygons = _polygons(feature.get("geometry") or {}, path.name)
        if not polygons:
            continue
        communes[key] = CommuneShape(key=key, code=str(props.get("code") or ""), name=str(props.get("name") or ""),
                                     polygons=polygons, centroid=_centroid(polygons))
    if not communes:
        raise GeoUnavailable(f"Tệp {path.name} không có vùng nào.", f"The file {path.name} holds no shapes.")
    return communes


def _wound(ring: Ring, *, clockwise: bool) -> list[list[float]]:
    # d3 (plotly's geo) reads rings on the sphere: an exterior must run clockwise, else it fills the whole globe
    is_clockwise = _signed_area(ring) < 0
    points = ring if is_clockwise == clockwise else ring[::-1]
    return [[round(x, BROWSER_DECIMALS), round(y, BROWSER_DECIMALS)] for x, y in points]


def _browser_geojson(communes: dict[str, CommuneShape]) -> dict:
    features = []
    for c in communes.values():
        polygons = [[_wound(ring, clockwise=i == 0) for i, ring in enumerate(polygon)] for polygon in c.polygons]
        features.append(SharedJSON({"type": "Feature", "id": c.key, "properties": {"name": c.name},
                                    "geometry": {"type": "MultiPolygon", "coordinates": polygons}}))
    return SharedJSON({"type": "FeatureCollection", "features": features})
