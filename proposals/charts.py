"""Geometry for the server-rendered bar charts (``proposals/_bar_chart.html`` draws them).

Pure: labels and values in, coordinates out. Bars are horizontal with the label above
each, so long theme names need no truncation; negative values (a day on which more
points were taken back than given) grow left of a zero line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 640
ROW = 44  # label line + bar + gap
BAR = 18
PAD = 4
VALUE_ROOM = 56  # room for the value printed beside a bar


@dataclass(frozen=True)
class DrawnBar:
    label: str
    value: int
    colour: str
    x: float
    y: float
    width: float
    height: float
    label_y: float
    value_x: float
    value_anchor: str  # "start" (after a positive bar) or "end" (before a negative one)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    zero_x: float
    bars: list[DrawnBar]


def horizontal_bars(items: Sequence[tuple[str, int, str]], width: int = WIDTH) -> Chart:
    """``items`` are (label, value, colour); a nonzero value is never drawn thinner than 1."""
    values = [value for _label, value, _colour in items]
    low = min([0, *values])
    high = max([0, *values])
    left_room = VALUE_ROOM if low < 0 else 0
    span = (high - low) or 1
    scale = (width - 2 * PAD - VALUE_ROOM - left_room) / span
    zero_x = PAD + left_room + (-low) * scale
    bars = []
    for index, (label, value, colour) in enumerate(items):
        top = index * ROW
        length = max(abs(value) * scale, 1.0) if value else 0.0
        x = zero_x if value >= 0 else zero_x - length
        bars.append(
            DrawnBar(
                label=label,
                value=value,
                colour=colour,
                x=round(x, 2),
                y=top + 20,
                width=round(length, 2),
                height=BAR,
                label_y=top + 14,
                value_x=round(x + length + 4 if value >= 0 else x - 4, 2),
                value_anchor="start" if value >= 0 else "end",
            )
        )
    return Chart(width=width, height=max(len(items) * ROW, ROW), zero_x=round(zero_x, 2), bars=bars)
