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

    @property
    def bar_y(self) -> float:
        return self.y + 6

    @property
    def text_y(self) -> float:
        return self.y + 15


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    height: float
    label_width: float = 170
    track_width: float = 250
    row_height: float = 30
    bar_height: float = 18

    @property
    def label_x(self) -> float:
        return self.label_width - 10

    @property
    def value_x(self) -> float:
        return self.label_width + self.track_width + 8


def bar_chart(items: list[tuple[str, float]]) -> BarChart:
    """Horizontal bars, one row per (label, value), scaled to the largest value."""
    chart = BarChart(bars=[], height=0)
    top = max((value for _, value in items), default=0) or 1
    bars = [
        Bar(label=label, value=value, y=i * chart.row_height, width=round(chart.track_width * value / top, 1))
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(bars=bars, height=max(len(bars), 1) * chart.row_height)


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
    column_width: float
    left: float
    right: float
    width: float = 960
    height: float = 220


def rating_trend_chart(months: list[MonthRating]) -> TrendChart:
    """Columns for the number of reviews per month, a line for the average rating (1-5 stars)."""
    left, right, top, bottom = 40.0, 950.0, 12.0, 186.0
    step = (right - left) / max(len(months), 1)
    most = max((m.count for m in months), default=0) or 1

    def star_y(stars: float) -> float:
        return round(bottom - (stars - 1) / 4 * (bottom - top), 1)

    column_width = round(step * 0.55, 1)
    points = []
    for i, month in enumerate(months):
        height = round((bottom - top) * month.count / most * 0.9, 1)
        x = round(left + step * i + step / 2, 1)
        points.append(MonthPoint(
            label=month.month.strftime("%b"),
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
    )
