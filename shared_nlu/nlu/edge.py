"""The edge of what a bot knows: answer only what the best intent covers; point to another bot only
when that bot would itself answer confidently.

``NluEngine.decide_scoped`` picks the best intent a bot may answer with and applies the pack's
confidence thresholds. This module wraps it:

1. near-miss labels (``bot/__not_covered__``) are read as out of scope;
2. the answer is checked for coverage (``coverage.CoverageModel``): a message with meaning its
   intent has never seen gets the fallback with reason ``not_covered``;
3. only when the bot itself cannot answer, another bot is considered — and pointed to only when it
   would answer the message confidently and with coverage, and beats the out-of-scope reading.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from ..constants import COMMON_BOT, FALLBACK_INTENT, INFORM_INTENT, OUT_OF_SCOPE_INTENT, answer_response
from ..entities.model import EntityMatch
from ..pack.model import Thresholds
from ..text.normalize import normalize
from ..text.question_types import addressed_types, asked_types
from ..text.sentences import asking_clause, asking_sentence, asks, sentences
from .result import FallbackReason, ParseResult
from .training_data import FAQ_LABEL, allowed_bots, label_of, split_label

if TYPE_CHECKING:
    from .engine import NluEngine

# A long message's row: up to 70 % its asking sentence, the rest the whole message. A question
# with few content words (「どうすればいいですか」) says little on its own, so it weighs less.
QUESTION_WEIGHT = 0.7
QUESTION_WEIGHT_PER_WORD = 0.4
# A story is two sentences or more before the question (measured: with one remark before a question,
# as many of the packs' own examples are written, the remark often carries the topic).
STORY_SENTENCES = 3
# Urgent intents of the common pack (bot catalog, safety section): recall first, so a crisis
# message is never turned away for words its intent has not seen.
SAFETY_INTENTS = frozenset(
    {"child_abuse", "suicide_crisis", "domestic_violence", "medical_emergency", "crime_danger"}
)
# Common-pack intents that are not conversation: out of scope is the model's "no bot answers this"
# (it meets new words all the time) and the safety intents come first whatever else is said.
CONVERSATION_EXCLUDED = SAFETY_INTENTS | {OUT_OF_SCOPE_INTENT}
# Pointing elsewhere needs more than answering here: the other bot's intent must know every noun of
# the question (an unknown verb may remain), or a resident is sent off on one shared word.
POINTING_COVERAGE = 0.6
# Coverage scores from the bot's threshold up to this much above it get "did you mean …?" buttons.
CLARIFY_BAND = 0.0
# A message that uses none of its intent's frame words (coverage.in_frame) is allowed at most this
# much usual novelty: a broad intent's allowance is for new topics inside its frame (measured: 0
# turns away 「陽性なってから何日間おうちにおらなあかんの」 and 「転出届ってどこで出したらええの？」,
# conversation tests of the packs; 0.75 keeps all of them and turns away 2 points more gaps).
FRAME_USUAL = 0.75
# An intent addresses a question type (text.question_types) when this many of its examples ask it
# (or its answer gives it): one example is an editor saying "this intent answers that".
MIN_ASKING_EXAMPLES = 1


class EdgeDecision:
    def __init__(self, engine: NluEngine) -> None:
        self.engine = engine
        self._addressed: dict[tuple[str, str], frozenset[str]] = {}

    def addressed(self, bot: str, intent: str) -> frozenset[str]:
        """The question types ``bot/intent`` addresses: asked by its examples or given by its
        answer, in any language (cached; the packs do not change under an engine)."""
        key = (bot, intent)
        cached = self._addressed.get(key)
        if cached is None:
            pack = self.engine.packs.packs[bot]
            found = pack.intents.get(intent)
            examples = [normalize(e.text) for e in found.examples] if found is not None else []
            response = pack.responses.get(answer_response(intent))
            answers = (
                [normalize(v.text) for variants in response.variants.values() for v in variants]
                if response is not None
                else []
            )
            cached = addressed_types(examples, answers, MIN_ASKING_EXAMPLES)
            self._addressed[key] = cached
        return cached

    @staticmethod
    def asking_part(text: str) -> str:
        """What a message asks: its asking sentence (of a long message) without a remark clause."""
        return asking_clause(asking_sentence(text) or text)

    def unaddressed_question(self, question: str, bot: str, intent: str) -> frozenset[str]:
        """The question types ``question`` (the asking part of a message) asks when ``bot/intent``
        addresses none of them (「確定申告は府税事務所でもできますか」 asks *can*; an answer that
        says *where* does not answer it); empty when it asks no known type or the intent addresses one."""
        asked = asked_types(normalize(question))
        if not asked or asked & self.addressed(bot, intent):
            return frozenset()
        return asked

    def unknown_focus(self, prepared: str, result: ParseResult) -> str:
        """The unseen words of what the asking part (``prepared``) asks about
        (``CoverageModel.unknown_focus``), comma separated; empty when there are none. Not for the
        common pack: its conversation intents are about framing, not topics."""
        if result.bot in (None, COMMON_BOT):
            return ""
        words = self.engine.coverage.unknown_focus(prepared, self._label(result))
        return ",".join(dict.fromkeys(word for word, _ in words))

    def blend(self, whole: np.ndarray, question: np.ndarray, question_text: str, text: str) -> np.ndarray:
        if len(sentences(text)) < STORY_SENTENCES:
            return whole  # one remark and a question: the remark often names the topic
        words = len(self.engine.coverage.words(self.engine.prepare(question_text)))
        weight = min(QUESTION_WEIGHT, QUESTION_WEIGHT_PER_WORD * words)
        return (1.0 - weight) * whole + weight * question

    def fold_not_covered(self, probabilities: np.ndarray) -> np.ndarray:
        """Near-miss labels mean "looks like a bot's intent, but it does not cover it": their
        probability is out-of-scope probability."""
        columns = self.engine._not_covered
        if columns.size == 0:
            return probabilities
        folded = probabilities.copy()
        labels = self.engine.classifier.labels
        oos = label_of(COMMON_BOT, OUT_OF_SCOPE_INTENT)
        if oos in labels:
            folded[labels.index(oos)] += folded[columns].sum()
        folded[columns] = 0.0
        total = folded.sum()
        return folded / total if total > 0 else folded

    def yield_conversation(self, text: str, scoped: np.ndarray) -> np.ndarray:
        """``scoped`` (one bot's label probabilities) without the common pack's conversation intents
        (greet, thanks, bot_capabilities …) that the message's content words do not fit.

        Those intents are learnt from framing words alone (「何ができるの」「ありがとう」), so the
        classifier gives them a message whose framing matches whatever else it says:
        「介護サービスを使いたいけど、何ができるのかわからない」 is bot_capabilities by its last
        words. Such an intent is set aside when the message asks something, carries more meaning
        it has never seen than its own examples usually do, and the bot's best domain intent has
        seen more of the message's content words than it has. 「何ができるの？」 names nothing and
        keeps its answer; 「ありがとう、自動車税のことよくわかった」 asks nothing and stays thanks;
        the safety intents are not in this model (safety.py answers them first).
        What is set aside is no reading of the message, so the rest is renormalised."""
        engine = self.engine
        labels = engine.classifier.labels
        common = engine.label_bots == COMMON_BOT
        domain = np.where(common, 0.0, scoped)
        best_domain = int(np.argmax(domain)) if domain.size else 0
        if not domain.size or domain[best_domain] <= 0:
            return scoped
        contenders = [
            i
            for i in np.flatnonzero(common & (scoped > domain[best_domain]))
            if split_label(labels[i])[1] not in CONVERSATION_EXCLUDED
        ]
        if not contenders or not asks(text):
            return scoped
        question = engine.prepare(asking_sentence(text) or text)
        coverage = engine.coverage
        domain_mass = coverage.uncovered_mass(question, labels[best_domain])
        kept = scoped.copy()
        for index in contenders:
            mass = coverage.uncovered_mass(question, labels[index])
            if mass > coverage.usual_novelty(labels[index]) and domain_mass < mass:
                kept[index] = 0.0
        total = float(kept.sum())
        return kept / total if total > 0 else scoped

    def answering_thresholds(self, widget: str | None, owner: str) -> Thresholds:
        """The thresholds an answer of ``owner``'s intent must meet in ``widget``'s conversation.

        The front door (a bot that routes to others) answers a routed bot's question as that bot
        would: with the stricter of the two coverage thresholds and out-of-scope margins, so a
        question that bot would turn away is not answered at the door with its intent
        (「大阪府の府の花は何ですか」 with the sticker bot's about_sticker). A bot's own and the
        common pack's intents keep the widget's thresholds."""
        packs = self.engine.packs.packs
        own = packs[widget or owner].bot.thresholds
        if widget is None or owner in (widget, COMMON_BOT):
            return own
        theirs = packs[owner].bot.thresholds
        return replace(
            own,
            coverage=max(own.coverage, theirs.coverage),
            out_of_scope_margin=max(own.out_of_scope_margin, theirs.out_of_scope_margin),
        )

    def scope_margin(self, text: str, intent: str, thresholds: Thresholds) -> float:
        """How far (in SVM margin) ``intent`` must beat out of scope to answer ``text``.

        Two readings need only beat it: a story before the question is the resident's life, which
        reads as out of scope whatever is asked, so its out-of-scope share says nothing about the
        question; and a form's answer (「きのう」「訪問販売です」) is checked by the form itself, as
        for coverage: a bare value reads as out of scope whatever form asked for it."""
        if intent == INFORM_INTENT or len(sentences(text)) >= STORY_SENTENCES:
            return 0.0
        return thresholds.out_of_scope_margin

    def _has_content(self, text: str) -> bool:
        engine = self.engine
        return bool(engine.coverage.words(engine.prepare(text)))

    def _label(self, result: ParseResult) -> str:
        assert result.bot is not None
        pack = self.engine.packs.packs[result.bot]
        return label_of(result.bot, FAQ_LABEL if result.intent in pack.faq_intents else result.intent)

    def coverage_score(self, question: str, prepared: str, label: str, strict: bool = False) -> float:
        """exp(-excess) for the asking part of a message (``question``, and ``prepared`` as the model
        sees it) and ``label``, where the excess is its uncovered mass beyond what is usual for the
        intent's own examples: 1.0 when nothing unusual is unseen, about 0.37 with one word more than
        usual that no pack has ever used. ``strict``: the whole uncovered mass counts (for pointing
        elsewhere: every noun known)."""
        coverage = self.engine.coverage
        mass = coverage.uncovered_mass(prepared, label)
        usual = 0.0 if strict else coverage.usual_novelty(label)
        if (
            not question.isascii()  # the frames are learnt from Japanese examples mostly
            and not coverage.in_frame(prepared, label)
        ):
            usual = min(usual, FRAME_USUAL)
        return math.exp(-max(0.0, mass - usual))

    def covered(
        self, result: ParseResult, text: str, widget: str | None, minimum: float = 0.0
    ) -> ParseResult:
        """``result`` when its intent covers ``text`` (coverage score at least the bot's threshold
        and ``minimum``); else the fallback, reason ``not_covered``."""
        if result.is_fallback or result.bot is None or result.intent in SAFETY_INTENTS:
            return result
        if result.intent == INFORM_INTENT:
            # 「4日前」「訪問販売です」: a form's value, checked by the form itself — but a message
            # with neither a value nor a content word (「えーと、よくわからん」) is no answer
            if result.entities or self._has_content(text):
                return result
            return self._not_covered(result, 0.0)
        if not self.engine.coverage.fitted:
            return result
        question = self.asking_part(text)
        prepared = self.engine.prepare(question)  # once: the score and the focus read the same text
        score = self.coverage_score(question, prepared, self._label(result), strict=minimum > 0)
        if (
            result.language == "ja"  # English questions are made of function words ("where are you from")
            and not self._has_content(text)
            and self.engine.coverage.expects_content(self._label(result))
        ):
            score = 0.0  # 「えーと、よくわからん」: nothing the intent's topic could be about
        threshold = max(minimum, self.answering_thresholds(widget, result.bot).coverage)
        if score >= threshold:
            unaddressed = self.unaddressed_question(question, result.bot, result.intent)
            if unaddressed:
                return self._not_covered(result, score, {"question_types": ",".join(sorted(unaddressed))})
            focus = self.unknown_focus(prepared, result)
            if focus and minimum > 0:
                return self._not_covered(result, score, {"focus": focus})
            if focus:
                # The question is about something the intent does not know (インフルエンザの
                # 予防接種), or names a known thing in other words (払込用紙 for 納付書): ask
                # "did you mean …?" — its buttons offer the intent, and "none of these" the contact.
                return replace(result, ambiguous=True, extra={**result.extra, "focus": focus})
        if score >= threshold + CLARIFY_BAND or minimum > 0:
            return result if score >= threshold else self._not_covered(result, score)
        if score >= threshold:
            # Partly covered (a word or two the intent has not seen): ask "did you mean …?"
            # rather than answer outright or turn the resident away.
            return replace(result, ambiguous=True, extra={**result.extra, "coverage": round(score, 4)})
        return self._not_covered(result, score)

    @staticmethod
    def _not_covered(result: ParseResult, score: float, why: dict[str, str] | None = None) -> ParseResult:
        return ParseResult(
            text=result.text,
            intent=FALLBACK_INTENT,
            confidence=1.0 - score,
            bot=None,
            language=result.language,
            ranking=result.ranking,
            entities=result.entities,
            fallback_reason=FallbackReason.NOT_COVERED,
            extra={
                "not_covered": f"{result.bot}/{result.intent}",
                "coverage": round(score, 4),
                **(why or {}),
            },
        )

    def decide(
        self,
        text: str,
        probabilities: np.ndarray,
        bot: str | None,
        language: str,
        entities: tuple[EntityMatch, ...],
    ) -> ParseResult:
        engine = self.engine
        own = self.covered(engine.decide_scoped(text, probabilities, bot, language, entities), text, bot)
        if bot is None or not own.is_fallback:
            return own
        other = self._other_bot(text, probabilities, bot, language, entities)
        if other is None:
            return own
        return ParseResult(
            text=text,
            intent=FALLBACK_INTENT,
            confidence=other.confidence,
            bot=None,
            language=language,
            ranking=own.ranking,
            entities=entities,
            fallback_reason=FallbackReason.OTHER_BOT,
            extra={"other_bot": other.bot, "other_intent": other.intent},
        )

    def _other_bot(
        self,
        text: str,
        probabilities: np.ndarray,
        bot: str,
        language: str,
        entities: tuple[EntityMatch, ...],
    ) -> ParseResult | None:
        """The answer of the best bot outside ``bot``'s reach, if that bot would itself give it
        (confident, covered, and more likely than out of scope); else None."""
        engine = self.engine
        labels = engine.classifier.labels
        mask = engine._allowed_mask(allowed_bots(engine.packs, bot), bot)
        outside = np.where(mask, -1.0, probabilities)
        index = int(np.argmax(outside))
        if mask[index] or outside[index] <= 0:
            return None
        rival_bot, rival_intent = split_label(labels[index])
        if rival_bot == COMMON_BOT or rival_intent == OUT_OF_SCOPE_INTENT:
            return None
        oos = label_of(COMMON_BOT, OUT_OF_SCOPE_INTENT)
        if oos in labels and probabilities[index] <= probabilities[labels.index(oos)]:
            return None
        theirs = self.covered(
            engine.decide_scoped(text, probabilities, rival_bot, language, entities),
            text,
            rival_bot,
            POINTING_COVERAGE,
        )
        if theirs.is_fallback or theirs.ambiguous or theirs.bot != rival_bot:
            return None
        return theirs
