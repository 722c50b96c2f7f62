"""Both ends of a chart's axes are labelled: the last iteration (not only the
round 1k before it) and the smallest and largest value on the y axis."""

from __future__ import annotations

import numpy as np

from modelcompare_tui.render.raster import ChartLine, chart_rows, end_iteration_text
from modelcompare_tui.render.ticks import tick_text, with_end_ticks


def _plain(lines: list[ChartLine], width: int = 60, height: int = 14, **options) -> list[str]:  # noqa: ANN003
    return chart_rows(lines, width, height, color=False, **options).plain().splitlines()


def _y_labels(rows: list[str]) -> list[str]:
    return [row.split("┤")[0].strip() for row in rows if "┤" in row]


def test_end_ticks_label_both_ends_and_drop_the_round_ticks_that_crowd_them() -> None:
    ticks = [(0.0, "0"), (500.0, "500"), (1000.0, "1k")]
    out = with_end_ticks(ticks, 0.0, 1040.0, end_iteration_text, 50, 2, centred=True)
    # 1000 lies 2 columns from the end at 1040: its label would run into "1040"
    assert out == [(0.0, "0"), (500.0, "500"), (1040.0, "1040")]
    far = with_end_ticks(ticks, 0.0, 1234.0, end_iteration_text, 50, 2, centred=True)
    assert far == [(0.0, "0"), (500.0, "500"), (1000.0, "1k"), (1234.0, "1234")]


def test_end_ticks_keep_the_round_ticks_when_the_range_is_too_narrow_to_label_apart() -> None:
    ticks = [(1.0, "1")]
    assert with_end_ticks(ticks, 1.0, 1.0000001, tick_text, 40, 1, centred=False) == ticks


def test_end_iteration_text_is_exact_below_ten_thousand_and_four_digits_above() -> None:
    assert [end_iteration_text(v) for v in (0, 999, 1234, 12_345, 1_234_567)] == ["0", "999", "1234", "12.35k", "1.235M"]


def test_a_chart_labels_its_last_iteration_and_its_y_minimum_and_maximum() -> None:
    x = np.arange(0, 1235.0)
    y = 0.123 + 0.864 * (x / 1234) ** 0.5
    rows = _plain([ChartLine("a", x, y, "#ff0000")], x_mode="iteration")
    x_labels = rows[-1].split()
    assert x_labels[0] == "0" and x_labels[-1] == "1234"
    assert "500" in x_labels
    y_labels = _y_labels(rows)
    assert y_labels[0] == "0.987" and y_labels[-1] == "0.123"


def test_a_log_chart_labels_its_ends_in_the_original_numbers() -> None:
    x = np.arange(0, 1001.0)
    y = 2.5 * np.exp(-x / 300) + 0.05
    y_labels = _y_labels(_plain([ChartLine("a", x, y, "#ff0000")], 44, 12, x_mode="iteration", log_y=True))
    assert y_labels[0] == tick_text(float(y.max())) and y_labels[-1] == tick_text(float(y.min()))


def test_a_single_value_keeps_its_one_label() -> None:
    x = np.arange(0, 10.0)
    y = np.full(10, 0.5)
    y_labels = _y_labels(_plain([ChartLine("a", x, y, "#ff0000")], x_mode="iteration"))
    assert "0.5" in y_labels
    assert len(set(y_labels)) == len(y_labels)  # no end labelled twice
