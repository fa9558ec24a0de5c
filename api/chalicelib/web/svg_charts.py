"""Charts as SVG text, drawn by the API: bars (horizontal, one or two series), and bars over months
with a line of a rate.

Why SVG from the API rather than a chart library in the page: the portal's Content-Security-Policy
allows no inline style (``style-src 'self'``), and the libraries measured set ``style`` attributes
or inject style elements; these charts carry presentation attributes only (``fill``, ``font-size``),
which the policy does not govern. They are vectors (sharp on an A4 print), the same code draws the
console's and the public page's charts, and a test can read them. Each chart has a ``<title>`` and a
``<desc>`` (``role="img"``); the page shows the chart's data as a table beside it for screen readers.

Text is escaped for XML; no text of the complainants ever reaches a chart (labels come from the
catalog and the glossary, values are counts and rates).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from msgspec import Struct

__all__ = ["Series", "bars", "bars_with_line"]

_WIDTH = 680
_ROW = 26
_TOP = 16
_FONT = 12
_COLOURS = ("#3f51b5", "#e08a00")
_TEXT = "#212121"
_GRID = "#bdbdbd"


class Series(Struct, frozen=True):
    name: str
    values: Sequence[float | None]
    # What each bar is labelled with ("12", "75 %", "—" for no value).
    shown: Sequence[str]


def _text_width(text: str) -> float:
    """A rough width of ``text`` at the chart's font size: wide characters (Chinese) count double."""
    return sum(_FONT if ord(ch) > 0x2E7F else _FONT * 0.58 for ch in text)


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {_WIDTH} {height:.0f}" '
        f'width="100%" class="pf-chart__svg" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="sans-serif" font-size="{_FONT}">'
    )
    return "".join(
        [
            head,
            f'<title id="{chart_id}-title">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
            *body,
            "</svg>",
        ]
    )


def _label(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{_TEXT}" text-anchor={quoteattr(anchor)}>{escape(text)}</text>'
    )


def bars(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    maximum: float | None = None,
) -> str:
    """Horizontal bars, one row per label, one bar per series in each row, with a legend when there
    are two series. ``maximum`` fixes the scale (100 for rates); else the largest value."""
    left = min(320.0, max((_text_width(text) for text in labels), default=0) + 12)
    right = 56
    span = _WIDTH - left - right
    top = _TOP + (22 if len(series) > 1 else 0)
    scale = maximum or max((v for s in series for v in s.values if v), default=1) or 1
    bar = (_ROW - 8) / len(series)
    body = []
    if len(series) > 1:
        x = left
        for colour, s in zip(_COLOURS, series, strict=False):
            body.append(f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{colour}"/>')
            body.append(_label(x + 16, 14, s.name))
            x += 28 + _text_width(s.name)
    for row, text in enumerate(labels):
        y = top + row * _ROW
        body.append(_label(left - 8, y + _ROW / 2 + 4, text, "end"))
        for n, (colour, s) in enumerate(zip(_COLOURS, series, strict=False)):
            value = s.values[row]
            width = span * (value or 0) / scale
            bar_y = y + 4 + n * bar
            if value:
                body.append(
                    f'<rect x="{left:.1f}" y="{bar_y:.1f}" width="{width:.1f}" height="{bar - 1:.1f}" fill="{colour}"/>'
                )
            body.append(_label(left + width + 4, bar_y + bar / 2 + 3, s.shown[row]))
    bottom = top + len(labels) * _ROW
    body.append(f'<line x1="{left:.1f}" y1="{top - 2}" x2="{left:.1f}" y2="{bottom:.1f}" stroke="{_GRID}"/>')
    return _svg(chart_id, title, description, bottom + 8, body)


def bars_with_line(
    chart_id: str,
    title: str,
    description: str,
    labels: Sequence[str],
    counted: Series,
    rate: Series,
) -> str:
    """Vertical bars of a count over months, and a line of a rate (0-100 %) over the same months,
    each value written beside its mark; a month without a value has neither."""
    height, left, bottom_margin, top = 300.0, 16.0, 56.0, 40.0
    span_x = _WIDTH - 2 * left
    span_y = height - bottom_margin - top
    step = span_x / max(1, len(labels))
    scale = max((v for v in counted.values if v), default=1) or 1
    base = height - bottom_margin
    body = [
        f'<rect x="{left}" y="4" width="12" height="12" fill="{_COLOURS[0]}"/>',
        _label(left + 16, 14, counted.name),
        f'<line x1="{left + 40 + _text_width(counted.name):.1f}" y1="10" x2="{left + 60 + _text_width(counted.name):.1f}" '
        f'y2="10" stroke="{_COLOURS[1]}" stroke-width="2"/>',
        _label(left + 64 + _text_width(counted.name), 14, rate.name),
        f'<line x1="{left}" y1="{base}" x2="{_WIDTH - left}" y2="{base}" stroke="{_GRID}"/>',
    ]
    points = []
    for n, text in enumerate(labels):
        centre = left + step * (n + 0.5)
        value = counted.values[n]
        if value:
            bar_height = span_y * value / scale
            body.append(
                f'<rect x="{centre - step * 0.3:.1f}" y="{base - bar_height:.1f}" width="{step * 0.6:.1f}" '
                f'height="{bar_height:.1f}" fill="{_COLOURS[0]}"/>'
            )
            body.append(_label(centre, base - bar_height - 4, counted.shown[n], "middle"))
        elif counted.shown[n]:
            body.append(_label(centre, base - 4, counted.shown[n], "middle"))
        body.append(_label(centre, base + 16, text, "middle"))
        share = rate.values[n]
        if share is not None:
            y = base - span_y * share / 100
            points.append(f"{centre:.1f},{y:.1f}")
            body.append(f'<circle cx="{centre:.1f}" cy="{y:.1f}" r="3" fill="{_COLOURS[1]}"/>')
            body.append(_label(centre, base + 32, rate.shown[n], "middle"))
    if len(points) > 1:
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="{_COLOURS[1]}" stroke-width="2"/>'
        )
    return _svg(chart_id, title, description, height, body)
