"""What kind of answer a question asks for: a date, an amount, a place, a procedure, a yes or no,
a group of people, a reason.

A resident's 「確定申告は府税事務所でもできますか」 shares every topic word with the tax office
intent, whose answer 「府税のご相談は府税事務所で承っています」 reads as yes — but it was asked
whether, and the answer says where. The table below is data: for each question type, the phrases
that ask it (Japanese, casual and Kansai forms, English) and the phrases that show an answer gives
it (a date or period for *when*, an amount for *how much*, an office or phone for *where* …).
An intent *addresses* a type when its examples ask it or its answer gives it
(``nlu.edge`` refuses an answer whose intent addresses none of the types a message asks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionType:
    name: str
    asks: re.Pattern[str]  # the message asks this type
    gives: re.Pattern[str]  # an answer text gives (or names who gives) this type


def _any(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.IGNORECASE)


# English words need word boundaries (「can」 inside "scan" asks nothing).
def _en(*words: str) -> str:
    return r"\b(?:" + "|".join(words) + r")\b"


# How a thing came to be: when it began, changed or was decided, why it ended. Its いつ and なぜ ask
# about the thing's past, not its terms: 「クーリングオフはいつからある制度」 is not answered by
# the period it gives, nor 「期限が5月末なのはいつ誰が決めた」 by the deadline. (「誰が作った」
# alone stays a *who* question: an answer that says when a system began does not say who built it.)
HISTORY = QuestionType(
    "history",
    asks=_any(
        r"いつ(?:から|頃|ごろ)?(?:ある|あった|でき|始ま|決ま|決め|導入|作られ|作っ|変わ|なった|スタート|開始)",
        r"(?:でき|始まっ|決まっ|変わっ|なっ|導入され|作られ|やめ|終わっ|廃止され)た(?:の|ん)(?:は|って)[、,\s]*(?:いつ|なぜ|なんで|どうして|何年|なんねん)",
        r"(?:決め|作っ|考え|デザインし|始め)た(?:の|ん)(?:は|って)",
        r"由来|経緯|いきさつ|きっかけ|歴史",
        r"(?:なぜ|なんで|どうして)(?:やめ|終わ|廃止|なくな)",
        r"(?:やめ|終わ|廃止|なくな)(?:った|る)(?:の|ん)?(?:は|って)?\s*(?:なぜ|なんで|どうして)",
        r"(?:やめる|やめた)ことにした",
        _en("since when", "origin", "history"),
        r"\bwhen (?:was|were|did)\b.*\b(?:launched|introduced|started|created|decided|begin|began|start|end|ended)\b",
        r"\bwhy (?:was|were|did)\b.*\b(?:end|ended|stop|stopped|change|changed|abolished)\b",
    ),
    gives=_any(
        r"(?:導入|施行|制定|創設|開始|運用を開始|スタート)(?:され|し)|始まりました|由来|経緯|設けられ",
        _en("introduced", "launched", "established", "began", "started in", r"since \d{4}"),
    ),
)

QUESTION_TYPES: tuple[QuestionType, ...] = (
    QuestionType(
        "when",
        asks=_any(
            r"いつ(?!も|まで(?:たって|経って))",  # いつも (always) and いつまでたっても (never yet) do not ask
            r"何(?:日|月|時|年|曜)",
            r"なん(?:にち|がつ|じ|ねん|よう)",
            r"期限|締め?切|しめきり|期日|納期|時期|期間|日程|いつごろ|(?:どれ|どの)(?:く|ぐ)らい",
            _en("when", "deadline", "due date", "how long", "what time", "until when", "by when"),
        ),
        gives=_any(
            r"\d+\s*(?:月|日|年|時|か月|ヶ月|週間|日間|時間)",
            r"上旬|中旬|下旬|年度|期限|納期|期間|時期|毎年|毎月|平日|土日|以内|曜日|日時",
            r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december)\b",
            _en("days?", "weeks?", "months?", "years?", "deadline", "until", "period", "weekdays?"),
        ),
    ),
    QuestionType(
        "amount",
        asks=_any(
            r"いくら|なんぼ|何円|何パーセント|何%|何割|何人|何件|何店|何台|何回|なんにん",
            r"(?:どれ|どの)(?:く|ぐ)らい",  # also a duration (どれくらい続く): asks when too
            r"額(?:は|を|って|$|[？?])|倍率",
            r"金額|税額|税率|料金|費用|値段|価格|手数料|家賃|お金(?:が|は)?(?:かか|いる|要る)|有料|無料",
            _en("how much", "how many", "cost", "costs", "fee", "fees", "price", "rate", "free", "charge"),
        ),
        gives=_any(
            r"\d+\s*(?:円|%|％|割|人|件|万|千|倍)",
            r"金額|税額|税率|料金|費用|値段|価格|手数料|負担|無料|有料|月割|割合|上限",
            _en("yen", "free", "fee", "fees", "cost", "costs", "charge", "rate", "amount", "percent"),
        ),
    ),
    QuestionType(
        "where",
        asks=_any(
            r"どこ(?!か|でも)|どちらに|どちらで",
            r"場所|窓口|提出先|連絡先|問い?合わ?せ先|相談先|申込先|電話番号|所在地|住所は",
            _en("where", "which office", "phone number", "who do i call", "contact"),
        ),
        gives=_any(
            r"\d{2,4}-\d{2,4}-\d{3,4}|(?<![\d-])(?:188|110|119)(?![\d-])",  # a phone number, 188 / 110 / 119
            r"窓口|ホットライン|事務所|役所|役場|センター|税務署|保健所|医療機関|薬局|警察|ホームページ|所在地|場所|駅|庁舎",
            r"市区町村|市町村|郵送|オンライン|電話",
            _en("office", "counter", "centre", "center", "call", "phone", "website", "station", "city hall"),
        ),
    ),
    QuestionType(
        "how",
        asks=_any(
            r"どうやって|どうすれば|どうしたら|どないしたら|どないすれば|どうやったら|どのように|どうやる",
            r"方法|やり方|手続|仕方|手順|(?<=[いきしちにひびみりぎえけせてねべめれ])(?:方|かた)(?![面向針法々ち])",
            _en("how do", "how can", "how to", "how should", "what should i do", "what do i do", "procedure"),
        ),
        gives=_any(
            r"方法|手続|手順|申請|申込|登録|やり方|仕方",
            r"[てで]ください",  # an instruction (出してください), not a referral (ご確認ください)
            _en("please", "you can", "apply", "register", "procedure", "steps?"),
        ),
    ),
    QuestionType(
        "can",
        asks=_any(
            r"でき(?:ます|ません|る|ない|ひん|へん)?(?:か|の|ん)?[？?]|でき(?:ますか|ませんか|るん|るの|るか)",
            r"(?<!なん)(?:ても|でも)(?:いい|ええ|よい|良い|大丈夫|かまわ|構わ)|いけ(?:る|ます)(?:か|の|ん)?[？?]",
            r"可能|必要(?:なん|なの)?(?:です)?(?:か|ある|？|\?)|いり(?:ます)?か|いる[？?]|要る|なあかん|なければ(?:なら|いけ)",
            r"[れえけせめべ](?:ますか|る[？?]|るの|るん)",  # potential verbs: 見られる？ 受け取れますか 払える？
            r"ありますか|ある[？?]|あるの|あるん|あった[？?]|ほんま|本当(?:に|ですか|[？?])",  # is there, is it true
            r"いるの|いるん",
            _en(
                "can i",
                "can we",
                "could i",
                "may i",
                "is it possible",
                "is it ok",
                "allowed",
                "do i need",
                "must i",
                "do i have to",
                "is there",
                "are there",
                "really",
            ),
        ),
        gives=_any(
            r"でき(?:ます|ません|ました|ない)|可能|不要|必要|いりません|かかりません|ありません|受けられ|使え",
            r"認められ|かまいません|構いません|禁止|できる|いただけます",
            _en("can", "cannot", "can't", "possible", "not needed", "need", "must", "allowed", "no longer"),
        ),
    ),
    QuestionType(
        "who",
        asks=_any(
            r"誰|だれ|どなた|どんな人|どういう人|どんな方|対象|条件|資格",
            _en("who", "whom", "eligible", "eligibility", "qualify"),
        ),
        gives=_any(
            r"対象|条件|資格|所有者|本人|ご家族|事業者|以上の方|未満の方|方は|方が|方の|人は|人が",
            _en("who", "owner", "anyone", "residents?", "people", "eligible", "aged"),
        ),
    ),
    QuestionType(
        "why",
        asks=_any(
            r"なぜ|なんで(?!も|す)|どうして|理由|何のため|なんのため|目的|(?:何|なに)に使",
            _en("why", "what for", "reason", "purpose"),
        ),
        gives=_any(
            r"理由|目的|ため[にで、。]|ためのもの|によるもの|から(?:です|。)|仕組み",
            _en("because", "so that", "in order to", "reason", "purpose", "since"),
        ),
    ),
    HISTORY,
)


TYPE_NAMES = tuple(t.name for t in QUESTION_TYPES)


def asked_types(text: str) -> frozenset[str]:
    """The question types ``text`` (normalised) asks; empty when it asks none the table knows
    (「自動車税 納付書」, 「ありがとう」)."""
    if HISTORY.asks.search(text):
        return frozenset({HISTORY.name})  # its いつ・誰・なぜ ask about the past (HISTORY)
    return frozenset(t.name for t in QUESTION_TYPES if t.asks.search(text))


# A contact's details in brackets, 「府民お問合せセンター（06-6910-8001、平日9時〜18時）」: its hours
# say when the contact is open, not when a payment arrives; it still says where to ask.
_CONTACT_DETAILS = re.compile(r"\([^()]*\d{2,4}-\d{2,4}-\d{3,4}[^()]*\)")


def given_types(answer: str) -> frozenset[str]:
    """The question types an answer text (normalised: NFKC brackets) gives."""
    answer = _CONTACT_DETAILS.sub(" (電話) ", answer)
    return frozenset(t.name for t in QUESTION_TYPES if t.gives.search(answer))


def addressed_types(examples: Iterable[str], answers: Iterable[str], min_examples: int = 1) -> frozenset[str]:
    """The types an intent addresses: those at least ``min_examples`` of its examples ask, and those
    its answers give."""
    counts: dict[str, int] = {}
    for text in examples:
        for name in asked_types(text):
            counts[name] = counts.get(name, 0) + 1
    from_examples = {name for name, n in counts.items() if n >= min_examples}
    from_answers: set[str] = set()
    for answer in answers:
        from_answers |= given_types(answer)
    return frozenset(from_examples | from_answers)
