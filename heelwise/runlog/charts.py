"""Server-side SVG charts with pygal (offline, no JavaScript). Each chart on a page has a table
with the same numbers beside it for screen-reader users and anyone who prefers numbers."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pygal
from pygal.style import Style

from heelwise.runlog.selectors import SeriesRow, ShoeStats

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#0b5f6b", "#b44d12", "#6b3fa0"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=15,
)
COMMON = {
    "style": STYLE,
    "js": [],
    "disable_xml_declaration": True,
    "explicit_size": False,
    "show_dots": True,
    "dots_size": 2,
    "legend_at_bottom": True,
    "truncate_label": -1,
    "width": 900,
    "height": 380,
}


def _label_every(n: int) -> int:
    return max(1, n // 12)


def pain_load_svg(rows: Sequence[SeriesRow], block: int = 1) -> str:
    """Distance per week (or per four weeks) on the left axis with the mean morning and
    during-run pain on the right axis (0-10)."""
    unit = "km per week" if block == 1 else f"km per {block} weeks"
    chart = pygal.Line(
        title="Running distance and pain",
        y_title=unit,
        secondary_range=(0, 10),
        x_label_rotation=40,
        show_minor_x_labels=False,
        allow_interruptions=True,
        include_x_axis=True,
        **COMMON,
    )
    # Eleven primary ticks from 0 so the secondary (pain) axis reads 0, 1, ... 10.
    top = max((r.distance_km for r in rows), default=0.0)
    step = max(1, math.ceil(top / 10))
    chart.y_labels = [step * i for i in range(11)]
    labels = [r.start.strftime("%d %b %y") for r in rows]
    chart.x_labels = labels
    chart.x_labels_major = labels[:: _label_every(len(labels))]
    chart.add(
        f"Distance ({unit})", [round(r.distance_km, 1) for r in rows], stroke_style={"width": 3}
    )
    chart.add("Morning pain (0-10)", [r.morning for r in rows], secondary=True)
    chart.add(
        "Pain during runs (0-10)",
        [r.during for r in rows],
        secondary=True,
        stroke_style={"dasharray": "6, 4"},
    )
    return _svg(chart)


def shoes_svg(stats: Sequence[ShoeStats]) -> str:
    chart = pygal.HorizontalBar(
        title="Distance on each pair of shoes (km)", print_values=True, **COMMON
    )
    chart.x_labels = [str(s.shoe) + (" (retired)" if s.shoe.retired else "") for s in stats]
    chart.add("Distance (km)", [round(s.km) for s in stats])
    chart.add("Your review point (km)", [s.shoe.retire_at_km for s in stats])
    return _svg(chart)


def _svg(chart: pygal.graph.graph.Graph) -> str:
    return str(chart.render(is_unicode=True))
