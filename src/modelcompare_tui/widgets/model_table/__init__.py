"""The models table (table.py), its columns (columns.py), its lines
(lines.py) and the pages of rows it reads (pages.py)."""

from .columns import fit
from .table import ModelTable

__all__ = ["ModelTable", "fit"]
