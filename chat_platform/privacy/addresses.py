"""Addresses and the postal codes that go with them.

An address is masked from the municipality (or, without one, from the town name) to the room:
- a block number after a town, with or without a municipality before it: 大阪市中央区大手前2丁目1-22,
  大手前2-1-22, 荒本北1丁目1番1号, 宿野123番地の4, 大手前二丁目一番二十二号; without 丁目, 番地 or 番…号
  a block needs two numbers and a town name that is not a form, table or article (様式1-2, 第2-3号,
  別表1-2), and no counter may follow (3-4人, 1-2階);
- a town after an Osaka municipality (or a designated city's ward, a Tokyo ward, a municipality
  after its prefecture), even without a number: 大阪府大阪市中央区大手前, 堺市北区新金岡町, 能勢町宿野,
  京都市左京区吉田本町 (a city or ward alone, 大阪市北区 or 堺市在住, is not an address: it identifies
  nobody; nor is what follows it when it is an office or a district word: 北区役所, 大阪市内);
- a building with a room (サンハイツ梅田301号室, 府営住宅3棟201号), or a room number (502号室).
The prefecture and labels stay readable (住所は大阪府［…］). A postal code is masked after 〒 or
郵便番号, or next to an address; alone, 530-0001 might be any code.
"""

from __future__ import annotations

import re

Span = tuple[int, int, str]

_CITIES = [
    "大阪市",
    "堺市",
    "岸和田市",
    "豊中市",
    "池田市",
    "吹田市",
    "泉大津市",
    "高槻市",
    "貝塚市",
    "守口市",
    "枚方市",
    "茨木市",
    "八尾市",
    "泉佐野市",
    "富田林市",
    "寝屋川市",
    "河内長野市",
    "松原市",
    "大東市",
    "和泉市",
    "箕面市",
    "柏原市",
    "羽曳野市",
    "門真市",
    "摂津市",
    "高石市",
    "藤井寺市",
    "東大阪市",
    "泉南市",
    "四條畷市",
    "四条畷市",
    "交野市",
    "大阪狭山市",
    "阪南市",
    "島本町",
    "豊能町",
    "能勢町",
    "忠岡町",
    "熊取町",
    "田尻町",
    "岬町",
    "太子町",
    "河南町",
    "千早赤阪村",
]
_WARDS = [
    "北区",
    "都島区",
    "福島区",
    "此花区",
    "中央区",
    "西区",
    "港区",
    "大正区",
    "天王寺区",
    "浪速区",
    "西淀川区",
    "淀川区",
    "東淀川区",
    "東成区",
    "生野区",
    "旭区",
    "城東区",
    "鶴見区",
    "阿倍野区",
    "住之江区",
    "住吉区",
    "東住吉区",
    "平野区",
    "西成区",
    "堺区",
    "中区",
    "東区",
    "南区",
    "美原区",
]
_K = "一-龥々〆ヶケヵ"
_KT = _K + "ァ-ヺー之ノ"
_NUM = "(?:[0-9]{1,4}|[〇一二三四五六七八九十]{1,3})"
_PREFECTURE = rf"(?:東京都|北海道|(?:大阪|京都)府|[{_K}]{{2,3}}県)"
_MUNICIPALITY = (
    rf"(?:(?:[{_K}]{{1,3}}郡)?(?:{'|'.join(sorted(_CITIES, key=len, reverse=True))})"
    rf"(?:{'|'.join(sorted(_WARDS, key=len, reverse=True))})?|(?:{'|'.join(sorted(_WARDS, key=len, reverse=True))}))"
)
_TAIL = rf"(?:(?:番地?の?|-|の|番)(?:{_NUM}))" + "{0,3}(?:番地?|号(?!室))?"
_BLOCK = (
    rf"(?P<chome>{_NUM}丁目|{_NUM}丁(?=[0-9〇一二三四五六七八九十]))(?:-?{_NUM}{_TAIL})?"
    rf"|(?P<banchi>{_NUM}番地)(?:の?{_NUM}(?:号(?!室))?)?"
    rf"|(?P<bango>{_NUM}番{_NUM}号?)"
    r"|(?<![0-9-])(?P<hyphen>[1-9][0-9]{0,3}(?:-[0-9]{1,4}){1,3})"
)
_BUILDING = (
    "マンション|ハイツ|コーポ|アパート|レジデンス|ハウス|荘|寮|団地|住宅|ビル|タワー|ヒルズ|パレス|メゾン|コート"
    "|プラザ|ガーデン|テラス|ハイム|シャトー|カーサ|ヴィラ|ドミール|メゾネット|キャッスル|棟"
)
_ROOM = rf"(?:[ ]?[{_KT}A-Za-z]{{0,15}}?(?:{_BUILDING})[{_KT}A-Za-z]{{0,8}}?[ ]?(?:[A-Z0-9]{{1,3}}号?棟)?[ ]?[A-Z]?[0-9]{{1,4}}(?:号室|号)?|[ ]?[0-9]{{1,4}}号室)"
_COUNTER = "(?:[0-9階人月日時回件歳年分円個枚本台週様条項号倍度割駅]|[ヶかカケ]月|か所|ヶ所)"  # 谷町四丁目駅 is a station
# Found block first, then the town before it (a lazy town before every position was 5 times slower).
_WITH_BLOCK = re.compile(
    rf"(?=[0-9〇一二三四五六七八九十])(?<![0-9〇一二三四五六七八九十])(?:{_BLOCK})(?P<room>{_ROOM})?(?!{_COUNTER})"
)
_TOWN_BEFORE = re.compile(rf"[{_KT}]{{1,16}}$")
# Outside Osaka: a designated city with its ward (京都市左京区), a Tokyo ward, or a municipality
# after its prefecture (兵庫県尼崎市).
_OTHER_MUNICIPALITY = (
    rf"(?:(?<=[都道府県])|(?<![{_K}]))(?:[{_K}]{{1,4}}市[{_K}]{{1,3}}区|東京都[{_K}]{{1,3}}区"
    rf"|{_PREFECTURE}[{_K}]{{1,5}}[市町村])"
)
_MUNICIPALITY_AT_END = re.compile(rf"(?:{_MUNICIPALITY}|{_OTHER_MUNICIPALITY})$")
# Every place right after 市/区/町/村 is tried (京都市|左京区吉田本町 fails, 京都市左京区|吉田本町 is it).
_TOWN_START = re.compile(rf"(?<=[市区町村])(?=[{_KT}])")
_TOWN = re.compile(rf"[{_KT}]{{2,8}}(?![{_KT}0-9])")
_ROOM_ONLY = re.compile(
    rf"(?P<bld>[{_KT}A-Za-z]{{0,12}}?(?:{_BUILDING})[{_KT}A-Za-z]{{0,8}}?)[ ]?(?:[A-Z0-9]{{1,3}}号?棟)?[ ]?[A-Z]?[0-9]{{1,4}}(?:号室|号)?(?![0-9階人円])"
    r"|(?<![0-9])[0-9]{1,4}号室"
)
# Words before a block that make its numbers a form, a table or an article, not an address.
_NOT_A_TOWN = re.compile(
    r"(?:様式|別表|別紙|表|図|条|項|号|問|章|節|資料|附則|番線|線|階|期|回|段|巻|版|編|部|課|係|室|番|窓口|年度|国道|府道"
    r"|県道|市道|ルート|バス|便|レベル|ステップ|手順|設問|質問|問題|第[0-9一二三四五六七八九十]*|年|月|日|時|歳|円|分|口|列|席)$"
)
# What follows a municipality that is not a town: 大阪市北区役所, 堺市民, 大阪市内, 大阪市立 …
_NOT_A_TOWN_START = re.compile(
    r"役|内|民|長|議|政|立|営|税|在|外|域|部|全|以|周辺|付近|近辺|辺|方面|出身|保健|福祉|社会|教育|選挙|職員|関係|消防"
    r"|水道|広報|公式|交通|地域|北部|南部|東部|西部|中部|中心|庁|当局|担当|窓口|各|近郊|郊外|住民|図書|病院|駅|総合"
    r"|主催|運営|独自|限定|指定|版|全体|全域|全部|所|署|局|センター|ホール|会館|事務|支所|出張|税務|福|保|医|市|区|町|村"
    r"|郡|議会|在住|在勤|在学|近く|周り|まわり|ほう|方|側|へん|あたり"
)
_NOT_A_TOWN_END = (
    "駅",
    "病院",
    "役所",
    "役場",
    "館",
    "署",
    "所",
    "センター",
    "公園",
    "学校",
    "大学",
    "高校",
    "中学",
    "ホール",
    "店",
    "局",
    "港",
    "空港",
    "線",
    "区",
    "市",
    "郡",
)
_LEAD = re.compile(rf"(?:現?住所|自宅|実家|所在地|宛先|送り?先|届け?先|住まい)?(?:{_PREFECTURE})?")
_POSTAL = re.compile(
    r"(?=[〒0-9])(?<![0-9-])(?P<mark>〒 ?)?(?:[0-9]{3}-[0-9]{4}|(?<=〒)[0-9]{7}|(?<=〒 )[0-9]{7})(?![0-9]|-[0-9])"
)
# Osaka Metro stations named after a block: residents ask the way from them.
_STATIONS = ("谷町四丁目", "谷町六丁目", "谷町九丁目", "天神橋筋六丁目")
_HAS_MUNICIPALITY = re.compile(f"[{_K}][市区町村郡]")
_HAS_KANJI = re.compile(f"[{_K}]")
_DATE_SHAPE = re.compile(r"(?:19|20)[0-9]{2}-(?:0?[1-9]|1[0-2])-(?:0?[1-9]|[12][0-9]|3[01])")
_ROOM_HINT = re.compile(f"(?=[号マハコアレ荘寮団住ビタヒパメプガテシカヴドキ棟])(?:号室|{_BUILDING})")
_POSTAL_MARK = re.compile(r"郵便番号")
_POSTAL_GAP = re.compile(rf"[ 、,:]*{_PREFECTURE}? *")
_HINT = re.compile(
    rf"(?=[0-9〇一二三四五六七八九十市区町村郡〒郵号])(?:[0-9〇一二三四五六七八九十][丁番号]|[0-9]-[0-9]|[市区町村郡][{_KT}]|〒|郵便番号|号室)"
)


def _lead_end(base: str, start: int, end: int) -> int:
    lead = _LEAD.match(base, start, end)
    return lead.end() if lead and lead.end() < end else start


def _block_ok(pre: str, m: re.Match[str]) -> bool:
    if _HAS_MUNICIPALITY.search(pre):
        return True
    strong = m["chome"] or m["banchi"] or m["bango"]
    if not pre:  # 2丁目1-22 or 123番地の4, but not a bare 1丁目 (the corner of any town)
        return bool(m["banchi"] or m["bango"] or (m["chome"] and m[0] != m["chome"]))
    if pre.startswith("第"):
        return False
    pre = pre[-8:]  # the words that can rule a town out end it
    if strong:  # 丁目, 番地, 番…号 number nothing but blocks: 春日9丁目 even though 日 ends a date
        return True
    if _DATE_SHAPE.fullmatch(m["hyphen"]) or not _HAS_KANJI.search(pre):
        return False  # 受付2026-11-20 is a date; コード1-2-3 names no town
    return not _NOT_A_TOWN.search(pre) and (m["hyphen"].count("-") >= 2 or len(pre) >= 2)


def find_addresses(base: str) -> list[Span]:
    if not _HINT.search(base):
        return []
    spans: list[tuple[int, int]] = []
    for m in _WITH_BLOCK.finditer(base):
        if m.end() - m.start() == 3 and any(base.startswith(s, m.end() - len(s)) for s in _STATIONS):
            continue  # 谷町四丁目 the station (the way to the prefectural office), not an address
        before = _TOWN_BEFORE.search(base, max(0, m.start() - 16), m.start())
        start = before.start() if before else m.start()
        if _block_ok(base[start : m.start()], m):
            spans.append((_lead_end(base, start, m.end()), m.end()))
    for place in _TOWN_START.finditer(base):
        found = _TOWN.match(base, place.start())
        if found is None:
            continue
        town = found[0]
        muni = _MUNICIPALITY_AT_END.search(base, max(0, found.start() - 14), found.start())
        if muni is None or _NOT_A_TOWN_START.match(town) or town.endswith(_NOT_A_TOWN_END) or town in _WARDS:
            continue
        spans.append((_lead_end(base, muni.start(), found.end()), found.end()))
    if _ROOM_HINT.search(base):
        spans += [(_lead_end(base, m.start(), m.end()), m.end()) for m in _ROOM_ONLY.finditer(base)]
    spans = _merge(spans)
    for m in _POSTAL.finditer(base):
        start, end = m.span()
        after = [a for a in spans if a[0] >= end and _POSTAL_GAP.fullmatch(base, end, a[0])]
        if after:  # one placeholder for 〒530-0001 大阪府大阪市…1-22, prefecture included
            spans.append((start, after[0][1]))
            continue
        marked = m["mark"] or _POSTAL_MARK.search(base, max(0, start - 10), start)
        if marked or any(a[1] <= start and _POSTAL_GAP.fullmatch(base, a[1], start) for a in spans):
            spans.append((start, end))
    return [(start, end, "address") for start, end in _merge(spans)]


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one (大阪市中央区大手前 and 大手前2-1-22 are one address)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
