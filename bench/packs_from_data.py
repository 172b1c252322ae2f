"""Build in-memory packs from public evaluation data, so benchmarks run the product's own engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from shared_nlu.pack import PackSet
from shared_nlu.pack.model import BotConfig, Contact, Example, Intent, Pack, Response, Thresholds, Variant

BENCH_BOT = "bench"


def _bot(bot_id: str, thresholds: Thresholds, include_common: bool) -> BotConfig:
    contact = Contact(name={"ja": "-"}, phone="-", hours="09:00-17:00")
    return BotConfig(
        bot_id, {"ja": bot_id}, "-", {"ja": bot_id}, ("ja", "en"), contact, include_common, None, thresholds
    )


def pack_set(
    examples: Iterable[tuple[str, str]],
    out_of_scope: Iterable[str] = (),
    answers: dict[str, str] | None = None,
    thresholds: Thresholds | None = None,
) -> PackSet:
    """One bot whose intents are the labels of ``examples``; out-of-scope examples go to ``common``
    as the engine's ``out_of_scope`` intent. ``answers`` (intent → text) become responses."""
    by_intent: dict[str, list[Example]] = defaultdict(list)
    for text, intent in examples:
        by_intent[intent].append(Example(text))
    thresholds = thresholds or Thresholds()
    responses = {
        f"utter_{k}": Response(f"utter_{k}", {"ja": (Variant(v),)}) for k, v in (answers or {}).items()
    }
    bench = Pack(
        _bot(BENCH_BOT, thresholds, True), {k: Intent(k, tuple(v)) for k, v in by_intent.items()}, responses
    )
    return _with_common(bench, out_of_scope, thresholds)


def faq_pack_set(entries: list[tuple[str, str, str]]) -> PackSet:
    """One bot made from an FAQ list, as a department's faq.yml import is: (id, question, answer)."""
    intents = {f"faq_{i}": Intent(f"faq_{i}", (Example(q),)) for i, q, _ in entries}
    responses = {f"utter_faq_{i}": Response(f"utter_faq_{i}", {"ja": (Variant(a),)}) for i, _, a in entries}
    bench = Pack(_bot(BENCH_BOT, Thresholds(), True), intents, responses, faq_intents=frozenset(intents))
    return _with_common(bench, (), Thresholds())


def _with_common(bench: Pack, out_of_scope: Iterable[str], thresholds: Thresholds) -> PackSet:
    oos = [Example(t) for t in out_of_scope]
    common = Pack(
        _bot("common", thresholds, False),
        {"out_of_scope": Intent("out_of_scope", tuple(oos))} if oos else {},
        {},
    )
    return PackSet({BENCH_BOT: bench, "common": common})
