"""Customer questions for the chat benchmarks: many distinct, plausible store questions the
assistant answers (order status, delivery, returns, payments, account), composed from small word
lists so no question is ever sent twice in a run.

Each conversation cycles through the topics in a shuffled order, so one topic comes back at most
once in `2 * len(TOPICS)` questions: the loop trigger (the same question answered twice already)
never fires, and a conversation is never handed to a person by the benchmark's own repetition.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

OPENERS = ["", "Hi, ", "Hello, ", "Hi there, ", "Good morning, ", "Quick question: ", "Hey, "]
ITEMS = [
    "the blue jacket", "my running shoes", "the coffee grinder", "the desk lamp",
    "the wool scarf", "the phone case", "my headphones", "the linen shirt", "the kettle",
    "the yoga mat", "the backpack", "the cushion covers", "the rain boots", "the teapot",
]  # fmt: skip
COUNTRIES = [
    "Canada", "Norway", "Japan", "Australia", "Ireland", "Mexico", "Switzerland", "Portugal",
    "Poland", "Iceland", "New Zealand", "Singapore", "Denmark", "Austria", "Chile",
]  # fmt: skip
DAYS = ["on Monday", "last Tuesday", "on the 3rd", "two days ago", "last week", "on Friday"]
DEVICES = ["on my phone", "on the website", "on my laptop", "in the app", "on my tablet"]
NAMES = [
    "Anna", "Ben", "Carla", "David", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kira",
    "Liam", "Maya", "Noah", "Olga", "Pablo", "Rosa", "Sami", "Tara", "Umar", "Vera", "Will",
]  # fmt: skip
METHODS = ["PayPal", "Apple Pay", "Klarna", "a debit card", "bank transfer", "Google Pay"]

# Topic -> templates. Slots: {item} {order} {country} {day} {method} {device}.
TOPICS: dict[str, list[str]] = {
    "order_status": [
        "where is my order {order}? I ordered {item} {day}",
        "can you tell me the status of order {order}",
        "how do I track {item} I bought {day}",
        "has order {order} been shipped yet",
    ],
    "delivery_options": [
        "how long does standard delivery take for {item}",
        "do you offer express delivery for {item}",
        "what delivery options do you have for order {order}",
        "how many days does shipping take if I order {item} today",
    ],
    "shipping_countries": [
        "do you ship to {country}",
        "can you send {item} to {country}",
        "do you deliver to {country}",
        "is shipping to {country} possible",
    ],
    "change_address": [
        "I need to change the delivery address on order {order}",
        "can I update the shipping address for {item}",
        "how do I correct the postcode on order {order}",
    ],
    "cancel_order": [
        "how do I cancel order {order}",
        "can I cancel the order for {item} I placed {day}",
        "please cancel my order {order}",
    ],
    "order_change": [
        "can I add another item to order {order}",
        "can I remove {item} from my order and keep the rest",
        "how do I edit order {order} I already placed",
    ],
    "return_item": [
        "how do I return {item}",
        "can I exchange {item} for a different size",
        "what is your return policy for {item}",
        "I would like to return {item} from order {order}",
    ],
    "refund": [
        "when will I get the refund for {item}",
        "how long does a refund take for order {order}",
        "will my refund for {item} go back to {method}",
    ],
    "payment_methods": [
        "can I pay with {method}",
        "which payment methods do you accept {device}",
        "do you accept {method} for {item}",
    ],
    "change_payment": [
        "how do I change the payment method on order {order}",
        "can I switch my payment for {item} to {method}",
        "how do I update my card details {device}",
    ],
    "invoice": [
        "can you send me the invoice for order {order}",
        "where can I download the invoice for {item}",
        "I need an invoice for the order I placed {day}",
    ],
    "create_account": [
        "how do I create an account {device}",
        "can I make an account after ordering {item} as a guest",
        "how do I sign up for an account {device}",
    ],
    "password_reset": [
        "how do I reset my password {device}",
        "I forgot my password, how can I reset it {device}",
        "the password reset link is not arriving, what should I do",
    ],
    "gift_card": [
        "how do I redeem a gift card code {device}",
        "can I check my gift card balance",
        "can I buy a gift card for a friend in {country}",
    ],
    "discount_code": [
        "where do I enter a discount code for {item}",
        "can I use a coupon on order {order}",
        "how do I apply a promo code at checkout {device}",
    ],
    "warranty": [
        "does {item} come with a warranty",
        "how long is the warranty on {item}",
        "how do I make a warranty claim for {item} bought {day}",
    ],
}
CLOSERS = ["?", "?", "? Thanks", "? Thank you", ", please?"]


class QuestionBank:
    """Hands out questions no one in this run was asked before."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.asked: set[str] = set()

    def compose(self, topic: str) -> str:
        for _ in range(1000):
            template = self.rng.choice(TOPICS[topic])
            text = template.format(
                item=self.rng.choice(ITEMS),
                order=self.rng.randint(10000, 99999),
                country=self.rng.choice(COUNTRIES),
                day=self.rng.choice(DAYS),
                method=self.rng.choice(METHODS),
                device=self.rng.choice(DEVICES),
            )
            opener = self.rng.choice(OPENERS)
            if self.rng.random() < 0.3:
                opener = f"Hi, this is {self.rng.choice(NAMES)}. "
            text = opener + (text[0].upper() + text[1:] if not opener else text)
            text += self.rng.choice(CLOSERS)
            if text not in self.asked:
                self.asked.add(text)
                return text
        raise RuntimeError(f"ran out of distinct questions on {topic}")

    def conversation(self, count: int) -> Iterator[str]:
        """`count` questions for one customer: each topic at most twice, never twice running."""
        topics = list(TOPICS)
        order: list[str] = []
        while len(order) < count:
            self.rng.shuffle(topics)
            if order and topics[0] == order[-1]:
                topics.append(topics.pop(0))
            order += topics
        for topic in order[:count]:
            yield self.compose(topic)


QUESTIONS_PER_CONVERSATION = 2 * len(TOPICS)
