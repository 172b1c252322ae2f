"""Safety first in the conversation: a resident who may be in danger is answered at once, whatever
the conversation was doing — in the middle of a form (the cooling-off check asking for a date),
while the bot waits for a 「もしかして」 choice, or after a hand-off.

The NLU decides that a message is a crisis (``shared_nlu/nlu/safety.py``); here the conversation
makes room for the answer: an open form or clarification is closed rather than asked again (its
question would be the next thing a resident in crisis reads), and when the message also asked
something the bot covers (「税金払えなくてもう死にたい」), that answer is offered as a button after
the safety answer, never before it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..constants import intent_payload
from ..nlu.result import ParseResult
from ..pack.model import Button, Pack
from .messages import BotMessage, DialogueEvent
from .state import DialogueState, Status


def pause_for_safety(state: DialogueState, events: list[DialogueEvent], parse: ParseResult) -> DialogueState:
    """``state`` with any form or clarification closed, and the safety answer recorded in ``events``."""
    events.append(
        DialogueEvent(
            "safety",
            {
                "intent": parse.intent,
                "source": parse.extra.get("safety", "model"),
                "interrupted": str(state.status),
            },
        )
    )
    if state.status is Status.IN_FORM:
        events.append(
            DialogueEvent("form_cancelled", {"form": state.form, "bot": state.form_bot, "reason": "safety"})
        )
    return state.transition(
        Status.IDLE,
        form=None,
        form_bot=None,
        requested_slot=None,
        slots={},
        candidates=(),
        fallbacks_in_a_row=0,
    )


def offer_domain_answer(messages: list[BotMessage], parse: ParseResult, packs: Mapping[str, Pack]) -> None:
    """Add the domain answer the message also asked for as a button on the last safety message."""
    domain = parse.extra.get("domain")
    if not messages or not isinstance(domain, dict):
        return
    pack = packs.get(str(domain.get("bot")))
    intent = pack.intents.get(str(domain.get("intent"))) if pack is not None else None
    if intent is None or not intent.examples:
        return
    last = messages[-1]
    button = Button(intent.examples[0].text, intent_payload(intent.name))
    messages[-1] = BotMessage(last.text, last.response, last.bot, (*last.buttons, button), last.intent)
