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
from .model import Pack

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


def check_pack(
    pack: Pack,
    common: Pack | None,
    where: Positions,
    actions: Mapping[str, ActionContract],
    today: date,
    diags: Diagnostics,
) -> None:
    folder = pack.id
    nlu, responses_file, rules_file = f"{folder}/nlu.yml", f"{folder}/responses.yml", f"{folder}/rules.yml"
    forms_file = f"{folder}/forms.yml"
    shared = common if (common is not None and pack.bot.include_common and pack.id != COMMON_BOT) else None
    intents = set(pack.intents) | (set(shared.intents) if shared else set())
    responses = set(pack.responses) | (set(shared.responses) if shared else set())
    slots = {slot.name for form in pack.forms.values() for slot in form.slots}
    provided = set(ENGINE_VALUES) | slots
    used_responses: set[str] = set()

    def action_exists(action: str) -> bool:
        return action in responses or action in pack.forms or action in actions

    answers_unknown = bool({"responses.yml", "rules.yml"} & where.unreadable)
    for name in pack.intents:
        if (
            answers_unknown
            or name in ENGINE_INTENTS
            or name in pack.rules
            or answer_response(name) in responses
        ):
            continue
        diags.error(
            nlu,
            where.intents.get(name, (1, 1)),
            "no-response",
            f"intent「{name}」に応答もルールもありません。",
            f"responses.yml に「{answer_response(name)}:」を追加するか、rules.yml にこの intent のルールを書いてください。",
        )
    for intent, rule in pack.rules.items():
        at = where.rules.get(intent, (1, 1))
        if intent not in intents:
            diags.error(
                rules_file,
                at,
                "unknown-intent",
                f"ルールの intent「{intent}」は nlu.yml にありません。",
                _suggest(intent, intents),
            )
        for action in rule.actions:
            used_responses.add(action)
            if not action_exists(action):
                diags.error(
                    rules_file,
                    at,
                    "unknown-action",
                    f"ルールの action「{action}」が見つかりません。",
                    "responses.yml の応答名（utter_…）、forms.yml のフォーム名、または登録済みの action_… を書いてください。",
                )
    for form in pack.forms.values():
        at = where.forms.get(form.name, (1, 1))
        used_responses.add(form.submit)
        if form.on_cancel is not None:
            used_responses.add(form.on_cancel)
            if form.on_cancel not in responses:
                diags.error(
                    forms_file,
                    at,
                    "unknown-action",
                    f"フォーム「{form.name}」の on_cancel「{form.on_cancel}」の応答がありません。",
                    f"responses.yml に「{form.on_cancel}:」を追加してください。",
                )
        if not action_exists(form.submit):
            diags.error(
                forms_file,
                at,
                "unknown-action",
                f"フォーム「{form.name}」の submit「{form.submit}」が見つかりません。",
            )
        for slot in form.slots:
            ask = ask_response(slot.name)
            used_responses.add(ask)
            if slot.if_unknown:
                used_responses.add(slot.if_unknown)
                if slot.if_unknown not in responses:
                    diags.error(
                        forms_file,
                        at,
                        "missing-response",
                        f"スロット「{slot.name}」の if_unknown「{slot.if_unknown}」の応答がありません。",
                        f"responses.yml に「{slot.if_unknown}:」を追加してください。",
                    )
            if ask not in responses:
                diags.error(
                    forms_file,
                    at,
                    "no-question",
                    f"スロット「{slot.name}」を尋ねる応答「{ask}」がありません。",
                    f"responses.yml に「{ask}:」を追加してください。",
                )
    for action in used_responses & set(actions):
        provided |= actions[action].provides
        used_responses |= actions[action].responses
        for needed in sorted(actions[action].responses - responses):
            diags.error(
                rules_file if action not in {f.submit for f in pack.forms.values()} else forms_file,
                (1, 1),
                "missing-response",
                f"action「{action}」が使う応答「{needed}」がありません。",
                f"responses.yml に「{needed}:」を追加してください。",
            )
    for name, response in pack.responses.items():
        at = where.responses.get(name, (1, 1))
        stem = name.removeprefix(RESPONSE_PREFIX)
        overrides_engine = name in ENGINE_TEXT_RESPONSES  # a pack's own wording of an engine text
        if (
            stem not in intents
            and name not in used_responses
            and not name.startswith(ASK_RESPONSE_PREFIX)
            and not overrides_engine
        ):
            diags.warning(
                responses_file,
                at,
                "unused-response",
                f"応答「{name}」に対応する intent「{stem}」がなく、どこからも使われていません。",
                _suggest(stem, intents) or "intent 名の書き間違いでないか確認してください。",
            )
        if stem in pack.intents and response.checked_on is None and pack.id != COMMON_BOT:
            diags.warning(
                responses_file,
                at,
                "no-checked-on",
                f"応答「{name}」に checked_on（内容を確認した日）がありません。",
                "「checked_on: 2026-11-28」のように書いてください。",
            )
        if response.valid_until is not None and response.valid_until < today:
            diags.warning(
                responses_file,
                at,
                "expired",
                f"応答「{name}」の valid_until（{response.valid_until}）を過ぎています。今は問い合わせ先の案内に置き換えて答えています。",
                "内容を確認して文面と valid_until を更新してください。",
            )
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
                    _check_payload(button.payload, intents, slots, responses_file, at, diags)


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
