"""The Textual app: one factory, `create_app`, used by the CLI and the tests.

The App's session (session.py) owns the one ComparisonState (`app.comparison`),
the model colors (`app.colors`), and the loaded Model objects of the compared
models. Screens subscribe to `comparison_changed`; whoever wants a change calls
`session.request(state)` (or `set_comparison`): the App loads the models a
state names and tells the screens. Worker errors become notifications in one
place, `on_worker_state_changed`.

Modes: `models` (the start screen) and one per comparison tab. Screens are
imported when first shown, so starting the app costs only the models table.

The App is built in layers, each a subclass of the one before:
comparison.py (the source, the session, loading the compared models),
live_updates.py (polling the source), sharing.py (state strings, embed code,
connecting to another source), app.py (ModelCompareApp: modes, keys, help,
the error sink, and `create_app`).
"""

from .app import ModelCompareApp, create_app
from .comparison import ComparisonUpdate
from .live_updates import LiveUpdate
from .sharing import embed_command

__all__ = ["ComparisonUpdate", "LiveUpdate", "ModelCompareApp", "create_app", "embed_command"]
