"""Copying text out of the app: OSC 52 (Textual's copy_to_clipboard) reaches the
terminal, but tmux drops it under its default `set-clipboard external`; inside
tmux the text is also loaded into tmux's paste buffer with `load-buffer -w`,
which forwards it to the outer terminal's clipboard when tmux allows it."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

TMUX_TIMEOUT = 2.0  # seconds: a tmux that does not answer is given up, the copy stays OSC 52 only


def in_tmux(env: Mapping[str, str] | None = None) -> bool:
    return bool((os.environ if env is None else env).get("TMUX"))


def tmux_load_buffer(text: str, env: Mapping[str, str] | None = None) -> bool:
    """Load `text` into the paste buffer of the tmux the app runs in (and, with
    tmux ≥ 3.2's `-w`, the outer clipboard); False when not in tmux or tmux refused."""
    if not in_tmux(env):
        return False
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    for args in (["load-buffer", "-w", "-"], ["load-buffer", "-"]):  # -w: tmux 3.2 and later
        try:
            done = subprocess.run([tmux, *args], input=text.encode(), capture_output=True,
                                  timeout=TMUX_TIMEOUT, env=None if env is None else dict(env))
        except (OSError, subprocess.TimeoutExpired):
            return False
        if done.returncode == 0:
            return True
    return False


def save_text(text: str, stem: str) -> str:
    """Write `text` (and a newline) to a new file in the download folder; its path."""
    import time

    from .render.csv import download_dir

    folder = download_dir()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 100):
        path = folder / (f"{stem}-{stamp}.txt" if n == 1 else f"{stem}-{stamp}-{n}.txt")
        try:
            with path.open("x", encoding="utf-8") as out:  # never over an existing file
                out.write(text + "\n")
        except FileExistsError:
            continue
        return str(path)
    raise FileExistsError(f"{folder}: {stem}-{stamp}-*.txt all exist")
