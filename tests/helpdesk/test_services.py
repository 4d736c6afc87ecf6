import threading

import pytest
from django.db import connections, transaction

from helpdesk.flows import conversation_open
from helpdesk.models import Conversation, ConversationEvent, Customer, Message
from helpdesk.services import (
    ChatError,
    conversation_language_set,
    customer_identify,
    customer_post_message,
    message_post,
)


def post(conversation: Conversation, body: str, client_id: str | None = None) -> Message:
    return message_post(
        conversation_id=conversation.pk, author_kind="customer", body=body, client_msg_id=client_id
    ).message


def test_sequence_numbers_count_up_per_conversation(
    alice_conversation: Conversation, bob_conversation: Conversation
) -> None:
    assert [post(alice_conversation, f"a{i}").seq for i in range(3)] == [1, 2, 3]
    assert post(bob_conversation, "b").seq == 1
    alice_conversation.refresh_from_db()
    assert alice_conversation.last_seq == 3
    assert alice_conversation.last_message_at is not None


def test_a_resend_with_the_same_client_id_stores_nothing_twice(
    alice_conversation: Conversation,
) -> None:
    first = message_post(
        conversation_id=alice_conversation.pk, author_kind="customer", body="hi", client_msg_id="c1"
    )
    again = message_post(
        conversation_id=alice_conversation.pk, author_kind="customer", body="hi", client_msg_id="c1"
    )
    assert first.created
    assert not again.created
    assert again.message.pk == first.message.pk
    assert alice_conversation.messages.count() == 1
    alice_conversation.refresh_from_db()
    assert alice_conversation.last_seq == 1  # no sequence number burnt on the duplicate


def test_customer_message_updates_last_activity(alice_conversation: Conversation) -> None:
    post(alice_conversation, "hello")
    alice_conversation.customer.refresh_from_db()
    assert alice_conversation.customer.last_activity_at is not None


def test_a_customer_cannot_post_into_another_customers_conversation(
    alice_conversation: Conversation, bob: Customer
) -> None:
    with pytest.raises(ChatError) as caught:
        customer_post_message(
            public_id=alice_conversation.public_id, customer_id=bob.pk, body="hi", client_msg_id="x"
        )
    assert caught.value.code == "forbidden"
    assert not Message.objects.exists()


def test_a_closed_conversation_takes_no_more_messages(alice_conversation: Conversation) -> None:
    Conversation.objects.filter(pk=alice_conversation.pk).update(status="resolved")
    with pytest.raises(ChatError) as caught:
        customer_post_message(
            public_id=alice_conversation.public_id,
            customer_id=alice_conversation.customer_id,
            body="hi",
            client_msg_id="x",
        )
    assert caught.value.code == "closed"


def test_identify_by_email_reuses_the_profile_but_anonymous_visitors_are_new(db: None) -> None:
    first = customer_identify(name="Alice", email="Alice@Example.com")
    second = customer_identify(name="", email="alice@example.com ")
    assert first.pk == second.pk
    assert first.email == "alice@example.com"
    assert customer_identify().pk != customer_identify().pk


def test_starting_a_conversation_records_it_on_the_timeline(alice: Customer) -> None:
    conversation = conversation_open(customer=alice, channel="widget", language="fr")
    assert conversation.language == "fr"
    event = ConversationEvent.objects.get(conversation=conversation)
    assert (event.kind, event.actor_kind, event.data) == (
        "conversation.opened",
        "customer",
        {"channel": "widget"},
    )


@pytest.mark.django_db(transaction=True)
def test_the_same_client_id_sent_concurrently_is_stored_once() -> None:
    customer = Customer.objects.create(name="Racer")
    conversation = conversation_open(customer=customer)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            barrier.wait()
            message_post(
                conversation_id=conversation.pk,
                author_kind="customer",
                body="same",
                client_msg_id="dup" if index % 2 else f"uniq-{index}",
            )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = sorted(conversation.messages.values_list("seq", flat=True))
    assert seqs == [1, 2, 3, 4]  # three unique ids + one "dup", no gaps
    assert conversation.messages.filter(client_msg_id="dup").count() == 1


def test_nothing_is_published_for_a_message_whose_transaction_rolls_back(
    alice_conversation: Conversation, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                post(alice_conversation, "never committed")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not alice_conversation.messages.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        post(alice_conversation, "committed")
    assert len(callbacks) == 1


def test_a_language_change_is_stored_and_told_to_the_page_once_committed(
    alice_conversation: Conversation, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=alice_conversation.pk)
        assert conversation_language_set(locked=locked, language="de") is True
    assert len(callbacks) == 1  # the chat.language notice, sent after the commit
    alice_conversation.refresh_from_db()
    assert alice_conversation.language == "de"
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=alice_conversation.pk)
        assert conversation_language_set(locked=locked, language="de") is False
        assert conversation_language_set(locked=locked, language="xx") is False  # not spoken
    assert callbacks == []
    alice_conversation.refresh_from_db()
    assert alice_conversation.language == "de"
