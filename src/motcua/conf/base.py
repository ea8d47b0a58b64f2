"""Settings shared by every environment. Environment variables are read here and only here."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from motcua.conf.env import env_bool, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parents[2]
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(
    env_str(
        "MOTCUA_VAR_DIR",
        None,
        help="Folder for the embedded database and files (default: var/ in the checkout).",
    )
    or BASE_DIR / "var"
)

DEBUG = env_bool("DEBUG", False, help="Django debug mode. Never true in production.")
SECRET_KEY = env_str("SECRET_KEY", None, help="Django secret key (required in production).", group="Security")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost"], help="Host names served.", group="Security"
)

DATABASE_URL = env_str(
    "DATABASE_URL",
    None,
    help="postgres://user:pass@host:5432/name switches to PostgreSQL; empty = embedded SQLite in MOTCUA_VAR_DIR.",
    group="Database",
)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "motcua.sqlite3"),
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

#: Covering indexes (``include=``) are PostgreSQL read paths of monitoring; on the embedded SQLite database
#: Django leaves them out (W040) and with them the unique constraint of the PostgreSQL-only day bits (W039,
#: ``ScopeProcedureYearActivity``), which SQLite never writes nor reads (ADR 0010).
SILENCED_SYSTEM_CHECKS = ["models.W039", "models.W040"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "mozilla_django_oidc",
    "motcua.core",
    "motcua.agencies",
    "motcua.calendar",
    "motcua.accounts",
    "motcua.catalogue",
    "motcua.documents",
    "motcua.dossiers",
    "motcua.monitoring",
    "motcua.integrations",
    "motcua.api",
    "motcua.portal",
    "motcua.backoffice",
]
AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "motcua.accounts.backends.LockoutBackend",
    "motcua.accounts.backends.EmailOrPhoneBackend",
    "motcua.accounts.oidc.CitizenOidcBackend",
]
ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ]
        },
    }
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request when it is missing
WHITENOISE_USE_FINDERS = True
LOCALE_PATHS = [SRC_DIR / "motcua" / "locale"]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:my_dossiers"
LOGOUT_REDIRECT_URL = "portal:home"
SESSION_COOKIE_AGE = env_int(
    "SESSION_COOKIE_AGE", 60 * 60 * 8, help="Seconds a sign-in lasts without activity.", group="Security"
)
SESSION_SAVE_EVERY_REQUEST = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
    "root": {
        "handlers": ["console"],
        "level": env_str("LOG_LEVEL", "INFO", help="Root log level.") or "INFO",
    },
}

API_TOKEN_TTL_HOURS = env_int(
    "API_TOKEN_TTL_HOURS", 12, help="Lifetime of an API bearer token in hours.", group="Security"
)

# --- Files (documents app): stored outside any served folder, handed out only by views that check access.
FILE_STORAGE_DIR = Path(
    env_str(
        "FILE_STORAGE_DIR",
        None,
        help="Folder for uploaded and issued files (default: MOTCUA_VAR_DIR/files).",
        group="Files",
    )
    or VAR_DIR / "files"
)
UPLOAD_MAX_BYTES = env_int(
    "UPLOAD_MAX_BYTES",
    10 * 1024 * 1024,
    help="Largest accepted upload, in bytes (default 10 MB).",
    group="Files",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
SIGNING_KEY_FILE = env_str(
    "SIGNING_KEY_FILE",
    None,
    help="PEM private key that signs issued results (PAdES). Empty: a demo key is generated in MOTCUA_VAR_DIR/signing.",
    group="Files",
)
SIGNING_CERT_FILE = env_str(
    "SIGNING_CERT_FILE",
    None,
    help="PEM certificate of the signing key (with SIGNING_KEY_FILE).",
    group="Files",
)
SIGNING_KEY_PASSPHRASE = env_str(
    "SIGNING_KEY_PASSPHRASE", None, help="Passphrase of SIGNING_KEY_FILE, if encrypted.", group="Files"
)
SIGNING_CHAIN_FILE = env_str(
    "SIGNING_CHAIN_FILE",
    None,
    help="PEM CA chain of the signing certificate, trusted when verifying.",
    group="Files",
)
PUBLIC_BASE_URL = env_str(
    "PUBLIC_BASE_URL",
    "http://127.0.0.1:8000",
    help="Address of the portal as citizens see it; printed in QR codes on receipts and results.",
)

# --- Sign-in: lockout after repeated failures (django-axes), OpenID Connect (national SSO / VNeID).
AXES_FAILURE_LIMIT = env_int(
    "LOGIN_FAILURE_LIMIT",
    5,
    help="Failed sign-ins before an account/address pair is locked out.",
    group="Security",
)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "motcua.portal.views.locked_out"
AXES_VERBOSE = False
AXES_WHITELIST_CALLABLE = "motcua.accounts.oidc.exempt_from_lockout"

OIDC_ISSUER = env_str(
    "OIDC_ISSUER",
    None,
    help="OpenID Connect issuer of the national SSO / VNeID (e.g. the simulator's address). Empty hides the button.",
    group="Sign-in",
)
OIDC_RP_CLIENT_ID = env_str(
    "OIDC_CLIENT_ID", "motcua-portal", help="Our client id at the SSO.", group="Sign-in"
)
OIDC_RP_CLIENT_SECRET = env_str(
    "OIDC_CLIENT_SECRET", "motcua-portal-secret", help="Our client secret at the SSO.", group="Sign-in"
)
OIDC_OP_ISSUER = env_str(
    "OIDC_OP_ISSUER",
    None,
    help="Exact iss of the SSO's ID tokens when it is not OIDC_ISSUER.",
    group="Sign-in",
)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid"
OIDC_AUTH_REQUEST_EXTRA_PARAMS = {"acr_values": "LoA1"}
OIDC_OP_AUTHORIZATION_ENDPOINT = f"{OIDC_ISSUER}/oauth2/authorize" if OIDC_ISSUER else ""
OIDC_OP_TOKEN_ENDPOINT = f"{OIDC_ISSUER}/oauth2/token" if OIDC_ISSUER else ""
OIDC_OP_USER_ENDPOINT = f"{OIDC_ISSUER}/oauth2/userinfo" if OIDC_ISSUER else ""
OIDC_OP_JWKS_ENDPOINT = f"{OIDC_ISSUER}/oauth2/jwks" if OIDC_ISSUER else ""
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = False
OIDC_CREATE_USER = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/dang-nhap/?sso=failed"

EMAIL_BACKEND = (
    env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.console.EmailBackend",
        help="Django e-mail backend for notifications (console in development).",
        group="Notifications",
    )
    or "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = (
    env_str(
        "DEFAULT_FROM_EMAIL",
        "motcua@localhost",
        help="Sender of notification e-mails.",
        group="Notifications",
    )
    or "motcua@localhost"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
