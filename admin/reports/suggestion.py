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

How the bar was chosen (``bench/unanswered_suggestion_bar.py`` reproduces it, packs of 2026-12): the
population an unanswered report holds is (a) out-of-scope messages that fell back — the 98 lines of
``tests/data/out_of_scope_eval.txt`` asked in each of the 6 bots, 497 fallbacks — and (b) in-scope
messages that fell back — the 57 pack examples that fall back under 5-fold cross-validation. Over
bars from 0 to 0.5, with the reason rule above:

====  =====================  ==================================
bar   (a) suggested (wrong)  (b) right / wrong suggestion of 57
====  =====================  ==================================
0     35 / 497               24 / 18
0.1   19 / 497               24 / 17
0.2   10 / 497               21 / 14
0.3    7 / 497               14 / 8
====  =====================  ==================================

(without the reason rule, and no bar, as before: 497 / 497 wrong, 34 / 23). Weighing both
populations equally (right suggestions of (b) minus wrong ones of (a) and (b), each as a rate), the
gain is flat between 0.2 and 0.25 and falls on either side; 0.2 keeps more right suggestions. It is
also below the bots' default answer threshold (0.30): a suggestion is a weaker claim than an answer,
because an editor confirms it.
"""

from __future__ import annotations

from shared_nlu.nlu.result import ParseResult, RankedIntent

SUGGESTION_BAR = 0.2
# fallback reasons under which the ranking may still hold the right intent
SUGGESTIBLE_REASONS = (None, "low_confidence", "other_bot")


def plausible_intent(result: ParseResult) -> RankedIntent | None:
    """The top of ``result``'s ranking when it is plausible (see the module's doc), else None."""
    if result.fallback_reason not in SUGGESTIBLE_REASONS or not result.ranking:
        return None
    top = result.ranking[0]
    return top if top.confidence >= SUGGESTION_BAR else None
