"""Names the engine reserves, each written down once (as Rasa's ``rasa/shared/core/constants.py``).

Packs, the pack validator, the NLU and dialogue engines, the chat service and the admin service all
use these names; spelled out again in one of them, a name drifts from the others (a payload the
validator accepts and the engine reads differently, a renamed engine text the validator still
reports as an unused response). Everything here is plain data and imports nothing of the project,
so any layer may import it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# ---- bots and intents ---------------------------------------------------------------------------
COMMON_BOT = "common"  # the pack every bot includes (safety, greetings, hand-off)
FALLBACK_INTENT = "nlu_fallback"  # Rasa's name for "no intent fits"
OUT_OF_SCOPE_INTENT = "out_of_scope"  # trained like any intent, reported as FALLBACK_INTENT
INFORM_INTENT = "inform"  # Rasa's conventional name for "here is the value you asked for"
HANDOFF_INTENT = "handoff_human"  # "may I talk to a person?": answered with whom to call
CAPABILITIES_INTENT = "bot_capabilities"  # "what can you answer?": the engine appends the topics
DENY_INTENT = "deny"  # "none of these" (after "did you mean …?"): the engine hands off
OPEN_BOT_INTENT = "open_bot"  # a button payload the widget acts on itself; other channels get a text

# ---- response and action names -------------------------------------------------------------------
RESPONSE_PREFIX = "utter_"  # every response's name starts so, as in Rasa
ASK_RESPONSE_PREFIX = "utter_ask_"  # the question a form asks for a slot
ACTION_PREFIX = "action_"  # a Python action (see ACTION_CONTRACTS below), as in Rasa
# Hand-off texts (the engine's utter_handoff_open/closed, a pack's utter_handoff_human) start so
HANDOFF_RESPONSE_PREFIX = "utter_handoff"


def answer_response(intent: str) -> str:
    """The response that answers ``intent`` when no rule says otherwise: ``utter_<intent>``."""
    return f"{RESPONSE_PREFIX}{intent}"


def ask_response(slot: str) -> str:
    """The response a form asks ``slot`` with: ``utter_ask_<slot>``."""
    return f"{ASK_RESPONSE_PREFIX}{slot}"


# The engine's own texts, by name (the words are in shared_nlu/dialogue/texts.py; a pack replaces
# one by defining a response of the same name).
WELCOME_RESPONSE = "utter_welcome"
FALLBACK_RESPONSE = "utter_nlu_fallback"
OTHER_BOT_RESPONSE = "utter_other_bot"
OPEN_BOT_BUTTON_RESPONSE = "utter_open_bot_button"
OPEN_BOT_RESPONSE = "utter_open_bot"
DOMAIN_CONTACT_RESPONSE = "utter_domain_contact"
CLARIFY_RESPONSE = "utter_clarify"
CLARIFY_NONE_RESPONSE = "utter_clarify_none"
OFFER_HANDOFF_RESPONSE = "utter_offer_handoff"
HANDOFF_OPEN_RESPONSE = "utter_handoff_open"
HANDOFF_CLOSED_RESPONSE = "utter_handoff_closed"
OUT_OF_DATE_RESPONSE = "utter_out_of_date"
ROUTED_RESPONSE = "utter_routed"
FORM_CANCELLED_RESPONSE = "utter_form_cancelled"
INVALID_CHOICE_RESPONSE = "utter_invalid_choice"
AMBIGUOUS_CHOICE_RESPONSE = "utter_ambiguous_choice"
INVALID_DATE_RESPONSE = "utter_invalid_date"
FUTURE_DATE_RESPONSE = "utter_future_date"
INVALID_NUMBER_RESPONSE = "utter_invalid_number"
NUMBER_OUT_OF_RANGE_RESPONSE = "utter_number_out_of_range"
EMPTY_ANSWER_RESPONSE = "utter_empty"
ENGINE_TEXT_RESPONSES = frozenset(
    {
        WELCOME_RESPONSE,
        FALLBACK_RESPONSE,
        OTHER_BOT_RESPONSE,
        OPEN_BOT_BUTTON_RESPONSE,
        OPEN_BOT_RESPONSE,
        DOMAIN_CONTACT_RESPONSE,
        CLARIFY_RESPONSE,
        CLARIFY_NONE_RESPONSE,
        OFFER_HANDOFF_RESPONSE,
        HANDOFF_OPEN_RESPONSE,
        HANDOFF_CLOSED_RESPONSE,
        OUT_OF_DATE_RESPONSE,
        ROUTED_RESPONSE,
        FORM_CANCELLED_RESPONSE,
        INVALID_CHOICE_RESPONSE,
        AMBIGUOUS_CHOICE_RESPONSE,
        INVALID_DATE_RESPONSE,
        FUTURE_DATE_RESPONSE,
        INVALID_NUMBER_RESPONSE,
        NUMBER_OUT_OF_RANGE_RESPONSE,
        EMPTY_ANSWER_RESPONSE,
    }
)

# ---- button payloads -----------------------------------------------------------------------------
# A button sends "/intent" or '/intent{"slot": "value"}' (Rasa's form): the validator accepts what
# the dialogue engine reads, and nothing else.
BUTTON_PAYLOAD = re.compile(r"^/(?P<intent>[a-z][a-z0-9_]*)(?P<slots>\{.*\})?$", re.DOTALL)


def intent_payload(intent: str) -> str:
    """A button payload that says ``intent`` (``/intent``)."""
    return f"/{intent}"


# ---- training examples ---------------------------------------------------------------------------
# A chat message, not a document: longer text is almost always a paste error. Pack files, the
# admin's "add this question as an example" and the FAQ spreadsheet import all hold to it.
MAX_EXAMPLE_CHARS = 300


# ---- conversation events -------------------------------------------------------------------------
# The dialogue engine records these (shared_nlu/dialogue/messages.DialogueEvent); the chat service stores
# them and the admin reports count them by type. The engine's other event types stay inside it.
USER_EVENT = "user"  # what a message was understood as (not stored: the message row has it)
CLARIFICATION_EVENT = "clarification"  # "did you mean …?" was asked
HANDOFF_EVENT = "handoff"  # the resident was given whom to call
RATING_EVENT = "rating"  # "was this helpful?" answered


# ---- Python actions ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ActionContract:
    """What a pack may rely on from a Python action without running it (the validator checks it)."""

    responses: frozenset[str]  # the responses it may send: a pack that calls it must define them
    provides: frozenset[str]  # the values it fills into those responses' {placeholders}


COOLING_OFF_RESULT_ACTION = "action_cooling_off_result"
# its answer for each state of the cooling-off period (shared_nlu/actions/cooling_off.py, Status)
COOLING_OFF_RESPONSES: Mapping[str, str] = MappingProxyType(
    {
        "running": "utter_cooling_off_running",
        "last_day": "utter_cooling_off_last_day",
        "expired": "utter_cooling_off_expired",
        "not_applicable": "utter_cooling_off_mail_order",
    }
)

# Every action packs may call from rules.yml and forms.yml. The code that runs each is listed in
# shared_nlu/actions/registry.py (tests/test_actions.py checks both name the same actions).
ACTION_CONTRACTS: Mapping[str, ActionContract] = MappingProxyType(
    {
        COOLING_OFF_RESULT_ACTION: ActionContract(
            responses=frozenset(COOLING_OFF_RESPONSES.values()),
            provides=frozenset({"transaction_type", "period_days", "last_day", "days_left", "received_date"}),
        ),
    }
)
