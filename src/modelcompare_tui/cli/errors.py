"""What the commands refuse as bad input (exit 2, one line), and how data
appears in their messages.
"""

from __future__ import annotations


class UsageError(Exception):
    """Bad input found by the CLI itself (exit 2)."""


def _bad_input_types() -> tuple[type[BaseException], ...]:
    from ..core.state import StateError
    from ..sources.base import SourceError

    types: list[type[BaseException]] = [UsageError, SourceError, StateError]
    from ..core.modelfile import ModelFileError
    from ..core.safe_files import SafeWriteError
    from ..demo import DemoError

    types += [ModelFileError, DemoError, SafeWriteError]
    return tuple(types)


def _shown(text: object) -> str:
    """Data (a name, a path, a URI) inside a message: display text, credentials redacted."""
    from ..core.display import display_text
    from ..render.escaping import redact_secrets

    return display_text(redact_secrets(str(text)))


def _write_error(exc: OSError, where: str, output: str) -> UsageError:
    """An output that cannot be written is bad input (exit 2, one line), not a bug."""
    from ..core.safe_files import SafeWriteError

    if isinstance(exc, SafeWriteError):  # its message names the path already
        return UsageError(f"{where}: {exc}")
    return UsageError(f"{where}: {_shown(output)}: cannot write ({exc.strerror or exc})")
