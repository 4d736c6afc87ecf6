import pytest

from assistant.person import find_explicit_request, find_person_request

REQUESTS = [
    "I want to speak to a human",
    "Can I talk to an agent instead?",
    "connect me to a live person",
    "human please",
    "AGENT",
    "operator!!",
    "get me a manager now",
    "is there a real person I can talk to?",
    "transfer me to customer service",
    "i dont want a bot, give me a person",
    "Could someone from customer support contact me?",
    "can someone call me back about my order",
    "let me talk with a support representative",
    "Necesito hablar con un humano",
    "¿Puedo hablar con un agente, por favor?",
    "Quiero hablar con una persona real",
    "Je veux parler à un agent",
    "Je voudrais parler à un conseiller s'il vous plaît",
    "Ich will mit einem Menschen sprechen",
    "Kann ich bitte mit einem Mitarbeiter sprechen?",
    # misspelt, glued, or with the verb as a gerund
    "how to speak tosomebody",
    "I have got to speak with a eprson",
    "help me contacting an operator",
    "i need to chat with an assistant",
    "can i talk to a reprsentative",
]

NOT_REQUESTS = [
    "Is a human-readable receipt included with the parcel?",
    "My insurance agent needs the invoice, where do I find it?",
    "my travel agent booked the hotel, can you ship there?",
    "Is the representative photo on the product page accurate?",
    "Where is my order?",
    "Can someone explain the return policy?",
    "Is anyone able to tell me when my order arrives?",
    "the people at the post office lost it",
    "Does it come with a representative sample of the colours?",
    "I was billed twice this month",
    "I need assistance to cancel my order",
    "can you give me some assistance with my refund",
    "my personal details are wrong on the invoice",
]


@pytest.mark.parametrize("text", REQUESTS)
def test_requests_for_a_person_are_recognised_in_four_languages(text: str) -> None:
    assert find_explicit_request(text) is not None


@pytest.mark.parametrize("text", NOT_REQUESTS)
def test_words_that_only_look_like_requests_are_not(text: str) -> None:
    assert find_explicit_request(text) is None


def test_the_match_names_the_rule_and_the_words() -> None:
    match = find_explicit_request("I need a real human being to look at this")
    assert match is not None
    assert (match.rule, match.matched) == ("real_person", "real human")


LOOK_ALIKES = [
    "Can I ship my order to someone else's address?",
    "My parcel was delivered to someone else",
    "I don't need an agent, just tell me the delivery time",
    "No need for a human, thanks",
    "The 'I'm not a robot' checkbox won't load at checkout",
    "Are the reviews written by real people?",
    "Send the invoice to my manager",
    "Do you sell action figures with human faces?",
    "Je veux récupérer mon argent",
    "Mi pedido fue entregado a otra persona",
    "Mon colis a été livré à quelqu'un d'autre",
    "Ich möchte einen echten Ledergürtel kaufen",
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_people_mentioned_but_not_asked_for(text: str) -> None:
    assert find_explicit_request(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "Can I get a callback from your team?",
        "Please transfer me",
        "Escalate this please",
        "Est-ce que je peux avoir quelqu'un au téléphone ?",
    ],
)
def test_requests_without_a_person_noun(text: str) -> None:
    assert find_explicit_request(text) is not None


def test_a_long_message_full_of_mentions_is_still_read() -> None:
    assert find_explicit_request("person x " * 900) is None
    assert find_explicit_request("person x " * 900 + " I want to speak to a human") is not None


def test_a_request_for_a_person_keeps_the_problem_it_names() -> None:
    found = find_person_request("My parcel never came, it's been weeks. Let me talk to a human")
    assert found.asked
    assert found.problem == "My parcel never came it's been weeks."
    assert find_person_request("I want to talk to a human").problem == ""
