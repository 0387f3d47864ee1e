"""Bar charts as server-side SVG: no script, no third-party code. Each chart
is an image with a title and a description (role="img"); the page puts the
same numbers in a table beside it for screen readers. A suppressed number
gets no bar, only its text ("< 5" or "x")."""

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

ROW_HEIGHT = 26
LABEL_WIDTH = 230
BAR_WIDTH = 300
TEXT_WIDTH = 60


def bar_chart(chart_id: str, title: str, rows) -> str:
    """``rows``: (label, cell) with ``cell.value``, ``cell.text`` and ``cell.suppressed``."""
    rows = list(rows)
    shown = [cell.value for _label, cell in rows if not cell.suppressed]
    top = max(shown, default=0) or 1
    height = ROW_HEIGHT * len(rows) + 10
    width = LABEL_WIDTH + BAR_WIDTH + TEXT_WIDTH
    desc = "; ".join(f"{label}: {cell.text}" for label, cell in rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="meldpunt-chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for index, (label, cell) in enumerate(rows):
        y = 5 + index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="13" fill="#222">'
            f"{escape(label)}</text>"
        )
        length = 0 if cell.suppressed else round(BAR_WIDTH * cell.value / top)
        if length:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length}" height="18" fill="#1f5c99"></rect>')
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 17}" font-size="13" fill="#222">{escape(cell.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text in it is escaped above)


def legend() -> str:
    return _(
        "< 5: een aantal van 1 tot en met 4. x: niet getoond, omdat er anders een klein aantal uit af te leiden is."
    )
