"""Held-out resident sets: does a bot answer what its pack covers, and only that?

Four sets, written apart from the packs and never trained on (``tests/data/coverage/``):

* ``paraphrases.tsv``   — covered questions in new words: answered with the expected intent?
* ``long_messages.tsv`` — a story of several sentences, then the question: answered by the question?
* ``in_domain_gaps.tsv``— questions inside a bot's domain that no pack answers: fallback?
* ``out_of_scope.txt``  — questions no bot answers, asked in every bot's widget: fallback?

A result "gives an answer" when it names an intent, or when it points the resident to another bot
(a pointer is an answer too: it says "that bot covers this"). The risk–coverage line moves a
threshold over the confidence of given answers and reports, at each point, how many answers are
still given and how many of them are wrong per 100 — the trade a department makes by raising it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..constants import COMMON_BOT, FALLBACK_INTENT
from .result import FallbackReason, ParseResult

ROUTED = "*"  # the widget column of a message asked across all bots (the routed /model/parse)


@dataclass(frozen=True)
class HeldOutItem:
    """One message: asked in ``widget`` (a bot id, or ``*`` for routed), expecting ``expected``
    (``bot/intent``), or ``None`` when the right outcome is the fallback."""

    widget: str
    text: str
    expected: str | None


@dataclass
class HeldOutSets:
    paraphrases: list[HeldOutItem] = field(default_factory=list)
    long_messages: list[HeldOutItem] = field(default_factory=list)
    gaps: list[HeldOutItem] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)


def _rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        return []
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if any(not cell for cell in cells):
            raise ValueError(f"{path}:{number}: an empty column; columns are separated by one tab")
        rows.append(cells)
    return rows


def _widget(name: str) -> str:
    return ROUTED if name == COMMON_BOT else name


def read_held_out(folder: Path) -> HeldOutSets:
    """Read the sets in ``folder``; a missing file is an empty set. Raises ``ValueError`` naming
    the file and line of a malformed row."""
    sets = HeldOutSets()
    for name, target in (("paraphrases.tsv", sets.paraphrases), ("long_messages.tsv", sets.long_messages)):
        for cells in _rows(folder / name):
            if len(cells) != 3:
                raise ValueError(
                    f"{folder / name}: expected widget<TAB>bot/intent<TAB>message, got {cells!r}"
                )
            target.append(HeldOutItem(_widget(cells[0]), cells[2], cells[1]))
    for cells in _rows(folder / "in_domain_gaps.tsv"):
        if len(cells) != 2:
            raise ValueError(f"{folder / 'in_domain_gaps.tsv'}: expected bot<TAB>message, got {cells!r}")
        sets.gaps.append(HeldOutItem(cells[0], cells[1], None))
    for cells in _rows(folder / "out_of_scope.txt"):
        sets.out_of_scope.append("\t".join(cells))
    return sets


Parser = Callable[[str, str | None], ParseResult]


def answer_of(result: ParseResult) -> str | None:
    """What the resident was told: ``bot/intent``, ``other_bot:<bot>``, or None (the fallback, or
    a "did you mean …?" question)."""
    if result.fallback_reason == FallbackReason.OTHER_BOT:
        return f"other_bot:{result.extra.get('other_bot')}"
    if result.intent == FALLBACK_INTENT or result.bot is None or result.ambiguous:
        return None  # ambiguous: the dialogue asks "did you mean …?" instead of answering
    return f"{result.bot}/{result.intent}"


@dataclass(frozen=True)
class Outcome:
    """One message's fate: the answer given (None = fallback), whether that was right, and the
    confidence the answer was given with (for the risk–coverage line)."""

    set_name: str
    widget: str
    text: str
    expected: str | None
    given: str | None
    confidence: float

    @property
    def right(self) -> bool:
        return self.given == self.expected


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass
class HeldOutReport:
    """Per bot (widget) and overall. ``covered_accuracy``: paraphrases answered right;
    ``long_accuracy``: long messages answered right; ``gap_overconfident`` and
    ``oos_overconfident``: share of gaps / out-of-scope messages given an answer (lower is better;
    the rest abstained). ``risk_coverage``: (threshold, answered share, wrong per 100 answers)."""

    covered_accuracy: dict[str, Rate] = field(default_factory=dict)
    long_accuracy: dict[str, Rate] = field(default_factory=dict)
    gap_overconfident: dict[str, Rate] = field(default_factory=dict)
    oos_overconfident: dict[str, Rate] = field(default_factory=dict)
    risk_coverage: list[tuple[float, float, float]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def overall(self, which: dict[str, Rate]) -> float | None:
        hits = sum(r.hits for r in which.values())
        total = sum(r.total for r in which.values())
        return hits / total if total else None

    def mistakes(self, set_name: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.set_name == set_name and not o.right]

    def to_dict(self) -> dict[str, object]:
        def table(which: dict[str, Rate]) -> dict[str, object]:
            return {
                "overall": self.overall(which),
                "per_bot": {bot: {"value": r.value, "n": r.total} for bot, r in sorted(which.items())},
            }

        return {
            "covered_accuracy": table(self.covered_accuracy),
            "long_message_accuracy": table(self.long_accuracy),
            "in_domain_gap_overconfident": table(self.gap_overconfident),
            "out_of_scope_overconfident": table(self.oos_overconfident),
            "risk_coverage": [
                {"threshold": t, "answered": a, "wrong_per_100_answers": w} for t, a, w in self.risk_coverage
            ],
        }


RISK_THRESHOLDS = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def evaluate_held_out(parse: Parser, sets: HeldOutSets, bots: list[str]) -> HeldOutReport:
    """Parse every held-out message with ``parse(text, widget)`` (widget None = routed) and score
    it. ``bots`` are the resident-facing bots: the out-of-scope set is asked in each, and messages
    for other bots are left out."""
    report = HeldOutReport()

    known = set(bots)

    def run(set_name: str, item: HeldOutItem, into: dict[str, Rate], count_answered: bool) -> None:
        expected_bot = (item.expected or "").partition("/")[0]
        if (item.widget != ROUTED and item.widget not in known) or (
            expected_bot and expected_bot not in known | {COMMON_BOT}
        ):
            return  # a set written for bots these packs do not have
        result = parse(item.text, None if item.widget == ROUTED else item.widget)
        given = answer_of(result)
        outcome = Outcome(set_name, item.widget, item.text, item.expected, given, result.confidence)
        report.outcomes.append(outcome)
        rate = into.setdefault(item.widget, Rate())
        rate.add(given is not None if count_answered else outcome.right)

    for item in sets.paraphrases:
        run("paraphrases", item, report.covered_accuracy, False)
    for item in sets.long_messages:
        run("long_messages", item, report.long_accuracy, False)
    for item in sets.gaps:
        run("in_domain_gaps", item, report.gap_overconfident, True)
    for bot in [*bots, ROUTED]:
        for text in sets.out_of_scope:
            run("out_of_scope", HeldOutItem(bot, text, None), report.oos_overconfident, True)
    report.risk_coverage = risk_coverage(report.outcomes)
    return report


def risk_coverage(outcomes: list[Outcome]) -> list[tuple[float, float, float]]:
    """At each threshold: the share of messages still answered (an answer given with at least that
    confidence) and the wrong answers among them per 100. Messages whose right outcome is the
    fallback count as wrong when answered."""
    line = []
    for threshold in RISK_THRESHOLDS:
        answered = [o for o in outcomes if o.given is not None and o.confidence >= threshold]
        wrong = sum(not o.right for o in answered)
        line.append(
            (
                threshold,
                len(answered) / max(len(outcomes), 1),
                100.0 * wrong / len(answered) if answered else 0.0,
            )
        )
    return line
