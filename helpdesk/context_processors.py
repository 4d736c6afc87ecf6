from django.conf import settings
from django.http import HttpRequest


def chat_limits(request: HttpRequest) -> dict[str, int]:
    """The frame limit, so the chat page refuses an oversize message before sending it."""
    return {"chat_max_frame_bytes": settings.CHAT_MAX_FRAME_BYTES}
