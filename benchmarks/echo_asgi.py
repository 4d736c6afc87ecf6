"""The product's ASGI application plus a bare echo consumer, for baselines measured on the
same server process, the same layer and the same origin check. Never deployed."""

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from helpdesk.asgi import application as product
from helpdesk.asgi import websocket_urlpatterns


class EchoConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data=text_data)


application = ProtocolTypeRouter(
    {
        "http": product,
        "lifespan": product,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(
                URLRouter([path("ws/echo/", EchoConsumer.as_asgi()), *websocket_urlpatterns])
            )
        ),
    }
)
