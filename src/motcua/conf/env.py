"""The only reader of environment variables.

Each variable is declared once with its type, default and help text; ``docs/configuration.md`` lists them
(``python manage.py show_configuration`` prints the same table).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


class ImproperlyConfiguredEnv(RuntimeError):
    """A required variable is missing or has a value of the wrong type."""


@dataclass(frozen=True)
class EnvVar:
    name: str
    kind: str
    default: Any
    help: str
    group: str


REGISTRY: dict[str, EnvVar] = {}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _declare(name: str, kind: str, default: Any, help: str, group: str) -> str | None:
    REGISTRY[name] = EnvVar(name, kind, default, help, group)
    return os.environ.get(name)


def env_str(name: str, default: str | None, *, help: str, group: str = "General") -> str | None:
    raw = _declare(name, "str", default, help, group)
    return default if raw is None else raw


def env_bool(name: str, default: bool, *, help: str, group: str = "General") -> bool:
    raw = _declare(name, "bool", default, help, group)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, help: str, group: str = "General") -> int:
    raw = _declare(name, "int", default, help, group)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfiguredEnv(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str], *, help: str, group: str = "General") -> list[str]:
    raw = _declare(name, "list", ",".join(default), help, group)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_required(name: str, *, help: str, group: str = "General") -> str:
    raw = _declare(name, "str (required)", None, help, group)
    if not raw:
        raise ImproperlyConfiguredEnv(f"{name} is required in production: {help}")
    return raw
