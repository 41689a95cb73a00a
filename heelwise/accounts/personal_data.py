"""Registry of personal data held about a user, for UK GDPR export and erasure requests.

Each app that stores personal data registers a provider in its ``AppConfig.ready()``:
``register(PersonalDataProvider(name=..., export=..., erase=...))``. ``export`` returns JSON-able
data about the user; ``erase`` deletes it (or anonymises what the clinic must keep by law, and
says so in its export description).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from heelwise.accounts.models import User


@dataclass(frozen=True)
class PersonalDataProvider:
    name: str
    export: Callable[[User], Any]
    erase: Callable[[User], None]


_PROVIDERS: dict[str, PersonalDataProvider] = {}


def register(provider: PersonalDataProvider) -> None:
    _PROVIDERS[provider.name] = provider


def providers() -> list[PersonalDataProvider]:
    return [_PROVIDERS[name] for name in sorted(_PROVIDERS)]
