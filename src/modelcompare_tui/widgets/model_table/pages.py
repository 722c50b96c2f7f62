"""The models table's rows: pages of the source's models, read by thread
workers into an LRU cache, one query at a time.

A new query keeps the old rows on screen until its first page arrives, so
typing in the search bar never flashes an empty table.
"""

from __future__ import annotations

from typing import ClassVar

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace

from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from ...core.model import ModelQuery, ModelRow
from ...sources.base import Source
from ..table_view import CursorTable
from ..worker_errors import ReportWorkerErrors

PAGE_SIZE = 100
MAX_CACHED_PAGES = 60  # 6,000 rows: a few screens either way at any terminal height


class PageCache:
    """LRU cache of pages of rows, by page number."""

    def __init__(self, max_pages: int = MAX_CACHED_PAGES) -> None:
        self._pages: OrderedDict[int, list[ModelRow]] = OrderedDict()
        self.max_pages = max_pages

    def get(self, page: int) -> list[ModelRow] | None:
        rows = self._pages.get(page)
        if rows is not None:
            self._pages.move_to_end(page)
        return rows

    def put(self, page: int, rows: list[ModelRow]) -> None:
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def __contains__(self, page: int) -> bool:
        return page in self._pages

    def rows(self) -> Iterable[ModelRow]:
        for rows in self._pages.values():
            yield from rows


class PagedModelTable(ReportWorkerErrors, CursorTable):
    """A table whose rows are the pages of one query of `source`, each read when
    a line needs it; ModelTable draws them and handles the keys.
    Each query has a generation, so pages of an older query are dropped."""

    # debounce delay (s): a class attribute, so tests shorten it (Textual timers need a delay > 0)
    LOADING_DELAY: ClassVar[float] = 0.15  # show the loading indicator only when a query is slow

    class _PageLoaded(Message):
        def __init__(self, generation: int, page: int, rows: list[ModelRow], total: int) -> None:
            super().__init__()
            self.generation = generation
            self.page = page
            self.rows = rows
            self.total = total

    class _PageFailed(Message):
        def __init__(self, generation: int, page: int) -> None:
            super().__init__()
            self.generation = generation
            self.page = page

    def __init__(
        self,
        source: Source,
        query: ModelQuery | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source = source
        self._query = replace(query or ModelQuery(), offset=0, limit=PAGE_SIZE)
        self.cursor_row = 0
        self._generation = 0  # of the wanted query
        self._shown_generation = -1  # of the rows on screen (-1: none yet)
        self._shown_query = self._query
        self._cache = PageCache()
        self._pending: set[int] = set()
        self._failed: set[int] = set()
        self._total = 0
        self._keep_cursor_on_load = False
        self._loading_timer: Timer | None = None

    def on_mount(self) -> None:
        self._start_query()

    # -- hooks for the table that draws the rows -------------------------------------------
    def _rows_arrived(self, rows: Sequence[ModelRow]) -> None:
        """A page of the rows on screen arrived (`total` may have changed)."""

    def _query_shown(self) -> None:
        """The rows on screen are now the first page of the wanted query."""

    # -- public API ---------------------------------------------------------------------
    @property
    def model_query(self) -> ModelQuery:
        """The wanted query (sort, filters, search, pinned)."""
        return self._query

    @property
    def total(self) -> int:
        """Rows matching the query on screen."""
        return self._total

    @property
    def is_loaded(self) -> bool:
        """The rows on screen belong to the wanted query."""
        return self._shown_generation == self._generation

    def reload(self) -> None:
        """Fetch the rows again (the source changed), keeping the cursor."""
        self._keep_cursor_on_load = True
        self._start_query()

    def row_at(self, index: int) -> ModelRow | None:
        """The row at `index` if its page is loaded (else None, and it is fetched)."""
        if not 0 <= index < self._total:
            return None
        page = index // PAGE_SIZE
        rows = self._cache.get(page)
        if rows is None:
            self._request_page(page)
            return None
        offset = index - page * PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def visible_rows(self) -> list[ModelRow]:
        """The loaded rows currently on screen (for tests and screens)."""
        first = int(self.scroll_y)
        rows = (self.row_at(i) for i in range(first, min(self._total, first + self._body_height())))
        return [r for r in rows if r is not None]

    # -- fetching -----------------------------------------------------------------------
    def _start_query(self) -> None:
        self._generation += 1
        generation = self._generation
        query = self._query
        page = self.cursor_row // PAGE_SIZE if self._keep_cursor_on_load else 0
        self.run_worker(
            lambda: self._fetch(generation, page, query),
            name=f"models page {page}",
            group="model-table-query",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        if self._loading_timer is not None:
            self._loading_timer.stop()
        self._loading_timer = self.set_timer(self.LOADING_DELAY, self._show_loading)

    def _show_loading(self) -> None:
        if not self.is_loaded:
            self.loading = True

    def _request_page(self, page: int) -> None:
        if self._shown_generation != self._generation:
            return  # a new query is on its way; its rows replace these
        if page in self._pending or page in self._failed or page in self._cache:
            return
        self._pending.add(page)
        generation = self._generation
        query = self._shown_query
        self.run_worker(
            lambda: self._fetch(generation, page, query),
            name=f"models page {page}",
            group="model-table-pages",
            thread=True,
            exit_on_error=False,
        )

    def _fetch(self, generation: int, page: int, query: ModelQuery) -> None:
        """Thread worker: one page from the source, posted back as a message."""
        worker = get_current_worker()
        try:
            result = self.source.list_models(replace(query, offset=page * PAGE_SIZE, limit=PAGE_SIZE))
        except BaseException:
            self.post_message(self._PageFailed(generation, page))
            raise  # the App turns worker errors into notifications
        if not worker.is_cancelled:
            self.post_message(self._PageLoaded(generation, page, result.rows, result.total))

    def on_paged_model_table__page_loaded(self, message: _PageLoaded) -> None:
        message.stop()
        if message.generation == self._generation and self._shown_generation != self._generation:
            self._show_new_query(message)
        elif message.generation == self._shown_generation:
            self._pending.discard(message.page)
            self._cache.put(message.page, message.rows)
            self._total = message.total
            self._rows_arrived(message.rows)
            self.refresh()

    def on_paged_model_table__page_failed(self, message: _PageFailed) -> None:
        message.stop()
        if message.generation == self._generation:
            self._pending.discard(message.page)
            self._failed.add(message.page)
            if self._shown_generation != self._generation:
                self._stop_loading()

    def _show_new_query(self, message: _PageLoaded) -> None:
        self._shown_generation = message.generation
        self._shown_query = self._query
        self._cache = PageCache()
        self._cache.put(message.page, message.rows)
        self._pending.clear()
        self._failed.clear()
        self._total = message.total
        self._stop_loading()
        self._rows_arrived(message.rows)
        if self._keep_cursor_on_load:
            self.cursor_row = max(0, min(self.cursor_row, self._total - 1))
        else:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        self._keep_cursor_on_load = False
        self.refresh()
        self._query_shown()

    def _stop_loading(self) -> None:
        if self._loading_timer is not None:
            self._loading_timer.stop()
            self._loading_timer = None
        self.loading = False
