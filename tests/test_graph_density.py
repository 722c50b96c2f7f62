"""The Graph view in the real app fits at least 9 whole charts at 160×48 and
12 at 200×50: the model bar names the models once, so a chart that holds them
all spends no lines on a legend of its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from modelcompare_tui.app import create_app
from modelcompare_tui.core.model import Model, ModelRecord, ScalarSeries
from modelcompare_tui.core.state import ComparisonState, ScalarsView
from modelcompare_tui.sources.store import SQLiteStore
from modelcompare_tui.widgets.charts import ChartCard, ChartGrid
from pilot_helpers import settle

IDS = ("d4" * 16, "e5" * 16)
METRICS = 16


def _store(path: Path) -> SQLiteStore:
    k = np.arange(200, dtype=np.int64)
    records = []
    for i, model_id in enumerate(IDS):
        model = Model(id=model_id, name=f"sweep-lr{i + 1}e-4", project="p", framework="PyTorch",
                      created="2026-01-01T10:00:00Z", updated="2026-01-01T12:00:00Z")
        series = [ScalarSeries(f"metric{m:02d}", "val", k * 10, np.exp(-k / (30.0 + m + 5 * i)),
                               1_767_225_600.0 + k.astype(np.float64)) for m in range(METRICS)]
        records.append(ModelRecord(model=model, scalars=series))
    store = SQLiteStore(path)
    store.import_records(records)
    return store


def _whole_cards_in_view(grid: ChartGrid) -> int:
    view = grid.region
    return sum(1 for card in grid.cards if card.is_mounted and card.region.height > 0
               and view.contains_region(card.region))


@pytest.mark.parametrize(("size", "wanted"), [((160, 48), 9), ((200, 50), 12)])
async def test_the_graph_view_fits_whole_charts(tmp_path: Path, size: tuple[int, int], wanted: int) -> None:
    store = _store(tmp_path / "store.db")
    state = ComparisonState(source="", models=IDS, tab="scalars", scalars=ScalarsView(view="graph"))
    app = create_app(store, state, live=3600.0)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        grid = app.screen.query_one(ChartGrid)
        assert len(grid.cards) == METRICS
        assert _whole_cards_in_view(grid) >= wanted
        card = grid.cards[0]
        assert isinstance(card, ChartCard) and card.chart is not None
        lines = [card.render_line(y).text for y in range(card.content_size.height)]
        assert not any("sweep-lr" in line for line in lines)  # no legend: the chips name the models
        assert lines[-1].split()[-1] == "1990"  # the last iteration labelled (not only 1k)
    store.close()
