"""One settings module, read from the environment.

With no environment at all this runs the embedded default: SQLite, the in-process channel
layer, Celery tasks run eagerly and periodic sweeps run by an in-process ticker. Setting
DATABASE_URL and REDIS_URL switches to PostgreSQL, channels-redis and a real Celery broker.
"""

import warnings
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

INSECURE_DEFAULT_SECRET_KEY = "insecure-embedded-default-change-me"  # noqa: S105

SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
# PRODUCTION turns the start-up checks in helpdesk.checks into errors.
PRODUCTION = env.bool("PRODUCTION", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Pages that may open the chat and inbox sockets besides the address they are served on
# (scheme, host and port, e.g. a proxy's public https://help.example): helpdesk.origins.
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=CSRF_TRUSTED_ORIGINS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "helpdesk.apps.HelpdeskConfig",
    "assistant.apps.AssistantConfig",
    "escalation.apps.EscalationConfig",
    "routing.apps.RoutingConfig",
    "agents.apps.AgentsConfig",
    "widget.apps.WidgetConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served locally: no CDN
    "api.apps.ApiConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "helpdesk.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The customer's pages in the browser's language (Accept-Language); staff pages in English.
    "helpdesk.languages.CustomerLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
ASGI_APPLICATION = "helpdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "helpdesk.context_processors.chat_limits",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
EMBEDDED_SQLITE_PATH = env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{EMBEDDED_SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the ticker thread and request threads read while one writes; IMMEDIATE takes
    # the write lock at BEGIN so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not :memory:, so a server subprocess in the browser tests can share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(EMBEDDED_SQLITE_PATH).with_suffix(".test.sqlite3"))
    }
else:
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
    )
# Consumers reach the database through database_sync_to_async, which closes the connection
# after every call. On PostgreSQL a psycopg pool per process hands it back and out again with
# no round trip (no `SELECT 1` health check per call: the pool drops connections that broke, and
# recycles idle and old ones); DB_POOL=false falls back to persistent, health-checked
# connections. Size DB_POOL_MAX to the threads that may query at once (docs/operations.md).
DB_POOL = env.bool("DB_POOL", default=True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_POOL:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        # A request waits this long for a free connection, then fails rather than hangs.
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
        "max_idle": env.float("DB_POOL_MAX_IDLE", default=300.0),
        "max_lifetime": env.float("DB_POOL_MAX_LIFETIME", default=1800.0),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections; Django must not
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False  # would check on every checkout
else:
    # Without a pool (SQLite, or DB_POOL=false): one connection per thread lives on. SQLite's
    # health check is free (no query); PostgreSQL's is a `SELECT 1` per call, kept here because
    # nothing else would notice a connection the server closed.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The sockets' database calls run in parallel threads on PostgreSQL, on channels' one shared
# thread on SQLite (helpdesk.chatsocket.in_database).
DATABASE_PARALLEL_CALLS = env.bool(
    "DATABASE_PARALLEL_CALLS",
    default=DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: sign-in throttling and the API's message limits count here. Per process by default;
# CACHE_URL (e.g. redis://redis:6379/1, a database of its own) shares the counts between processes.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# Configuration generations (helpdesk.configcache) must be seen by every process: CACHE_URL or
# Redis when there is one, else files beside the SQLite database (the embedded default's web
# server, its training process and the servers the tests start share them). A cache of its own,
# so that sign-in counts keep their per-process default.
CONFIG_CACHE_ALIAS = "config"
CONFIG_CACHE_SECONDS = env.float("CONFIG_CACHE_SECONDS", default=60.0)  # safety net only
if env.str("CACHE_URL", default=""):
    CACHES["config"] = env.cache_url("CACHE_URL")
elif env.str("REDIS_URL", default=""):
    CACHES["config"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL"),
        # Unreachable Redis: the readers fall back to the database within a second.
        "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
    }
else:
    _sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    _config_files_dir = Path(DATABASES["default"]["NAME"]).parent if _sqlite else BASE_DIR
    CACHES["config"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(_config_files_dir / "var" / "config-generations"),
    }
# Deployments (and test runs) sharing one Redis keep apart, as their channel layers do.
CACHES["config"]["KEY_PREFIX"] = env.str(
    "CONFIG_CACHE_PREFIX", default=env.str("CHANNEL_LAYER_PREFIX", default="helpdesk")
)

# --- Redis: channel layer and Celery broker ---------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CHANNEL_LAYER_PREFIX = env.str("CHANNEL_LAYER_PREFIX", default="helpdesk")
if REDIS_URL:
    from helpdesk.layers import redis_channel_layer

    CHANNEL_LAYERS = {
        "default": redis_channel_layer(
            REDIS_URL,
            prefix=CHANNEL_LAYER_PREFIX,
            capacity=env.int("CHANNEL_LAYER_CAPACITY", default=1000),
        )
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # kombu's Redis transport, fixed so that a worker survives a Redis restart and gives back
    # the tasks it held as soon as Redis is up again (helpdesk.broker).
    CELERY_BROKER_TRANSPORT = "helpdesk.broker:Transport"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# One Redis can serve several deployments (or test runs): each sends and takes its own queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
# Periodic sweeps. Beat sends these in production; in the embedded default the in-process
# ticker (helpdesk.ticker) runs the very same tasks at the same intervals.
CELERY_BEAT_SCHEDULE = {
    "agents-presence-sweep": {
        "task": "agents.tasks.presence_sweep",
        "schedule": env.float("PRESENCE_SWEEP_SECONDS", default=10.0),
    },
    # Offers nobody accepted go to the next agent; queued conversations whose required skill
    # may now be relaxed get another try. Freed slots are filled at once, not here.
    "routing-expire-offers": {
        "task": "routing.tasks.expire_offers",
        "schedule": env.float("ROUTING_SWEEP_SECONDS", default=15.0),
    },
    "routing-route-waiting": {
        "task": "routing.tasks.route_waiting",
        "schedule": env.float("ROUTING_SWEEP_SECONDS", default=15.0),
    },
    # Timers (wait updates, callback offers and reminders, the emergency path, emails) are
    # rows in PostgreSQL; the sweep sends the due ones to workers.
    "escalation-sweep-timers": {
        "task": "escalation.tasks.sweep_timers",
        "schedule": env.float("TIMER_SWEEP_SECONDS", default=5.0),
    },
}
# Customer messages whose turn is owed and that nobody has taken (a dead process, a killed
# worker, an error) are taken again by this sweep (helpdesk.flows.owed).
CELERY_BEAT_SCHEDULE["helpdesk-sweep-turns"] = {
    "task": "helpdesk.tasks.sweep_turns",
    "schedule": env.float("TURN_SWEEP_SECONDS", default=2.0),
}
# Where the assistant's turns run (helpdesk.flows.runner): "celery" workers in production,
# "thread" (a pool in the web process) without a broker, "inline" on the caller's thread.
TURN_RUNNER = env.str(
    "TURN_RUNNER", default="celery" if REDIS_URL and not CELERY_TASK_ALWAYS_EAGER else "thread"
)
TURN_THREADS = env.int("TURN_THREADS", default=2)
TURN_SWEEP_AFTER_SECONDS = env.float("TURN_SWEEP_AFTER_SECONDS", default=3.0)
TURN_LEASE_SECONDS = env.float("TURN_LEASE_SECONDS", default=10.0)
TURN_MAX_ATTEMPTS = env.int("TURN_MAX_ATTEMPTS", default=3)
TURN_SWEEP_BATCH = 200
# Webhook deliveries are rows too: the sweep re-sends those due for another attempt.
CELERY_BEAT_SCHEDULE["api-sweep-webhooks"] = {
    "task": "api.tasks.sweep_webhooks",
    "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=30.0),
}
# A timer's task that has not finished within this lease is sent again (its worker was lost).
TIMER_LEASE_SECONDS = env.int("TIMER_LEASE_SECONDS", default=120)
# The ticker runs wherever beat does not: on by default only in the embedded set-up.
HELPDESK_TICKER = env.bool("HELPDESK_TICKER", default=not REDIS_URL)

# --- Email: the console in the demo; EMAIL_URL (smtp+tls://user:pass@host:587, smtp+ssl://...)
# or EMAIL_BACKEND for anything else -------------------------------------------------------------
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
# A hung mail server must not hold a timer's row lock for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Helpdesk <help@localhost>")
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="helpdesk.local")
# Links in emails to agents point here.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Webhooks to loopback or private addresses are refused unless this is set.
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)

# --- Prometheus: /metrics answers only with this bearer token (unset: switched off) --------------
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Chat -----------------------------------------------------------------------------------
CHAT_MAX_FRAME_BYTES = env.int("CHAT_MAX_FRAME_BYTES", default=8 * 1024)
# Per-connection flood control: at most CHAT_RATE_LIMIT frames in any CHAT_RATE_WINDOW seconds.
CHAT_RATE_LIMIT = env.int("CHAT_RATE_LIMIT", default=20)
CHAT_RATE_WINDOW = env.float("CHAT_RATE_WINDOW", default=10.0)
# ...and all of one customer's sockets together (helpdesk.floods): twice one socket's budget,
# and at most this many sockets open at once (tabs, devices, reconnects).
CHAT_CUSTOMER_RATE_LIMIT = env.int("CHAT_CUSTOMER_RATE_LIMIT", default=2 * CHAT_RATE_LIMIT)
CHAT_CUSTOMER_MAX_SOCKETS = env.int("CHAT_CUSTOMER_MAX_SOCKETS", default=8)
# ...and all customer sockets from one address (an IPv6 /64), loosely: many people may share one.
CHAT_ADDRESS_RATE_LIMIT = env.int("CHAT_ADDRESS_RATE_LIMIT", default=50 * CHAT_RATE_LIMIT)
CHAT_ADDRESS_MAX_SOCKETS = env.int("CHAT_ADDRESS_MAX_SOCKETS", default=200)
# New chats from one address (an IPv6 /64): at most CHAT_START_LIMIT per CHAT_START_WINDOW s.
CHAT_START_LIMIT = env.int("CHAT_START_LIMIT", default=20)
CHAT_START_WINDOW = env.int("CHAT_START_WINDOW", default=600)
CHAT_TOKEN_MAX_AGE = env.int("CHAT_TOKEN_MAX_AGE", default=30 * 24 * 3600)
# Agents whose inbox has sent no heartbeat for this long are marked offline by the sweep.
AGENT_PRESENCE_TIMEOUT = env.int("AGENT_PRESENCE_TIMEOUT", default=120)
# An agent whose inbox page closed is swept offline this long after, unless another of their
# pages (each sends a heartbeat every 10 s) says they are still there.
AGENT_PAGE_GRACE_SECONDS = env.int("AGENT_PAGE_GRACE_SECONDS", default=15)
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=2.0)

# --- Assistant -------------------------------------------------------------------------------
# Where the trained intent model is cached (one file per version of its training data).
ASSISTANT_MODEL_DIR = Path(env.str("ASSISTANT_MODEL_DIR", default=str(BASE_DIR / "var" / "models")))
# "local" (the default, offline) or "openai": any OpenAI-compatible /v1/chat/completions API.
ASSISTANT_RESPONDER = env.str("ASSISTANT_RESPONDER", default="local")
ASSISTANT_LLM_BASE_URL = env.str("ASSISTANT_LLM_BASE_URL", default="https://api.openai.com/v1")
ASSISTANT_LLM_API_KEY = env.str("ASSISTANT_LLM_API_KEY", default="")
ASSISTANT_LLM_MODEL = env.str("ASSISTANT_LLM_MODEL", default="gpt-4o-mini")
ASSISTANT_LLM_TIMEOUT = env.float("ASSISTANT_LLM_TIMEOUT", default=15.0)
# Where a retrain runs after supervisors change the training data: "worker" (a Celery task, the
# default with Redis) or "background" (a separate process of the web server, the embedded
# default). Changes within the debounce window train once.
ASSISTANT_TRAIN_IN = env.str("ASSISTANT_TRAIN_IN", default="worker" if REDIS_URL else "background")
ASSISTANT_TRAIN_DEBOUNCE_SECONDS = env.float("ASSISTANT_TRAIN_DEBOUNCE_SECONDS", default=3.0)

# --- Auth, i18n, static -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "agents:login"
LOGIN_REDIRECT_URL = "agents:inbox"
LOGOUT_REDIRECT_URL = "agents:login"
# Sign-in throttling (agents.throttle): this many failures lock a username for this long.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=300)

LANGUAGE_CODE = "en"
# Each in its own words: the chat's start page offers them to customers of every language.
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("de", "Deutsch")]
TIME_ZONE = "UTC"
USE_I18N = True
# The customer chat's words in es, fr and de (.po in git; the .mo that Django reads are compiled
# by `make install`, i.e. `manage.py compilemessages`: docs/configuration.md).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the source folders so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# WhiteNoise streams files synchronously; under ASGI Django says so on every static request.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
warnings.filterwarnings("ignore", message="No directory at: .*staticfiles")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)

# Content-Security-Policy (helpdesk.csp), on every response: scripts, styles and connections only
# from this site's own files and address, nothing inline (no <script>, <style>, style="" or on*=
# in any template: markup needing one is a bug to fix, not a source to add), no plugins, never in
# a frame. Django 6's setting names and shape; the page's own ws:// or wss:// is added per request.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
if CSP_REPORT_URI := env.str("CSP_REPORT_URI", default=""):
    SECURE_CSP["report-uri"] = [CSP_REPORT_URI]
SECURE_CSP_REPORT_ONLY: dict[str, list[str]] = {}
# CSP_REPORT_ONLY=true: browsers report what the policy would block (to CSP_REPORT_URI), block
# nothing. For trying a change out on real traffic first.
if env.bool("CSP_REPORT_ONLY", default=False):
    SECURE_CSP, SECURE_CSP_REPORT_ONLY = {}, SECURE_CSP

# --- REST API (api/) ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its scheme names the WWW-Authenticate header, so a missing login is a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "api.authentication.ChatTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.IsAgent"],  # closed unless a view opens it
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Customers, conversations, escalations, agents, the queue, callbacks and "
    'webhooks. Errors always read {"error": {"code", "message", "fields"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ConversationStatusEnum": "helpdesk.models.Conversation.Status",
        "CallbackStatusEnum": "escalation.models.Callback.Status",
        "DeliveryStatusEnum": "api.models.WebhookDelivery.Status",
        "UrgencyEnum": "escalation.models.Urgency",
        "WebhookEventEnum": "api.models.WebhookEvent",
        "LanguageEnum": "helpdesk.models.LANGUAGE_CHOICES",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        # Run in this process (the embedded default), beat's sweeps would write a "succeeded"
        # line every few seconds; a worker's own log keeps them.
        **({"celery.app.trace": {"level": "WARNING"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}
