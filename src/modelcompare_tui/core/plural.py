"""Counts in messages: "1 model", "2 models" (never "1 models" or "model(s)")."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun in the form that count takes: counted(1, "model") is
    "1 model", counted(3, "model") "3 models", counted(2, "series", "series")
    "2 series". The plural defaults to the singular + "s"."""
    return f"{n} {singular if n == 1 else (plural if plural is not None else singular + 's')}"
