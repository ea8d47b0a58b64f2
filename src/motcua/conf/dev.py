"""Settings for `make run`: embedded SQLite, debug on, a fixed development secret."""

import os

os.environ.setdefault("DEBUG", "true")

from motcua.conf.base import *  # noqa: F403

SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-do-not-use-in-production"  # noqa: F405
