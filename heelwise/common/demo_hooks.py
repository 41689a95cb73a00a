"""Other apps register extra demo-data loaders here (e.g. practitioner availability).

Each hook is a no-argument callable that must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable

HOOKS: list[Callable[[], None]] = []
