"""Which of the Act's seven transaction types a resident means, from the words residents use.

Residents rarely say 「特定継続的役務提供」; they say 「エステ」「英会話」「家に業者が来た」「電話で」.
The types are defined by how the contract was made (the bot catalog and the Act):

- 訪問販売: a seller came to the home, or stopped the buyer in the street (キャッチセールス) or called
  them to an office (アポイントメントセールス); 電話勧誘販売: the seller phoned the buyer;
  通信販売: the buyer ordered by post, phone or online after seeing an advertisement;
  連鎖販売取引: マルチ (earn by recruiting); 特定継続的役務提供: エステ, 美容医療, 語学教室, 家庭教師,
  学習塾, パソコン教室, 結婚相手紹介サービス, whatever the channel; 業務提供誘引販売取引: buying goods
  for promised home work (内職, モニター); 訪問購入: a buyer came to the home and bought goods.

A message may name several things. Words of a specific kind of contract (a service, a job offer,
マルチ) decide over words about the channel, because those types apply however the contract was
made; a visit plus selling is 訪問購入; a phone call plus one's own order is 通信販売. When words of
different kinds remain (「家に来た」 and 「ネットで」), the reading lists the candidates, and the
form asks with one button each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.width import fold_width
from .model import ChoiceReading

HOME_VISIT, PHONE, MAIL_ORDER, MLM, SERVICE, WORK, HOME_PURCHASE = (
    "訪問販売",
    "電話勧誘販売",
    "通信販売",
    "連鎖販売取引",
    "特定継続的役務提供",
    "業務提供誘引販売取引",
    "訪問購入",
)


@dataclass(frozen=True)
class _Cue:
    pattern: re.Pattern[str]
    kind: str  # "name" (the type's own name), "specific", "channel", "selling", "order", "ambiguous"
    types: tuple[str, ...]


def _cues(kind: str, types: tuple[str, ...], *patterns: str) -> list[_Cue]:
    return [_Cue(re.compile(p, re.IGNORECASE), kind, types) for p in patterns]


_VISIT = r"(?:家|自宅|うち|実家|部屋|玄関)(?:に|へ|まで)[^。、,.]{0,10}?(?:来|き|訪ね|たずね)(?:た|て|まし|はった|よった)"
_CUES: list[_Cue] = [
    # The types' own names, also abbreviated: they decide.
    *_cues(
        "name",
        (HOME_PURCHASE,),
        r"訪問購入",
        r"押し?買い",
        r"出張買取り?",
        r"訪問買取り?",
        r"door[- ]to[- ]door (?:purchase|buying)",
    ),
    *_cues(
        "name",
        (HOME_VISIT,),
        r"訪問販売",
        r"訪販",
        r"押し?売り",
        r"キャッチセールス",
        r"催眠商法",
        r"SF商法",
        r"アポイントメントセールス",
        r"door[- ]to[- ]door(?: sales?)?",
    ),
    *_cues(
        "name",
        (PHONE,),
        r"電話勧誘(?:販売)?",
        r"電話で(?:の)?勧誘",
        r"電話セールス",
        r"テレアポ",
        r"phone sales?",
        r"telephone sales?",
        r"telemarketing",
        r"cold[- ]?call",
        r"telemarket",
    ),
    *_cues("name", (MAIL_ORDER,), r"通信販売", r"通販", r"mail[- ]order"),
    *_cues(
        "name",
        (MLM,),
        r"連鎖販売(?:取引)?",
        r"マルチ(?:商法|まがい)?",
        r"まるち",
        r"ネットワーク(?:ビジネス|販売)",
        r"ねずみ講",
        r"ネズミ講",
        r"鼠講",
        r"\bMLM\b",
        r"multi[- ]?level",
        r"pyramid",
        r"network (?:marketing|business)",
    ),
    *_cues("name", (SERVICE,), r"特定継続的?役務(?:提供)?"),
    *_cues(
        "name",
        (WORK,),
        r"業務提供誘引(?:販売)?(?:取引)?",
        r"内職(?:商法)?",
        r"モニター(?:商法)?",
        r"ドロップシッピング",
        r"在宅(?:ワーク|の仕事|で仕事|でできる仕事)",
        r"仕事を(?:紹介|あげる|回す|くれる|もらえる)",
        r"work(?:ing)? from home",
        r"home[- ]based work",
        r"\bmonitor\b",
    ),
    # Specific contracts: the designated services (any channel).
    *_cues(
        "specific",
        (SERVICE,),
        r"エステ",
        r"脱毛",
        r"美容医療",
        r"美容外科",
        r"美容(?:クリニック|整形|皮膚科)",
        r"ホワイトニング",
        r"英語(?:教室|塾|スクール|レッスン)",
        r"結婚(?:紹介|情報)",
        r"dating (?:service|agency|app)",
        r"語学",
        r"英会話",
        r"外国語(?:教室|スクール)",
        r"家庭教師",
        r"学習塾",
        r"(?<![a-zA-Z])塾",
        r"個別指導",
        r"パソコン(?:教室|スクール|講座)",
        r"PC(?:教室|スクール)",
        r"結婚相談",
        r"結婚相手紹介",
        r"婚活(?:サービス|サイト)?",
        r"お見合い",
        r"beauty salon",
        r"esthetic",
        r"aesthetic",
        r"hair removal",
        r"cosmetic (?:surgery|treatment)",
        r"language (?:school|class|lesson)",
        r"english (?:conversation|school|class|lesson)",
        r"\btutor",
        r"cram school",
        r"\bjuku\b",
        r"computer (?:class|school|course)",
        r"dating agency",
        r"marriage (?:agency|bureau)",
        r"matchmaking",
    ),
    # Selling one's own goods to a buyer (with a visit: 訪問購入).
    *_cues(
        "selling",
        (HOME_PURCHASE,),
        r"買い?取(?:り|って|られ|る)?",
        r"売(?:った|りました|ってしま|らされ|却)",
        r"引き取(?:られ|って)",
        r"sold my",
        r"bought my",
        r"buy my",
        r"\bbuyer\b",
    ),
    # The buyer's own order: with a phone call it is mail order, not telephone sales.
    *_cues(
        "order",
        (MAIL_ORDER,),
        r"テレビ(?:ショッピング|通販|で見て|を見て)",
        r"(?:広告|チラシ|カタログ|新聞)(?:で見て|を見て|から)",
        r"自分から(?:電話|注文|申し込)",
        r"こちらから(?:電話|注文)",
        r"I (?:ordered|called them)",
        r"電話で注文",
    ),
    # Channels.
    *_cues(
        "channel",
        (HOME_VISIT,),
        _VISIT,
        r"訪問(?:して|され|に来|営業|セールス)",
        r"ピンポン",
        r"(?:業者|セールス(?:マン)?|営業(?:の人|マン)?|販売員|訪問員|知らない人|知らん人)が(?:家に|うちに)?(?:来|き|訪ね)",
        r"(?:on|in) the street",
        r"sales ?(?:person|people|rep)",
        r"(?:家|自宅|うち|実家)で(?:契約|申し?込|買|売|サイン|判子|ハンコ)",
        r"\bat (?:my |our )?(?:home|house|door)\b",
        r"キャッチ",  # catch sales and appointment sales are 訪問販売 in the Act
        r"声を?かけられ",
        r"路上で",
        r"呼び出され",
        r"(?:営業所|事務所|喫茶店|カフェ|ファミレス|会場)(?:に|へ|まで)(?:連れて|呼ば|呼び出|行かされ)",
        r"(?:came|come) to (?:my|our) (?:house|home|door|flat|apartment)",
        r"visit(?:ed)? (?:my|our) (?:house|home)",
        r"knocked",
        r"salesm[ae]n",
        r"at my door",
    ),
    *_cues(
        "channel",
        (PHONE,),
        # not the resident calling (電話番号, 電話で問い合わせた, 電話したけど); 電話してきた is the seller
        r"電話(?!番号|[^。、,.]{0,8}?(?:問い?合わ|問合|聞|連絡|相談|予約|確認|注文|かけ(?!てき|てく|てこ))|する|し(?!てき|てく|てこ))",
        r"でんわ",
        r"\bphone\b",
        r"telephone",
        r"called me",
        r"\bcall(?:ed)? from",
    ),
    *_cues(
        "channel",
        (MAIL_ORDER,),
        r"ネット(?!ワーク)",
        r"インターネット",
        r"オンライン",
        r"サイト",
        r"アプリ",
        r"アマゾン",
        r"amazon",
        r"楽天",
        r"SNS(?:の広告)",
        r"online",
        r"internet",
        r"website",
        r"web ?shop",
        r"catalog(?:ue)?",
        r"TV shopping",
    ),
    # Words that fit several types: asked with buttons.
    *_cues("ambiguous", (WORK, MLM, MAIL_ORDER), r"副業", r"side (?:job|business)", r"情報商材"),
    *_cues("ambiguous", (PHONE, MAIL_ORDER), r"電話で申し?込"),  # called by the seller, or ordered by phone
]

_NEGATED_AFTER = re.compile(
    r"^\s*(?:じゃ(?:なく|ない)|ではなく|でなく|やなく|ちゃう|ちゃいま|違|とちが|ではありません|じゃありません)"
)
_NEGATED_BEFORE = re.compile(r"(?:\bnot|n't)\s+(?:a\s+|an\s+)?$", re.IGNORECASE)


def _matches(text: str) -> list[tuple[_Cue, str]]:
    """Cue matches, longest first and without overlaps; a denied word (「訪問販売じゃなくて」) drops out."""
    found = [
        (m.start(), m.end(), cue) for cue in _CUES for m in cue.pattern.finditer(text) if m.end() > m.start()
    ]
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    taken: list[tuple[int, int]] = []
    kept: list[tuple[_Cue, str]] = []
    for start, end, cue in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        if _NEGATED_AFTER.match(text[end:]) or _NEGATED_BEFORE.search(text[:start]):
            continue
        kept.append((cue, text[start:end]))
    return kept


def _decide(kinds: dict[str, set[str]]) -> tuple[str, ...]:
    """The types the strongest kind of words point to (one = decided, several = ask)."""
    if kinds["name"] or kinds["specific"]:
        named = kinds["name"] | kinds["specific"]
        if len(named) > 1 and kinds["name"]:
            named = kinds["name"]  # 「マルチやなくてエステ」 is caught above; a name beats a hint
        return tuple(sorted(named))
    channels = kinds["channel"]
    if kinds["selling"] and (HOME_VISIT in channels or not channels):
        return (HOME_PURCHASE,)  # a buyer at the door, or 「買取」 said on its own
    if kinds["order"] and (not channels or channels <= {PHONE, MAIL_ORDER}):
        return (MAIL_ORDER,)  # 「テレビを見て電話で注文」 is mail order
    if channels:
        return tuple(sorted(channels))
    return tuple(sorted(kinds["ambiguous"]))


def read_transaction_type(text: str) -> ChoiceReading:
    """The transaction type ``text`` describes, the candidates when it fits several, or nothing."""
    matches = _matches(fold_width(text, compatibility=True))
    if not matches:
        return ChoiceReading()
    kinds: dict[str, set[str]] = {
        k: set() for k in ("name", "specific", "channel", "selling", "order", "ambiguous")
    }
    for matched, _ in matches:
        kinds[matched.kind].update(matched.types)
    types = _decide(kinds)
    words = "・".join(dict.fromkeys(surface for _, surface in matches))
    if len(types) == 1:
        return ChoiceReading(types[0], (), words)
    return ChoiceReading(None, types, words)
