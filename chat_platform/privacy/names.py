"""Names of people, found with Sudachi's 人名 (person name) tokens and the words around them.

A run of 人名 tokens is a name when something says so: an honorific after it (山田さん, 鈴木様,
田中先生), 〜と申します / 〜といいます after it, 名前は / 氏名 / 名義 / 私は before it, a family name
followed by a given name (山田花子, anywhere), or it opens the message before です (「伊藤です。」,
「…の伊藤です」). Words Sudachi does not file as names count in the same places when they may be one:
not in the dictionary, in kana, a place name (石川先生) or a one-kanji family name that is also a
word (林, 森, 原). Before くん / ちゃん any noun is a name (太郎くん, 愛ちゃん) but for pets and kin
(ワンちゃん, 猫ちゃん); before さん / 様 dictionary nouns are not (皆さん, 大家さん, 業者さん, お客様).
Names written in kana after 名前は or before と申します are taken as written. A lone 人名 token without
any of these stays (中村の住所; 大和川 is filed as a family name), and so do hiragana pieces that
Sudachi cuts out of a hiragana-only question (ふどうさん…, ふくはんのう). A kin word before の makes the
next name a person's (妻の恵子); foreign names in katakana are masked whole across ・. Latin names
after Mr/Ms/Mrs/Dr, before -san, after "my name is" or "I am" (two capitalised words).

Sudachi (~20 µs for a short message) reads each segment between punctuation once per process:
the names found per segment are cached, so the next masking pass and common phrases cost nothing.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from shared_nlu.text.tokenizer import Morpheme, default_tokenizer

Span = tuple[int, int, str]

_JAPANESE = re.compile("[一-龥々ぁ-ゖァ-ヺ]")
# Sudachi reads a message in pieces between punctuation and placeholders (names hold none of them).
_SEGMENT = re.compile("[^、。,!?！？\n「」『』()（）【】\\[\\]［］\ufffc]+")
_POLITE = {"さん", "さま", "様", "氏", "殿", "先生", "はん", "ちゃま", "どの"}
_DIMINUTIVE = {"くん", "君", "ちゃん", "たん", "クン", "チャン"}
_NOT_A_CHILD = {
    "ワン",
    "わん",
    "猫",
    "ねこ",
    "ネコ",
    "犬",
    "いぬ",
    "イヌ",
    "赤",
    "姉",
    "兄",
    "母",
    "父",
    "婆",
    "爺",
    "おばあ",
    "おじい",
    "お姉",
    "お兄",
    "孫",
    "坊",
    "嬢",
    "お嬢",
    "ぼっ",
    "坊っ",
    "おっ",
    "ばあ",
    "じい",
    "ニャン",
    "にゃん",
}
_KIN_WORDS = _NOT_A_CHILD | {
    "かあ",
    "とう",
    "にい",
    "ねえ",
    "おかあ",
    "おとう",
    "おにい",
    "おねえ",
    "じい",
    "ばあ",
    "おじ",
    "おば",
    "みな",
    "みんな",
    "あかちゃん",
    "おまわり",
    "おいしゃ",
}
# One-kanji family names that Sudachi files as ordinary words.
_SURNAME_WORDS = set(
    "林森原東西北南関星岡谷泉堀辻沢宮島浜松竹梅桜菊岩石杉栗柴畑池川山村坂丸堤滝陣藤鶴亀熊鷹"
    "浅畠芝萩桐楠榎柳楓蓮葛蔦舘館瀬渕淵湊港"
)
_INTRO = r"(?:と|って|っちゅう)(?:申し|申す|もうし|いいます|言います|いいまして|言いまして)"
_INTRO_AFTER = re.compile(rf" ?{_INTRO}")
_INTRO_ANYWHERE = re.compile(_INTRO)
_LABEL_WORDS = ("名前", "お名前", "氏名", "名義", "名義人", "フリガナ", "ふりがな", "カナ氏名")
_LABEL_BEFORE = re.compile(r"(?:お?名前|氏名|名義人?|フリガナ|ふりがな)(?:は|:|：|、| )*$")
_SELF_BEFORE = re.compile(r"(?:わたし|私|わたくし|僕|ぼく|俺|おれ|うち|自分)(?:は|、| )+$")
_OPENING = re.compile(
    r"^[\W]*(?:(?:こんにちは|こんばんは|おはようございます|すみません|すいません|もしもし|はじめまして|初めまして"
    r"|お世話になります|お世話になっております|失礼します|あの|えっと)[、。!！?？\s]*)*$"
)
_KIN = re.compile(
    "(?:妻|夫|母|父|息子|娘|兄|姉|弟|妹|祖母|祖父|孫|主人|家内|嫁|旦那|子|長男|長女|次男|次女|義母|義父|叔母|叔父|伯母|伯父"
    "|姪|甥|友人|知人|同僚|上司|部下|担当|担当者|親|母親|父親|彼|彼女|隣人|相手)の$"
)
_CLAUSE_END = re.compile(r" ?です(?:[。、!！?？\s]|が|けど|$)")
_SELF_INTRO_AFTER = re.compile(r" ?(?:です|だ|やけど|ですが|と申|でございます)")
_KANA_AFTER_LABEL = re.compile(
    r"(?=[お名氏フふ])(?:お?名前|氏名|名義人?|フリガナ|ふりがな)(?:は|:|：|、| )+(?P<v>[ぁ-ゖァ-ヺー][ぁ-ゖァ-ヺー 　]{1,15}?)"
    r"(?=です|でございます|と申|といい|と言い|[、。!！\n]|$)"
)
_KANA_BEFORE_INTRO = re.compile(rf"(?P<v>[ぁ-ゖァ-ヺー]{{2,12}})(?={_INTRO})")
_SELF_PREFIX = re.compile("^(?:わたし|あたし|わたくし|ぼく|おれ|うち)は")
_LATIN = re.compile(
    r"\b(?:Mr|Ms|Mrs|Miss|Dr)\.? ?[A-Z][a-z]+(?: [A-Z][a-z]+)?|\b[A-Z][a-z]+(?: [A-Z][a-z]+)?-san\b"
    r"|(?<=[Mm]y name is )[A-Z][a-z]+(?: [A-Z][a-z]+)?|(?<=I'm )[A-Z][a-z]+ [A-Z][a-z]+|(?<=I am )[A-Z][a-z]+ [A-Z][a-z]+"
)
# Foreign names in katakana are written with ・ between their parts (マイケル・ジョンソン).
_KATAKANA_PARTS_BEFORE = re.compile("(?:[ァ-ヺー]+・)+$")
_KATAKANA_PARTS_AFTER = re.compile("(?:・[ァ-ヺー]+)+")
_UPPER = re.compile("[A-Z]")
_HIRAGANA = re.compile("[ぁ-ゖー]{2,}")


def _is_person(m: Morpheme) -> bool:
    return len(m.pos) > 2 and m.pos[2] == "人名"


def _is_noun(m: Morpheme) -> bool:
    return m.pos[0] == "名詞" and m.pos[1] != "数詞"


def _may_be_name(m: Morpheme) -> bool:
    """Not filed as a name, but may be one where a name is expected (see the module's docstring)."""
    if not _is_noun(m):
        return False
    if _is_person(m) or m.oov or m.surface in _SURNAME_WORDS or _HIRAGANA.fullmatch(m.surface):
        return True
    return m.pos[1] == "固有名詞" and m.pos[2] in ("地名", "人名")


@lru_cache(maxsize=8192)
def _segment_names(segment: str) -> tuple[Span, ...]:
    """The names in one segment, cached: the next masking pass (and the next resident who writes
    「こんにちは」) finds most segments unchanged, and Sudachi is the costliest step."""
    try:
        tokens = tuple(t for t in default_tokenizer().morphemes(segment) if t.pos[0] != "空白")
    except Exception:
        return ()
    return tuple(_in_context(segment, tokens))


def find_names(base: str) -> list[Span]:
    found: list[Span] = [(*m.span(), "name") for m in _LATIN.finditer(base)] if _UPPER.search(base) else []
    for segment in _SEGMENT.finditer(base):
        if _JAPANESE.search(segment[0]):
            offset = segment.start()
            found += [(s + offset, e + offset, k) for s, e, k in _segment_names(segment[0])]
    for m in _KANA_AFTER_LABEL.finditer(base):
        found.append((*m.span("v"), "name"))
    for m in _KANA_BEFORE_INTRO.finditer(base) if _INTRO_ANYWHERE.search(base) else ():
        prefix = _SELF_PREFIX.match(m["v"])
        found.append((m.start("v") + (prefix.end() if prefix else 0), m.end("v"), "name"))
    return [_whole_katakana_name(base, span) for span in found if span[0] < span[1]]


def _whole_katakana_name(base: str, span: Span) -> Span:
    start, end, kind = span
    if not _KATAKANA_PARTS_AFTER.fullmatch("・" + base[start:end]):
        return span
    before = _KATAKANA_PARTS_BEFORE.search(base, max(0, start - 20), start)
    after = _KATAKANA_PARTS_AFTER.match(base, end)
    return (before.start() if before else start, after.end() if after else end, kind)


def _in_context(base: str, tokens: tuple[Morpheme, ...]) -> list[Span]:
    found: list[Span] = []
    i = 0
    while i < len(tokens):
        j = i
        while j < len(tokens) and (
            _is_person(tokens[j])
            or (
                tokens[j].surface in _SURNAME_WORDS
                and (j > i or (j + 1 < len(tokens) and _is_person(tokens[j + 1])))
            )
        ):
            j += 1
        if j == i and _may_be_name(tokens[i]):
            j = i + 1  # one word that may be a name: it needs its context
            people = False
        else:
            people = j > i
        if j > i and _named(base, tokens, i, j, people):
            found.append((tokens[i].start, tokens[j - 1].end, "name"))
            i = j
            continue
        # any noun before くん / ちゃん, but pets and kin
        if (
            i + 1 < len(tokens)
            and tokens[i + 1].surface in _DIMINUTIVE
            and _is_noun(tokens[i])
            and tokens[i].surface not in _KIN_WORDS
            and not _kana_word_in_kana_soup(tokens, i, i + 1)
        ):
            found.append((tokens[i].start, tokens[i].end, "name"))
        if tokens[i].surface in _LABEL_WORDS:
            found += _after_label(tokens, i)
        i = max(j, i + 1)
    return found


def _kana_word_in_kana_soup(tokens: tuple[Morpheme, ...], i: int, j: int) -> bool:
    """A hiragana word that Sudachi cut out of a hiragana-only question (ふどうさんしゅとく…,
    おばあちゃん): its neighbours are a prefix or pieces that are no words, not particles."""
    word = tokens[i]
    if not _HIRAGANA.fullmatch(word.surface) or word.oov:
        return False
    if word.surface in _KIN_WORDS or (i > 0 and tokens[i - 1].pos[0] == "接頭辞"):
        return True
    if (
        i > 0
        and _HIRAGANA.fullmatch(tokens[i - 1].surface)
        and tokens[i - 1].pos[0] not in ("助詞", "補助記号")
    ):
        return True
    following = tokens[j + 1] if j + 1 < len(tokens) else None
    return following is not None and following.pos[0] not in ("助詞", "助動詞", "補助記号", "名詞")


def _named(base: str, tokens: tuple[Morpheme, ...], i: int, j: int, people: bool) -> bool:
    """Whether tokens i..j-1 are a name here (see the module's docstring)."""
    start, end = tokens[i].start, tokens[j - 1].end
    after = tokens[j].surface if j < len(tokens) else ""
    if after == "はん" and not people:
        return False  # Kansai's 〜はん only after a name Sudachi knows (ふくはんのう is 副反応)
    if (after in _POLITE or after in _DIMINUTIVE) and not (
        not people and _kana_word_in_kana_soup(tokens, i, j)
    ):
        return True
    if _INTRO_AFTER.match(base, end) or _LABEL_BEFORE.search(base, max(0, start - 8), start):
        return True
    if people:
        surnames = [t.surface in _SURNAME_WORDS or (len(t.pos) > 3 and t.pos[3] == "姓") for t in tokens[i:j]]
        if any(a and not b for a, b in itertools.pairwise(surnames)) and end - start >= 3:
            return True  # a family name, then a given name (two kanji alone, 生健, are too often a word)
    if people and base[start - 1 : start] == "の" and _KIN.search(base, max(0, start - 5), start):
        return True  # 妻の恵子, 担当の木村
    if not _SELF_INTRO_AFTER.match(base, end):
        return False
    if not people and not all(t.surface in _SURNAME_WORDS or t.oov for t in tokens[i:j]):
        return False  # 「…ためのものです」: a kana word before です is no self-introduction
    if people and _CLAUSE_END.match(base, end):
        return True  # 「…住んでる山本です。」
    # 「伊藤です。」 opening the message, 「…の山田です」, 「私は林です」
    before = base[:start]
    return bool(_OPENING.match(before) or before.endswith("の") or _SELF_BEFORE.search(before[-8:]))


def _after_label(tokens: tuple[Morpheme, ...], k: int) -> list[Span]:
    """Name words after 名前は / 氏名 / 名義 (its own particles skipped)."""
    n = k + 1
    while n < len(tokens) and tokens[n].surface in ("は", ":", "：", "、", "が"):
        n += 1
    m = n
    while m < len(tokens) and m - n < 4 and _may_be_name(tokens[m]):
        m += 1
    return [(tokens[n].start, tokens[m - 1].end, "name")] if m > n else []
