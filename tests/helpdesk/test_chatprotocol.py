import json

import pytest

from helpdesk.chatprotocol import FrameError, RateLimiter, parse_frame

LIMIT = 8192


def frame(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def error_code(text: str) -> str:
    with pytest.raises(FrameError) as caught:
        parse_frame(text, max_bytes=LIMIT)
    return caught.value.code


def test_message_frame_is_parsed_and_trimmed() -> None:
    parsed = parse_frame(
        frame(type="message", body="  hello\n there ", client_id="c-1"), max_bytes=LIMIT
    )
    assert parsed.type == "message"
    assert parsed.fields == {"body": "hello\n there", "client_id": "c-1"}


def test_control_characters_are_dropped_but_newlines_kept() -> None:
    parsed = parse_frame(
        frame(type="message", body="a\x00b\x1bc\nd", client_id="x"), max_bytes=LIMIT
    )
    assert parsed.fields["body"] == "abc\nd"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("{not json", "malformed"),
        ("[1, 2]", "malformed"),
        (frame(type="shout", body="x"), "unknown_type"),
        (frame(body="no type"), "unknown_type"),
        (frame(type="message", body="hi", client_id="c", extra=1), "unknown_field"),
        (frame(type="message", body="   ", client_id="c"), "empty"),
        (frame(type="message", body="hi"), "invalid_field"),
        (frame(type="message", body=5, client_id="c"), "invalid_field"),
        (frame(type="message", body="hi", client_id="has space"), "invalid_field"),
        (frame(type="message", body="hi", client_id="x" * 65), "invalid_field"),
        (frame(type="sync", after=-1), "invalid_field"),
        (frame(type="sync", after=True), "invalid_field"),
        (frame(type="typing", active="yes"), "invalid_field"),
        (frame(type="action", seq=3, client_id="c"), "invalid_field"),
        (frame(type="action", seq="3", choice="wait", client_id="c"), "invalid_field"),
        (frame(type="action", seq=3, choice="", client_id="c"), "invalid_field"),
        (frame(type="action", seq=3, choice="x" * 101, client_id="c"), "invalid_field"),
        (frame(type="action", seq=3, choice="wait", client_id="c", contact=5), "invalid_field"),
        (
            frame(type="action", seq=3, choice="wait", client_id="c", contact="x" * 255),
            "invalid_field",
        ),
        (frame(type="action", seq=3, choice="wait", client_id="c", phone="1"), "unknown_field"),
    ],
)
def test_bad_frames_get_a_specific_error(text: str, code: str) -> None:
    assert error_code(text) == code


def test_size_limit_counts_utf8_bytes_not_characters() -> None:
    # 3000 euro signs are 3000 characters but 9000 bytes.
    text = frame(type="message", body="€" * 3000, client_id="c")
    assert len(text) < LIMIT
    assert error_code(text) == "too_large"


def test_error_frame_carries_the_client_id_so_the_page_can_mark_that_message() -> None:
    with pytest.raises(FrameError) as caught:
        parse_frame(frame(type="message", body=" ", client_id="abc"), max_bytes=LIMIT)
    assert caught.value.as_frame() == {
        "type": "error",
        "code": "empty",
        "message": "Message is empty.",
        "client_id": "abc",
    }


def test_rate_limiter_allows_a_burst_then_refuses_until_the_window_slides() -> None:
    now = [100.0]
    limiter = RateLimiter(limit=3, window=10.0, clock=lambda: now[0])
    assert [limiter.allow() for _ in range(4)] == [True, True, True, False]
    now[0] += 9.9
    assert limiter.allow() is False
    now[0] += 0.2
    assert limiter.allow() is True


def test_an_action_frame_may_carry_a_contact_or_leave_it_out() -> None:
    bare = parse_frame(frame(type="action", seq=3, choice="wait", client_id="c"), max_bytes=LIMIT)
    assert bare.fields == {"seq": 3, "choice": "wait", "client_id": "c"}
    with_phone = parse_frame(
        frame(type="action", seq=3, choice="slot:x", client_id="c", contact="+44 1"),
        max_bytes=LIMIT,
    )
    assert with_phone.fields["contact"] == "+44 1"


def test_a_contact_or_comment_keeps_its_words_without_what_cannot_be_stored() -> None:
    """A survey comment with a NUL or half a surrogate pair: the words are kept, the characters
    no database or socket can carry are not (they used to close the socket and lose it)."""
    raw = '{"type": "action", "seq": 3, "choice": "comment", "client_id": "c", ' + (
        '"contact": "great\\u0000 help \\ud800thanks\\n"}'
    )
    parsed = parse_frame(raw, max_bytes=LIMIT)
    assert parsed.fields["contact"] == "great help thanks"
    assert parsed.fields["contact"].encode("utf-8")  # storable now


@pytest.mark.parametrize("choice", ["call\u0000back", "\ud800", "a\nb"])
def test_a_choice_that_is_not_printable_is_refused(choice: str) -> None:
    raw = json.dumps({"type": "action", "seq": 3, "choice": choice, "client_id": "c"})
    with pytest.raises(FrameError, match="not printable") as refused:
        parse_frame(raw, max_bytes=LIMIT)
    assert refused.value.client_id == "c"
