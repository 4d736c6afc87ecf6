"""The five trigger policies supervisors tune in admin, and the escalations they produce.

Each category is its own singleton policy row (created with the defaults on first use), so it
can be switched off or tuned without touching the others.

The models live in modules by concept and are all re-exported here, so
`from escalation.models import X` works for every one of them:

- base: the field validators, Category, Urgency and the abstract SingletonPolicy;
- triggers: the trigger policies, CapabilityBoundary and LoopLimit;
- escalations: Escalation and HandoffPackage;
- customer_transition: MessageTemplate, TransitionPolicy and UrgencyCriterion;
- scheduled: Callback and Timer;
- measurement: MeasurementPolicy, Survey and HandoffRating.

The modules are imported in the order their models were declared when this was one module, so
the app registry (content types, permissions, dumpdata) sees them in the same order.
"""

# isort: off
from escalation.models.base import (
    UNIT,
    Category,
    SingletonPolicy,
    Urgency,
    validate_examples,
    validate_phrases,
)
from escalation.models.triggers import (
    CapabilityBoundary,
    CapabilityPolicy,
    ConfidencePolicy,
    ExplicitRequestPolicy,
    LoopLimit,
    LoopPolicy,
    SentimentPolicy,
)
from escalation.models.escalations import Escalation, HandoffPackage
from escalation.models.customer_transition import (
    MessageTemplate,
    TransitionPolicy,
    UrgencyCriterion,
)
from escalation.models.scheduled import Callback, Timer
from escalation.models.measurement import HandoffRating, MeasurementPolicy, Survey
# isort: on

__all__ = [
    "UNIT",
    "Callback",
    "CapabilityBoundary",
    "CapabilityPolicy",
    "Category",
    "ConfidencePolicy",
    "Escalation",
    "ExplicitRequestPolicy",
    "HandoffPackage",
    "HandoffRating",
    "LoopLimit",
    "LoopPolicy",
    "MeasurementPolicy",
    "MessageTemplate",
    "SentimentPolicy",
    "SingletonPolicy",
    "Survey",
    "Timer",
    "TransitionPolicy",
    "Urgency",
    "UrgencyCriterion",
    "validate_examples",
    "validate_phrases",
]
