"""Lanes: would a new pack version take over questions another bot answers?

One model routes every message to a bot, so a pack is not only its own business: examples that
are near-copies of another department's questions make the model answer those questions with the
new intent, in that department's own widget as well as at the front door. Two measurements,
both on examples (the questions each department wrote down as its own):

* **claims**: each example the new version adds is parsed, across all bots, by the model serving
  now. If the service answers it today with another bot's intent — and the candidate model still
  sees the two intents overlap (:data:`SHARED_MASS`) — the upload takes that question from that bot.
* **displaces**: the model trained on the candidate packs answers another bot's own examples
  and the user turns of its tests.yml (phrasings written apart from the examples). If one that
  was not answered by the uploading bot before is now — across all bots, or in the other bot's
  own widget (where it becomes 「そのご質問は…の担当です」) — the upload took it.

``out_of_scope`` (what no bot covers) belongs to no lane: taking a question from it is how a bot
grows. The policy (refuse, or let the strategy department approve) is the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ..constants import COMMON_BOT, FALLBACK_INTENT, OUT_OF_SCOPE_INTENT
from ..pack.checks import example_key
from ..pack.diagnostics import Diagnostic, Severity
from ..pack.model import Pack
from .engine import NluEngine
from .result import FallbackReason
from .safety_phrases import SAFETY_INTENTS
from .training_data import FAQ_LABEL, label_of, split_label


@dataclass(frozen=True, slots=True)
class Collision:
    """One example that would change lanes.

    ``bot``/``intent``/``file``/``line`` say where the example is written; ``owner``/
    ``owner_intent`` which bot answers it now, ``taker``/``taker_intent`` which bot would answer
    it after the change (the uploading one). ``where`` is ``"routed"`` (the front door and
    ``/model/parse``) or the bot id of the widget in which it happens.
    """

    kind: str  # "claims" or "displaces"
    bot: str
    intent: str
    file: str
    line: int
    text: str
    owner: str
    owner_intent: str
    taker: str
    taker_intent: str
    where: str
    confidence: float

    def diagnostic(self) -> Diagnostic:
        """The collision as a validator diagnostic at the example's line (messages in Japanese)."""
        if self.kind == "claims":
            message = (
                f"例文「{_short(self.text)}」は今、{self.owner} の intent「{self.owner_intent}」として"
                f"答えられています（確信度 {self.confidence:.2f}）。このまま保存すると {self.bot} が"
                f"この質問を引き取ります。"
            )
        else:
            place = "横断の案内（窓口）" if self.where == "routed" else f"{self.where} のウィジェット"
            message = (
                f"{self.bot} の例文「{_short(self.text)}」（intent「{self.intent}」）が、{place}で "
                f"{self.taker} の intent「{self.taker_intent}」の答えに変わります（確信度 {self.confidence:.2f}）。"
            )
        hint = (
            f"{self.owner} の質問と見分けがつく例文に書き換えるか削除してください。"
            "担当を移すことが合意済みなら、スマートシティ戦略部（strategy）に承認付きで保存してもらいます。"
        )
        return Diagnostic(Severity.ERROR, self.file, self.line, 1, "lane-collision", message, hint)


# A new example takes a question from another bot only if the candidate model, which knows both
# intents, still gives that bot's intent a share of it: the two intents overlap. An example of a
# topic no bot covered gets (almost) none, however confidently the serving model, which never saw
# the topic, misroutes it today. Measured on the shipped packs, each bot left out of the serving
# model in turn: its 981 examples that the serving model then gave to another bot kept at most
# 0.002 there; near-copies of another bot's questions keep 0.03-0.12.
SHARED_MASS = 0.01


@dataclass(frozen=True, slots=True)
class Question:
    """A question a bot answers as its own: an nlu.yml example, or a user turn of its tests.yml."""

    owner: str
    intent: str
    file: str
    line: int
    text: str
    asked_in: str  # the bot whose widget it is asked in (a front door's tests ask for routed bots)


def new_examples(candidate: Pack, served: Pack | None) -> list[Question]:
    """The candidate's examples that the served version of the bot lacks."""
    known = {example_key(e.text) for i in served.intents.values() for e in i.examples} if served else set()
    return [q for q in _examples(candidate) if example_key(q.text) not in known]


def claims(bot_id: str, candidate: NluEngine, served: NluEngine) -> list[Collision]:
    """The candidate's new examples that the serving model answers with another bot's intent,
    where the candidate model sees the two intents overlap (:data:`SHARED_MASS`)."""
    added = new_examples(candidate.packs.packs[bot_id], served.packs.packs.get(bot_id))
    if not added:
        return []
    texts = [q.text for q in added]
    found = []
    for question, row, after in zip(
        added, served.probabilities(texts), candidate.probabilities(texts), strict=True
    ):
        result = served.decide(question.text, row, None)
        if result.is_fallback or result.bot in (None, bot_id) or result.intent == OUT_OF_SCOPE_INTENT:
            continue
        if _mass(candidate, after, result.bot, result.intent) < SHARED_MASS:
            continue  # a topic the serving model never saw, misrouted today: no overlap
        found.append(
            Collision(
                "claims",
                bot_id,
                question.intent,
                question.file,
                question.line,
                question.text,
                result.bot,
                result.intent,
                bot_id,
                question.intent,
                "routed",
                result.confidence,
            )
        )
    return found


def displaced(changed: Iterable[str], served: NluEngine, candidate: NluEngine) -> list[Collision]:
    """Other bots' own questions that ``candidate`` answers with a changed bot where ``served`` did not."""
    changed = set(changed)
    questions = [
        q
        for pack in candidate.packs.packs.values()
        for q in (*_examples(pack), *_test_questions(pack))
        if q.intent != OUT_OF_SCOPE_INTENT and not (q.owner in changed and q.asked_in in changed)
    ]
    return _taken(questions, changed, served, candidate)


def _taken(
    questions: list[Question], changed: set[str], served: NluEngine, candidate: NluEngine
) -> list[Collision]:
    """The ``questions`` that ``candidate`` answers with a changed bot and ``served`` did not."""
    if not questions:
        return []
    after = candidate.probabilities([q.text for q in questions])
    best_bot = [split_label(candidate.classifier.labels[i])[0] for i in after.argmax(axis=1)]
    # a changed bot can win nowhere unless it is the most probable label of all
    suspects = [
        (row, best_bot[row])
        for row, q in enumerate(questions)
        if best_bot[row] in changed and best_bot[row] != q.owner
    ]
    if not suspects:
        return []
    before = served.probabilities([questions[row].text for row, _ in suspects])
    found = []
    for (row, taker), served_row in zip(suspects, before, strict=True):
        question = questions[row]
        for where in dict.fromkeys((None, question.asked_in if question.asked_in != COMMON_BOT else None)):
            now = _answer(candidate, after[row], question.text, where)
            if now is None or now[0] != taker:
                continue
            then = (
                _answer(served, served_row, question.text, where)
                if where is None or where in served.packs.packs
                else None
            )
            if then is not None and then[0] == taker:
                continue  # answered by that bot already: not this change's doing
            found.append(
                Collision(
                    "displaces",
                    question.owner,
                    question.intent,
                    question.file,
                    question.line,
                    question.text,
                    question.owner,
                    question.intent,
                    taker,
                    now[1],
                    where or "routed",
                    now[2],
                )
            )
            break  # one place is enough to name the question
    return found


def _examples(pack: Pack) -> Iterator[Question]:
    for intent in pack.intents.values():
        if _answered_first(pack.id, intent.name):
            continue
        file = f"{pack.id}/{'faq.yml' if intent.name in pack.faq_intents else 'nlu.yml'}"
        for example in intent.examples:
            yield Question(pack.id, intent.name, file, example.line, example.text, pack.id)


def _test_questions(pack: Pack) -> Iterator[Question]:
    """tests.yml's user turns: phrasings the department wrote apart from its examples (held out)."""
    for story in pack.stories:
        for step in story.steps:
            if step.user and not step.user.startswith("/") and step.intent and step.intent != FALLBACK_INTENT:
                owner = step.bot or (pack.id if step.intent in pack.intents else COMMON_BOT)
                if _answered_first(owner, step.intent):
                    continue
                yield Question(owner, step.intent, f"{pack.id}/tests.yml", step.line, step.user, pack.id)


def _answered_first(bot: str, intent: str) -> bool:
    """The common pack's safety intents are answered by their own check before any routing (see
    :mod:`shared_nlu.nlu.safety`); the routing model never sees their examples, so no pack can take
    them over there, and where that model would send them says nothing about lanes."""
    return bot == COMMON_BOT and intent in SAFETY_INTENTS


def _mass(engine: NluEngine, row: np.ndarray, bot: str, intent: str) -> float:
    pack = engine.packs.packs.get(bot)
    if pack is None:
        return 0.0
    label = label_of(bot, FAQ_LABEL if intent in pack.faq_intents else intent)
    labels = engine.classifier.labels
    return float(row[labels.index(label)]) if label in labels else 0.0


def _answer(
    engine: NluEngine, row: np.ndarray, text: str, where: str | None
) -> tuple[str, str, float] | None:
    """(bot, intent, confidence) that answers ``text`` in ``where``; a referral counts as the bot referred to."""
    result = engine.decide(text, row, where)
    if result.fallback_reason == FallbackReason.OTHER_BOT:
        bot = str(result.extra["other_bot"])
        return bot, _best_intent_of(engine, row, bot), result.confidence
    if result.is_fallback or result.bot is None:
        return None
    return result.bot, result.intent, result.confidence


def _best_intent_of(engine: NluEngine, row: np.ndarray, bot: str) -> str:
    labels = engine.classifier.labels
    columns = [i for i, label in enumerate(labels) if split_label(label)[0] == bot]
    intent = split_label(labels[max(columns, key=lambda i: row[i])])[1]
    return "FAQ" if intent == FAQ_LABEL else intent


def lane_collisions(changed: Iterable[str], served: NluEngine, candidate: NluEngine) -> list[Collision]:
    """Every collision of the ``changed`` bots' new versions (in ``candidate``) with the other bots."""
    changed = sorted(set(changed))
    found = [c for bot in changed if bot in candidate.packs.packs for c in claims(bot, candidate, served)]
    found.extend(displaced(changed, served, candidate))
    return sorted(found, key=lambda c: (c.file, c.line, c.kind))


def summary(collisions: list[Collision]) -> list[str]:
    """``"<bot>/<intent> ← <taker>/<intent>"`` once per pair, for messages and the audit log."""
    pairs = dict.fromkeys(f"{c.owner}/{c.owner_intent} ← {c.taker}/{c.taker_intent}" for c in collisions)
    return list(pairs)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
