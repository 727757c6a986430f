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


def _text_width(text: str, size: float) -> float:
    """A label's rough width: a Chinese character is square, a Latin letter or figure about half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.6 for ch in text)


#: The chart's user units: drawn for a phone's card (about 300 px wide), so its text size in user
#: units is about its size on screen; wider screens scale it up (CSS caps the width).
WIDTH, HEIGHT, FONT = 300, 180, 13


def grouped_bars(
    title: str, labels: list[str], series: list[tuple[str, str, list[int]]], width: int = WIDTH, height: int = HEIGHT
) -> Markup:
    """Bars per label, one per series: ``series`` is (css class, name, values). When the labels
    would overlap, every second (or third…) one is written, counted from the last."""
    left, right, top, bottom = 30, 6, 14, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([1, *(v for _c, _n, values in series for v in values)])
    top_value = nice_ceiling(peak)
    group_w = plot_w / max(1, len(labels))
    bar_w = max(2.0, (group_w - 6) / max(1, len(series)))
    widest = max((_text_width(label, FONT) for label in labels), default=0)
    stride = max(1, int(-(-(widest + 4) // group_w)))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line class="axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end">{top_value}</text>',
        f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>',
    ]
    for i, label in enumerate(labels):
        x0 = left + i * group_w + 3
        for j, (css, name, values) in enumerate(series):
            value = values[i]
            h = round(plot_h * value / top_value, 1)
            parts.append(
                f'<rect class="{css}" x="{round(x0 + j * bar_w, 1)}" y="{round(top + plot_h - h, 1)}" '
                f'width="{round(bar_w - 1, 1)}" height="{h}"><title>{escape(label)} {escape(name)} '
                f"{value}</title></rect>"
            )
        if (len(labels) - 1 - i) % stride == 0:
            parts.append(
                f'<text x="{round(x0 + group_w / 2 - 3, 1)}" y="{height - 6}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()


def from_first_activity(months: list[tuple]) -> list[tuple]:
    """The months of a (month, figure, figure…) series from the first with any figure (the last
    month alone when none has): the empty months before it say nothing a chart should show."""
    for i, (_month, *figures) in enumerate(months):
        if any(figures):
            return months[i:]
    return months[-1:]


def collapse_empty(months: list[tuple]) -> list[tuple]:
    """(first month, last month, figures…) rows, a run of two or more months with nothing in
    them said once: a year's table of mostly zeros reads as its few figures."""
    rows: list[tuple] = []
    for month, *figures in months:
        if not any(figures) and rows and not any(rows[-1][2:]):  # extends a run of empty months
            rows[-1] = (rows[-1][0], month, *figures)
        else:
            rows.append((month, month, *figures))
    return rows
