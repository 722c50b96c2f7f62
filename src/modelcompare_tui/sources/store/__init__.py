"""The embedded model store: one SQLite file in WAL mode.

Layout choices, each for a speed target of the foundation issue:
- scalar points live in chunks of up to CHUNK_POINTS points per series, as
  numpy arrays in BLOBs (iterations as a progression or int32/int64 deltas,
  values float64, timestamps as int32/int64 millisecond offsets): ~12 bytes
  a point, and a chart reads only the chunks of its range;
- the models table holds what the models table shows (the bulky details are in
  model_details): a search or filter over 10,000 models scans a few MB;
- since schema v4 an FTS5 trigram index over each model's search text (name,
  project, tags; lowered) answers searches of 3+ characters without a scan;
  the two writes that change the text (_upsert_model, delete_models) update it;
- each chunk row carries its first/last/min/max (and, since schema v2, those
  points plus its earliest and latest one in a small `extremes` blob), and each
  series row its Last/Min/Max/count, kept up to date on write: summaries cost
  O(series), and a chart over a long range takes the extremes of every chunk
  that falls inside one of its buckets instead of decoding the chunk;
- appends write only new points: a batch becomes a new chunk and merges with
  the trailing partial chunks no more than twice its size (a binary counter),
  so a training loop's small flushes rewrite each point O(log) times, and the
  series summary is updated from the new points alone;
- a write generation counter (meta table, and per model) is the change token.
Each thread gets its own connection (Textual workers read from threads while
a training process may write from another process); every read runs in one
read transaction, so it sees one consistent state while a writer commits.
numpy (and the downsampling built on it) is imported by the functions that
handle points, never at module import: the app's first screen (models table,
filters, details) needs none of it, and it costs ~100 ms of start-up.
The package: `schema` (tables, migrations, the search index), `codec` (chunk
blobs), `connection` (per-thread connections and transactions), `queries`
(models table, details, plots), `series` (scalar reads), `writes` (imports and
appends); `store.SQLiteStore` ties them.
"""

from __future__ import annotations

from .codec import NO_TS
from .connection import BUSY_TIMEOUT, CACHE_KB, PAGE_SIZE, default_store_path, store_path
from .schema import APPLICATION_ID, SCHEMA_VERSION, fts_trigram_available
from .store import SQLiteStore
from .writes import CHUNK_POINTS, TAIL_SCAN

__all__ = [
    "APPLICATION_ID",
    "BUSY_TIMEOUT",
    "CACHE_KB",
    "CHUNK_POINTS",
    "NO_TS",
    "PAGE_SIZE",
    "SCHEMA_VERSION",
    "SQLiteStore",
    "TAIL_SCAN",
    "default_store_path",
    "fts_trigram_available",
    "store_path",
]
