"""The product's ASGI application plus bare consumers, for baselines measured on the same server
process, the same layer and the same origin check. Never deployed.

- /ws/echo/: echoes every text frame back to its own socket.
- /ws/group/<name>/: joins the channel-layer group `bench.<name>` (before accepting, so a client
  whose handshake completed is in the group); a text frame is `group_send` unchanged to the whole
  group, and each member writes it to its socket. Nothing else: no database, no session, no JSON.
- /ws/layer-echo/: the layer echo, the chat benchmark's baseline: a group of its own per socket
  (joined before accepting); each text frame goes out through the channel layer (`group_send`)
  and back to the same socket, the trip any message that must reach the other side makes.
"""

import uuid
from typing import Any

from channels.auth import AuthMiddlewareStack
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path

from helpdesk.asgi import application as product
from helpdesk.asgi import websocket_urlpatterns
from helpdesk.origins import SameOriginValidator


class EchoConsumer(AsyncWebsocketConsumer):
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.send(text_data=text_data)


class GroupConsumer(AsyncWebsocketConsumer):
    group = ""

    async def connect(self) -> None:
        self.group = f"bench.{self.scope['url_route']['kwargs']['name']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.channel_layer.group_send(self.group, {"type": "group.text", "text": text_data})

    async def group_text(self, event: dict[str, Any]) -> None:
        await self.send(text_data=event["text"])


class LayerEchoConsumer(GroupConsumer):
    async def connect(self) -> None:
        self.group = f"bench.echo.{uuid.uuid4().hex}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()


application = ProtocolTypeRouter(
    {
        "http": product,
        "lifespan": product,
        "websocket": SameOriginValidator(
            AuthMiddlewareStack(
                URLRouter(
                    [
                        path("ws/echo/", EchoConsumer.as_asgi()),
                        path("ws/group/<slug:name>/", GroupConsumer.as_asgi()),
                        path("ws/layer-echo/", LayerEchoConsumer.as_asgi()),
                        *websocket_urlpatterns,
                    ]
                )
            )
        ),
    }
)
