"""WSGI entry point (gunicorn motcua.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.conf.prod")
application = get_wsgi_application()
