"""Headless rendering: what `modelcompare render` and `report` print, and the
chart drawing the app's widgets share with them. Never imports Textual.

- views: render_view, watch_render, write_report (the CLI's entry points)
- raster: axes and the braille line rasteriser
- ticks: linear and log axis ticks, tick labels
- chart_series: series loading and drawing for the Scalars Graph view
- plots: Plots tab panels (merged charts, bars, boxes, tables)
- plot_export: Plots JSON/Markdown and render_plots
- csv: the Values table as a CSV download file
- diff_text: the Details/Network diff as JSON, Markdown, text and Rich
- value_text: the Values table as CSV, JSON, Markdown, text and Rich
- escaping: one escaper per output format (Markdown, HTML, CSV, JSON, terminal)
"""

from __future__ import annotations

from .views import RenderError, load_models, render_view, watch_render, write_report

__all__ = ["RenderError", "load_models", "render_view", "watch_render", "write_report"]
