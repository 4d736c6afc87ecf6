"""ASGI entry point: HTTP through Django, websockets through Channels, lifespan for the ticker."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    # uvicorn runs no system checks of its own: refuse to serve a misconfigured deployment.
    from django.core.management import call_command

    call_command("check", deploy=True, fail_level="ERROR")

# Imported after Django is set up: consumers import models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from agents.consumers import AgentChatConsumer, InboxConsumer  # noqa: E402
from helpdesk.consumers import CustomerChatConsumer  # noqa: E402
from helpdesk.flows.runner import turn_threads_stop  # noqa: E402
from helpdesk.flows.warmup import turns_warm_up  # noqa: E402
from helpdesk.origins import SameOriginValidator  # noqa: E402
from helpdesk.realtime import server_loop_attach  # noqa: E402
from helpdesk.ticker import LifespanTicker  # noqa: E402

websocket_urlpatterns = [
    path("ws/chat/<uuid:public_id>/", CustomerChatConsumer.as_asgi()),
    path("ws/agent/conversations/<uuid:public_id>/", AgentChatConsumer.as_asgi()),
    path("ws/agent/inbox/", InboxConsumer.as_asgi()),
]

application = LifespanTicker(
    warm_up=turns_warm_up,
    on_loop=server_loop_attach,
    on_shutdown=turn_threads_stop,  # a turn under way finishes; what was queued stays owed
    app=ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    ),
)
