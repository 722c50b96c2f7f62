"""End to end: the installed `modelcompare --demo` in a real terminal (tmux).

Selects three models with the keyboard, compares them and reads the screen.
Skipped when the `modelcompare` command or tmux is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


def _modelcompare() -> str | None:
    beside = Path(sys.executable).with_name("modelcompare")  # the venv running the tests
    if beside.exists():
        return str(beside)
    return shutil.which("modelcompare")


COMMAND = _modelcompare()
TMUX = shutil.which("tmux")


class Terminal:
    def __init__(self, session: str) -> None:
        self.session = session

    def keys(self, *keys: str) -> None:
        for key in keys:
            subprocess.run([TMUX, "send-keys", "-t", self.session, key], check=True)
            time.sleep(0.05)

    def screen(self) -> str:
        out = subprocess.run([TMUX, "capture-pane", "-p", "-t", self.session], capture_output=True, text=True)
        return out.stdout

    def wait_for(self, predicate, timeout: float = 60.0) -> str:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.screen()
            if predicate(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"timed out; the screen was:\n{text}")

    def alive(self) -> bool:
        return subprocess.run([TMUX, "has-session", "-t", self.session], capture_output=True).returncode == 0


@pytest.mark.skipif(COMMAND is None or TMUX is None, reason="needs the installed modelcompare command and tmux")
def test_demo_select_three_and_compare(tmp_path: Path) -> None:
    session = f"mc-e2e-{uuid.uuid4().hex[:8]}"
    env = {
        "MODELCOMPARE_STORE": str(tmp_path / "store.db"),
        "MODELCOMPARE_DEMO_STORE": str(tmp_path / "demo.db"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    command = ["env", *(f"{k}={v}" for k, v in env.items()), str(COMMAND), "--demo"]
    subprocess.run(
        [TMUX, "new-session", "-d", "-s", session, "-x", "160", "-y", "40", " ".join(command)],
        check=True,
        env={**os.environ, **env},
    )
    term = Terminal(session)
    try:
        table = term.wait_for(lambda s: "40 models" in s and "Select" in s)
        lines = table.splitlines()
        header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("name"))
        names = [lines[header + 1 + k].split()[0] for k in range(3)]

        term.keys("Space", "Down", "Space", "Down", "Space")
        marked = term.wait_for(lambda s: "3 selected" in s)
        assert all(f"✓  {n}" in marked for n in names), marked

        term.keys("c")
        shown = term.wait_for(lambda s: "1 Details" in s and "◆" in s)
        chips = next(line for line in shown.splitlines() if "◆" in line)
        # long names are cut in the middle: their start and end still show, in order, base first
        ends = [chips.index(name[-5:]) for name in names]
        assert all(name[:6] in chips for name in names), (names, chips)
        assert chips.index("◆") < ends[0] < ends[1] < ends[2], (names, chips)

        details = term.wait_for(lambda s: len(s.strip().splitlines()) > 4)  # the Details body drew
        term.keys("2")
        term.wait_for(lambda s: "◆" in s and s != details)  # the Network tab replaced it
        term.keys("Escape")
        term.wait_for(lambda s: "3 selected" in s)
        term.keys("q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not term.alive(), "the app did not quit on q"
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)


class PrivateTmux(Terminal):
    """A session on a tmux server of its own (-L): its paste buffer is ours alone."""

    def __init__(self, session: str, socket: str) -> None:
        super().__init__(session)
        self.socket = socket

    def tmux(self, *args: str, **kwargs) -> subprocess.CompletedProcess:  # noqa: ANN003
        return subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, **kwargs)

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", self.session, key, check=True)
            time.sleep(0.05)

    def type_burst(self, text: str) -> None:
        """The whole string in one write, as a paste or a fast typist over SSH delivers it."""
        self.tmux("send-keys", "-t", self.session, "-l", text, check=True)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session).stdout

    def alive(self) -> bool:
        return self.tmux("has-session", "-t", self.session).returncode == 0


@pytest.mark.skipif(COMMAND is None or TMUX is None, reason="needs the installed modelcompare command and tmux")
def test_y_loads_tmux_buffer_and_a_burst_is_typed_into_the_search(tmp_path: Path) -> None:
    socket = f"mc-e2e-{uuid.uuid4().hex[:8]}"
    term = PrivateTmux("copy", socket)
    env = {
        "MODELCOMPARE_DEMO_STORE": str(tmp_path / "demo.db"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "TERM": "xterm-256color",
    }
    command = ["env", *(f"{k}={v}" for k, v in env.items()), str(COMMAND), "--demo"]
    term.tmux("new-session", "-d", "-s", "copy", "-x", "120", "-y", "36", " ".join(command), check=True,
              env={**os.environ, **env})
    try:
        term.wait_for(lambda s: "40 models" in s and "Select" in s)
        # the burst: "/" opens the search and "sweep" lands in it, even the s (sort) and p (paste)
        term.type_burst("/sweep")
        searched = term.wait_for(lambda s: "sweep" in s.splitlines()[1] and "models match" in s)
        assert "Paste a state" not in searched
        term.keys("Escape")  # alone: an escape followed at once by a key reads as alt+key
        term.wait_for(lambda s: "Select" in s.splitlines()[-1])  # the table has the focus
        term.keys("Space", "Down", "Space", "c")
        term.wait_for(lambda s: "1 Details" in s and "◆" in s)
        term.keys("y")
        dialog = term.wait_for(lambda s: "tmux's paste buffer" in s)
        copied = term.tmux("show-buffer").stdout.strip()
        assert copied.startswith("mc1.") and "\n" not in copied, copied
        # one line in the dialog too: its start is on screen, not wrapped over several lines
        assert sum(copied[:12] in line for line in dialog.splitlines()) == 1, dialog
        term.keys("Escape")
        term.wait_for(lambda s: "tmux's paste buffer" not in s)
        term.keys("q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        term.tmux("kill-server")
