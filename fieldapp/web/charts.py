"""Charts drawn as SVG on the server: readable on a phone, no JavaScript, no chart library.
Each chart is an image with a title; the page puts the same numbers in a table beside it."""
from __future__ import annotations

from markupsafe import Markup, escape


def nice_ceiling(value: int) -> int:
    """The axis top: the next of 1, 2, 5 × 10^n at or above ``value``."""
    magnitude = 1
    while magnitude * 10 <= value:
        magnitude *= 10
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= value)


def grouped_bars(title: str, labels: list[str], series: list[tuple[str, str, list[int]]],
                 width: int = 360, height: int = 200) -> Markup:
    """Bars per label, one per series: ``series`` is (css class, name, values)."""
    left, right, top, bottom = 34, 8, 12, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(v for _c, _n, values in series for v in values)])
    top_value = nice_ceiling(peak)
    group_w = plot_w / max(1, len(labels))
    bar_w = max(2.0, (group_w - 6) / max(1, len(series)))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>',
             f'<text x="{left - 4}" y="{top + 8}" text-anchor="end">{top_value}</text>',
             f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']
    for i, label in enumerate(labels):
        x0 = left + i * group_w + 3
        for j, (css, name, values) in enumerate(series):
            value = values[i]
            h = round(plot_h * value / top_value, 1)
            parts.append(f'<rect class="{css}" x="{round(x0 + j * bar_w, 1)}" y="{round(top + plot_h - h, 1)}" '
                         f'width="{round(bar_w - 1, 1)}" height="{h}"><title>{escape(label)} {escape(name)} '
                         f'{value}</title></rect>')
        parts.append(f'<text x="{round(x0 + group_w / 2 - 3, 1)}" y="{height - 8}" text-anchor="middle">'
                     f'{escape(label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
