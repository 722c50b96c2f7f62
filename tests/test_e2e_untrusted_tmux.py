"""End to end (issue #10): a model named with terminal escapes, in a real
terminal (tmux). The OSC 2 in its tag must not retitle the pane, and the OSC 52
in its name must show as symbols (␛]52…), not reach the terminal as a command.
Skipped when the `modelcompare` command or tmux is missing."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from modelcompare_tui.core.model import Model, ModelRecord
from modelcompare_tui.sources.store import SQLiteStore
from test_e2e_tmux import COMMAND, TMUX, Terminal

pytestmark = pytest.mark.e2e

OSC52_NAME = "\x1b]52;c;SElKQUNL\x07X"
OSC2_TAG = "\x1b]2;TAGTITLE\x07"


@pytest.mark.skipif(COMMAND is None or TMUX is None, reason="needs the installed modelcompare command and tmux")
def test_escapes_in_a_model_are_shown_not_obeyed(tmp_path: Path) -> None:
    store_path = tmp_path / "store.db"
    store = SQLiteStore(store_path)
    store.import_records([
        ModelRecord(Model(id="e" * 32, name=OSC52_NAME, tags=[OSC2_TAG], updated="2026-01-02T00:00:00Z")),
        ModelRecord(Model(id="f" * 32, name="plain-model", tags=[OSC2_TAG], updated="2026-01-01T00:00:00Z")),
    ])
    store.close()
    session = f"mc-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        "MODELCOMPARE_STORE": str(store_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    command = ["env", *(f"{k}={v}" for k, v in env.items()), str(COMMAND)]
    subprocess.run([TMUX, "new-session", "-d", "-s", session, "-x", "120", "-y", "30", "sh"], check=True,
                   env={**os.environ, **env})
    term = Terminal(session)
    try:
        before = _pane_title(session)
        subprocess.run([TMUX, "send-keys", "-t", session, " ".join(command), "Enter"], check=True)
        screen = term.wait_for(lambda s: "2 models" in s and "plain-model" in s)
        assert "␛]52" in screen and "SElKQUNL" in screen, screen
        assert "TAGTITLE" in screen, screen  # the tag shows, as text
        time.sleep(0.5)  # a title or clipboard command would have been acted on by now
        title = _pane_title(session)
        assert "TAGTITLE" not in title and title == before, (before, title)
        term.keys("q")
        deadline = time.monotonic() + 10
        while "plain-model" in term.screen() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)


def _pane_title(session: str) -> str:
    out = subprocess.run([TMUX, "display", "-p", "-t", session, "#{pane_title}"], capture_output=True, text=True)
    return out.stdout.strip()
