"""Checks that look across files and packs: does every name point at something that exists?"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ..constants import (
    ASK_RESPONSE_PREFIX,
    BUTTON_PAYLOAD,
    COMMON_BOT,
    ENGINE_TEXT_RESPONSES,
    OUT_OF_SCOPE_INTENT,
    RESPONSE_PREFIX,
    ActionContract,
    answer_response,
    ask_response,
)
from .diagnostics import Diagnostics
from .model import Pack, Response

PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
# values the engine itself fills into any response (bot name, contact, topics it can answer)
ENGINE_VALUES = {"bot_name", "contact_name", "contact_phone", "contact_hours", "topics", "domain_contact"}
# intents answered by the engine, needing no response or rule
ENGINE_INTENTS = {OUT_OF_SCOPE_INTENT}
_PUNCT = set(string.punctuation) | set("、。！？・「」『』（）［］【】〜～…ー　 ")


@dataclass
class Positions:
    """Where things were written, so cross-file errors can point at a line."""

    intents: dict[str, tuple[int, int]] = field(default_factory=dict)
    responses: dict[str, tuple[int, int]] = field(default_factory=dict)
    rules: dict[str, tuple[int, int]] = field(default_factory=dict)
    forms: dict[str, tuple[int, int]] = field(default_factory=dict)
    unreadable: set[str] = field(default_factory=set)  # files already reported as unreadable


def example_key(text: str) -> str:
    """Two examples with the same key are "the same example" for duplicate detection."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch not in _PUNCT and not ch.isspace())


@dataclass(frozen=True)
class _Scope:
    """One pack and the names it may point at: its own, and common's when it includes common."""

    pack: Pack
    where: Positions
    intents: frozenset[str]
    responses: frozenset[str]
    slots: frozenset[str]  # every slot of every form of the pack
    actions: Mapping[str, ActionContract]

    @classmethod
    def of(
        cls, pack: Pack, common: Pack | None, where: Positions, actions: Mapping[str, ActionContract]
    ) -> _Scope:
        shared = (
            common if (common is not None and pack.bot.include_common and pack.id != COMMON_BOT) else None
        )
        return cls(
            pack=pack,
            where=where,
            intents=frozenset(pack.intents) | (frozenset(shared.intents) if shared else frozenset()),
            responses=frozenset(pack.responses) | (frozenset(shared.responses) if shared else frozenset()),
            slots=frozenset(slot.name for form in pack.forms.values() for slot in form.slots),
            actions=actions,
        )

    def file(self, name: str) -> str:
        return f"{self.pack.id}/{name}"

    def action_exists(self, action: str) -> bool:
        """A rule's action or a form's submit: a response, a form or a Python action."""
        return action in self.responses or action in self.pack.forms or action in self.actions


def check_pack(
    pack: Pack,
    common: Pack | None,
    where: Positions,
    actions: Mapping[str, ActionContract],
    today: date,
    diags: Diagnostics,
) -> None:
    """Every name one pack's files use points at something that exists (``actions``: the Python
    actions it may call), and every response is used, checked and in date."""
    scope = _Scope.of(pack, common, where, actions)
    _check_every_intent_is_answered(scope, diags)
    used = _check_rules(scope, diags) | _check_forms(scope, diags)
    sent, provided = _check_action_responses(scope, used, diags)
    used |= sent  # the responses of the actions it calls are used too
    values = ENGINE_VALUES | scope.slots | provided  # what may fill a {placeholder}
    for name, response in pack.responses.items():
        at = where.responses.get(name, (1, 1))
        _check_response_is_used(scope, name, at, used, diags)
        _check_response_dates(scope, name, response, at, today, diags)
        _check_response_values_and_buttons(scope, name, response, at, values, diags)


def _check_every_intent_is_answered(scope: _Scope, diags: Diagnostics) -> None:
    """Each of the pack's intents has its response (utter_<intent>) or a rule."""
    if {"responses.yml", "rules.yml"} & scope.where.unreadable:
        return  # the answers are unknown: the unreadable file is reported already
    for name in scope.pack.intents:
        if name in ENGINE_INTENTS or name in scope.pack.rules or answer_response(name) in scope.responses:
            continue
        diags.error(
            scope.file("nlu.yml"),
            scope.where.intents.get(name, (1, 1)),
            "no-response",
            f"intent「{name}」に応答もルールもありません。",
            f"responses.yml に「{answer_response(name)}:」を追加するか、rules.yml にこの intent のルールを書いてください。",
        )


def _check_rules(scope: _Scope, diags: Diagnostics) -> set[str]:
    """Each rule's intent and actions exist; returns the actions the rules use."""
    used: set[str] = set()
    for intent, rule in scope.pack.rules.items():
        at = scope.where.rules.get(intent, (1, 1))
        if intent not in scope.intents:
            diags.error(
                scope.file("rules.yml"),
                at,
                "unknown-intent",
                f"ルールの intent「{intent}」は nlu.yml にありません。",
                _suggest(intent, scope.intents),
            )
        for action in rule.actions:
            used.add(action)
            if not scope.action_exists(action):
                diags.error(
                    scope.file("rules.yml"),
                    at,
                    "unknown-action",
                    f"ルールの action「{action}」が見つかりません。",
                    "responses.yml の応答名（utter_…）、forms.yml のフォーム名、または登録済みの action_… を書いてください。",
                )
    return used


def _check_forms(scope: _Scope, diags: Diagnostics) -> set[str]:
    """Each form's submit, on_cancel, questions (utter_ask_<slot>) and if_unknown answers exist;
    returns the responses and actions the forms use."""
    used: set[str] = set()
    forms_file = scope.file("forms.yml")
    for form in scope.pack.forms.values():
        at = scope.where.forms.get(form.name, (1, 1))
        used.add(form.submit)
        if form.on_cancel is not None:
            used.add(form.on_cancel)
            if form.on_cancel not in scope.responses:
                diags.error(
                    forms_file,
                    at,
                    "unknown-action",
                    f"フォーム「{form.name}」の on_cancel「{form.on_cancel}」の応答がありません。",
                    f"responses.yml に「{form.on_cancel}:」を追加してください。",
                )
        if not scope.action_exists(form.submit):
            diags.error(
                forms_file,
                at,
                "unknown-action",
                f"フォーム「{form.name}」の submit「{form.submit}」が見つかりません。",
            )
        for slot in form.slots:
            ask = ask_response(slot.name)
            used.add(ask)
            if slot.if_unknown:
                used.add(slot.if_unknown)
                if slot.if_unknown not in scope.responses:
                    diags.error(
                        forms_file,
                        at,
                        "missing-response",
                        f"スロット「{slot.name}」の if_unknown「{slot.if_unknown}」の応答がありません。",
                        f"responses.yml に「{slot.if_unknown}:」を追加してください。",
                    )
            if ask not in scope.responses:
                diags.error(
                    forms_file,
                    at,
                    "no-question",
                    f"スロット「{slot.name}」を尋ねる応答「{ask}」がありません。",
                    f"responses.yml に「{ask}:」を追加してください。",
                )
    return used


def _check_action_responses(scope: _Scope, used: set[str], diags: Diagnostics) -> tuple[set[str], set[str]]:
    """The pack defines every response the Python actions it calls may send (their contracts);
    returns those responses and the values the actions fill into them."""
    sent: set[str] = set()
    provided: set[str] = set()
    submits = {form.submit for form in scope.pack.forms.values()}
    for action in sorted(used & set(scope.actions)):
        contract = scope.actions[action]
        provided |= contract.provides
        sent |= contract.responses
        for needed in sorted(contract.responses - scope.responses):
            diags.error(
                scope.file("forms.yml" if action in submits else "rules.yml"),
                (1, 1),
                "missing-response",
                f"action「{action}」が使う応答「{needed}」がありません。",
                f"responses.yml に「{needed}:」を追加してください。",
            )
    return sent, provided


def _check_response_is_used(
    scope: _Scope, name: str, at: tuple[int, int], used: set[str], diags: Diagnostics
) -> None:
    """A response answers an intent, is used by a rule, form or action, asks a slot, or is the
    pack's own wording of an engine text; anything else is a typo or left over (a warning)."""
    stem = name.removeprefix(RESPONSE_PREFIX)
    if (
        stem in scope.intents
        or name in used
        or name.startswith(ASK_RESPONSE_PREFIX)
        or name in ENGINE_TEXT_RESPONSES
    ):
        return
    diags.warning(
        scope.file("responses.yml"),
        at,
        "unused-response",
        f"応答「{name}」に対応する intent「{stem}」がなく、どこからも使われていません。",
        _suggest(stem, scope.intents) or "intent 名の書き間違いでないか確認してください。",
    )


def _check_response_dates(
    scope: _Scope, name: str, response: Response, at: tuple[int, int], today: date, diags: Diagnostics
) -> None:
    """An intent's answer says when its content was checked, and is not past its valid_until."""
    stem = name.removeprefix(RESPONSE_PREFIX)
    if stem in scope.pack.intents and response.checked_on is None and scope.pack.id != COMMON_BOT:
        diags.warning(
            scope.file("responses.yml"),
            at,
            "no-checked-on",
            f"応答「{name}」に checked_on（内容を確認した日）がありません。",
            "「checked_on: 2026-11-28」のように書いてください。",
        )
    if response.valid_until is not None and response.valid_until < today:
        diags.warning(
            scope.file("responses.yml"),
            at,
            "expired",
            f"応答「{name}」の valid_until（{response.valid_until}）を過ぎています。今は問い合わせ先の案内に置き換えて答えています。",
            "内容を確認して文面と valid_until を更新してください。",
        )


def _check_response_values_and_buttons(
    scope: _Scope, name: str, response: Response, at: tuple[int, int], provided: set[str], diags: Diagnostics
) -> None:
    """Every {placeholder} is a value something fills (the engine, a slot, an action), and every
    button's payload names an intent and slots that exist."""
    responses_file = scope.file("responses.yml")
    for variants in response.variants.values():
        for variant in variants:
            for placeholder in PLACEHOLDER.findall(variant.text):
                if placeholder not in provided:
                    diags.error(
                        responses_file,
                        at,
                        "unknown-slot",
                        f"応答「{name}」の {{{placeholder}}} に入る値（スロット）がありません。",
                        f"使える名前: {', '.join(sorted(provided))}",
                    )
            for button in variant.buttons:
                _check_payload(
                    button.payload, set(scope.intents), set(scope.slots), responses_file, at, diags
                )


def _check_payload(
    payload: str, intents: set[str], slots: set[str], file: str, at: tuple[int, int], diags: Diagnostics
) -> None:
    match = BUTTON_PAYLOAD.match(payload)
    if not match:
        diags.error(
            file,
            at,
            "bad-payload",
            f"ボタンの payload「{payload}」の形が正しくありません。",
            '「/intent名」または「/intent名{"スロット": "値"}」と書いてください。',
        )
        return
    if match["intent"] not in intents:
        diags.error(
            file,
            at,
            "unknown-intent",
            f"ボタンの payload が存在しない intent「{match['intent']}」を指しています。",
            _suggest(match["intent"], intents),
        )
    if match["slots"]:
        try:
            values = json.loads(match["slots"])
        except ValueError:
            values = None
        if not isinstance(values, dict):
            diags.error(
                file,
                at,
                "bad-payload",
                f"ボタンの payload「{payload}」の {{…}} が JSON として読めません。",
                '例: /inform{"transaction_type": "訪問販売"}',
            )
            return
        for slot in values:
            if slot not in slots:
                diags.error(
                    file,
                    at,
                    "unknown-slot",
                    f"ボタンの payload が存在しないスロット「{slot}」を指しています。",
                    f"forms.yml のスロット: {', '.join(sorted(slots)) or '（なし）'}",
                )


def check_duplicate_examples(
    packs: Iterable[Pack], where: Mapping[str, Positions], diags: Diagnostics
) -> None:
    """The same example under two intents makes the classifier guess; report each pair once."""
    seen: dict[str, tuple[str, str, int]] = {}
    for pack in packs:
        for intent in pack.intents.values():
            for example in intent.examples:
                key = example_key(example.text)
                if not key:
                    continue
                first = seen.get(key)
                if first is None:
                    seen[key] = (pack.id, intent.name, example.line)
                    continue
                if first[:2] == (pack.id, intent.name):
                    continue  # a repeat inside one intent is harmless
                diags.error(
                    f"{pack.id}/nlu.yml",
                    (example.line, 1),
                    "duplicate-example",
                    f"例文「{example.text}」が {first[0]} の intent「{first[1]}」（{first[0]}/nlu.yml {first[2]} 行目）にもあります。",
                    "どちらの intent の質問か決めて、片方から削除してください。",
                )


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    guess = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"「{guess[0]}」のことですか？" if guess else ""
