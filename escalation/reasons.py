"""What agents read instead of codes: why a conversation came to a person, and what it is
about, in plain phrases. The codes stay in the package (`trigger.rule`, the intent) for admin
and the API; the pages show them only on hover."""

from __future__ import annotations

import re

from assistant.labels import HUMAN_REQUEST, OUT_OF_SCOPE

TOPICS = {
    "order_status": "Order status",
    "delivery_options": "Delivery options",
    "shipping_countries": "International shipping",
    "change_address": "Delivery address change",
    "cancel_order": "Order cancellation",
    "order_change": "Change to an order",
    "return_item": "Return",
    "refund": "Refund",
    "payment_methods": "Payment methods",
    "change_payment": "Payment card change",
    "invoice": "Invoice",
    "create_account": "Account sign-up",
    "password_reset": "Password reset",
    "newsletter": "Newsletter",
    "product_review": "Product review",
    "app_problem": "Problem with the app",
    "discount_code": "Discount code",
    "gift_card": "Gift card",
    "product_availability": "Product availability",
    "warranty": "Warranty",
    "contact_info": "How to reach us",
    "delete_account": "Closing the account",
    "change_account_holder": "Change of account holder",
    "change_login_details": "Change of login details",
    "two_factor": "Two-step sign-in",
    "account_compromised": "Account may be hacked",
    "legal": "Legal matter",
    "regulatory": "Regulator or complaint body",
    "duplicate_charge": "Charged twice",
    "charged_no_order": "Charged without an order",
    "checkout_error": "Checkout error",
    HUMAN_REQUEST: "Asked for a person",
    "complaint": "Complaint",
    OUT_OF_SCOPE: "Outside the store's topics",
}

ASKED = {
    "call_me": "Asked to be called back",
    "contact_me": "Asked to be contacted by someone",
    "not_a_bot": "Does not want to talk to a bot",
    "are_you_a_bot": "Asked whether a person is there",
}
UNSURE = {
    "unintelligible": "The assistant could not read the message",
    "out_of_scope": "Asked about something outside the store's topics",
    "classification": "The assistant was not sure what they meant",
    "response": "The assistant had no good answer",
}
NUMBERS = {2: "two", 3: "three", 4: "four", 5: "five"}


def topic(intent: str) -> str:
    """An intent's plain name ("Account may be hacked" for account_compromised)."""
    return TOPICS.get(intent, intent.replace("_", " ").capitalize())


def mid_sentence(phrase: str) -> str:
    """A phrase continuing a sentence: "Asked for a person" -> "asked for a person"."""
    return phrase[:1].lower() + phrase[1:]


def why_a_person(category: str, rule: str, boundary: str | None = None) -> str:
    """Why the conversation came to a person, from the trigger's category and rule."""
    if category == "explicit_request":
        return ASKED.get(rule, "Asked for a person")
    if category == "sentiment":
        found = re.match(r"(\d+)_consecutive_negative", rule)
        count = int(found.group(1)) if found else 0
        return f"Upset in {NUMBERS.get(count, count)} messages in a row" if count > 1 else "Upset"
    if category == "loop":
        return "Asked the same thing again after the assistant's answers"
    if category == "confidence":
        return UNSURE.get(rule, "The assistant was not sure it could help")
    if category == "capability":
        if boundary:
            return f"Needs a person: {boundary}"
        intent = rule.removeprefix("intent:")
        return f"Always handled by a person: {topic(intent)}"
    return category.replace("_", " ").capitalize()
