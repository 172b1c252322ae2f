"""Key phrases that mean a resident may be in danger, per safety intent.

These are the safety check's first line (``safety.py``): a message in which every pattern of one
rule is found is a crisis message, whatever a domain intent would have said about it. They are
written for recall — the indirect ways people say these things (「消えたい」「楽になりたい」, a child
crying every night next door, a partner who keeps the money) in kanji, hiragana and Kansai dialect,
and in English — and checked against look-alikes (「死ぬほど忙しい」「DVDの返品」「110番の日」) in
``tests/data/safety_lookalikes.txt``.

How patterns are matched (``fold``): the message is normalised (NFKC, lower case), katakana are
folded to hiragana and small vowels to large ones, and each pattern is tried on that text with and
without its spaces. Patterns are folded the same way, so they may be written in katakana.
The department-editable part of the safety intents is their examples in ``bots/common/nlu.yml``;
these phrases are the platform's safety net under them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.normalize import katakana_to_hiragana, normalize

_SMALL_VOWELS = str.maketrans("ぁぃぅぇぉ", "あいうえお")


def fold(text: str) -> str:
    """The form both messages and patterns are compared in (see the module docstring)."""
    return _fold_kana(normalize(text))


def _fold_kana(text: str) -> str:
    return katakana_to_hiragana(text).translate(_SMALL_VOWELS)  # one character for one: offsets hold


@dataclass(frozen=True)
class PhraseRule:
    """A message matches when every pattern in ``all_of`` is found and none in ``none_of`` is."""

    intent: str
    all_of: tuple[re.Pattern[str], ...]
    none_of: tuple[re.Pattern[str], ...] = ()

    def matches(self, spaced: str, joined: str) -> bool:
        def found(pattern: re.Pattern[str]) -> bool:
            return pattern.search(spaced) is not None or pattern.search(joined) is not None

        return all(map(found, self.all_of)) and not any(map(found, self.none_of))


def _p(source: str) -> re.Pattern[str]:
    # only the kana are folded: normalising a regex would also touch its syntax (case-folding \W)
    return re.compile(katakana_to_hiragana(source).translate(_SMALL_VOWELS))


def _rule(intent: str, *all_of: str, none_of: tuple[str, ...] = ()) -> PhraseRule:
    return PhraseRule(intent, tuple(map(_p, all_of)), tuple(map(_p, none_of)))


# Spans removed before anything is matched: they use crisis words for something that is not a
# crisis (a campaign, a law, a date, hyperbole about being busy). Only the span goes, so a crisis
# told in the same message is still found.
LOOKALIKE_SPANS: tuple[re.Pattern[str], ...] = tuple(
    map(
        _p,
        (
            r"(110|119|189)番の日|救急の日",
            r"救急車の(有料化|出動件数|適正利用|台数)",
            r"(児童)?(虐待|dv|ストーカー|自殺)(の)?(防止|対策|規制)(法|推進月間|月間|キャンペーン|研修|条例|予算)?",
            r"死ぬほど(?=(忙|いそが|おいし|美味|うま|好き|すき|眠|ねむ|笑|わら|面白|おもしろ|おもろ|楽し|たのし|かわい|可愛|欲し|ほし|恥|はず|びっくり|驚))",
            r"(笑|わら)い(死|じ)(ぬ|に|んだ|にそう)?(かと思った|かと思)?",
            r"\b(110|119) day\b|\bday of (110|119)\b",
            r"\bambulance (service )?(is |be )?(free|fees?|costs?|charges?|paid)\b|\bpay for (an |the )?ambulance\b",
            # a death in the family is a procedure to ask about (死亡届, 相続, 年金): the words of grief
            # around it (「もう生きていけない」) are still read, only the fact of the death is blanked
            r"(家族|親|父|母|祖父|祖母|夫|妻|主人|身内|親族|親戚|兄|姉|弟|妹|おや|ちち|はは|おっと|つま)(が|の)"
            r"(亡くな|なくな|死亡|死ん|しん)(った|りました|りまして|って|ったら|ったとき|ったあと|ったので|だら|だ|で|し)",
        ),
    )
)


def without_lookalikes(text: str) -> tuple[str, str]:
    """(normalised text, folded text), both with the ``LOOKALIKE_SPANS`` blanked out: the first for
    the classifier (which has its own folding), the second for ``RULES``."""
    normalized = normalize(text)
    folded = _fold_kana(normalized)
    blank = [False] * len(folded)
    for pattern in LOOKALIKE_SPANS:
        for found in pattern.finditer(folded):
            blank[found.start() : found.end()] = [True] * (found.end() - found.start())
    if not any(blank):
        return normalized, folded

    def keep(source: str) -> str:
        return "".join(" " if cut else ch for ch, cut in zip(source, blank, strict=True))

    return keep(normalized), keep(folded)


# --- shared word classes ---------------------------------------------------------------------------
_CHILD = (
    r"(子ども|子供|こども|(の|この|その|あの|うちの|隣の|近所の)子|息子|むすこ|娘|むすめ|赤ちゃん|あかちゃん|赤ん坊"
    r"|乳児|幼児|児童|小学生|中学生|生徒|孫|まご|姪|甥|わが子|我が子|男の子|女の子|園児"
    r"|(小さい|小さな|ちいさい|幼い|上の|下の|ある|いる|家の)子)"
)
_PARENT_HARMS = (
    r"(ママ|パパ|お?かあさん|お?とうさん|お?母さん|お?父さん|母親|父親|親|継父|継母|義父|義母|おかん|おとん"
    r"|(お?母さん|ママ|母親|お?かあさん)の(彼氏|恋人|交際相手))"
    r"(に|から)(毎日|いつも|また|ずっと)?(叩|たた|殴|なぐ|ぶた|ぶつ|蹴|けら|どつ|暴力|怒鳴|どな|たばこ)"
)
_PARTNER = (
    r"(夫|旦那|だんな|主人|しゅじん|妻|嫁|奥さん|彼氏|かれし|彼女|かのじょ|元彼|元カレ|元夫|元妻|パートナー"
    r"|配偶者|交際相手|結婚相手|恋人|同棲|内縁|うちの人|結婚して|夫婦|彼(?=[がにはのと]))"
)
_PERSON = r"(父|母|夫|妻|主人|祖父|祖母|かん|とん|ちゃん|子|人|家族|友達|友人|同僚|赤ん坊|息子|娘)"
_EN_CHILD = r"\b(child|children|kids?|bab(y|ies)|son|daughter|boy|girl|toddler|infant)\b"

RULES: tuple[PhraseRule, ...] = (
    # --- suicide_crisis: wanting to die or disappear, despair, self-harm --------------------------
    _rule("suicide_crisis", r"(死|氏|市)にた[いくかけーっ]|しにた[いくかけーっ]"),
    _rule(
        "suicide_crisis",
        r"(死|し)んで?(しまいたい|しまえたら|じゃいたい|しまおう)|死に(きりたい|場所)|死なせて",
    ),
    _rule("suicide_crisis", r"(死|し)んだ(ほう|方)が(まし|楽|らく|いい|ええ)|(死|し)んだら(楽|らく)"),
    _rule(
        "suicide_crisis",
        r"(死|し)ぬ(しか|方法|ほうほう|つもり|気)|死に方|死のう(か|と)|しのうかな|死ねたら|死ねる(方法|薬)|楽に死",
    ),
    _rule("suicide_crisis", r"(死|し)んで(詫|わ)び"),
    _rule(
        "suicide_crisis",
        r"(消|き)え(たい|たく|てしまいた|ちゃいた|てなくなりた|てしまえたら|られたら|てしまえば)",
    ),
    _rule(
        "suicide_crisis",
        r"(いなく|居なく)な(りたい|れたら|ってしまいた|ってしまえたら|っちゃいた)|(消え|きえ|いなくなっ|死ん|しん)(た|だ)(ほう|方)が|(いない|居ない)(ほう|方)が(いい|まし|ええ)|この世から|あの世に(行|い)き",
    ),
    _rule(
        "suicide_crisis",
        r"(生|い)き(る|ている|てる|ていても|てても|ていく|てく|てい?る)(こと)?(の|に)?(意味|いみ|価値|かち|理由)",
    ),
    _rule(
        "suicide_crisis",
        r"(生|い)き(る|てる|ている|ていく|てく|る)(の|こと)(が|に|も)?(つら|辛|しんど|疲|つか|嫌|いや|限界|苦)",
    ),
    _rule(
        "suicide_crisis",
        r"生き(て(い)?)?たく(も)?ない|(何|なん)のために生き|(もう)?(目覚め|目を覚まし|起き)たくない|生きていけ(ない|へん)|生きていかれへん|生きてかれへん|生きててもしゃあない",
    ),
    _rule("suicide_crisis", r"(楽|らく)にな(りたい|れる(かな|なら)|れたら)"),
    _rule(
        "suicide_crisis",
        r"(全部|ぜんぶ|すべて|全て|何もかも|なにもかも|人生|じんせい)を?(おわり|終わり|終り)に|(全部|ぜんぶ|何もかも|なにもかも|人生|じんせい)を?(おわらせ|終わらせ)|(おわり|終わり)にしたい|(どうやったら|どうすれば)(終|お)われる",
    ),
    _rule("suicide_crisis", r"自殺|じさつ|自死|自害"),
    _rule(
        "suicide_crisis",
        r"首を?(つ|吊|くく|括)|首吊|くびつり|ロープ(を)?(買|かっ|用意)|飛び降り|飛びおり|とびおり|(電車|線路|ホーム)に(飛び込|とびこ)|飛び込みた[いく]|とびこみた[いく]|練炭|樹海|遺書",
    ),
    _rule("suicide_crisis", r"命を(絶|断|たち|たと|終わら)|いのちをたち"),
    _rule(
        "suicide_crisis",
        r"いのちの電話|こころの(健康)?相談|よりそい|0570-?064-?556|0120-?279-?338|誰にも必要とされ",
    ),
    _rule(
        "suicide_crisis", r"リストカット|リスカ|手首(を)?(切|きっ|きる)|自傷|(自分|じぶん)を(傷つけ|きずつけ)"
    ),
    _rule(
        "suicide_crisis",
        r"睡眠薬を?(ため|溜め|大量|まとめ)|(薬|くすり)を(大量|たくさん|全部|ぜんぶ|まとめて)(に)?(飲|の)|オーバードーズ|(?<![a-z])od(?![a-z])",
    ),
    _rule(
        "suicide_crisis",
        r"(私|わたし|自分|じぶん|僕|ぼく|俺|おれ|うち)が(消え|きえ|いなくなっ|死ん|しん)(た|だ)ら",
    ),
    _rule(
        "suicide_crisis",
        r"(何もかも|なにもかも|人生|じんせい|生きること)を?(やめ|辞め)|全部(やめ|辞め)てしまいたい",
    ),
    _rule("suicide_crisis", r"(一人|ひとり|独り)で(苦し|くるし|抱え|かかえ)|孤独で(つら|辛|苦)"),
    _rule(
        "suicide_crisis",
        r"(私|わたし|自分|じぶん|僕|ぼく|俺|おれ|うち)(なんて|なんか|みたいな(人間|もん|の))(いらな|要らな|いない|消え|きえ|死|し[んぬ]|生きて|いきて|価値|生まれ|うまれ)",
    ),
    _rule(
        "suicide_crisis",
        r"(死|し)ぬこと(ばかり|ばっかり|ばっか)?.{0,4}(考え|かんがえ)|(後|あと)を(追|お)いたい|後追い|(何もかも|なにもかも)(が)?(嫌|いや)"
        r"|(つらすぎ|辛すぎ|しんどすぎ|苦しすぎ|くるしすぎ).{0,8}(無理|むり|限界|助けて|たすけて)|もう無理.{0,4}(助けて|たすけて)"
        r"|(私|わたし|自分|じぶん|僕|ぼく|俺|おれ)が(いなく|居なく|消え|死ん)",
    ),
    _rule(
        "suicide_crisis",
        r"\b(nobody|no one) would (care|notice|miss)|want (it|this|everything) (all )?to be over|better off gone|after (him|her|them) \b(to|into) death",
    ),
    _rule("suicide_crisis", r"(生きる|いきる)(気力|希望|元気|力)が?(もう)?(ない|なく|わかな|湧かな)"),
    _rule(
        "suicide_crisis",
        r"(将来|未来|人生)(に|が|も)?(何の|なんの|なにも)?(希望|光)?(が|も)?(ない|見えな|みえな|持てな|もてな)",
    ),
    _rule(
        "suicide_crisis",
        r"目が(覚め|さめ)なければ|目覚めなければ|明日が(来|こ)なければ|(生|う)まれてこな(ければ|かった|きゃ)",
    ),
    _rule(
        "suicide_crisis",
        r"\b(suicid\w*|kill(ing)? myself|end(ing)? (my|it) (life|all)|want(ed)? to die|wanna die"
        r"|don'?t want to (live|be alive|exist)|(no|any) reason to (live|keep living)|better off (dead|without me)"
        r"|(no|any) reason (for me )?to (live|keep living|go on)|(isn'?t|not) worth living"
        r"|(hurt|hurting|cut|cutting|harm|harming) myself|self[- ]harm|take my (own )?life"
        r"|want to disappear|can'?t go on|can'?t (take|stand|bear) (it|this) any ?more|want (it all|everything) to (stop|end)"
        r"|end everything|give up on life|no point (in )?(living|life|going on)|hopeless)",
    ),
    # --- child_abuse: a child may be abused, or a parent fears hurting their child -----------------
    _rule(
        "child_abuse",
        r"虐待|ぎゃくたい|ネグレクト|児童相談所|児相(?!談)|じそう(に|へ)|(?<![\d,.])189(?![\d,.円])",
        none_of=(r"(動物|犬|猫|ペット|高齢|老人|お年寄り|介護|障害者)",),
    ),
    _rule("child_abuse", _CHILD, r"泣き叫|なきさけ|悲鳴|ひめい"),
    _rule(
        "child_abuse",
        _CHILD,
        r"泣き声|なきごえ|泣いて|ないて|泣かされ|泣いと",
        r"毎晩|毎日|毎夜|いつも|いっつも|ずっと|怒鳴|どな|叩|たた|物音|ごめんなさい|やめて|痛い|いたい",
    ),
    # やけど is a burn only as a noun or verb (やけどを, やけどの跡, やけどした): the Kansai 〜やけど
    # ("but": 「テスト前やけどいつから登校できる？」) follows any noun and is no sign of anything.
    _rule(
        "child_abuse",
        _CHILD,
        r"叩|たたか|たたい|たたく|殴|なぐ|蹴|(?:^|(?<=[にをがもてではへ、。 ]))けられ|ぶた|どつ|暴力|怒鳴|どな|締め出|しめだ|閉め出|追い出|外に(出さ|立たさ)|ベランダに出"
        r"|置き去|おきざり|放置|ほうち|閉じ込め|とじこめ|押し入れに|(家|いえ|中)に入れてもら(え|わ)|(親|大人|おとな)(の姿)?が(見え|い)(ない|へん|ひん)|ご飯を?(もらえ|くれ|作ってくれ|つくってくれ)|ごはんを?(もらえ|くれ|作ってくれ|つくってくれ)"
        r"|やけど(?=を|が|の|し|さ|み|っぽ|跡|痕|だら|まみれ|\s*$|[。!！])|火傷|たばこの火|手を(上|あ)げ|手が出|傷つけ|きずつけ|揺さぶ|ゆさぶ|(かわいい|かわいく|可愛い|可愛く)(と)?思え"
        r"|当たってしま|あたってしま|きつく当た|体を?(触|さわ)",
    ),
    _rule(
        "child_abuse",
        _CHILD,
        r"あざ|痣",
        r"いつも|いっつも|何度も|なんども|毎日|よく|しょっちゅう|たびたび|いくつも|たくさん",
    ),
    _rule(
        "child_abuse",
        _CHILD,
        r"お腹を?すか|おなかを?すか|お腹すいて|おなかすいて|いつも同じ服|親が(帰って|かえって)(こな|来な|こーへん|けえへん)",
    ),
    _rule(
        "child_abuse",
        _CHILD,
        r"物音|怒鳴り声|どなり声|叫び声|叫ぶ|さけぶ|(痛い|いたい|やめて|助けて|たすけて)(って|と)(声|言|叫)",
    ),
    _rule(
        "child_abuse",
        _CHILD,
        r"ベランダ|家の外|外に|そとに|玄関の外",
        r"出され|立たされ|入れてもら|閉め出|締め出|裸足|はだし",
    ),
    _rule("child_abuse", r"泣き声|なきごえ|泣き叫|なきさけ", r"通報|つうほう|通告"),
    _rule(
        "child_abuse",
        _CHILD,
        r"捨て(たい|てしまいた|ようか)|育てられ(ない|へん|ません)|殺して?しまいそう|殺しそう|口(を)?(ふさ|塞)|首(を)?(絞|しめ)|いなければ",
    ),
    _rule("child_abuse", _PARENT_HARMS),
    _rule(
        "child_abuse",
        r"手加減(でき|出来)(なく|な|へん)|(産|う)ま(なきゃ|なければ|へんかったら)よかった|(産|う)んだ(のが)?(間違|まちが)|泣かせたまま"
        r"|(教員|先生|教師|保育士|担任).{0,30}(不自然な|あざ|痣|けが|怪我|やけど)|(熱い|熱湯|お湯)を?かけ"
        r"|(義理の|継)(父|母|父親|母親|お父さん|お母さん).{0,12}(嫌なこと|いやなこと|触|さわ)",
    ),
    _rule(
        "child_abuse",
        r"\bstep(father|mother|dad|mom)\b.{0,30}\b(touch\w*|hit\w*|hurt\w*)|\blose my temper with my (toddler|child|kid|baby|son|daughter)"
        r"|scared of what i might do",
    ),
    _rule(
        "child_abuse", r"(親|ママ|パパ|お?かあさん|お?母さん)が(ご飯|ごはん)を?(くれ|作ってくれ|つくってくれ)"
    ),
    _rule("child_abuse", r"(継父|継母|義父|義母)(に|から|が).*(触|さわ)"),
    _rule("child_abuse", r"\bchild abuse\b|\babus\w* (a |their |the |my )?(child|kid|son|daughter|baby)"),
    _rule(
        "child_abuse",
        _EN_CHILD,
        r"\b(abus\w*|hit|hits|hitting|beat\w*|hurt\w*|neglect\w*|bruis\w*|marks on|screaming|crying|left alone|locked out|shak\w*)\b",
    ),
    _rule(
        "child_abuse",
        r"\bmy (mom|mother|dad|father|parents?|step\w*)\b.*\b(hit|hits|beat|beats|hurt|hurts|kick\w*)\b",
    ),
    # --- domestic_violence: violence, control or threats by a partner -----------------------------
    _rule(
        "domestic_violence",
        r"(?<![a-z])dv(?![a-z])|でぃーぶい|でーぶい|ドメスティック|家庭内暴力|モラハラ|#8008",
    ),
    _rule(
        "domestic_violence",
        _PARTNER,
        r"殴|なぐ|叩|たたか|たたい|たたく|蹴|(?:^|(?<=[にをがもてではへ、。 ]))けられ|どつ|突き飛ば|つきとば|首を?(絞|しめ|締)|暴力|ぼうりょく|暴れ|あばれ|怒鳴|どな|暴言"
        r"|物を?(投げ|なげ)|壁を?(殴|叩|蹴)|物に当た|脅|おど(さ|し|す)|殺す|ころす|殺さ|生活費を?(くれ|渡して(くれ|もらえ)|もらえ|入れてくれ)"
        r"|お金を?(全部|ぜんぶ)?(渡してくれ|渡してもらえ|渡さ|くれな|くれへん|もらえ|管理さ|取り上げ|とりあげ)|(財布|さいふ|カード|通帳)(も|を)?(取り上げ|とりあげ)|(お金|金|財布|家計)を?(全部|ぜんぶ)?(握|にぎ)"
        r"|(携帯|けいたい|スマホ|line|ライン|メッセージ|連絡先)(を|も)?.{0,8}(見|チェック|監視|取り上げ|とりあげ|消さ|消し|けさ|けし)|監視|束縛|そくばく"
        r"|外出(させ|を?許|でき)|(会わ|あわ)せ(て)?(もらえ|くれ)|連絡させ(て)?(もらえ|くれ)|(会う|あう)ことを?.{0,6}許|逃げたい|にげたい|怖くて|こわくて"
        r"|怖い|こわい|びくびく|手を?(上|あ)げ|手ぇ?(出|だ)して|包丁|ほうちょう|刃物|避妊|性行為|無理やり|むりやり|関係を迫|嫉妬して|しっとして|写真を?.{0,6}(ばらま|さら)|働くな|お前なんか|おまえなんか|死ね|役立たず|価値(が)?ない",
    ),
    _rule(
        "domestic_violence",
        r"(実家|家族|友達|友人|親)(に|と)(連絡|会)(させて|わせて)(もらえ|くれ)|dv相談|0120-?279-?889",
    ),
    _rule(
        "domestic_violence",
        r"別れ(話|たら|るなら|ようと|を切り出)",
        r"暴れ|あばれ|殴|叩|脅|殺|死ぬ|しぬ|怒鳴|どな",
    ),
    _rule("domestic_violence", r"(誰|だれ)のおかげで|別れ(る|た)なら死ぬ|別れたら死ぬ|別れるなら(殺|ころ)"),
    _rule(
        "domestic_violence",
        r"\b(husband|wife|partner|boyfriend|girlfriend|ex)\b.{0,20}\b(shouts?|yells?|screams?) at me|\bpost (my )?(private|intimate|nude) (photos|pictures)",
    ),
    _rule("domestic_violence", r"(子ども|子供|こども|子)を連れて(家を)?(出|逃げ|にげ)|シェルター"),
    _rule(
        "domestic_violence",
        r"\bdomestic (violence|abuse)\b|\babusive (husband|wife|partner|boyfriend|girlfriend|relationship)",
    ),
    _rule(
        "domestic_violence",
        r"\b(husband|wife|boyfriend|girlfriend|partner|spouse)\b",
        r"\b(hit\w*|beat\w*|punch\w*|kick\w*|slap\w*|chok\w*|push\w*|threat\w*|kill|control\w*|abus\w*|violen\w*"
        r"|checks? my phone|reads? (all )?my messages|takes? (all )?my money|won'?t let me)\b",
    ),
    # --- medical_emergency: sudden illness or injury; unsure whether to call an ambulance ----------
    _rule(
        "medical_emergency",
        r"救急車|きゅうきゅうしゃ|救急病院|救急外来|夜間救急|救急(の)?相談|救急安心|小児救急|#7119|(?<![\d,.])7119(?![\d])|#8000"
        r"|(?<![\d,.#])119(?![\d,.円])",
    ),
    _rule(
        "medical_emergency",
        r"意識(が|を)?(ない|なく|もうろう|朦朧|ぼんやり|おかし|失|うしな)|気を失|気絶|失神|(呼びかけ|呼んで|よんで|声をかけ|揺すっ|ゆすっ)(て|に)?も?(反応|返事|起きな|おきな)",
    ),
    _rule(
        "medical_emergency",
        r"(急に|突然|いきなり|ばったり)倒れ|倒れ(た|て)(人|ひと|まま|て|動|意識|返事|反応|起き)|"
        + _PERSON
        + r"(が|は)?(急に|突然|いきなり)?倒れ",
    ),
    _rule(
        "medical_emergency",
        r"(息|いき)が(でき|出来)(ない|へん|ん|なく)|(息|いき)が(苦し|くるし)|息苦し|いきぐるし|呼吸(が)?(でき|苦し|くるし|してない|してい?ない|止)|息(を)?してな",
    ),
    _rule("medical_emergency", r"胸(が|の)?(痛|いた|苦し|くるし|締め付|締めつ|しめつ|ぎゅ)|胸痛|胸を?押さえ"),
    _rule(
        "medical_emergency",
        r"けいれん|痙攣|ひきつけ|引きつけ|発作|アナフィラキシー(が|を|に)?(起き|おき|出|で[てた]|なっ|みたい|かも|っぽ)|心肺停止|心臓(が)?(止|とま)"
        r"|脈が(ない|とれ|触れ)|(動悸|どうき)が?.{0,6}(止まらな|とまらな|激し|はげし|ひど|苦し|くるし)",
    ),
    _rule(
        "medical_emergency",
        r"(のど|喉)(に|を)?(つま|詰ま)|窒息|(目の前|視界)が(暗|真っ暗|まっくら)|じんましん|蕁麻疹|呼吸が(浅|おかし|変)|息が(しにく|しづら|おかし)",
    ),
    _rule(
        "medical_emergency",
        r"血が(止|と)まら|大量(に)?出血|吐血|血を吐|頭(から|が)血|頭を?(強く)?(打|う)(っ|った|ち)",
    ),
    _rule(
        "medical_emergency",
        r"誤飲|(飲み込|のみこ)(ん|み)だ|(電池|でんち|たばこ|薬|洗剤|おもちゃ|ボタン)を?(飲|の|食べ|たべ)(ん|み|ちゃ|て|た|てしま)",
    ),
    _rule(
        "medical_emergency",
        r"ろれつ|呂律|(しゃべ|喋|話)(られへん|れへん|れなく|せなく|せへん)ように|(顔|かお)(の片側)?が(ゆが|歪)|片(方の)?(手|足|腕)が(しびれ|痺れ|動か)|言葉が出(にく|ない|へん)",
    ),
    _rule(
        "medical_emergency",
        r"(激しい|ひどい|割れるような|今までで一番|いままでで一番)(頭痛|腹痛|痛み|頭|腹|お腹)|激痛|げきつう",
    ),
    _rule("medical_emergency", r"(高熱|熱|ねつ|発熱)", r"夜中|夜間|深夜|よなか|真夜中|ぐったり", _CHILD),
    _rule(
        "medical_emergency",
        r"ぐったり|急病|急な病気|きゅうびょう|(吐|は)(いて|き)(が)?(止|と)まら|(下痢|げり)が(止|と)まら",
    ),
    _rule(
        "medical_emergency",
        r"(呼んでも|いびき|ゆすっても|揺すっても|声をかけても).{0,10}(起き|おき)(な|ん|ひん|へん)",
    ),
    _rule(
        "medical_emergency",
        r"(痛|いた)(くて|すぎて)(動|うご|歩|ある)(け|かれ)|(落ち|転落し|ころん|転ん|こけ)て(動|うご)か|(手足|手|足|体|からだ)に力が入らな|(足|腕|体|からだ)が(動|うご)かな|起き上がれ|変な方向|骨折",
    ),
    _rule("medical_emergency", r"(やけど|火傷).{0,8}(ひど|ただれ|水ぶくれ|みずぶくれ|広)|大やけど|大火傷"),
    _rule(
        "medical_emergency",
        r"むせて.{0,10}(顔色|苦し|くるし|息)|顔色が(悪|わる|真っ青|まっさお|青)|ゼーゼー|ひゅーひゅー|ヒューヒュー|目が(急に)?見えにく|見えなくなっ"
        r"|めまい.{0,8}(立て|動け|うごけ|倒れ)|妊娠(中|している|してる).{0,16}(出血|お腹が痛|おなかが痛|腹痛|張って)|傷(口)?が(ぱっくり|開い|深)",
    ),
    _rule(
        "medical_emergency",
        r"\bfell (down )?and (can'?t|cannot) get up|\bfell into the (water|river|sea|pool)|\bnot moving\b",
    ),
    _rule(
        "medical_emergency",
        r"\b(ambulance|119|unconscious|not breathing|can'?t breathe|cannot breathe|chest pain|heart attack|stroke|seizure"
        r"|collapsed|fainted|passed out|won'?t wake up|not responding|bleeding (a lot|heavily|badly)|swallowed|overdos\w*"
        r"|emergency (medical|number|hotline|room|doctor))\b",
    ),
    _rule(
        "medical_emergency",
        r"\b(high|very high) (fever|temperature)\b",
        r"\b(night|midnight|baby|child|son|daughter|kid|infant)\b",
    ),
    # --- crime_danger: a crime happening now, stalking, a threatening person -----------------------
    _rule(
        "crime_danger",
        r"(後|あと)を(つけ|付け|尾け)|(誰か|だれか|人|ひと|男|女)に(ずっと)?(つけ|付け|尾け)られ|ずっとつけられ|つきまと|付きまと|付き纏"
        r"|ストーカー|すとかー|待ち伏せ|まちぶせ|見張られ|みはられ|尾行",
    ),
    _rule(
        "crime_danger",
        r"(人|男|女|奴|やつ|車|誰か|だれか|ひと)(が|に)?(ずっと|毎日|毎晩)?(後ろ|うしろ)?(から)?(ついて|付いて)(く|き|こ)|(家|いえ)までついて",
    ),
    _rule(
        "crime_danger",
        r"不審者|ふしんしゃ|不審な(人|男|女|車)|(知らない|知らん|しらない|しらん|変な|へんな)(人|男|女|ひと|やつ|奴|おっさん)(が|に)"
        r"(ずっと|家|玄関|ついて|つけ|待|いる|立|うろ)|うろうろ|うろつ",
    ),
    _rule(
        "crime_danger",
        r"泥棒|どろぼう|空き巣|強盗|ごうとう|ひったく|引ったく|痴漢|ちかん|盗撮|とうさつ|侵入|押し入|車上(荒ら|あら)し|誘拐|ゆうかい|連れ去|つれさ"
        r"|監禁|殺害予告|脅迫|きょうはく|殺す|ころす|殺され|ころされ|刃物|はもの|ナイフ(?!り)|包丁を?(持|振)|盗まれ|盗難|脅しの|脅され",
    ),
    _rule("crime_danger", r"(後ろ|うしろ)を(歩いて|あるいて|ついて)|怖くて(家に|いえに)?(帰れ|かえれ)"),
    _rule(
        "crime_danger",
        r"別れた(人|ひと|相手|彼|男|女|恋人)|元(彼|カレ|夫|妻|恋人|交際相手)",
        r"(電話|連絡|メール|line)が?.{0,8}(来|く|何十|何件|しつこ)|(前|まえ)に(立|い|待)|待って|しつこ|家に(来|く)",
    ),
    _rule(
        "crime_danger",
        r"突き飛ばされ|つきとばされ|(殴|なぐ)られ|暴行|襲われ|おそわれ|襲いかか|(追|お)いかけられ|つかみかか|絡まれ|からまれ|暴れて",
    ),
    _rule(
        "crime_danger",
        r"110番|(?<![\d,.#])110(?![\d,.円])|#9110|(?<![\d])9110|警察(に|へ)?(相談|通報|電話|連絡|呼)|けいさつ(に|へ)?(そうだん|つうほう|でんわ|れんらく)",
    ),
    _rule(
        "crime_danger",
        r"(ドア|玄関|げんかん|窓|まど|鍵|かぎ)(ガラス)?(を|が)?.{0,6}(開けようと|あけようと|叩かれ|たたかれ|どんどん|がちゃがちゃ|割られ|壊され|こわされ)",
    ),
    _rule("crime_danger", r"助けて|たすけて|悲鳴|ひめい|争う(音|声)", r"叫|さけ|声|音|悲鳴|ひめい"),
    _rule(
        "crime_danger",
        r"(入って|はいって)(こよう|来よう)と|侵入しようと|(腕|手|体|髪)を(つかま|掴ま|引っ張ら)れ",
    ),
    _rule(
        "crime_danger",
        r"盗聴|とうちょう|(gps|位置情報|じーぴーえす).{0,10}(つけられ|付けられ|仕込|勝手)|(部屋|家|いえ|へや)(が|を)?(荒らされ|あらされ|に入られ)|レイプ|性暴力|性被害|強制性交",
    ),
    _rule(
        "crime_danger",
        r"(叫|さけ|わめ)(び)?ながら(暴|あば)|(暴|あば)れて(いる|る)(人|男|女|やつ)|\b(watching|spying on) (me|my (apartment|house|home|room))\b",
    ),
    _rule(
        "crime_danger",
        r"(体|からだ|お尻|胸)を?(触|さわ)られ|(かばん|カバン|バッグ|財布|さいふ|携帯|スマホ)を?(取|と|盗|ひった)られ|(乗れ|車に乗せ)(って|と)"
        r"|写真を?.{0,6}(ばらま|さら|拡散)|ベランダに(誰か|だれか|人|男|知らない).{0,8}(立|い)|(今から|いまから)(家|いえ)に(行く|いく)",
    ),
    _rule(
        "crime_danger", r"\bhiding in (my|our|the) (house|home|apartment|room|stairwell)|\bthreatens? me\b"
    ),
    _rule("crime_danger", r"身の危険|みのきけん|命を狙|(危|あぶ)ない目"),
    _rule("crime_danger", r"嫌がらせ|いやがらせ", r"怖|こわ|危険|毎日|毎晩"),
    _rule(
        "crime_danger",
        r"\b(stalk\w*|following me|followed me|follows me|broke into|break[- ]in|burglar\w*|intruder|robbed|robbery|mugged"
        r"|knife|gun|death threat|break(ing)? into|keeps? following|following (women|girls|people|us)|get into my (house|home|apartment|room)|waiting for me outside|threaten\w* to kill|kill me|assault\w*|attacked|kidnap\w*)\b|\b(call|report to|contact) (the )?police\b",
    ),
)

SAFETY_INTENTS: tuple[str, ...] = (
    "suicide_crisis",
    "child_abuse",
    "domestic_violence",
    "medical_emergency",
    "crime_danger",
)
