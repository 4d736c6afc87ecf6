"""Fuzzing the websocket protocol with hypothesis: the frame parser on any text, and the real
consumers (through the ASGI stack) on arbitrary JSON-ish frames."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from agents.models import Agent
from helpdesk.asgi import application
from helpdesk.chatprotocol import (
    FRAME_FIELDS,
    FRAME_OPTIONAL,
    Frame,
    FrameError,
    parse_frame,
)
from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, Customer
from tests.support.wsclient import ORIGIN, chat_cookie, customer_socket, session_cookie

MAX_BYTES = 8192
ERROR_CODES = {"too_large", "malformed", "unknown_type", "unknown_field", "invalid_field", "empty"}
FIELD_NAMES = sorted({name for fields in FRAME_FIELDS.values() for name in fields} | {"contact"})

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
client_ids = st.from_regex(r"\A[A-Za-z0-9_.:-]{1,64}\Z")
# Frames that look like ours: a known type (or not), known fields with any value, extra fields.
frame_like = st.builds(
    lambda kind, known, extra: {"type": kind, **known, **extra},
    st.sampled_from([*FRAME_FIELDS, "Message", "", "error", "ack"]) | json_values,
    st.dictionaries(st.sampled_from(FIELD_NAMES), json_values | client_ids, max_size=4),
    st.dictionaries(st.text(max_size=8), json_values, max_size=2),
)
# Nesting deeper than the JSON decoder's recursion limit, still within the size limit.
deep = st.builds(
    lambda depth, opener: opener * depth,
    st.integers(min_value=1, max_value=4000),
    st.sampled_from(["[", '{"a":', '{"type": "message", "body": ']),
)
texts = (
    st.text(max_size=200)
    | json_values.map(json.dumps)
    | frame_like.map(lambda frame: json.dumps(frame, ensure_ascii=False))
    | deep
)
# Bodies the parser keeps as they are: it drops control and other unprintable characters
# (letters, digits, punctuation and symbols are printable) and surrounding white space.
bodies = (
    st.text(st.characters(categories=["L", "N", "P", "S"]) | st.sampled_from(" \n\t"), max_size=80)
    .map(str.strip)
    .filter(bool)
)
messages = st.fixed_dictionaries(
    {"type": st.just("message"), "body": bodies, "client_id": client_ids}
)
valid_frames = st.one_of(
    messages,
    st.fixed_dictionaries({"type": st.just("sync"), "after": st.integers(0, 2**40)}),
    st.fixed_dictionaries({"type": st.just("typing"), "active": st.booleans()}),
    st.fixed_dictionaries({"type": st.just("ping")}),
    st.fixed_dictionaries(
        {
            "type": st.just("action"),
            "seq": st.integers(-(2**40), 2**40),
            # A choice is a button's id: printable; a contact or comment keeps its printable
            # characters (the parser drops the rest, which no database could store).
            "choice": st.text(
                st.characters(categories=["L", "N", "P", "S"]) | st.just(" "),
                min_size=1,
                max_size=100,
            ),
            "client_id": client_ids,
        },
        optional={"contact": bodies},
    ),
)


# -- the parser ------------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None, database=None)
@given(text=texts, max_bytes=st.sampled_from([0, 16, 200, MAX_BYTES]))
def test_any_text_is_a_frame_or_a_frame_error(text: str, max_bytes: int) -> None:
    result = outcome(text, max_bytes)  # anything else raised fails the test
    if isinstance(result, FrameError):
        assert result.code in ERROR_CODES
        assert json.loads(json.dumps(result.as_frame()))["type"] == "error"
        assert (result.code == "too_large") == (len(text.encode()) > max_bytes)
        return
    assert len(text.encode()) <= max_bytes
    assert isinstance(result, Frame)
    allowed = {**FRAME_FIELDS[result.type], **FRAME_OPTIONAL.get(result.type, {})}
    assert set(FRAME_FIELDS[result.type]) <= set(result.fields) <= set(allowed)
    for name, value in result.fields.items():
        assert isinstance(value, allowed[name])


def outcome(text: str, max_bytes: int) -> Frame | FrameError:
    try:
        return parse_frame(text, max_bytes=max_bytes)
    except FrameError as error:
        return error


@settings(max_examples=300, deadline=None, database=None)
@given(data=valid_frames, ascii_only=st.booleans())
def test_valid_frames_round_trip(data: dict[str, Any], ascii_only: bool) -> None:
    frame = parse_frame(json.dumps(data, ensure_ascii=ascii_only), max_bytes=10**6)
    fields = {key: value for key, value in data.items() if key != "type"}
    assert frame == Frame(data["type"], fields)


def test_deep_nesting_is_malformed_not_a_crash() -> None:
    for text in ["[" * 5000, '{"a":' * 1500, "[" * 1000 + "]" * 1000, '{"type": ' * 900]:
        with pytest.raises(FrameError) as refused:
            parse_frame(text, max_bytes=MAX_BYTES)
        assert refused.value.code == "malformed"
    with pytest.raises(FrameError) as too_large:  # looking for its client id must not crash
        parse_frame("[" * 20000, max_bytes=MAX_BYTES)
    assert (too_large.value.code, too_large.value.client_id) == ("too_large", None)


def test_a_type_that_is_not_a_string_is_an_unknown_type() -> None:
    for kind in ["[]", "{}", "[1]", "1", "null", "true"]:
        with pytest.raises(FrameError) as refused:
            parse_frame(f'{{"type": {kind}}}', max_bytes=MAX_BYTES)
        assert refused.value.code == "unknown_type"


# -- the consumers ----------------------------------------------------------------------------------

Sent = tuple[str, Any]  # ("text", str) or ("bytes", bytes): the ASGI message's key and value
any_frame = (
    texts.map(lambda text: ("text", text))
    | valid_frames.map(lambda frame: ("text", json.dumps(frame)))
    | st.binary(max_size=40).map(lambda data: ("bytes", data))
    | st.just(("text", ""))
)
# Junk and valid frames interleaved, with a message or two in most examples.
socket_frames = (
    st.tuples(
        st.lists(any_frame, max_size=3),
        st.lists(messages.map(lambda frame: ("text", json.dumps(frame))), max_size=2),
    )
    .map(lambda parts: parts[0] + parts[1])
    .filter(bool)
    .flatmap(st.permutations)
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def conversation(transactional_db: None) -> Conversation:
    return conversation_open(customer=Customer.objects.create(name="Fuzzy Customer"))


def stored_ids(conversation: Conversation) -> set[str | None]:
    rows = conversation.messages.filter(author_kind="customer")
    return set(rows.values_list("client_msg_id", flat=True))


def message_id(sent: Sent) -> str | None:
    """The client id this frame stores a message under, if it is a valid message frame."""
    if parsed_type(sent) != "message":
        return None
    client_id: str = parse_frame(sent[1], max_bytes=MAX_BYTES).fields["client_id"]
    return client_id


def parsed_type(sent: Sent) -> str | None:
    kind, data = sent
    try:
        return parse_frame(data, max_bytes=MAX_BYTES).type if kind == "text" else None
    except FrameError:
        return None


def inbox_ping(sent: Sent) -> bool:
    """What the inbox socket answers with a pong: any JSON object of type ping."""
    kind, data = sent
    try:
        content = json.loads(data) if kind == "text" else None
    except (ValueError, RecursionError):
        return False
    return isinstance(content, dict) and content.get("type") == "ping"


async def exchange(socket: WebsocketCommunicator, frames: list[Sent], pings: int) -> None:
    """Send the frames (`pings` of which are pings), then one more ping: every ping must be
    answered, in order, so the last pong means every frame was handled; nothing may close."""
    for kind, data in frames:  # send_input: the communicator's send_to refuses empty frames
        await socket.send_input({"type": "websocket.receive", kind: data})
    await socket.send_to(text_data='{"type": "ping"}')
    pongs = 0
    while pongs <= pings:
        output = await socket.receive_output(timeout=10)
        assert output["type"] == "websocket.send", output  # a close would fail here
        pongs += json.loads(output["text"])["type"] == "pong"


@FUZZ
@given(frames=socket_frames)
def test_the_customer_socket_survives_any_frames_and_stores_only_messages(
    conversation: Conversation, frames: list[Sent]
) -> None:
    before = stored_ids(conversation)

    async def run() -> None:
        socket = customer_socket(conversation)
        connected, _ = await socket.connect()
        assert connected
        assert (await socket.receive_json_from(timeout=5))["type"] == "welcome"
        await exchange(socket, frames, sum(parsed_type(sent) == "ping" for sent in frames))
        await socket.disconnect()

    async_to_sync(run)()
    expected = {client_id for sent in frames if (client_id := message_id(sent))}
    assert stored_ids(conversation) - before == expected - before
    event(f"new messages stored: {len(expected - before)}")


@FUZZ
@given(frames=socket_frames)
def test_the_agent_sockets_survive_any_frames(
    conversation: Conversation, dana: Agent, frames: list[Sent]
) -> None:
    """Dana has not joined: whatever she sends, nothing is stored; both her sockets stay open."""
    cookie = session_cookie(dana.user)
    before = conversation.messages.count()

    async def run() -> None:
        for path in [f"/ws/agent/conversations/{conversation.public_id}/", "/ws/agent/inbox/"]:
            socket = WebsocketCommunicator(application, path, headers=[ORIGIN, (b"cookie", cookie)])
            connected, _ = await socket.connect()
            assert connected
            if "conversations" in path:
                assert (await socket.receive_json_from(timeout=5))["type"] == "welcome"
                pings = sum(parsed_type(sent) == "ping" for sent in frames)
            else:
                pings = sum(inbox_ping(sent) for sent in frames)
            await exchange(socket, frames, pings)
            await socket.disconnect()

    async_to_sync(run)()
    assert conversation.messages.count() == before


@pytest.mark.django_db(transaction=True)
async def test_a_deeply_nested_frame_is_answered_on_every_socket() -> None:
    conversation, cookie = await database_sync_to_async(_customer_and_agent)()
    sockets = [
        WebsocketCommunicator(
            application,
            f"/ws/chat/{conversation.public_id}/",
            headers=[ORIGIN, (b"cookie", chat_cookie(conversation))],
        ),
        WebsocketCommunicator(
            application,
            f"/ws/agent/conversations/{conversation.public_id}/",
            headers=[ORIGIN, (b"cookie", cookie)],
        ),
        WebsocketCommunicator(
            application, "/ws/agent/inbox/", headers=[ORIGIN, (b"cookie", cookie)]
        ),
    ]
    for socket in sockets:
        connected, _ = await socket.connect()
        assert connected
        await exchange(socket, [("text", "[" * 5000)], 0)
        await socket.disconnect()


def _customer_and_agent() -> tuple[Conversation, bytes]:
    conversation = conversation_open(customer=Customer.objects.create(name="Deep"))
    user = User.objects.create_user("deep-agent", password="pw")
    Agent.objects.create(user=user, display_name="Deep Agent")
    return conversation, session_cookie(user)
