"""Settings for the test suite (SQLite by default, PostgreSQL when DATABASE_URL is set)."""

from motcua.conf.base import *  # noqa: F403

SECRET_KEY = "test-only-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["NAME"] = ":memory:"  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": None}  # noqa: F405
