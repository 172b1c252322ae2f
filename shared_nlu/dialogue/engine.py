"""The dialogue engine: a session's state and a new message in, the bot's messages and the next
state out. Pure: no web framework, no database, no clock of its own (``now`` is passed in)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ..actions.model import ActionContext
from ..actions.registry import ACTIONS, CHOICE_READERS
from ..clock import to_japan_time
from ..constants import (
    AMBIGUOUS_CHOICE_RESPONSE,
    BUTTON_PAYLOAD,
    CAPABILITIES_INTENT,
    CLARIFICATION_EVENT,
    CLARIFY_NONE_RESPONSE,
    CLARIFY_RESPONSE,
    COMMON_BOT,
    DENY_INTENT,
    EMPTY_ANSWER_RESPONSE,
    FALLBACK_INTENT,
    FALLBACK_RESPONSE,
    FORM_CANCELLED_RESPONSE,
    HANDOFF_EVENT,
    HANDOFF_INTENT,
    INFORM_INTENT,
    OFFER_HANDOFF_RESPONSE,
    OPEN_BOT_INTENT,
    OPEN_BOT_RESPONSE,
    OTHER_BOT_RESPONSE,
    OUT_OF_DATE_RESPONSE,
    RATING_EVENT,
    ROUTED_RESPONSE,
    USER_EVENT,
    WELCOME_RESPONSE,
    answer_response,
    ask_response,
    intent_payload,
)
from ..nlu.engine import NluEngine
from ..nlu.result import FallbackReason, ParseResult
from ..nlu.safety import is_safety
from ..pack.model import Button, Form, Pack
from ..text import normalize
from ..text.language import has_words
from .form_values import (
    asks_elsewhere,
    is_correction,
    is_other_question,
    is_question,
    says_correction,
    values_in_message,
)
from .handoff import handoff_text
from .messages import BotMessage, DialogueEvent
from .pointing import domain_contact, open_bot_target, open_bot_text, other_bot_text
from .render import choose, contact_values, engine_text, fill, is_expired, topics
from .safety import offer_domain_answer, pause_for_safety
from .slots import SlotValue
from .state import DialogueState, Status
from .texts import CANCEL_WORDS

FORM_MEMORY_TURNS = 6  # how many turns after its answer a form's values can still be corrected
ABOUT_FORM_CONFIDENCE = 0.01  # the form's own intent at least this likely: the message is about it
SHORT_ANSWER_CHARS = 15  # a message this short that carries a form value is an answer to the form
CLARIFY_MIN_CONFIDENCE = 0.08  # candidates below this are noise, not worth a button
CLARIFY_CANDIDATES = 3
WELCOME_TOPICS = 4
# a safety reading of the classifier alone below this share gives way to a message that answers the
# form's question (see DialogueEngine._answers_the_form); key phrases always come first
FORM_ANSWER_OUTWEIGHS = 0.5


@dataclass
class Turn:
    """The outcome of one message: the next state, what to send, and what to record."""

    state: DialogueState
    messages: list[BotMessage] = field(default_factory=list)
    events: list[DialogueEvent] = field(default_factory=list)
    parse: ParseResult | None = None
    actions: list[str] = field(default_factory=list)  # responses, forms and actions, in order (for tests)

    def say(self, message: BotMessage) -> None:
        self.messages.append(message)
        self.actions.append(message.response)


class DialogueEngine:
    def __init__(self, nlu: NluEngine, idle_timeout: timedelta = timedelta(minutes=30)) -> None:
        self.nlu = nlu
        self.packs: dict[str, Pack] = nlu.packs.packs
        self.idle_timeout = idle_timeout
        self.actions = ACTIONS
        self.readers = CHOICE_READERS

    def new_session(self, session_id: str, bot: str) -> DialogueState:
        if bot not in self.packs or bot == COMMON_BOT:
            raise KeyError(f"unknown bot {bot!r}")
        return DialogueState(session_id=session_id, bot=bot, active_bot=bot)

    def welcome(self, bot: str, language: str) -> BotMessage:
        """The first message of a conversation: who answers, what it covers, a few topics to tap."""
        pack = self.packs[bot]
        values = {
            **contact_values(pack, language),
            "description": pack.bot.description.get(language, pack.bot.description["ja"]),
        }
        buttons = tuple(
            Button(intent.examples[0].text, intent_payload(intent.name))
            for intent in list(pack.intents.values())[:WELCOME_TOPICS]
            if intent.examples and intent.name not in pack.faq_intents and intent.name != INFORM_INTENT
        )
        return BotMessage(
            engine_text(WELCOME_RESPONSE, language, values, pack), WELCOME_RESPONSE, bot, buttons
        )

    @staticmethod
    def rate(message_id: str, helpful: bool, response: str | None = None) -> DialogueEvent:
        """A resident's "was this helpful?" on one answer, as the event the reports count."""
        return DialogueEvent(
            RATING_EVENT, {"message_id": message_id, "helpful": helpful, "response": response}
        )

    # ---- the turn -------------------------------------------------------------------------
    def handle(self, state: DialogueState, text: str, now: datetime) -> Turn:
        """Answer ``text`` in ``state``. ``now`` should be timezone-aware (naive = Japan time)."""
        turn = Turn(state)
        idle = state.idle_for(now)
        if idle is not None and idle > self.idle_timeout.total_seconds():
            turn.events.append(DialogueEvent("session_expired", {"idle_seconds": int(idle)}))
            state = self.new_session(state.session_id, state.bot).update(language=state.language)
        state = state.update(turns=state.turns + 1, last_active=now.isoformat())
        today = to_japan_time(now).date()
        payload = BUTTON_PAYLOAD.match(text.strip())
        given: dict[str, Any] = {}
        if payload:
            parse, given = self._payload_parse(state, payload, text)
        else:
            parse = self.nlu.parse(text, bot=state.bot, today=today)
            state = state.update(language=parse.language if has_words(text) else state.language)
        turn.parse = parse
        target = open_bot_target(given) if payload and payload["intent"] == OPEN_BOT_INTENT else None
        if target in self.packs:  # the pointer's button, sent back as text by a channel without a widget
            turn.say(
                BotMessage(open_bot_text(self.packs[target], state.language), OPEN_BOT_RESPONSE, state.bot)
            )
            turn.state = state
            return turn
        turn.events.append(
            DialogueEvent(
                USER_EVENT,
                {
                    "intent": parse.intent,
                    "confidence": round(parse.confidence, 4),
                    "bot": parse.bot,
                    "fallback_reason": parse.fallback_reason,
                    "ambiguous": parse.ambiguous,
                    "entities": [e.entity for e in parse.entities],
                    "button": bool(payload),
                },
            )
        )
        if is_safety(parse) and not self._answers_the_form(state, parse, text, given, now):
            # before any form, clarification or domain answer (dialogue/safety.py)
            state = self._respond(pause_for_safety(state, turn.events, parse), parse, turn, now, given)
            offer_domain_answer(turn.messages, parse, self.packs)
        elif state.status is Status.IN_FORM:
            state = self._continue_form(state, parse, text, given, turn, now, bool(payload))
        elif state.status is Status.AWAITING_CLARIFICATION and (
            parse.is_fallback or parse.intent == DENY_INTENT
        ):
            state = self._handoff(state, turn, now, reason="clarification_failed")
        else:
            resumed = self._resume_form(state, parse, text, given, turn, now, bool(payload))
            state = resumed if resumed is not None else self._respond(state, parse, turn, now, given)
        turn.state = state
        return turn

    def _payload_parse(
        self, state: DialogueState, match: re.Match[str], text: str
    ) -> tuple[ParseResult, dict[str, Any]]:
        intent = match["intent"]
        given: dict[str, Any] = {}
        if match["slots"]:
            try:
                loaded = json.loads(match["slots"])
                given = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                given = {}
        bot = self._bot_for_intent(state, intent)
        if bot is None:
            return ParseResult.out_of_scope(text, state.language), given
        return ParseResult(text=text, intent=intent, confidence=1.0, bot=bot, language=state.language), given

    def _bot_for_intent(self, state: DialogueState, intent: str) -> str | None:
        """Which bot a button's intent belongs to: the offered candidates first, then the bots
        this conversation is with, then ``common`` and the bots the front door routes to."""
        for candidate in state.candidates:
            bot, _, name = candidate.partition("/")
            if name == intent:
                return bot
        entry = self.packs[state.bot]
        order = [state.form_bot, state.active_bot, state.bot, COMMON_BOT, *entry.bot.routes_to]
        for owner in order:
            if owner and owner in self.packs and intent in self.packs[owner].intents:
                return owner
        return None

    # ---- answering an understood (or not understood) message -------------------------------
    def _respond(
        self, state: DialogueState, parse: ParseResult, turn: Turn, now: datetime, given: dict[str, Any]
    ) -> DialogueState:
        if parse.is_fallback or parse.ambiguous:
            return self._not_understood(state, parse, turn, now)
        assert parse.bot is not None
        state = (
            state.transition(Status.IDLE, candidates=(), fallbacks_in_a_row=0)
            if state.status is not Status.IN_FORM
            else state
        )
        pack = self.packs[parse.bot]
        if parse.bot not in (state.bot, COMMON_BOT, state.active_bot):
            turn.events.append(DialogueEvent("routed", {"from": state.bot, "to": parse.bot}))
            turn.say(self._engine_message(ROUTED_RESPONSE, pack, state, parse.intent))
        if parse.bot != COMMON_BOT:
            state = state.update(active_bot=parse.bot)
        if parse.intent == HANDOFF_INTENT:
            return self._handoff(state, turn, now, reason="requested")
        rule = pack.rules.get(parse.intent) or self.packs[state.bot].rules.get(parse.intent)
        actions = rule.actions if rule else (answer_response(parse.intent),)
        for action in actions:
            state = self._run(action, state, pack, parse, turn, now, given)
        return state

    def _not_understood(
        self, state: DialogueState, parse: ParseResult, turn: Turn, now: datetime
    ) -> DialogueState:
        entry = self.packs[state.active_bot or state.bot]
        if state.fallbacks_in_a_row >= 1 or state.status is Status.AWAITING_CLARIFICATION:
            return self._handoff(state, turn, now, reason="repeated_fallback")
        other = parse.extra.get("other_bot")
        if parse.fallback_reason == FallbackReason.OTHER_BOT and other in self.packs:
            text, button = other_bot_text(self.packs[other], state.language, entry)
            turn.say(BotMessage(text, OTHER_BOT_RESPONSE, entry.id, (button,), FALLBACK_INTENT))
            turn.events.append(
                DialogueEvent("fallback", {"reason": FallbackReason.OTHER_BOT, "other_bot": other})
            )
            return state.transition(
                Status.IDLE, candidates=(), fallbacks_in_a_row=state.fallbacks_in_a_row + 1
            )
        candidates = [r for r in parse.ranking if r.confidence >= CLARIFY_MIN_CONFIDENCE][:CLARIFY_CANDIDATES]
        if (parse.fallback_reason == FallbackReason.LOW_CONFIDENCE or parse.ambiguous) and len(
            candidates
        ) >= 1:
            buttons = [
                Button(self.packs[c.bot].intents[c.name].examples[0].text, intent_payload(c.name))
                for c in candidates
            ]
            buttons.append(
                Button(engine_text(CLARIFY_NONE_RESPONSE, state.language, {}), intent_payload(DENY_INTENT))
            )
            message = self._engine_message(CLARIFY_RESPONSE, entry, state)
            turn.say(BotMessage(message.text, message.response, message.bot, tuple(buttons)))
            turn.events.append(
                DialogueEvent(CLARIFICATION_EVENT, {"candidates": [f"{c.bot}/{c.name}" for c in candidates]})
            )
            return state.transition(
                Status.AWAITING_CLARIFICATION,
                candidates=tuple(f"{c.bot}/{c.name}" for c in candidates),
                fallbacks_in_a_row=state.fallbacks_in_a_row + 1,
            )
        values = {
            **contact_values(entry, state.language),
            "topics": topics(entry, state.language),
            "domain_contact": domain_contact(entry, state.language),
        }
        text = engine_text(FALLBACK_RESPONSE, state.language, values, entry)
        handoff = (
            Button(
                self.packs[COMMON_BOT].intents[HANDOFF_INTENT].examples[0].text,
                intent_payload(HANDOFF_INTENT),
            )
            if HANDOFF_INTENT in self.packs.get(COMMON_BOT, entry).intents
            else None
        )
        turn.say(
            BotMessage(text, FALLBACK_RESPONSE, entry.id, (handoff,) if handoff else (), FALLBACK_INTENT)
        )
        turn.events.append(DialogueEvent("fallback", {"reason": parse.fallback_reason}))
        return state.transition(Status.IDLE, candidates=(), fallbacks_in_a_row=state.fallbacks_in_a_row + 1)

    def _handoff(self, state: DialogueState, turn: Turn, now: datetime, reason: str) -> DialogueState:
        pack = self.packs[state.active_bot or state.bot]
        if reason != "requested":
            turn.say(self._engine_message(OFFER_HANDOFF_RESPONSE, pack, state))
        elif any(
            answer_response(HANDOFF_INTENT) in self.packs[b].responses
            for b in (state.bot, COMMON_BOT)
            if b in self.packs
        ):
            turn.say(self._response(answer_response(HANDOFF_INTENT), pack, state, now, HANDOFF_INTENT))
        name, text = handoff_text(pack, state.language, now)
        turn.say(BotMessage(text, name, pack.id, (), HANDOFF_INTENT))
        turn.events.append(DialogueEvent(HANDOFF_EVENT, {"reason": reason, "bot": pack.id}))
        return state.transition(
            Status.HANDED_OFF,
            form=None,
            form_bot=None,
            requested_slot=None,
            candidates=(),
            fallbacks_in_a_row=0,
            handed_off=True,
        )

    # ---- actions ------------------------------------------------------------------------------
    def _run(
        self,
        action: str,
        state: DialogueState,
        pack: Pack,
        parse: ParseResult,
        turn: Turn,
        now: datetime,
        given: dict[str, Any],
    ) -> DialogueState:
        if action in pack.forms:
            return self._start_form(pack.forms[action], state, pack, parse, turn, now, given)
        if action in self.actions:
            context = ActionContext(pack.id, dict(state.slots), state.language, to_japan_time(now).date())
            outcome = self.actions[action](context)
            turn.actions.append(action)
            turn.events.append(DialogueEvent("action", {"name": action, "response": outcome.response}))
            turn.say(self._response(outcome.response, pack, state, now, parse.intent, outcome.values))
            return state
        turn.say(self._response(action, pack, state, now, parse.intent))
        return state

    def _response(
        self,
        name: str,
        pack: Pack,
        state: DialogueState,
        now: datetime,
        intent: str | None = None,
        values: dict[str, str] | None = None,
    ) -> BotMessage:
        """Render ``name`` from the bot the resident opened (its overrides), ``pack`` or ``common``."""
        owner = next(
            (
                self.packs[b]
                for b in (state.bot, pack.id, COMMON_BOT)
                if b in self.packs and name in self.packs[b].responses
            ),
            None,
        )
        if owner is None:
            raise KeyError(f"response {name!r} not found for bot {pack.id!r}")  # the validator prevents this
        speaker = pack if owner.id == COMMON_BOT else owner
        response = owner.responses[name]
        all_values = {
            **contact_values(speaker, state.language),
            "topics": topics(self.packs[state.active_bot or state.bot], state.language),
            **{k: str(v) for k, v in state.slots.items()},
            **(values or {}),
        }
        if is_expired(response, to_japan_time(now).date()):
            all_values["valid_until"] = str(response.valid_until)
            return BotMessage(
                engine_text(OUT_OF_DATE_RESPONSE, state.language, all_values), name, speaker.id, (), intent
            )
        text, buttons = choose(response, state.language, f"{state.session_id}:{state.turns}:{name}")
        if intent == CAPABILITIES_INTENT and "{topics}" not in text:
            text = f"{text}\n{{topics}}"  # what this bot answers, from its own intents
        return BotMessage(fill(text, all_values), name, speaker.id, buttons, intent)

    def _engine_message(
        self, name: str, pack: Pack, state: DialogueState, intent: str | None = None
    ) -> BotMessage:
        values = {**contact_values(pack, state.language), "topics": topics(pack, state.language)}
        return BotMessage(
            engine_text(name, state.language, values, self.packs[state.bot]), name, pack.id, (), intent
        )

    # ---- forms ---------------------------------------------------------------------------------
    # A form asks for its slots one by one, but takes every value a message carries, in any order
    # (form_values.py). After its answer the values are remembered for FORM_MEMORY_TURNS turns, so
    # a correction (「あ、書面をもらったのは先週の水曜日でした」) recomputes with the others kept.
    def _form_values(
        self,
        form: Form,
        parse: ParseResult,
        text: str,
        now: datetime,
        given: dict[str, Any],
        requested: str | None,
    ) -> dict[str, SlotValue]:
        today = to_japan_time(now).date()
        return values_in_message(form, text, parse, today, self.nlu.prepare, self.readers, given, requested)

    @staticmethod
    def _triggers(pack: Pack, form: Form) -> frozenset[str]:
        """The intents whose rule starts ``form`` (「まだ間に合う？」 starts the cooling-off check)."""
        return frozenset(intent for intent, rule in pack.rules.items() if form.name in rule.actions)

    def _resume_form(
        self,
        state: DialogueState,
        parse: ParseResult,
        text: str,
        given: dict[str, Any],
        turn: Turn,
        now: datetime,
        is_button: bool,
    ) -> DialogueState | None:
        """Start a form from values given outside it: a correction of a recent answer (the other
        values kept), a form answer typed before the form was asked for (「訪問購入でした」), or a
        question that gives every value the form needs, even one the model files under a nearby
        topic (「先週の水曜に家に来た業者と契約…クーリングオフできますか」)."""
        if is_button and parse.intent != INFORM_INTENT:
            return None
        remembered = state.recent_form is not None and state.turns - state.recent_turn <= FORM_MEMORY_TURNS
        recent = self.packs.get(state.recent_form_bot or "") if remembered else None
        form = recent.forms.get(state.recent_form or "") if recent is not None else None
        if recent is not None and form is not None:
            values = self._form_values(form, parse, text, now, given, None)
            if is_correction(parse, self._triggers(recent, form), values, state.recent_slots):
                state = state.transition(Status.IDLE, candidates=(), fallbacks_in_a_row=0)
                return self._start_form(
                    form, state, recent, parse, turn, now, given, dict(state.recent_slots), values
                )
        for owner in dict.fromkeys(
            [parse.bot, state.active_bot, state.bot, *(r.bot for r in parse.ranking[:3])]
        ):
            pack = self.packs.get(owner or "")
            if pack is None or not pack.forms or not self._may_answer(state, pack.id):
                continue
            # the form of this bot the message gives the most values for
            read = [(f, self._form_values(f, parse, text, now, given, None)) for f in pack.forms.values()]
            form, values = max(read, key=lambda fv: sum(v.found for v in fv[1].values()))
            triggers = self._triggers(pack, form)
            complete = all(slot.name in values and values[slot.name].value is not None for slot in form.slots)
            about_form = not asks_elsewhere(text) and (
                parse.intent in triggers
                or is_question(text)
                or any(
                    r.bot == pack.id and r.name in triggers and r.confidence >= ABOUT_FORM_CONFIDENCE
                    for r in parse.ranking[:3]
                )
            )
            # a form answer typed early: a choice, or a short message (a date alone in a longer
            # story, 「電話で昨日問い合わせたけど返事がない」, is not an answer to the form)
            short = len(normalize(text)) <= SHORT_ANSWER_CHARS
            kinds = {slot.name: slot.kind for slot in form.slots}
            given_early = (
                parse.intent == INFORM_INTENT
                and parse.bot == pack.id
                and any(v.found and (short or kinds[n] == "choice") for n, v in values.items())
            )
            if given_early or (complete and about_form):
                state = state.transition(Status.IDLE, candidates=(), fallbacks_in_a_row=0)
                if pack.id not in (state.bot, state.active_bot):  # the front door hands it on
                    turn.events.append(DialogueEvent("routed", {"from": state.bot, "to": pack.id}))
                    turn.say(self._engine_message(ROUTED_RESPONSE, pack, state, parse.intent))
                return self._start_form(
                    form, state.update(active_bot=pack.id), pack, parse, turn, now, given, {}, values
                )
        return None

    def _may_answer(self, state: DialogueState, bot: str) -> bool:
        """Whether the bot the resident opened may answer as ``bot`` (itself, or a bot it routes to)."""
        return bot in (state.bot, state.active_bot) or bot in self.packs[state.bot].bot.routes_to

    def _start_form(
        self,
        form: Form,
        state: DialogueState,
        pack: Pack,
        parse: ParseResult,
        turn: Turn,
        now: datetime,
        given: dict[str, Any],
        kept: dict[str, Any] | None = None,
        values: dict[str, SlotValue] | None = None,
    ) -> DialogueState:
        turn.events.append(
            DialogueEvent("form_started", {"form": form.name, "bot": pack.id, "kept": sorted(kept or {})})
        )
        turn.actions.append(form.name)
        forget: dict[str, Any] = {
            "recent_form": None,
            "recent_form_bot": None,
            "recent_slots": {},
        }  # a new check
        state = state.transition(
            Status.IN_FORM, form=form.name, form_bot=pack.id, slots={}, requested_slot=None, **forget
        )
        if values is None:  # values the opening message already gave (「訪問販売で3日前に…」)
            values = self._form_values(form, parse, parse.text, now, given, None)
        slots = dict(kept or {})
        for name, value in values.items():
            if value.value is not None:
                slots[name] = value.value
                turn.events.append(DialogueEvent("slot", {"name": name}))
        ambiguous = next((n for n, v in values.items() if v.candidates and n not in slots), None)
        return self._next_slot(
            state.update(slots=slots), form, pack, turn, now, ambiguous=values.get(ambiguous or "")
        )

    def _next_slot(
        self,
        state: DialogueState,
        form: Form,
        pack: Pack,
        turn: Turn,
        now: datetime,
        problem: BotMessage | None = None,
        ambiguous: SlotValue | None = None,
    ) -> DialogueState:
        """Ask the first missing slot (with ``problem`` said first), or submit when none is missing.
        With ``ambiguous`` the question's buttons are only the choices the message fitted."""
        missing = [slot for slot in form.slots if slot.name not in state.slots]
        if missing:
            ask = self._response(ask_response(missing[0].name), pack, state, now)
            buttons = ask.buttons
            if ambiguous is not None and ambiguous.candidates:
                words = engine_text(
                    AMBIGUOUS_CHOICE_RESPONSE, state.language, ambiguous.detail or {}, self.packs[state.bot]
                )
                problem = BotMessage(words, AMBIGUOUS_CHOICE_RESPONSE, pack.id)
                buttons = tuple(
                    b for b in ask.buttons if any(f'"{c}"' in b.payload for c in ambiguous.candidates)
                )
                buttons = buttons or ask.buttons
            if problem is not None:
                ask = BotMessage(f"{problem.text}\n{ask.text}", ask.response, ask.bot, buttons, ask.intent)
            turn.say(ask)
            return state.transition(Status.IN_FORM, requested_slot=missing[0].name)
        turn.events.append(DialogueEvent("form_completed", {"form": form.name, "bot": pack.id}))
        dummy = ParseResult(text="", intent=form.name, confidence=1.0, bot=pack.id, language=state.language)
        state = self._run(form.submit, state, pack, dummy, turn, now, {})
        return self._end_form(state, form, pack, remember=True)

    @staticmethod
    def _end_form(state: DialogueState, form: Form, pack: Pack, remember: bool) -> DialogueState:
        """Leave the form; with ``remember`` its values stay for a correction a few turns later."""
        memory = (
            {
                "recent_form": form.name,
                "recent_form_bot": pack.id,
                "recent_slots": dict(state.slots),
                "recent_turn": state.turns,
            }
            if remember
            else {"recent_form": None, "recent_form_bot": None, "recent_slots": {}}
        )
        return state.transition(
            Status.IDLE, form=None, form_bot=None, requested_slot=None, slots={}, **memory
        )

    def _continue_form(
        self,
        state: DialogueState,
        parse: ParseResult,
        text: str,
        given: dict[str, Any],
        turn: Turn,
        now: datetime,
        is_button: bool,
    ) -> DialogueState:
        assert state.form_bot is not None and state.form is not None
        pack = self.packs[state.form_bot]
        form = pack.forms[state.form]
        if not is_button and _is_cancel(text):
            turn.events.append(DialogueEvent("form_cancelled", {"form": form.name, "bot": pack.id}))
            if form.on_cancel:
                turn.say(self._response(form.on_cancel, pack, state, now))
            else:
                turn.say(self._engine_message(FORM_CANCELLED_RESPONSE, pack, state))
            return self._end_form(state, form, pack, remember=False)
        slot = next(s for s in form.slots if s.name == state.requested_slot)
        values = self._form_values(form, parse, text, now, given, slot.name)
        if parse.intent == HANDOFF_INTENT and values.get(slot.name, SlotValue()).value is None:
            # 「電話」 answers "how was it sold?"; 「人と話したい」 asks for a person
            return self._handoff(state, turn, now, reason="requested")
        # a clear question about something else may name a value (「電話勧誘の窓口はどこ？」): only
        # the asked slot is taken from it
        question = is_other_question(parse, self._triggers(pack, form))
        answered = values.get(slot.name, SlotValue()).value is not None
        # a value already given is replaced by the words of an answer to another question only
        # when the resident says they correct it (「家に来た人に3日前に渡した」 answers the date)
        accepted = {
            n: v.value
            for n, v in values.items()
            if v.value is not None
            and (
                n == slot.name
                or (not question and (n not in state.slots or not answered or says_correction(text)))
            )
        }
        if accepted:
            for name in accepted:
                turn.events.append(DialogueEvent("slot", {"name": name}))
            state = state.update(slots={**state.slots, **accepted})
            ambiguous = next((v for n, v in values.items() if v.candidates and n not in state.slots), None)
            return self._next_slot(state, form, pack, turn, now, ambiguous=ambiguous)
        value = values.get(slot.name) or SlotValue(problem=EMPTY_ANSWER_RESPONSE)
        if value.candidates:
            return self._next_slot(state, form, pack, turn, now, ambiguous=value)
        if value.unknown and slot.if_unknown:
            turn.events.append(DialogueEvent("slot_unknown", {"form": form.name, "name": slot.name}))
            turn.say(self._response(slot.if_unknown, pack, state, now))
            return self._end_form(state, form, pack, remember=True)
        if self._is_interruption(parse, form):
            state = self._respond(state, parse, turn, now, given)
            if state.status is Status.IN_FORM:  # answered; now back to the form's question
                return self._next_slot(state, form, pack, turn, now)
            return state
        problem = BotMessage(
            engine_text(value.problem or EMPTY_ANSWER_RESPONSE, state.language, value.detail or {}),
            value.problem or "",
            pack.id,
        )
        return self._next_slot(state, form, pack, turn, now, problem)

    def _answers_the_form(
        self, state: DialogueState, parse: ParseResult, text: str, given: dict[str, Any], now: datetime
    ) -> bool:
        """Whether a faint safety reading of the classifier alone (no key phrase) is outweighed by the
        message answering the question the form asked ("they called me and I signed up" gives the
        kind of sale). A key phrase, or a stronger reading, always comes first."""
        if state.status is not Status.IN_FORM or state.form is None or state.form_bot is None:
            return False
        if parse.extra.get("safety") != "model" or parse.confidence >= FORM_ANSWER_OUTWEIGHS:
            return False
        form = self.packs[state.form_bot].forms[state.form]
        slot = state.requested_slot
        if slot is None:
            return False
        return self._form_values(form, parse, text, now, given, slot).get(slot, SlotValue()).value is not None

    def _is_interruption(self, parse: ParseResult, form: Form) -> bool:
        """A clear question about something else (answered, then the form resumes)."""
        return (
            not parse.is_fallback and not parse.ambiguous and parse.intent not in (INFORM_INTENT, form.name)
        )


def _is_cancel(text: str) -> bool:
    folded = normalize(text)
    return len(folded) <= 20 and any(word in folded for word in CANCEL_WORDS)
