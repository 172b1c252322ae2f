"""Not covered by this bot: an unanswered question becomes a near miss of the bot's closest intent.

A question in the unanswered report that no intent of the bot should answer (「インフルエンザの予防接種は
どこで」 asked the COVID bot) is added, as it was stored (masked), to the ``near_misses: |`` block of the
bot's intent that the engine ranks highest for it: the intent it would most likely be mistaken for.
The pack format trains near misses as messages that intent does NOT cover, so the bot learns its edge.

The change is made to nlu.yml as text (:mod:`admin.pack_text`), validated with every active pack and
stored as a new version that is active at once, like an upload, with an audit entry that names the
question by id, never by its text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from core.errors import AppError
from core.pack_versions import active_sources
from core.storage.models import Message, Rating
from shared_nlu.constants import INFORM_INTENT
from shared_nlu.nlu import NluEngine
from shared_nlu.nlu.training_data import split_label
from shared_nlu.pack.checks import example_key

from . import audit, pack_publishing, pack_text
from .auth import Principal
from .reports.questions import is_question


@dataclass(frozen=True)
class NearMissAdded:
    saved: pack_publishing.Saved
    intent: str
    text: str


def mark_not_covered(
    session: Session,
    principal: Principal,
    nlu: NluEngine,
    bot_id: str,
    question_id: str,
    comment: str | None,
    activate: bool = True,
) -> NearMissAdded:
    """Add question ``question_id`` of ``bot_id`` as a near miss of its closest intent, as a new version
    (active at once, or a draft to try first with ``activate=False``)."""
    text = pack_text.near_miss_line(unanswered_question(session, bot_id, question_id))
    pack_publishing.lock(session, bot_id)
    base = pack_publishing.active(session, bot_id)
    nlu_text = base.files.get("nlu.yml", "")
    _refuse_known(session, bot_id, nlu_text, text)
    # the form's answer intent (「訪問販売です」) only means something inside its form: not an edge to learn
    candidates = set(pack_text.intents_of(bot_id, nlu_text)) - {INFORM_INTENT}
    intent = closest_intent(nlu, bot_id, text, candidates)
    if intent is None:
        raise AppError(
            422,
            "no_intent",
            f"ボット「{bot_id}」の nlu.yml に、対象外の例を付けられるインテントが見つかりません。",
            f"Found no intent in {bot_id!r}'s nlu.yml to add the near miss to.",
        )
    changed = pack_text.insert_near_miss(nlu_text, intent, text)
    if changed is None:
        raise AppError(
            422,
            "near_misses_block_not_found",
            f"nlu.yml の intent「{intent}」に「near_misses: |」を追加できませんでした。nlu.yml を直接編集してください。",
            f"Could not add a 'near_misses: |' block to intent {intent!r} in nlu.yml; edit the file instead.",
        )
    files = {**base.files, "nlu.yml": changed}
    warnings = pack_publishing.validate(session, principal, bot_id, files)
    row = pack_publishing.insert_version(
        session,
        bot_id,
        files,
        principal.name,
        comment or f"対象外の質問を追加: {intent}（near_misses）",
        pack_publishing.pack_diff(base.files, files),
        activate=activate,
    )
    # the question's text stays out of the audit log: it is a resident's message
    audit.record(
        session,
        principal,
        "pack.add_near_miss",
        f"bot:{bot_id}",
        {"version": row.version, "intent": intent, "question_id": question_id, "draft": not activate},
    )
    return NearMissAdded(pack_publishing.Saved(row.version, warnings, activated=activate), intent, text)


def unanswered_question(session: Session, bot_id: str, question_id: str) -> str:
    """The stored (masked) text of a question the unanswered report lists for ``bot_id``.

    404 unless it is a resident's message to this bot (another bot's message is not named: a
    department token must not learn what exists elsewhere); 422 for a message the report leaves
    out (a button click, an empty or fully masked message) and for one that was answered and not
    rated unhelpful.
    """
    message = session.scalars(
        select(Message).where(Message.id == question_id, Message.direction == "in", Message.bot_id == bot_id)
    ).first()
    if message is None:
        raise AppError(
            404,
            "question_not_found",
            f"ボット「{bot_id}」への質問 {question_id} は見つかりません。未回答の質問の一覧を読み込み直してください。",
            f"Bot {bot_id!r} has no question {question_id!r}. Reload the unanswered questions.",
        )
    if not is_question(message.text):
        raise AppError(
            422,
            "not_a_question",
            "これはボタンの操作か、中身のないメッセージです。対象外の例にはできません。",
            "This is a button click or a message without content, not a question.",
        )
    if not (message.fallback or message.clarification or _rated_unhelpful(session, message.id)):
        raise AppError(
            422,
            "question_answered",
            "この質問にはボットが回答し、「役に立たなかった」とも評価されていません。",
            "The bot answered this question and nobody rated the answer unhelpful.",
        )
    return message.text


def closest_intent(nlu: NluEngine, bot_id: str, text: str, candidates: set[str]) -> str | None:
    """The intent of ``bot_id`` among ``candidates`` the engine ranks highest for ``text``.

    Within one bot the order is the same as in ``parse(text, bot=bot_id)``'s ranking (which only
    renormalises), but every label is looked at, not only the ranking's first ten.
    """
    if not candidates:
        return None
    probabilities = nlu.probabilities([text])[0]
    for index in np.argsort(-probabilities, kind="stable"):
        label_bot, intent = split_label(nlu.classifier.labels[index])
        if label_bot == bot_id and intent in candidates:
            return intent
    return None


def _refuse_known(session: Session, bot_id: str, nlu_text: str, text: str) -> None:
    """409 when ``text`` is already a near miss of this bot or an example of any bot."""
    key = example_key(text)
    for intent, lines in sorted(pack_text.near_misses_of(bot_id, nlu_text).items()):
        if any(example_key(line) == key for line, _ in lines):
            raise AppError(
                409,
                "already_near_miss",
                f"この質問はすでに intent「{intent}」の対象外の例（near_misses）にあります。",
                f"This question is already a near miss of intent {intent!r}.",
            )
    owner = pack_text.example_owner(active_sources(session)[0], text)
    if owner is not None:
        raise AppError(
            409,
            "already_example",
            f"この質問は {owner[0]} の intent「{owner[1]}」の例文です。対象外にするなら、先に例文から外してください。",
            f"This question is an example of intent {owner[1]!r} of bot {owner[0]!r}; remove it there first.",
        )


def _rated_unhelpful(session: Session, message_id: str) -> bool:
    reply = aliased(Message)
    return bool(
        session.scalar(
            select(
                exists()
                .where(reply.reply_to == message_id, Rating.message_id == reply.id)
                .where(Rating.helpful.is_(False))
            )
        )
    )
