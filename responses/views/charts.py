"""Geometry for the dashboard's server-rendered SVG charts (templates draw them; no JS, no requests)."""
from __future__ import annotations

from dataclasses import dataclass

from responses.selectors import MonthRating


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: float  # top of the row
    width: float
    display: str = ""  # the value as shown ("3.5 h"); the number itself when empty

    @property
    def shown(self) -> str:
        return self.display or f"{self.value:g}"

    @property
    def bar_y(self) -> float:
        return self.y + 6

    @property
    def text_y(self) -> float:
        return self.y + 15


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float  # of the rows; the axis is drawn below them
    ticks: tuple[tuple[str, float], ...] = ()  # (label, x) along the axis
    label_width: float = 170
    track_width: float = 250
    row_height: float = 30
    bar_height: float = 18

    @property
    def label_x(self) -> float:
        return self.label_width - 10

    @property
    def view_width(self) -> float:
        return self.label_width + self.track_width + 90  # room for the value after the bar

    @property
    def value_x(self) -> float:
        return self.label_width + self.track_width + 8

    @property
    def axis_y(self) -> float:
        return self.height + 4

    @property
    def total_height(self) -> float:
        return self.height + 24


def _nice_top(value: float) -> float:
    """The axis end: the smallest of 1, 2, 2.5, 5 x 10^n at or above `value`."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def bar_chart(items: list[tuple], *, unit: str = "") -> BarChart:
    """Horizontal bars, one row per (label, value) or (label, value, shown), on an axis from 0 to a round
    number at or above the largest value; `unit` follows the axis's numbers."""
    # Wide enough for the longest label ("Complication or side effect"), at about 7 units a character.
    chart = BarChart(bars=[], height=0, label_width=max(170, 7 * max((len(str(item[0])) for item in items), default=0) + 14))
    top = _nice_top(max((item[1] for item in items), default=0))
    bars = [
        Bar(label=item[0], value=item[1], y=i * chart.row_height, width=round(chart.track_width * item[1] / top, 1),
            display=item[2] if len(item) > 2 else "")
        for i, item in enumerate(items)
    ]
    ticks = tuple((f"{value:g}{unit}", round(chart.label_width + chart.track_width * value / top, 1))
                  for value in (0, top / 2, top))
    return BarChart(bars=bars, height=max(len(bars), 1) * chart.row_height, ticks=ticks, label_width=chart.label_width)


@dataclass(frozen=True)
class MonthPoint:
    label: str
    x: float
    column_x: float
    column_y: float
    column_height: float
    count: int
    average: float | None
    average_y: float | None


@dataclass(frozen=True)
class TrendChart:
    points: list[MonthPoint]
    line: str  # SVG polyline points for the monthly average rating
    gridlines: list[tuple[int, float]]  # (stars, y)
    count_ticks: list[tuple[int, float]]  # (reviews, y) on the right-hand axis for the columns
    column_width: float
    left: float
    right: float
    width: float = 960
    height: float = 220


def rating_trend_chart(months: list[MonthRating]) -> TrendChart:
    """Columns for the number of reviews per month, a line for the average rating (1-5 stars)."""
    left, right, top, bottom = 40.0, 920.0, 12.0, 186.0
    step = (right - left) / max(len(months), 1)
    most = _nice_top(max((m.count for m in months), default=0))

    def star_y(stars: float) -> float:
        return round(bottom - (stars - 1) / 4 * (bottom - top), 1)

    column_width = round(step * 0.55, 1)
    points = []
    for i, month in enumerate(months):
        height = round((bottom - top) * month.count / most, 1)
        x = round(left + step * i + step / 2, 1)
        points.append(MonthPoint(
            label=month.month.strftime("%b %Y"),
            x=x,
            column_x=round(x - column_width / 2, 1),
            column_y=round(bottom - height, 1),
            column_height=height,
            count=month.count,
            average=round(month.average, 1) if month.average is not None else None,
            average_y=star_y(month.average) if month.average is not None else None,
        ))
    line = " ".join(f"{p.x},{p.average_y}" for p in points if p.average_y is not None)
    return TrendChart(
        points=points, line=line, gridlines=[(s, star_y(s)) for s in range(1, 6)], column_width=column_width,
        left=left, right=right,
        count_ticks=[(int(value), round(bottom - (bottom - top) * value / most, 1))
                     for value in (0, most / 2, most) if value == int(value)],
    )
