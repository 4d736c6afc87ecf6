"""The demo store: its knowledge base, skills, team and a few customers.

Written by the project for the demo; `manage.py seed_demo` loads it idempotently.
"""

DEMO_PASSWORD = "helpdesk-demo"  # noqa: S105  (documented demo logins, local only)

SKILLS = [
    (
        "orders",
        "Orders and delivery",
        "Tracking, delivery options, address changes, cancellations.",
    ),
    ("returns", "Returns and refunds", "Return policy, refund status and timing."),
    ("billing", "Billing and payments", "Charges, payment methods, invoices, duplicate charges."),
    (
        "accounts",
        "Accounts and security",
        "Sign-up, passwords, account changes that need authorisation.",
    ),
    (
        "legal",
        "Legal and compliance",
        "Lawyers, legal action, regulators, data-protection requests.",
    ),
    ("technical", "Website and checkout", "Errors at checkout, website problems."),
    ("general", "General enquiries", "Everything else."),
]

# username, display name, languages, seniority (1-4), max concurrent, {skill: level}
AGENTS = [
    ("dana", "Dana Whitfield", "en", 3, 4, {"billing": 5, "accounts": 4, "general": 3}),
    ("sam", "Sam Okafor", "en,fr", 3, 3, {"orders": 5, "returns": 4, "general": 4}),
    (
        "lucia",
        "Lucía Romero",
        "es,en",
        2,
        3,
        {"orders": 4, "returns": 4, "billing": 3, "general": 3},
    ),
    ("jonas", "Jonas Becker", "de,en", 3, 3, {"technical": 5, "accounts": 3, "general": 3}),
    ("priya", "Priya Natarajan", "en", 4, 2, {"legal": 5, "accounts": 5, "billing": 4}),
]

SUPERVISORS = [("supervisor", "Morgan Lee")]

# name, email, tier, language, years as a customer, external reference
CUSTOMERS = [
    ("Alice Martin", "alice@example.com", "standard", "en", 1, "SHOP-1001"),
    ("Bruno Silva", "bruno@example.com", "premium", "es", 3, "SHOP-1002"),
    ("Claire Dubois", "claire@example.com", "vip", "fr", 6, "SHOP-1003"),
    ("Dieter Krause", "dieter@example.com", "standard", "de", 0, "SHOP-1004"),
]

# Routing rules: which skill each store topic needs (name, intent, skill code, lowest level), and
# VIP customers to senior agents (seniority 3 and up).
TOPIC_SKILLS = {
    "orders": [
        "order_status", "delivery_options", "shipping_countries", "change_address",
        "cancel_order", "order_change", "product_availability",
    ],
    "returns": ["return_item", "refund", "warranty"],
    "billing": ["payment_methods", "change_payment", "invoice", "discount_code", "gift_card"],
    "accounts": ["create_account", "password_reset", "delete_account", "two_factor"],
    "technical": ["app_problem"],
}  # fmt: skip
VIP_MIN_SENIORITY = 3
FALLBACK_SKILL = "general"

# Conversations the demo customers had with the assistant, each ending in a handoff, so the
# agents' inbox has something to show on a fresh `make run`: (customer email, messages).
CONVERSATIONS = [
    (
        "claire@example.com",
        ["Bonjour, où en est ma commande ?", "Je voudrais parler à un conseiller, s'il vous plaît"],
    ),
    ("dieter@example.com", ["Mein Konto wurde gehackt, jemand hat meine E-Mail-Adresse geändert"]),
    (
        "alice@example.com",
        [
            "Where is my order 4411?",
            "It still hasn't arrived after two weeks, this is ridiculous",
            "Still nothing!! I want my money back. Call me tomorrow at 10am",
        ],
    ),
    (
        "bruno@example.com",
        ["Me habéis cobrado dos veces el mismo pedido, quiero que me lo devolváis"],
    ),
]

# Which intents each article answers (the classifier's codes, see assistant/training_data.py).
ARTICLE_INTENTS = {
    "Tracking your order": "order_status",
    "Delivery options and times": "delivery_options",
    "Shipping to other countries": "shipping_countries",
    "Changing the shipping address": "change_address",
    "Cancelling an order": "cancel_order",
    "Return policy": "return_item",
    "Refund status and timing": "refund",
    "Payment methods": "payment_methods",
    "Changing your payment card": "change_payment",
    "Invoices": "invoice",
    "Creating an account": "create_account",
    "Resetting your password": "password_reset",
    "Newsletter subscription": "newsletter",
    "Product reviews": "product_review",
    "When the app crashes or will not open": "app_problem",
    "Discount and promo codes": "discount_code",
    "Gift cards": "gift_card",
    "Stock and restocks": "product_availability",
    "Warranty and faulty products": "warranty",
    "Changing the items in an order": "order_change",
    "Contacting us": "contact_info",
}

# title, tags, body: the store's policies, in the assistant's words.
ARTICLES = [
    (
        "Tracking your order",
        "order, tracking, status, where is my order, parcel",
        "Once your order ships we email you a tracking link. You can also open My account > Orders "
        "and choose the order to see its status and the carrier's tracking number. Tracking can take "
        "up to 24 hours to show the first scan after the label is created.",
    ),
    (
        "Delivery options and times",
        "delivery, shipping, express, standard, how long",
        "Standard delivery takes 3-5 business days and is free on orders over 50 EUR. Express delivery "
        "takes 1-2 business days and costs 9.90 EUR. Orders placed before 2 pm on a business day leave "
        "our warehouse the same day.",
    ),
    (
        "Shipping to other countries",
        "international, country, abroad, ship to, customs",
        "We ship to every country in the European Union, the United Kingdom, Switzerland, Norway, the "
        "United States and Canada. International delivery takes 5-10 business days. Orders outside the "
        "EU may be charged import duties by the destination country's customs.",
    ),
    (
        "Changing the shipping address",
        "address, change address, wrong address, delivery address",
        "You can change the delivery address while the order status is 'Processing': open My account > "
        "Orders, choose the order and select 'Edit address'. Once the order has shipped, the address can "
        "only be changed with the carrier, using the link in your tracking email.",
    ),
    (
        "Cancelling an order",
        "cancel, cancellation, cancel order, fee",
        "Orders can be cancelled free of charge until they ship: open My account > Orders and select "
        "'Cancel order'. After shipping, refuse the delivery or return the parcel; a 4.95 EUR return "
        "shipping fee is deducted from the refund in that case.",
    ),
    (
        "Return policy",
        "return, returns, send back, return policy, exchange",
        "You can return any unused item within 30 days of delivery. Start a return in My account > "
        "Orders > 'Return items', print the prepaid label and drop the parcel at any carrier point. "
        "Sale items can be returned for store credit only.",
    ),
    (
        "Refund status and timing",
        "refund, money back, refund status, when will I get my refund",
        "We refund within 5 business days of receiving your return, to the original payment method. "
        "Your bank may take another 3-5 business days to show it. You can follow the refund in My "
        "account > Returns.",
    ),
    (
        "Payment methods",
        "payment, pay, credit card, paypal, methods",
        "We accept Visa, Mastercard, American Express, PayPal, Apple Pay, Google Pay and bank transfer. "
        "Payment is taken when your order ships, not when you place it.",
    ),
    (
        "Changing your payment card",
        "card, change card, update card, payment details",
        "To change the card for an order that has not shipped, open My account > Orders, choose the "
        "order and select 'Change payment method'. Saved cards are managed in My account > Payment "
        "methods.",
    ),
    (
        "Invoices",
        "invoice, receipt, vat, bill",
        "An invoice is emailed when your order ships. You can download every invoice as a PDF from My "
        "account > Orders. For a company invoice with your VAT number, add the number in My account > "
        "Billing details before ordering.",
    ),
    (
        "Creating an account",
        "sign up, register, create account, new account",
        "Select 'Sign up' at the top of any page and enter your email address and a password. We send a "
        "confirmation link that is valid for 24 hours. You can also check out as a guest.",
    ),
    (
        "Resetting your password",
        "password, forgot password, reset, login, can't log in",
        "Select 'Sign in' and then 'Forgot password'. Enter your email address and we send a reset link "
        "that is valid for one hour. Check your spam folder if it does not arrive within a few minutes.",
    ),
    (
        "Newsletter subscription",
        "newsletter, unsubscribe, subscribe, emails, marketing",
        "Subscribe at the bottom of any page. To stop the newsletter, use the 'Unsubscribe' link in any "
        "newsletter or untick 'Newsletter' in My account > Communication preferences.",
    ),
    (
        "Product reviews",
        "review, rating, write a review, feedback",
        "You can review any product you bought: open the product page and select 'Write a review', or "
        "use the link in the email we send a week after delivery. Reviews appear after a short check, "
        "usually within 48 hours.",
    ),
    (
        "When the app crashes or will not open",
        "app, crash, crashing, reinstall, update, not loading, website",
        "Most app problems are fixed by updating to the latest version from the App Store or Google "
        "Play. If the app still crashes, uninstall it, restart your phone and install it again: "
        "your account, orders and wish list are kept. On the website, clearing the browser cache "
        "or trying another browser usually helps.",
    ),
    (
        "Discount and promo codes",
        "discount, promo code, voucher, coupon, sale, student discount",
        "Enter a promo code in the basket, in the 'Discount code' field, before you pay. Only one "
        "code can be used per order and codes do not apply to gift cards. If a code is refused, "
        "check its expiry date and minimum order value in the email that sent it.",
    ),
    (
        "Gift cards",
        "gift card, voucher, balance, redeem",
        "Gift cards are sold from 10 to 500 EUR and are valid for two years. Redeem one at checkout "
        "under 'Gift card', and check the balance in My account > Gift cards. A gift card can be "
        "combined with any payment method for the rest of the order.",
    ),
    (
        "Stock and restocks",
        "stock, in stock, out of stock, restock, size, available, pre-order",
        "The product page shows the stock for each size and colour. When something is sold out, "
        "select 'Notify me' to get an email as soon as it is back; most items are restocked within "
        "two to four weeks. Pre-orders are charged when they ship.",
    ),
    (
        "Warranty and faulty products",
        "warranty, guarantee, faulty, defective, broken, repair",
        "Every product has a two-year warranty against manufacturing faults. If an item stops "
        "working, start a warranty claim in My account > Orders > 'Report a problem' with a photo or "
        "short description; we repair, replace or refund it, and the return shipping is free.",
    ),
    (
        "Changing the items in an order",
        "change order, add item, remove item, size, colour, quantity",
        "While an order is 'Processing' you can change sizes, colours and quantities, or remove "
        "items, in My account > Orders > 'Edit order'. To add an item, place a second order: orders "
        "placed the same day to the same address are shipped together.",
    ),
    (
        "Contacting us",
        "contact, phone, email, opening hours, address",
        "You can chat with us here at any time. Our team is available Monday to Friday 8:00-20:00 "
        "and Saturday 9:00-17:00 (CET), by phone on +49 30 1234 5678 or by email at "
        "help@shop.example. Our address is Shop GmbH, Musterstrasse 1, 10115 Berlin, Germany.",
    ),
]


def article_rows() -> list[dict[str, str]]:
    """Every demo article in every language it is written in, ready for KnowledgeArticle."""
    from helpdesk.demo_translations import TRANSLATIONS

    rows = []
    for title, tags, body in ARTICLES:
        intents = ARTICLE_INTENTS[title]
        rows.append(
            {"title": title, "tags": tags, "body": body, "language": "en", "intents": intents}
        )
        for language, (local_title, local_tags, local_body) in TRANSLATIONS[title].items():
            rows.append(
                {
                    "title": local_title,
                    "tags": local_tags,
                    "body": local_body,
                    "language": language,
                    "intents": intents,
                }
            )
    return rows


# The one demo team: business hours in London, English public holidays, a weekly on-call
# rotation (agent usernames, in turn) for urgent issues outside those hours.
TEAM = {
    "name": "Support desk",
    "time_zone": "Europe/London",
    "holiday_country": "GB",
    "holiday_subdivision": "ENG",
    "emergency_email": "oncall@demo.helpdesk",
}
# weekday (0 Monday), opens, closes
TEAM_HOURS = [(day, "08:00", "20:00") for day in range(5)] + [(5, "09:00", "17:00")]
ON_CALL_ROTATION = ["dana", "jonas", "priya"]
ON_CALL_WEEKS = 8
# What sends an off-hours issue to the on-call agent: name, customer text, boundary, urgency.
URGENCY_CRITERIA = [
    ("Hacked account", "a hacked or taken-over account", "account-compromised", ""),
    ("Critical urgency", "fraud or money leaving your account", "", "critical"),
]
