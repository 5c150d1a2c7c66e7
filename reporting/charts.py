"""Charts and maps as inline SVG for the PDF reports.

WeasyPrint runs no JavaScript, so the reports draw their charts on the server: a
horizontal bar chart, grouped bars per phase, and the map of France by department
from the same GeoJSON outlines as the web map (static/geo). Text is escaped;
the SVG is returned as a safe string for the templates.
"""

import base64
import json
from functools import cache
from html import escape
from math import cos, radians
from pathlib import Path

from django.conf import settings
from django.utils.safestring import mark_safe

PALETTE = ["#1f5f8b", "#e0822a", "#3c8d5a", "#8c4f9f", "#c0392b", "#5d6d7e"]
MAP_SCALE = ["#e8f1f8", "#b9d5ea", "#7fb2d9", "#3f88c0", "#1f5f8b", "#0d3b5e"]


def _number(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) or hasattr(value, "quantize"):
        return f"{value:.1f}".replace(".", ",")
    return f"{value:,}".replace(",", "\u202f")


def bar_chart(rows: list[tuple[str, float | None]], *, width=520, unit="", color=PALETTE[0], label_width=190) -> str:
    """Horizontal bars, one per ``(label, value)``."""
    row_height = 26
    height = row_height * max(len(rows), 1) + 10
    maximum = max([v for _label, v in rows if v] or [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">'
    ]
    bar_space = width - label_width - 60
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_height
        length = 0 if not value else max(2, bar_space * float(value) / float(maximum))
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" fill="#222">{escape(str(label))}</text>'
        )
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{length:.1f}" height="16" fill="{color}" rx="2"/>')
        shown = f"{_number(value)}{escape(unit)}" if value is not None else "–"
        parts.append(f'<text x="{label_width + length + 5:.1f}" y="{y + 16}" fill="#222">{shown}</text>')
    parts.append("</svg>")
    alt = ", ".join(f"{label} : {_number(value)}{unit if value is not None else ''}" for label, value in rows)
    return mark_safe(_as_image("".join(parts), alt))  # noqa: S308 - every text above is escaped


def grouped_bars(categories: list[str], series: list[tuple[str, list]], *, width=560, height=220, unit="") -> str:
    """Vertical grouped bars: one group per category, one bar per series, with a legend."""
    top, bottom, left = 16, 48, 36
    plot_h = height - top - bottom
    values = [v for _name, vals in series for v in vals if v]
    maximum = max(values or [1])
    group_w = (width - left - 10) / max(len(categories), 1)
    bar_w = min(28, (group_w - 12) / max(len(series), 1))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="10">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="#999"/>',
    ]
    for c_index, category in enumerate(categories):
        x0 = left + c_index * group_w + (group_w - bar_w * len(series)) / 2
        for s_index, (_name, vals) in enumerate(series):
            value = vals[c_index] if c_index < len(vals) else None
            h = 0 if not value else plot_h * float(value) / float(maximum)
            x = x0 + s_index * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[s_index % len(PALETTE)]}"/>'
            )
            if value is not None:
                parts.append(
                    f'<text x="{x + (bar_w - 2) / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                    f'fill="#222">{_number(value)}{escape(unit)}</text>'
                )
        parts.append(
            f'<text x="{left + (c_index + 0.5) * group_w:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'fill="#222">{escape(str(category))}</text>'
        )
    legend_y = height - 12
    x = left
    for s_index, (name, _vals) in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{PALETTE[s_index % len(PALETTE)]}"/>'
        )
        parts.append(f'<text x="{x + 14}" y="{legend_y}" fill="#222">{escape(str(name))}</text>')
        x += 24 + 6 * len(str(name))
    parts.append("</svg>")
    alt = "; ".join(
        f"{name} : " + ", ".join(f"{category} {_number(v)}" for category, v in zip(categories, vals, strict=False))
        for name, vals in series
    )
    return mark_safe(_as_image("".join(parts), alt))  # noqa: S308 - every text above is escaped


@cache
def _departments() -> list[tuple[str, str, list]]:
    path = Path(settings.BASE_DIR) / "static" / "geo" / "departements-metropole-simplifie.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    result = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        result.append((feature["properties"]["code"], feature["properties"]["nom"], polygons))
    return result


def _simplified(points, tolerance=3.0):
    """Drop the points closer than ``tolerance`` pixels to the last one kept: the outline
    stays the same at print size and the PDF renders several times faster."""
    kept = [points[0]] if points else []
    for x, y in points[1:]:
        last_x, last_y = kept[-1]
        if abs(x - last_x) + abs(y - last_y) >= tolerance:
            kept.append((x, y))
    return kept


def france_map(counts: dict[str, int], *, width=420, title="") -> str:
    """Metropolitan France by department, shaded by ``counts`` (``{code: n}``), with a legend.
    Overseas departments with a count are listed under the map."""
    west, east, south, north = -5.3, 9.7, 41.2, 51.2
    kx = cos(radians(46.5))
    scale = width / ((east - west) * kx)
    height = int((north - south) * scale) + 40
    maximum = max(counts.values() or [0])

    def fill(n):
        if not n:
            return "#f4f4f4"
        return MAP_SCALE[min(len(MAP_SCALE) - 1, 1 + int((len(MAP_SCALE) - 2) * n / maximum))]

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="10">'
    ]
    known = set()
    for code, _name, polygons in _departments():
        known.add(code)
        path = []
        for polygon in polygons:
            points = _simplified([((lon - west) * kx * scale, (north - lat) * scale) for lon, lat in polygon[0]])
            if len(points) >= 3:
                path.append("M" + " ".join(f"{x:.0f},{y:.0f}" for x, y in points) + "Z")
        colour = fill(counts.get(code, 0))
        parts.append(f'<path d="{" ".join(path)}" fill="{colour}" stroke="#fff" stroke-width="0.5"/>')
    legend_y = height - 22
    steps = sorted({0, maximum} | ({max(1, maximum // 2)} if maximum > 1 else set()))
    x = 4
    for value in steps:
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{fill(value)}" stroke="#999"/>')
        parts.append(f'<text x="{x + 16}" y="{legend_y + 10}" fill="#222">{value}</text>')
        x += 50
    parts.append("</svg>")
    names = {code: name for code, name, _polygons in _departments()}
    described = ", ".join(f"{names.get(code, code)} : {n}" for code, n in sorted(counts.items()) if n)
    html = _as_image("".join(parts), f"{title} – {described}" if title else described)
    overseas = {code: n for code, n in counts.items() if code not in known and n}
    if overseas:
        listed = ", ".join(f"{escape(code)} : {n}" for code, n in sorted(overseas.items()))
        html += f'<p class="map-overseas">{listed}</p>'
    return mark_safe(html)  # noqa: S308 - every text above is escaped


def _as_image(svg: str, alt: str) -> str:
    """The SVG as an image with a text alternative (WeasyPrint draws an image several
    times faster than the same SVG inline)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">'
