"""Writes tests/data/masking_set.jsonl: messages with the personal data in them labelled, and
look-alikes that hold none. Seeded, so the file is reproducible: ``python tests/data/make_masking_set.py``.

Each line: {"text": …, "personal": [{"kind": …, "value": …}, …], "form": …}; ``value`` is the
exact substring that must be masked (its first occurrence at or after the previous value's).
Look-alikes have ``"personal": []``. The forms are written to be other than the examples quoted in
issue 13: other numbers, other separators, other contexts and other bots' topics.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

R = random.Random(20261207)
OUT = Path(__file__).with_name("masking_set.jsonl")
ROWS: list[dict] = []

FW = str.maketrans("0123456789-", "０１２３４５６７８９－")
KANJI = str.maketrans("0123456789", "〇一二三四五六七八九")
KANA = ["ぜろ", "いち", "に", "さん", "よん", "ご", "ろく", "なな", "はち", "きゅう"]
KATA = ["ゼロ", "イチ", "ニー", "サン", "ヨン", "ゴー", "ロク", "ナナ", "ハチ", "キュウ"]
DASHES = ["-", "ー", "－", "‐", "−", "–", "—", "―", "ｰ"]


def add(text: str, form: str, *personal: tuple[str, str]) -> None:
    position = 0
    for _, value in personal:
        found = text.find(value, position)
        assert found >= 0, (text, value)
        position = found + len(value)
    ROWS.append({"text": text, "personal": [{"kind": k, "value": v} for k, v in personal], "form": form})


def digits(n: int, first: str = "") -> str:
    return first + "".join(R.choice("0123456789") for _ in range(n - len(first)))


# ---------------------------------------------------------------- phone
def mobile() -> list[str]:
    return [R.choice(["070", "080", "090"]), digits(4, R.choice("123456789")), digits(4)]


def landline() -> list[str]:
    return R.choice(
        [
            ["06", digits(4, R.choice("2345679")), digits(4)],
            [R.choice(["072", "075", "078", "073"]), digits(3, R.choice("2345689")), digits(4)],
            ["0120", digits(3, R.choice("123456789")), digits(3)],
            ["050", digits(4, R.choice("123456789")), digits(4)],
            [R.choice(["0721", "0725", "0743"]), digits(2, R.choice("23456789")), digits(4)],
        ]
    )


PHONE_CONTEXTS = [
    "電話番号は{}です",
    "{}に折り返しお願いできますか",
    "携帯→{}",
    "連絡先：{}",
    "TEL {} 山田",
    "夜なら{}に出られます",
    "{}までお電話ください",
    "うちの電話は{}やねん",
    "番号変わりました。新しいのは{}です",
    "ケータイ {} です",
    "{}（自宅）へ連絡ください",
    "call me at {} please",
    "My phone number is {}",
    "不在なら{}に",
    "こちらの連絡先は{}になります",
    "FAX {} へ送ってもいいですか",
    "SMSは{}宛てで",
    "{}から電話があったんですが、私の番号です",
    "日中は{}、夜は出られません",
    "スマホの番号 {} を登録したい",
]
for n in range(70):
    groups = mobile() if n % 2 else landline()
    style = n % 10
    if style == 0:
        value = R.choice(DASHES).join(groups)
    elif style == 1:
        value = "".join(groups).translate(FW)
    elif style == 2:
        value = R.choice(DASHES[1:]).join(groups).translate(FW)
    elif style == 3:
        value = " ".join(groups)
    elif style == 4:
        value = "の".join(groups)
    elif style == 5:
        value = ".".join(groups)
    elif style == 6:
        value = f"{groups[0]}({groups[1]}){groups[2]}"
    elif style == 7:
        value = "ー".join(groups).translate(KANJI)
    elif style == 8:
        value = "+81 " + groups[0][1:] + "-" + "-".join(groups[1:])
    else:
        value = "".join(groups)
    add(R.choice(PHONE_CONTEXTS).format(value), f"phone:{style}", ("phone", value))
# read out in kana / katakana / english
for n in range(16):
    groups = mobile()
    words = KANA if n % 2 else KATA
    sep = R.choice(["の", "、", " ", "ー", ""])
    value = sep.join("".join(words[int(c)] for c in g) for g in groups)
    add(
        R.choice(["電話は{}です", "{}にかけて", "携帯{}やで", "番号は{}"]).format(value),
        "phone:kana",
        ("phone", value),
    )
for _ in range(4):
    g = mobile()
    names = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    value = " ".join(names[int(c)] for c in "".join(g))
    add(f"my number is {value}", "phone:english", ("phone", value))
# labelled without an area code
for _ in range(6):
    value = f"{digits(4, '6')}-{digits(4)}"
    add(
        R.choice(["電話番号は{}です", "自宅の電話 {}", "TEL:{}"]).format(value),
        "phone:local",
        ("phone", value),
    )

# ---------------------------------------------------------------- email
USERS = ["hanako.y", "taro_1985", "k-suzuki", "mika2024", "yamada.t", "osaka.fumin", "n.tanaka77", "ayaka_s"]
DOMAINS = [
    "example.jp",
    "example.co.jp",
    "mail.example.com",
    "docomo.ne.jp",
    "gmail.com",
    "ezweb.ne.jp",
    "icloud.com",
    "example.or.jp",
]
EMAIL_CONTEXTS = [
    "メールは{}です",
    "{}に送ってください",
    "返信は{}まで",
    "連絡先メール：{}",
    "mail: {}",
    "アドレス {} に資料を",
    "{}宛てにお願いします",
    "Please email {}",
]
for n in range(48):
    user, domain = R.choice(USERS), R.choice(DOMAINS)
    style = n % 12
    if style == 0:
        value = f"{user}@{domain}"
    elif style == 1:
        value = f"{user}@{domain}".translate(
            str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
        )
    elif style == 2:
        value = f"{user}[at]{domain}"
    elif style == 3:
        value = f"{user}(at){domain}"
    elif style == 4:
        value = f"{user} @ {domain.replace('.', ' . ')}"
    elif style == 5:
        value = f"{user}＠ {domain}"
    elif style == 6:
        value = f"{user} at {domain.replace('.', ' dot ')}"
    elif style == 7:
        value = f"{user}あっと{domain.replace('.', 'どっと')}"
    elif style == 8:
        value = f"{user}アットマーク{domain}"
    elif style == 9:
        value = f"{user}★{domain}"
    elif style == 10:
        value = f"{user} [at] {domain.replace('.', ' [dot] ')}"
    else:
        value = f"{user}@{domain.replace('.', '．')}"
    add(R.choice(EMAIL_CONTEXTS).format(value), f"email:{style}", ("email", value))


# ---------------------------------------------------------------- My Number
def my_number() -> str:
    body = digits(11)
    total = sum(int(p) * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), 1))
    remainder = total % 11
    return body + str(0 if remainder <= 1 else 11 - remainder)


MYNA_CONTEXTS = [
    "マイナンバーは{}です",
    "個人番号：{}",
    "私のマイナンバー {} で合ってますか",
    "{}ってマイナンバーなんですが",
    "マイナンバーカードの番号は{}",
    "個人番号 {} を書く欄はどこ",
]
for n in range(36):
    number = my_number() if n % 3 else digits(12, R.choice("123456789"))  # every third fails the check
    style = n % 6
    parts = [number[:4], number[4:8], number[8:]]
    value = {
        0: " ".join(parts),
        1: "-".join(parts),
        2: number,
        3: number.translate(FW),
        4: f"{number[:10]} {number[10:]}",
        5: "ー".join(parts).translate(KANJI),
    }[style]
    context = R.choice(MYNA_CONTEXTS) if n % 3 == 0 or n % 4 else "番号は{}です"
    add(context.format(value), f"my_number:{style}", ("my_number", value))


# ---------------------------------------------------------------- card
def luhn_complete(body: str) -> str:
    for d in "0123456789":
        total = 0
        for position, char in enumerate(reversed(body + d)):
            value = int(char) * (2 if position % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return body + d
    raise AssertionError


CARD_CONTEXTS = [
    "カード番号は{}です",
    "クレジットカード {} の請求",
    "{}で決済しました",
    "VISAの{}が不正利用されたかも",
    "フィッシングサイトに{}を入れてしまった",
    "クレカ番号 {}",
]
for n in range(36):
    amex = n % 5 == 4
    number = (
        luhn_complete(R.choice(["34", "37"]) + digits(12))
        if amex
        else luhn_complete(R.choice("45") + digits(14))
    )
    labelled_bad = n % 6 == 5
    if labelled_bad:  # labelled as a card, but the checksum fails
        number = number[:-1] + str((int(number[-1]) + 1) % 10)
    parts = [number[:4], number[4:10], number[10:]] if amex else [number[i : i + 4] for i in range(0, 16, 4)]
    sep = R.choice(["-", " ", "", "－", "　"])
    value = sep.join(parts)
    if n % 7 == 3:
        value = value.translate(FW)
    context = R.choice(CARD_CONTEXTS[:2] + CARD_CONTEXTS[3:]) if labelled_bad else R.choice(CARD_CONTEXTS)
    add(context.format(value), "card:bad-checksum" if labelled_bad else "card", ("card", value))

# ---------------------------------------------------------------- bank accounts
BANKS = ["三井住友銀行", "りそな銀行", "池田泉州銀行", "大阪信用金庫", "三菱UFJ銀行"]
for n in range(40):
    account = digits(7)
    style = n % 8
    if style == 0:
        add(f"口座番号は{account}です", "bank:label", ("bank_account", account))
    elif style == 1:
        add(f"{R.choice(BANKS)} 難波支店 普通 {account}", "bank:futsu", ("bank_account", account))
    elif style == 2:
        add(f"当座 {account} に振り込んでください", "bank:toza", ("bank_account", account))
    elif style == 3:
        kigo, bango = "1" + digits(4), digits(8)
        add(
            f"ゆうちょの記号は{kigo}、番号は{bango}です",
            "bank:yucho",
            ("bank_account", kigo),
            ("bank_account", bango),
        )
    elif style == 4:
        kigo, bango = "1" + digits(4), digits(8)
        add(f"ゆうちょ銀行 {kigo}-{bango}", "bank:yucho-joined", ("bank_account", f"{kigo}-{bango}"))
    elif style == 5:
        add(
            f"返金の振込先は{account.translate(FW)}でお願いします",
            "bank:furikomisaki",
            ("bank_account", account.translate(FW)),
        )
    elif style == 6:
        add(f"普通預金 口座 {account} 名義は本人です", "bank:yokin", ("bank_account", account))
    else:
        branch = digits(3, "1")
        add(
            f"支店番号{branch} 口座番号{account}",
            "bank:branch",
            ("bank_account", branch),
            ("bank_account", account),
        )


# ---------------------------------------------------------------- dates of birth
def era_date() -> tuple[str, int, int, int]:
    era, letter, first, last = R.choice([("昭和", "S", 30, 63), ("平成", "H", 1, 20), ("大正", "T", 5, 14)])
    return era, letter, R.randint(first, last), R.randint(1, 12)


def kanji_number(n: int) -> str:
    ones = "〇一二三四五六七八九"
    if n < 10:
        return ones[n]
    tens, one = divmod(n, 10)
    return ("" if tens == 1 else ones[tens]) + "十" + (ones[one] if one else "")


BIRTH_BEFORE = [
    "生年月日は{}です",
    "生年月日：{}",
    "誕生日 {}",
    "誕生日は{}やねん",
    "生年月日 {} 性別 男",
    "母の生年月日は{}",
    "DOB {}",
    "生まれた日は{}",
]
BIRTH_AFTER = ["{}生まれです", "{}生", "{}に生まれました", "{}生まれの父が"]
for n in range(48):
    era, letter, year, month = era_date()
    day = R.randint(1, 28)
    western = {"昭和": 1925, "平成": 1988, "大正": 1911}[era] + year
    style = n % 12
    value = {
        0: f"{western}年{month}月{day}日",
        1: f"{era}{year}年{month}月{day}日",
        2: f"{letter}{year}.{month}.{day}",
        3: f"{letter}{year}/{month}/{day}",
        4: f"{letter}{year}・{month}・{day}".translate(FW),
        5: f"{era}{kanji_number(year) if year > 1 else '元'}年{kanji_number(month)}月{kanji_number(day)}日",
        6: f"{western}/{month:02d}/{day:02d}",
        7: f"{western}-{month:02d}-{day:02d}",
        8: f"{western}{month:02d}{day:02d}",
        9: f"{era[0]}{year}.{month}.{day}",
        10: f"{era}{year}年{month}月{day}日".translate(FW),
        11: f"{month}月{day}日",
    }[style]
    context = R.choice(BIRTH_AFTER if n % 3 == 0 and style not in (8, 11) else BIRTH_BEFORE)
    add(context.format(value), f"birth_date:{style}", ("birth_date", value))
add("生年月日は平成元年十二月二十四日です", "birth_date:gannen", ("birth_date", "平成元年十二月二十四日"))
add("誕生日、令和2年3月3日の子どもの手当について", "birth_date:reiwa", ("birth_date", "令和2年3月3日"))
add("昭和五十八年生まれの者です", "birth_date:year", ("birth_date", "昭和五十八年"))

# ---------------------------------------------------------------- addresses
TOWNS = [
    ("大阪市", "北区", "天満"),
    ("大阪市", "都島区", "東野田町"),
    ("大阪市", "浪速区", "難波中"),
    ("堺市", "中区", "深井沢町"),
    ("豊中市", "", "新千里東町"),
    ("吹田市", "", "江坂町"),
    ("枚方市", "", "岡東町"),
    ("東大阪市", "", "長田東"),
    ("八尾市", "", "本町"),
    ("高槻市", "", "城北町"),
    ("岸和田市", "", "宮本町"),
    ("茨木市", "", "春日"),
    ("寝屋川市", "", "早子町"),
    ("和泉市", "", "府中町"),
    ("大阪市", "西成区", "岸里"),
]
ADDRESS_CONTEXTS = [
    "住所は{}です",
    "{}に住んでいます",
    "自宅：{}",
    "届け先 {} までお願いします",
    "現住所 {}",
    "{}から引っ越しました",
    "実家は{}やけど",
    "{}の者ですが",
]
for n in range(64):
    city, ward, town = R.choice(TOWNS)
    style = n % 16
    c1, c2, c3 = R.randint(1, 9), R.randint(1, 30), R.randint(1, 40)
    value = {
        0: f"{city}{ward}{town}{c1}丁目{c2}-{c3}",
        1: f"{town}{c1}-{c2}-{c3}",
        2: f"{town}{c1}丁目{c2}番{c3}号",
        3: f"{city}{ward}{town}{c1}-{c2}-{c3}",
        4: f"{town}{kanji_number(c1)}丁目{kanji_number(c2)}番{kanji_number(c3)}号",
        5: f"{town}{c2}番地の{c3}",
        6: f"{town}{c1}ー{c2}ー{c3}".translate(FW),
        7: f"{city}{ward}{town}",
        8: f"{town}{c1}-{c2}-{c3} サンハイツ{c1}0{c3 % 9 + 1}号室",
        9: f"{town}{c1}丁目{c2}-{c3}メゾン{town}{R.randint(1, 9)}0{R.randint(1, 9)}",
        10: f"{city}{ward}{town}{c1}丁目",
        11: f"{town}{c1}−{c2}",
        12: f"府営{town}住宅{c1}棟{c2}0{c1}号",
        13: f"{town}{c1}丁目",
        14: f"〒{digits(3, '5')}-{digits(4)} {city}{ward}{town}{c1}-{c2}",
        15: f"{R.choice(['コーポ', 'グランメゾン', 'レジデンス'])}{town}{c1}0{c2 % 9 + 1}号室",
    }[style]
    if style == 7 and not ward:  # a town under a city without a ward
        value = f"{city}{town}"
    add(R.choice(ADDRESS_CONTEXTS).format(value), f"address:{style}", ("address", value))
add("住所は大阪府大阪市北区天満です", "address:pref-city-ward-town", ("address", "大阪市北区天満"))
add("能勢町宿野の山の方に住んでます", "address:town-under-town", ("address", "能勢町宿野"))

# ---------------------------------------------------------------- names
FAMILY = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "清水",
    "斎藤",
    "森",
    "池田",
    "橋本",
    "阿部",
    "石川",
    "前田",
    "藤田",
    "岡田",
    "後藤",
    "長谷川",
]
GIVEN = [
    "太郎",
    "花子",
    "一郎",
    "美咲",
    "健太",
    "陽子",
    "大輔",
    "由美",
    "翔太",
    "恵子",
    "拓也",
    "直子",
    "誠",
    "愛",
]
NAME_CONTEXTS = [
    ("{}さんに聞いてください", "family"),
    ("担当の{}さんから電話がありました", "family"),
    ("{}様宛てに送って", "family"),
    ("{}と申します。自動車税の件で", "full"),
    ("{}といいます、よろしく", "full"),
    ("名前は{}です", "full"),
    ("氏名：{}", "full"),
    ("{}です。ワクチンの予約について", "full"),
    ("{}くんの母です", "given"),
    ("{}ちゃんが熱を出して", "given"),
    ("{}先生に相談したら", "family"),
    ("私は{}ですが、納税証明書を", "family"),
    ("こんにちは、{}です。", "family"),
    ("{}って言います", "full"),
    ("息子の{}が代わりに行きます", "full"),
    ("{}氏の件で連絡しました", "family"),
]
for n in range(64):
    context, which = NAME_CONTEXTS[n % len(NAME_CONTEXTS)]
    family, given = R.choice(FAMILY), R.choice(GIVEN)
    value = {"family": family, "given": given, "full": family + given}[which]
    if which == "full" and n % 3 == 0:
        value = f"{family} {given}"
    add(context.format(value), f"name:{which}", ("name", value))
KANA_NAMES = [
    ("ヤマダ タロウ", "名義はヤマダ タロウです"),
    ("スズキハナコ", "口座名義 スズキハナコ"),
    ("たなかみさき", "たなかみさきと申します"),
    ("やまもとけんた", "名前はやまもとけんたです"),
    ("Mr. Tanaka", "I talked to Mr. Tanaka at the office"),
    ("Kenji Sato", "My name is Kenji Sato"),
]
for value, text in KANA_NAMES:
    add(text, "name:kana-latin", ("name", value))

# ---------------------------------------------------------------- passport / licence / insurance
for n in range(24):
    letters = R.choice(["TK", "TR", "MZ", "TZ", "TS", "MU"])
    number = digits(7)
    value = {
        0: f"{letters}{number}",
        1: f"{letters} {number}",
        2: f"{letters}{number}".translate(
            str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
        ),
        3: f"{letters.lower()}{number}",
    }[n % 4]
    context = R.choice(
        [
            "パスポート番号は{}です",
            "旅券番号 {}",
            "{}のパスポートが期限切れ",
            "passport no. {}",
            "パスポート（{}）をなくしました",
        ]
    )
    add(context.format(value), f"passport:{n % 4}", ("passport", value))
for n in range(24):
    number = "62" + digits(10)
    value = {
        0: number,
        1: f"{number[:4]} {number[4:8]} {number[8:]}",
        2: number.translate(FW),
        3: f"{number[:4]}-{number[4:8]}-{number[8:]}",
    }[n % 4]
    context = R.choice(
        [
            "免許証番号は{}です",
            "運転免許証の番号 {} で更新の案内が来ない",
            "免許証 {}",
            "運転免許 第{}号",
            "免許の番号が{}なんですが",
        ]
    )
    add(context.format(value), f"driver_license:{n % 4}", ("driver_license", value))
for n in range(30):
    kigo, bango = (
        digits(R.randint(2, 8), R.choice("123456789")),
        digits(R.randint(1, 7), R.choice("123456789")),
    )
    style = n % 6
    if style == 0:
        add(
            f"保険証の記号は{kigo}、番号は{bango}です",
            "insurance:kigo-bango",
            ("health_insurance", kigo),
            ("health_insurance", bango),
        )
    elif style == 1:
        value = digits(8, "06")
        add(f"保険者番号 {value} の保険証をなくした", "insurance:hokensha", ("health_insurance", value))
    elif style == 2:
        value = digits(10, "1")
        add(f"介護保険証の被保険者番号は{value}", "insurance:kaigo", ("health_insurance", value))
    elif style == 3:
        add(
            f"国保 記号{kigo.translate(FW)} 番号{bango.translate(FW)}",
            "insurance:kokuho",
            ("health_insurance", kigo.translate(FW)),
            ("health_insurance", bango.translate(FW)),
        )
    elif style == 4:
        eda = f"0{R.randint(0, 9)}"
        add(
            f"保険証 記号：{kigo} 番号：{bango} 枝番：{eda}",
            "insurance:edaban",
            ("health_insurance", kigo),
            ("health_insurance", bango),
            ("health_insurance", eda),
        )
    else:
        value = digits(8, "3")
        add(
            f"マイナ保険証じゃなくて健康保険証 {value} を使いたい",
            "insurance:plain",
            ("health_insurance", value),
        )

# ---------------------------------------------------------------- health details next to an identifier
CONDITIONS = [
    "糖尿病",
    "高血圧",
    "うつ病",
    "認知症",
    "乳がん",
    "統合失調症",
    "喘息",
    "心臓病",
    "脳梗塞",
    "パニック障害",
    "白内障",
    "腰痛",
    "花粉症",
    "アレルギー",
    "リウマチ",
    "HIV",
    "コロナ陽性",
    "妊娠中",
    "人工透析",
    "肝炎",
]
for n, condition in enumerate(CONDITIONS * 2):
    family = R.choice(FAMILY)
    style = n % 4
    if style == 0:
        add(
            f"{family}さんは{condition}で通院しています",
            "health:name",
            ("name", family),
            ("health", condition),
            ("health", "通院"),
        )
    elif style == 1:
        phone = "-".join(mobile())
        add(
            f"{condition}の母のことで相談です。連絡は{phone}へ",
            "health:phone",
            ("health", condition),
            ("phone", phone),
        )
    elif style == 2:
        kigo = digits(6, "1")
        add(
            f"保険証の記号{kigo}、{condition}の薬をもらっています",
            "health:insurance",
            ("health_insurance", kigo),
            ("health", condition),
        )
    else:
        given = R.choice(GIVEN)
        add(
            f"{family}{given}と申します。{condition}があります",
            "health:intro",
            ("name", family + given),
            ("health", condition),
        )

# ---------------------------------------------------------------- several in one message
for _ in range(12):
    family, given = R.choice(FAMILY), R.choice(GIVEN)
    phone = "-".join(mobile())
    city, ward, town = R.choice(TOWNS)
    address = f"{city}{ward}{town}{R.randint(1, 5)}-{R.randint(1, 20)}-{R.randint(1, 30)}"
    add(
        f"{family}{given}です。住所は{address}、電話は{phone}でお願いします",
        "several",
        ("name", family + given),
        ("address", address),
        ("phone", phone),
    )

# ---------------------------------------------------------------- look-alikes: nothing to mask
LOOKALIKES = [
    # amounts and counts
    "布団を12万円で買わされました",
    "3,000円の返金はありますか",
    "¥12,800の請求が来た",
    "口座から250000円引き落とされた",
    "自動車税は39,500円でした",
    "延滞金が1,200円つくの？",
    "家族4人で住んでます",
    "2-3人で相談に行きます",
    "1500000円も払えません",
    "税額 45000円",
    "8日以内ならクーリングオフできる？",
    "20日間の期間",
    "3回目のワクチン",
    "38.5度の熱があります",
    "体温は37度5分",
    "12歳の子どもの契約",
    "18歳未満",
    "100%返金されますか",
    "5,000,000円の家",
    "振込手数料は330円",
    "普通は2〜3日で届きます",
    "口座振替で1万円",
    "記号が3つある書類",
    "番号札は25番でした",
    # event dates, years and times
    "11月20日に契約しました",
    "令和8年11月20日に届いた書面",
    "2026-11-20に訪問販売",
    "5月31日が期限ですよね",
    "2026/5/31までに払えば",
    "令和6年度の府民税",
    "2026年に引っ越しました",
    "平成30年4月1日以降に取得した土地",
    "受付は9時から17時30分まで",
    "9:00〜18:00に電話します",
    "昨日の15時頃",
    "3日前に届いた",
    "6/1から新しい制度",
    "2019年10月1日から消費税が10%",
    "令和7年3月31日まで",
    "毎月25日に引き落とし",
    "年末の12月29日から1月3日",
    "2024.4.1施行の法律",
    "平成20年3月に購入した車",
    "1日2回飲む薬",
    # public numbers and short codes
    "188に電話したらええの？",
    "189はどんな時にかけるの",
    "110番するべき？",
    "119に電話して救急車を",
    "#7119にかけてもいいですか",
    "＃８０００は子どもの相談",
    "#8008のDV相談",
    "#9110につながらない",
    "0570-064-556に電話しました",
    "06-6910-8001の受付時間は",
    "06-6616-0888は何時まで",
    "0120-279-338は24時間？",
    "０６－６９１０－８００５にFAXします",
    "消費生活センター（06-6616-0888）に聞いた",
    "0120-279-889に相談した",
    "06-6582-7119に電話していい？",
    "06(6910)8001に聞きます",
    # postal codes, cities and wards alone
    "郵便番号の調べ方",
    "大阪市北区に住んでいます",
    "堺市在住です",
    "豊中市から来ました",
    "東大阪市の税務署はどこ",
    "大阪市中央区役所の場所",
    "吹田市内の病院",
    "大阪市立の学校",
    "堺市民です",
    "北区の3番窓口",
    "府庁は大阪市中央区ですよね",
    "型番は530-0001です",
    "大阪府内の市町村",
    "お住まいの市区町村の窓口へ",
    "大阪市北区役所の1-2階",
    # intent words and product names
    "自動車税の納期限はいつ",
    "納税証明書がほしい",
    "クーリングオフのやり方",
    "マイナンバーカードの申請方法",
    "マイナンバーカードの有効期限は2030年",
    "保険証の切り替えはどうするの",
    "パスポートの申請に必要なもの",
    "運転免許の更新場所",
    "口座振替の申込み",
    "府営住宅の申し込み",
    "ワクチン接種の予約",
    "発熱外来はどこ",
    "陽性になったら何日休む？",
    "糖尿病の検査はどこで受けられますか",
    "妊娠中でもワクチンは打てますか",
    "iPhone 15 Proを買った",
    "PS5の抽選販売",
    "Galaxy S24が届かない",
    "第2-3号様式を出してください",
    "別表1-2を見てください",
    "第3条第2項",
    "様式第1号",
    "ルンバ980の定期購入",
    "Windows 11にしたら",
    "お母さんが詐欺にあった",
    "皆さんに聞きたい",
    "大家さんに相談した",
    "業者さんが来た",
    "お客様センター",
    "大和川の近くの公園",
    "中村屋のお菓子",
    "佐藤錦という名前のさくらんぼ",
    "山田錦のお酒",
    "セキュリティコードって何",
    "カード番号を入れてしまった",
    "口座番号を教えてと電話がきた",
    "電話番号を変えたい",
    "記号番号の欄はどこに書くの",
    "暗証番号を忘れた",
    "保険証の記号と番号の見方",
    "免許証番号の確認方法",
    "https://www.pref.osaka.lg.jp/ を見た",
    "バージョン1.2.3",
    "QRコードが読めない",
    "3-4日かかる",
    "1-2週間で届く",
    "8時30分から",
    "No.1の人気商品",
    "ver2.0",
    "4K テレビ 55型",
    "品番 KJ-55X9500H",
    "注文番号123456789012",
    "4111 1111 1111 1112で払った",
    "会員数は1,234,567人",
    "電話で3000円払った",
    "電話の受付は平日9時から",
    "携帯料金が月8000円",
    "携帯を2台持ってます",
    "口座に5万円入金",
]
for text in LOOKALIKES:
    add(text, "lookalike")
# generated look-alikes: amounts, dates of events, counts in many shapes
for n in range(120):
    style = n % 10
    text = {
        0: f"{R.randint(1, 99)}万{R.randint(1, 9)}千円の契約",
        1: f"{R.randint(1, 12)}月{R.randint(1, 28)}日に{R.choice(['契約', '購入', '申し込み', '届いた'])}",
        2: f"{R.randint(1000, 99999):,}円を払いました",
        3: f"令和{R.randint(1, 8)}年{R.randint(1, 12)}月{R.randint(1, 28)}日に{R.choice(['契約', '購入', '登録'])}しました",
        4: f"{R.randint(2020, 2026)}/{R.randint(1, 12)}/{R.randint(1, 28)}に届いた",
        5: f"{R.randint(2, 30)}人で{R.randint(2, 9)}回行きました",
        6: f"{R.randint(9, 11)}時{R.randint(10, 59)}分に電話しました",
        7: f"{R.randint(2020, 2026)}年度の{R.choice(['自動車税', '府民税', '事業税'])}",
        8: f"{R.choice(['188', '110', '119', '189', '#7119', '#8000'])}に{R.choice(['電話', '相談', 'かけた'])}",
        9: f"{R.randint(1, 5)}-{R.randint(2, 9)}人の家族",
    }[style]
    add(text, f"lookalike:{style}")

OUT.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ROWS), encoding="utf-8")
print(len(ROWS), "rows →", OUT)
