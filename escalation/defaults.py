"""The capability boundaries supervisors start from (DESIGN.md, "Escalation triggers").

Phrases are regular expressions over accent-folded, lower-case text. They back up the intent
classifier: either one is enough to cross a boundary.
"""

from __future__ import annotations

from typing import NamedTuple


class BoundaryDefault(NamedTuple):
    code: str
    name: str
    intents: tuple[str, ...]
    phrases: tuple[str, ...]
    skill: str
    urgency: str


PROFESSION_NOT_THREAT = "".join(
    f"(?<!{before})" for before in (r"\bis a ", r"\bis an ", r"\bas a ", r"\bas an ", "'s a ",
                                    "'s an ", "'m a ", "'m an ", r"\bam a ", r"\bam an ", r"\bim a ")
)  # fmt: skip

BOUNDARIES: tuple[BoundaryDefault, ...] = (
    BoundaryDefault(
        "account-compromised",
        "Hacked or compromised account",
        ("account_compromised",),
        (
            r"\b(hacked|compromised|hijacked|breached)\b",
            r"\bsomeone (else )?(has )?(changed|logged|accessed|used|got into|broke into|is using)\b.{0,30}\b(my )?(account|password|email|card)",
            r"\bunauthori[sz]ed (access|login|log-?in|orders?|purchases?|charges?|transactions?)\b",
            r"\b(i )?(did not|didn'?t|never) (place|make|authori[sz]e) (this|these|that|those|an?) (order|purchase)s?\b",
            r"\b(hackeado|hackearon|pirate|piratee|gehackt|kompromittiert)\b",
        ),
        "accounts",
        "critical",
    ),
    BoundaryDefault(
        "account-authorisation",
        "Account changes that need authorisation",
        ("delete_account", "change_account_holder", "change_login_details", "two_factor"),
        (
            r"\b(delete|close|deactivate|remove|terminate|erase|cancel|shut down)\b.{0,20}\b(my |the |this )?(whole |entire )?(account|profile)\b",
            r"\b(transfer|change|switch|hand over|move)\b.{0,30}\b(account (holder|owner)|owner(ship)? of (my|the|this) account|name on (my|the) account)\b",
            r"\bchange\b.{0,25}\b(login|account|sign[- ]?in|registered) (email|e-mail|address|phone|number|mobile)\b",
            r"\b(two[- ]?factor|2fa|two[- ]?step|authenticator app|mfa)\b",
            r"\b(borrar|eliminar|cerrar|dar de baja) (mi |la )?cuenta\b|\bsupprimer (mon|le) compte\b|\bfermer (mon|le) compte\b|\bkonto (loschen|schliessen|kundigen)\b|\bmein konto (loschen|schliessen)\b",
        ),
        "accounts",
        "normal",
    ),
    BoundaryDefault(
        "legal",
        "Legal matters",
        ("legal",),
        (
            # "my sister is a lawyer" is about her job, not about us.
            PROFESSION_NOT_THREAT + r"\b(lawyers?|attorneys?|solicitors?|barristers?)\b",
            r"\b(legal action|lawsuits?|law ?suit|sue|suing|sued|court|subpoena(ed)?|litigation|small claims|legal proceedings|class action)\b",
            r"\b(abogad[oa]s?|demanda(r|re)?|tribunal(es)?|avocats?|poursuivre en justice|proces|anwalt|anwaltin|rechtsanwalt|verklagen|klage|gericht)\b",
        ),
        "legal",
        "high",
    ),
    BoundaryDefault(
        "regulatory",
        "Regulatory complaints",
        ("regulatory",),
        (
            r"\b(ftc|federal trade commission|cfpb|consumer financial protection|better business bureau|bbb|attorney general|ombudsman|trading standards|data protection (authority|commissioner|regulator|office)|information commissioner|ico|gdpr complaint|consumer protection (agency|authority|office)|regulators?)\b",
            r"\breport(ed|ing)? (you|this|your company) to\b",
            r"\b(oficina (municipal )?del consumidor|omic|dgccrf|cnil|verbraucherzentrale|datenschutzbehorde|defensor del pueblo|mediateur)\b",
        ),
        "legal",
        "high",
    ),
    BoundaryDefault(
        "billing-systems",
        "Charges that need internal systems",
        ("duplicate_charge", "charged_no_order"),
        (
            r"\b(charged|billed|debited|paid|taken)\b.{0,25}\b(twice|two times|double|2 times|three times|3 times|multiple times)\b",
            r"\b(double|duplicate)[- ](charge|charged|billing|billed|payment|transaction)s?\b",
            r"\b(two|2|three|3|multiple|several) (identical |separate )?(payments|charges|transactions|debits)\b.{0,30}\b(one|1|a single|the same) (order|purchase)\b",
            r"\b(charged|billed|money (was )?taken|debited)\b.{0,40}\b(no|never|without( an?)?|didn'?t (place|make|get)( an?)?) (order|confirmation)\b",
            r"\b(cobrado|cobraron) dos veces\b|\bdebite deux fois\b|\bdoppelt (abgebucht|belastet|berechnet)\b",
        ),
        "billing",
        "normal",
    ),
    BoundaryDefault(
        "checkout-errors",
        "Errors at checkout",
        ("checkout_error",),
        (
            r"\b(error|fails?|failed|failing|crash(es|ed)?|stuck|freez(es|ing)|won'?t (go through|load|work)|not working|broken|declined)\b.{0,30}\b(checkout|check out|payment page|paying|place (my|the|an) order)\b",
            r"\b(checkout|check out|payment page)\b.{0,30}\b(error|fails?|failed|failing|crash(es|ed)?|stuck|freez(es|ing)|won'?t|not working|broken)\b",
        ),
        "technical",
        "normal",
    ),
)
