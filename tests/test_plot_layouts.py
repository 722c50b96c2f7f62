"""Plots at every width (issue #12): numbers never cut, matrices side by side,
box and bar labels that name the model, legends that name every model, the
Values layout that keeps names whole. Pure render code, no Textual."""

from __future__ import annotations

import re

import numpy as np
from rich.console import Console

from modelcompare_tui.core.colors import ModelColors
from modelcompare_tui.core.model import Model, Plot
from modelcompare_tui.core.plotmerge import merge_plots
from modelcompare_tui.render.plots import (
    bar_renderable,
    box_renderable,
    compact_number,
    matrix_style,
    panels_renderable,
    plot_legend_lines,
)


SWEEP = [Model(id=f"{k:x}" * 16, name=f"wav2vec2-base-librispeech-lr{lr}") for k, lr in
         ((1, "1e-5"), (2, "3e-5"), (3, "3e-4"))] + [Model(id="4" * 16, name="wav2vec2-base-librispeech")]
CLASSES = ["<blank>", "<space>", "'", *"abcdefghijklmnopqrstuvwxyz"]  # 29, as in the demo


def _plain(renderable: object, width: int) -> str:
    console = Console(width=width, color_system=None, force_terminal=False, record=True)
    console.print(renderable)
    return console.export_text()


def _groups(kind: str, data_of: object) -> list:  # noqa: ANN401
    plots = {m.id: [Plot("m", "val", 100 * (i + 1), kind, data_of(i))] for i, m in enumerate(SWEEP)}  # type: ignore[operator]
    return merge_plots(SWEEP, plots)


def _confusion(i: int) -> dict:
    rng = np.random.default_rng(i)
    n = len(CLASSES)
    matrix = rng.integers(0, 4, size=(n, n))
    np.fill_diagonal(matrix, rng.integers(200, 400, size=n))
    return {"matrix": matrix.tolist(), "x_labels": CLASSES, "y_labels": CLASSES}


def test_compact_number_never_cuts() -> None:
    assert compact_number(214, 3) == "214"
    assert compact_number(5647, 4) == "5647"
    assert compact_number(5647, 3) == "6k"
    assert compact_number(12345, 4) == "12k"
    assert compact_number(1.2345, 3) == "1.2"
    assert compact_number(0.9484, 6) == "0.9484"
    assert compact_number(214, 2) is None  # no form fits: the caller shades instead
    for value in (0, 7, 99, 214, 5647, 123456, 0.5, 0.123456, 3.14159, 1e7):
        for width in range(1, 9):
            text = compact_number(value, width)
            assert text is None or (len(text) <= width and "…" not in text)


def test_confusion_matrices_never_show_a_cut_number_and_go_side_by_side_at_160() -> None:
    group = _groups("confusion_matrix", _confusion)[0]
    for width in (60, 80, 120, 160, 200):
        text = _plain(panels_renderable(group.panels, ModelColors([m.id for m in SWEEP]), color=False), width)
        assert not re.search(r"\d…", text), width  # a number is never cut to "2…"
    # at 160 the four 29x29 matrices do not fit side by side as numbers: shaded, two a row
    style = matrix_style(group.panels, 160)
    assert style.shaded
    text = _plain(panels_renderable(group.panels, ModelColors([m.id for m in SWEEP]), color=False), 160)
    title_lines = [line for line in text.splitlines() if "it. " in line]
    assert len(title_lines) == 2 and all(line.count("it. ") == 2 for line in title_lines)
    # maximised, the numbers come back, one matrix below the other
    numbers = matrix_style(group.panels, 160, prefer_numbers=True)
    assert not numbers.shaded and numbers.cell_w >= 3
    text = _plain(panels_renderable(group.panels, ModelColors([m.id for m in SWEEP]), color=False,
                                    prefer_numbers=True), 160)
    assert re.search(r"\b[23]\d\d\b", text) and not re.search(r"\d…", text)


def test_small_matrices_keep_numbers_side_by_side_at_80() -> None:
    group = _groups("confusion_matrix", lambda i: {"matrix": [[50 - i, 3], [4, 43]], "x_labels": ["cat", "dog"],
                                                   "y_labels": ["cat", "dog"]})[0]
    style = matrix_style(group.panels, 80)
    assert not style.shaded and style.cell_w == 3  # as wide as the labels "cat", "dog"
    text = _plain(panels_renderable(group.panels, ModelColors([m.id for m in SWEEP]), color=False), 80)
    assert text.splitlines()[0].count("it. ") == 4  # all four side by side
    assert "…lr1e-5" in text and "…lr3e-4" in text  # titles tell the models apart


def test_box_rows_name_the_model_once_and_its_series() -> None:
    def box(i: int) -> dict:
        return {"series": [{"name": f"batch {b}", "values": [b + i + k / 10 for k in range(20)]} for b in (1, 8, 32)]}

    chart = _groups("box", box)[0].chart
    assert chart is not None
    lines = [line for line in _plain(box_renderable(chart, SWEEP, ModelColors(), False), 80).splitlines() if line]
    assert sum("…lr1e-5" in line for line in lines) == 1  # once, on its first row
    assert sum("batch 8" in line for line in lines) == 4  # each model's series by name
    assert not any("iteration" in line for line in lines)


def test_bars_of_many_categories_are_one_row_per_category() -> None:
    def bars(i: int) -> dict:
        return {"categories": CLASSES, "series": [{"name": "accuracy", "values": [0.9 + i / 100] * len(CLASSES)}]}

    chart = _groups("bar", bars)[0].chart
    assert chart is not None
    text = _plain(bar_renderable(chart, SWEEP, ModelColors(), False), 80)
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(CLASSES) + 1  # a header, then a row per class (was 145 rows)
    assert all(label in lines[0] for label in ("…lr1e-5", "…lr3e-5", "…lr3e-4", "…librispeech"))


def test_a_legend_of_many_series_names_every_model() -> None:
    def pr(i: int) -> dict:
        return {"series": [{"name": c, "x": [0, 0.5, 1], "y": [1, 0.8, 0.1]} for c in ("<space>", "'", "a", "b")]}

    group = _groups("line", pr)[0]
    lines = [line.plain for line in plot_legend_lines(group, SWEEP, ModelColors(), 80, 4)]
    assert len(lines) == 4 and not any("more" in line for line in lines)
    for label, line in zip(("…lr1e-5", "…lr3e-5", "…lr3e-4", "…librispeech"), lines):
        assert line.startswith(label) and "<space>" in line and " b" in line
