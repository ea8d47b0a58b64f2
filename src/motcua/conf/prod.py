"""Production settings: refuse to start without a secret key and a PostgreSQL database URL."""

from motcua.conf.base import *  # noqa: F403
from motcua.conf.env import env_required

SECRET_KEY = env_required("SECRET_KEY", help="Django secret key", group="Security")
DATABASE_URL = env_required(
    "DATABASE_URL", help="PostgreSQL URL of the production database", group="Database"
)
DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# Static files are compressed (gzip) once at collectstatic time and served by WhiteNoise with far-future caching.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
