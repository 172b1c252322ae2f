"""Which intent, if any, to suggest for an unanswered question: only one the engine finds plausible.

The top of the engine's ranking is always *some* intent, however unlikely: 「明日の天気おしえて」 asked in
the consumer bot ranks door_to_door_sales first at 0 %, the out-of-scope reading having taken the rest.
Offering it as "add as an example of door_to_door_sales" invites the editor to teach the bot a wrong
answer. So an intent is suggested only when

* the engine did not itself judge the message out of scope (its fallback reason is none, "low_confidence"
  or "other_bot": something in the ranking might fit; any other reason — "out_of_scope", or a reason a
  later coverage decision adds — means nothing the bot has covers it), and
* its confidence (as the bot answers: renormalised over the bot's intents and out of scope) is at
  least ``SUGGESTION_BAR``.

Otherwise the report says that no intent fits (該当するインテントなし) and the editor may still choose
one, or mark the question as not covered by the bot.

How the bar was chosen (``bench/unanswered_suggestion_bar.py`` reproduces it; packs of December
2026): an unanswered report holds fallbacks of two kinds, (a) out-of-scope messages — the 98 lines of
``tests/data/out_of_scope_eval.txt`` asked in each of the 6 bots, 497 fallbacks — where any
suggestion is wrong, and (b) in-scope messages — the packs' examples that fall back under 5-fold
cross-validation, 3 shuffles, 187 fallbacks — where the right intent is known. With the reason rule:

====  =================  =====================  ==============  ====
bar   (a) suggested      (b) right / wrong      precision [1]   gain
====  =================  =====================  ==============  ====
0     35 / 497           93 / 42                0.63            0.20
0.2   10 / 497           85 / 36                0.68            0.24
0.25   9 / 497           75 / 27                0.71            0.24
0.3    7 / 497           61 / 11                0.82            0.25
0.35   3 / 497           57 / 8                 0.86            0.26
0.4    2 / 497           53 / 5                 0.90            0.25
0.5    2 / 497           46 / 2                 0.94            0.23
====  =================  =====================  ==============  ====

[1] each population weighs the same: right rate of (b) / (that + wrong rates of (a) and (b)); the
gain is the right rate minus the wrong rates. Before this module (no rule, no bar) every one of (a)
got a suggestion, and (b) 134 right / 53 wrong. Between 0.2 and 0.3 a suggestion is a coin flip
(24 right, 25 wrong: the engine is unsure between neighbouring intents); from 0.3 to 0.4 the gain
is flat within 0.005, and 0.3, the lowest bar of that plateau, keeps the most right suggestions. It
is also the bots' default answer threshold (bot.yml ``thresholds.fallback``).
"""

from __future__ import annotations

from shared_nlu.nlu.result import FallbackReason, ParseResult, RankedIntent

SUGGESTION_BAR = 0.3
# fallback reasons under which the ranking may still hold the right intent
SUGGESTIBLE_REASONS = (None, FallbackReason.LOW_CONFIDENCE, FallbackReason.OTHER_BOT)


def plausible_intent(result: ParseResult) -> RankedIntent | None:
    """The top of ``result``'s ranking when it is plausible (see the module's doc), else None."""
    if result.fallback_reason not in SUGGESTIBLE_REASONS or not result.ranking:
        return None
    top = result.ranking[0]
    return top if top.confidence >= SUGGESTION_BAR else None
