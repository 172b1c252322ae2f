"""Does the best intent really cover a message, or does it only score highest?

A classifier always has a best intent; 「インフルエンザの予防接種はどこで」 scores highest for COVID
vaccination because every word it knows points there. What gives it away is the word it does not
know: インフルエンザ never appears in that intent's examples, synonyms or answer. This model keeps,
per label, every content word its examples and answers use, and measures a message's *uncovered
mass*: the content words the label has never seen, each weighted by how much it says (its IDF over
every pack's examples, scaled so a word no pack has ever used weighs 1.0 and a word used
everywhere weighs about 0). A message whose uncovered mass reaches the bot's threshold is not
covered, whatever its confidence.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..constants import OUT_OF_SCOPE_INTENT, answer_response
from ..pack.loader import PackSet
from ..text.content_words import ContentWords, Word
from ..text.focus import FocusPhrases
from ..text.question_types import asked_types
from .training_data import FAQ_LABEL, NOT_COVERED_LABEL, label_of, split_label

# katakana → hiragana as one translate table (normalize.katakana_to_hiragana, a hundred times faster)
_HIRAGANA = str.maketrans({chr(c): chr(c - 0x60) for c in range(ord("ァ"), ord("ヶ") + 1)})

# An unknown word naming a kind of something the intent knows (インフルエンザの予防接種, 法人府民税)
# asks about a different thing of that kind; an unknown word elsewhere (PayPayで払う) may be detail.
MODIFIER_FACTOR = 1.6
USUAL_QUANTILE = 0.9
USUAL_FOLDS = 5
CONTENTLESS_SHARE = 0.1
# A word another intent of the same bot uses is in the bot's domain: the classifier has weighed it
# already, so it says less about coverage than a word the bot has never seen.
BOT_WORD_FACTOR = 0.6
FRAME_SHARE = 0.2
# An unseen focus word counts from this weight: one no pack uses weighs 1.0, a word another intent
# of the bot knows 0.6 at most, one sharing half its kanji pairs with the intent's text about 0.5.
# Measured on the held-out batches: 0.5 catches 法人 in 「法人府民税の申告書」 and leaves 書類 in
# 「確定申告の書類ってどこに」 (0.45; a conversation test of the tax pack); 0.4 turned that away,
# 0.65 let 4 more gaps of the tuning batch through.
FOCUS_MIN_WEIGHT = 0.5
# English noun phrases are runs of content words (no tagger): only a short one whose last word, its
# head, the label knows is read as a kind of that thing ("flu shot", "golf course tax"); longer runs
# are whole clauses ("my home test kit shows positive").
ENGLISH_PHRASE_WORDS = 3
# A frame has a free slot only in a broad intent, one whose own examples bring new topics all the
# time (usual novelty at least this: find_department, subscription_trap, prefectural_housing …): 「街灯が
# 切れてるのは、どこの部署に」. In a narrower intent the frame words are its topic (追跡システム), and
# a new word beside them asks something else (「追跡システムって、感染拡大を防ぐ効果はあった？」).
# Measured over the five held-out batches: 1.6 answers 6 gaps fewer than a frame slot everywhere, for
# 1 covered question turned to 「もしかして」 (1.4: 4 for 1; 1.8: 6 for 3).
BROAD_USUAL = 1.6


@dataclass
class _Known:
    forms: set[str] = field(default_factory=set)
    readings: set[str] = field(default_factory=set)
    synonyms: set[int] = field(default_factory=set)
    blob: list[str] = field(default_factory=list)  # the texts themselves, for words inside compounds
    text: str = ""


class CoverageModel:
    """Fit on prepared (normalised) texts with their labels, plus each label's answer texts."""

    def __init__(self, words: ContentWords) -> None:
        self._words = words
        self._focus = FocusPhrases(words.tokenizer)
        self._known: dict[str, _Known] = {}
        self._bot_forms: dict[str, set[str]] = {}
        self._document_frequency: Counter[str] = Counter()
        self._documents = 0
        self._usual: dict[str, float] = {}
        self._frames: dict[str, set[str]] = {}
        self._contentless: dict[str, float] = {}  # per label: share of examples without content words

    @property
    def fitted(self) -> bool:
        return bool(self._known)

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        answers: dict[str, list[str]],
        usual: dict[str, float] | None = None,
    ) -> CoverageModel:
        """``usual``: the per-label usual novelty saved with a model (computed when None)."""
        known: dict[str, _Known] = defaultdict(_Known)
        frequency: Counter[str] = Counter()
        empty: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for text, label in zip(texts, labels, strict=True):
            words = self._words.words(text)
            total[label] += 1
            empty[label] += not words
            frequency.update({w.form for w in words})
            self._remember(known[label], text, words)
        for label, texts_of_label in answers.items():
            for text in texts_of_label:
                self._remember(known[label], text, self._words.words(text))
        for entry in known.values():
            entry.text = "\n".join(entry.blob)
            entry.blob = []
        self._known = dict(known)
        self._contentless = {label: empty[label] / total[label] for label in total}
        self._bot_forms = defaultdict(set)
        for label, entry in self._known.items():
            bot, intent = split_label(label)
            if intent not in (NOT_COVERED_LABEL, OUT_OF_SCOPE_INTENT):
                self._bot_forms[bot] |= entry.forms
        self._document_frequency = frequency
        self._documents = len(texts)
        self._frames = self._frame_words(texts, labels)
        self._usual = dict(usual) if usual is not None else self._usual_novelty(texts, labels, answers)
        return self

    def _usual_novelty(
        self, texts: Sequence[str], labels: Sequence[str], answers: dict[str, list[str]]
    ) -> dict[str, float]:
        """Per label, how much unseen meaning its own examples bring when held out (the
        ``USUAL_QUANTILE`` of their uncovered mass, each judged by the other folds' examples). An intent like "which section
        handles X?" meets new topics all the time; COVID vaccination rarely meets a new word. Only
        mass beyond what is usual for the intent counts against covering a message."""
        by_label: dict[str, list[str]] = defaultdict(list)
        for text, label in zip(texts, labels, strict=True):
            by_label[label].append(text)
        usual: dict[str, float] = {}
        for label, examples in by_label.items():
            bot, intent = split_label(label)
            if intent in (NOT_COVERED_LABEL, OUT_OF_SCOPE_INTENT) or len(examples) < 5:
                continue
            others = set().union(
                *(e.forms for name, e in self._known.items() if name.startswith(f"{bot}/") and name != label)
            )
            masses = []
            for fold in range(USUAL_FOLDS):  # each example judged by the others, fold by fold
                entry = _Known()
                for number, text in enumerate(examples):
                    if number % USUAL_FOLDS != fold:
                        self._remember(entry, text, self._words.words(text))
                for text in answers.get(label, []):
                    self._remember(entry, text, self._words.words(text))
                entry.text = "\n".join(entry.blob)
                bot_forms = others | entry.forms
                for text in examples[fold::USUAL_FOLDS]:
                    masses.append(
                        sum(weight for _, weight in self._missing(self._words.words(text), entry, bot_forms))
                    )
            usual[label] = float(np.quantile(masses, USUAL_QUANTILE))
        return usual

    def _frame_words(self, texts: Sequence[str], labels: Sequence[str]) -> dict[str, set[str]]:
        """Per label, the content words at least ``FRAME_SHARE`` of its examples use: what the
        intent is about whatever the topic (担当・部署 for "which section handles X?", 協力金 for
        the payment link). A broad intent's examples bring new topics all the time, but always
        inside that frame."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        totals: Counter[str] = Counter()
        for text, label in zip(texts, labels, strict=True):
            totals[label] += 1
            forms: set[str] = set()
            for word in self._words.words(text):
                forms.add(word.form)
                forms.update(word.parts)
            counts[label].update(forms)
        return {
            label: {form for form, n in counts[label].items() if n >= FRAME_SHARE * totals[label]}
            for label in totals
            if totals[label] >= 5
        }

    def in_frame(self, text: str, label: str) -> bool:
        """Does ``text`` (prepared) use one of the label's frame words (or has it none)?"""
        frame = self._frames.get(label)
        if not frame:
            return True
        for word in self._words.words(text):
            if word.form in frame or any(part in frame for part in word.parts):
                return True
            if any(len(f) >= 2 and f in word.surface for f in frame):
                return True
        return False

    def expects_content(self, label: str) -> bool:
        """Do this label's examples almost always name something? (「こんにちは」 does not; a
        message with no content word is then no evidence against it.)"""
        return self._contentless.get(label, 1.0) < CONTENTLESS_SHARE

    @property
    def usual(self) -> dict[str, float]:
        return dict(self._usual)

    def usual_novelty(self, label: str) -> float:
        return self._usual.get(label, 0.0)

    @staticmethod
    def _remember(entry: _Known, text: str, words: Iterable[Word]) -> None:
        entry.blob.append(text)
        entry.blob.append(text.translate(_HIRAGANA))
        for word in words:
            entry.forms.add(word.form)
            entry.forms.update(word.parts)
            if word.reading:
                entry.readings.add(word.reading)
            entry.synonyms.update(word.synonyms)

    def words(self, text: str) -> tuple[Word, ...]:
        return self._words.words(text)

    def weight(self, form: str) -> float:
        """IDF scaled to 0–1: 1.0 for a word no example uses, near 0 for one in every example."""
        top = math.log(self._documents + 1)
        if top <= 0:
            return 1.0
        return math.log((self._documents + 1) / (self._document_frequency.get(form, 0) + 1)) / top

    def unseen(self, text: str, label: str) -> list[tuple[str, float]]:
        """Content words of ``text`` (prepared) that ``label`` has never seen, with their weights."""
        entry = self._known.get(label)
        if entry is None:
            return []
        return self._missing(
            self._words.words(text), entry, self._bot_forms.get(split_label(label)[0], set())
        )

    def _missing(self, words: Iterable[Word], entry: _Known, bot_forms: set[str]) -> list[tuple[str, float]]:
        missing = []
        for word in words:
            if word.form in entry.forms or (word.reading and word.reading in entry.readings):
                continue
            if len(word.surface) >= 2 and (word.surface in entry.text or word.form in entry.text):
                continue
            known_parts = sum(part in entry.forms for part in word.parts)
            if word.parts and known_parts == len(word.parts):
                continue  # a new compound of known words: 相談先 where 相談 and 先 are known
            # A new kind of something this intent knows asks about that other kind: インフルエンザ
            # before 予防接種, 狩猟 in 狩猟税 (a compound whose head, its last part, is known).
            kind_of_known = (word.modifies and word.modifies in entry.forms) or (
                word.parts and word.parts[-1] in entry.forms
            )
            factor = MODIFIER_FACTOR if kind_of_known else 1.0
            if word.form in bot_forms:
                factor = BOT_WORD_FACTOR
            factor *= 1.0 - _shared_bigrams(word.surface, entry.text)
            missing.append((word.surface, factor * word.weight * self.weight(word.form)))
        return missing

    def unknown_focus(self, text: str, label: str) -> list[tuple[str, float]]:
        """The words of ``text``'s focus (the noun phrases its main clause is about,
        ``text.focus.FocusPhrases``) that ``label`` has never seen, when they name a new kind or
        aspect of something it knows: インフルエンザ in 「インフルエンザの予防接種は」, 税収 in
        「府税の税収は」. Such a word is what the question is about, so no allowance for usual
        novelty excuses it. Left out: a phrase the label knows nothing of (a new instance,
        「カバンが届かない」 for online shopping, is judged by the uncovered mass as before), words
        that only ask a question type (場所, 費用: ``question_types``), synonyms of a word the label
        knows (Sudachi's synonym groups), verbs and attributes (総合的), and the free slot of a broad
        intent's frame (「街灯が切れてるのは、どこの部署に」: 部署 is the frame, 街灯 its slot)."""
        unseen = dict(self.unseen(text, label))
        if not unseen:
            return []
        words = self._words.words(text)
        frame = self._frames.get(label, set())
        found: list[tuple[str, float]] = []
        for phrase in self._focus.phrases(text):
            content = [w for w in words if w.surface in phrase]
            if not any(w.surface not in unseen for w in content):
                continue  # nothing in it the label knows: not a new kind of a known thing
            if text.isascii():
                if len(phrase) > ENGLISH_PHRASE_WORDS or phrase[-1] in unseen:
                    continue
                content = [w for w in content if w.surface != phrase[-1]]
            outside = [w for w in words if w.noun and w.surface not in phrase]
            broad = self._usual.get(label, 0.0) >= BROAD_USUAL
            if broad and any(w.form in frame or not frame.isdisjoint(w.parts) for w in outside):
                continue  # 「街灯が切れてるのは、どこの部署に」: 部署 frames the question
            known_synonyms = self._known[label].synonyms  # 送り先 where the label says 送付先
            known_forms = self._known[label].forms
            found.extend(
                (w.surface, unseen[w.surface])
                for w in content
                if w.surface in unseen
                # a noun right before a known one names a kind of it whatever its rarity: 自動車 is
                # common in the tax pack, but 自動車取得税 is not 不動産取得税
                and (unseen[w.surface] >= FOCUS_MIN_WEIGHT or (w.noun and w.modifies in known_forms))
                and (w.noun or text.isascii())  # 総合的な窓口, 新しい: attributes, not kinds
                and not self._only_asks(w, label)
                and known_synonyms.isdisjoint(w.synonyms)
            )
        return found

    def _only_asks(self, word: Word, label: str) -> bool:
        """Does ``word`` only say what kind of answer is wanted (場所, 費用, 方法)? A compound
        with a part the label has not seen says more: 計算方法 asks about a calculation."""
        if not asked_types(word.surface):
            return False
        forms = self._known[label].forms
        return all(part in forms or asked_types(part) for part in word.parts)

    def uncovered_mass(self, text: str, label: str) -> float:
        return sum(weight for _, weight in self.unseen(text, label))


def answer_texts(packs: PackSet, prepare: Callable[[str], str]) -> dict[str, list[str]]:
    """Every answer text of every intent (all languages), prepared, keyed by label: an intent
    "knows" the words its own answer uses (the answer to 自動車税の支払い方法 names コンビニ)."""
    answers: dict[str, list[str]] = defaultdict(list)
    for pack in packs.packs.values():
        for name in pack.intents:
            response = pack.responses.get(answer_response(name))
            if response is None:
                continue
            label = label_of(pack.id, FAQ_LABEL if name in pack.faq_intents else name)
            for variants in response.variants.values():
                answers[label].extend(prepare(v.text) for v in variants)
    return dict(answers)


def _shared_bigrams(word: str, text: str) -> float:
    """Share of the word's character pairs found in ``text``: 申込書 shares 申込 with 申込み, a
    spelling variant or typo shares most, a new word (インフルエンザ) none."""
    if len(word) < 3 or not any("\u4e00" <= ch <= "\u9fff" for ch in word):
        return 0.0  # kana pairs (ンザ, フル) are shared by unrelated loanwords: only kanji pairs count
    pairs = [word[i : i + 2] for i in range(len(word) - 1)]
    return sum(pair in text for pair in pairs) / len(pairs)
