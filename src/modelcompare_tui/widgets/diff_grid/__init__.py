"""The grid of the Details and Network tabs: one column per model, every field
on its row across the columns, section header rows, a cell cursor.

grid.py is the widget (data, cursor, bindings, scroll); prepared.py measures
a table for it in the worker; rows.py turns the rows shown into lines;
layout.py sizes the columns; lines.py and cells.py draw; styles.py holds the
look."""

from .cells import BASE_MARK, GLYPHS, shown_spans, window
from .grid import DiffGrid
from .prepared import PreparedTable, prepare_table

__all__ = ["BASE_MARK", "GLYPHS", "DiffGrid", "PreparedTable", "prepare_table", "shown_spans", "window"]
