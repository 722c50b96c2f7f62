"""Shared fixtures. Keep tests isolated from the user's real store and data dirs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# The test command runs a fixed set of examples, so a red run is reproducible and
# CI cannot turn red by luck; HYPOTHESIS_PROFILE=explore draws new ones. Whatever
# exploring finds becomes an @example beside its test.
settings.register_profile("fixed", derandomize=True, print_blob=True)
settings.register_profile("explore", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fixed"))


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("MODELCOMPARE_STORE", str(home / "data" / "store.db"))
    monkeypatch.setenv("MODELCOMPARE_DEMO_STORE", str(home / "data" / "demo.db"))
    monkeypatch.delenv("MODELCOMPARE_SOURCE", raising=False)
    # a test run inside tmux must not load copies into the user's paste buffer, nor
    # say so in a dialog a snapshot shows (the tmux end-to-end test runs its own server)
    monkeypatch.delenv("TMUX", raising=False)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def store(store_path: Path):
    from modelcompare_tui.sources.store import SQLiteStore

    s = SQLiteStore(store_path)
    yield s
    s.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):  # noqa: ANN201
    """A failed snapshot says in the run's output which rows differ (CI keeps
    the output, not the HTML report)."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or "snap_compare" not in getattr(item, "fixturenames", ()):
        return
    import pickle

    from pytest_textual_snapshot import node_to_report_path

    from snapshot_text import screen_diff

    path = node_to_report_path(item)
    if path.exists():
        data = pickle.loads(path.read_bytes())  # noqa: S301  # the plugin's own file of this run
        report.sections.append(("snapshot rows that differ", screen_diff(data[1], data[2])))
