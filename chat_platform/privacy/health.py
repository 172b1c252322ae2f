"""Health details, masked only in a message that also identifies the person.

「糖尿病で通院中」 alone identifies nobody, and the dashboard needs such words to see what residents
ask the health bots about (発熱, 陽性, ワクチン). Next to a name, a phone number, an address or any
other identifying item the same words become 要配慮個人情報 (sensitive personal data under the APPI),
so there they are masked: the rule is per message, the unit that is stored and shown. Words about
the service rather than a condition (感染防止, 感染対策, 病院, 保健所, ワクチン) are never health details.
"""

from __future__ import annotations

import re

Span = tuple[int, int, str]

_TERMS = (
    r"糖尿病|高血圧|低血圧|腫瘍|うつ病|鬱病|うつ状態|統合失調症|認知症|HIV|エイズ|AIDS|妊娠(?:中|[0-9]+[かヶケ]月)?|流産|中絶"
    r"|不妊|精神疾患|発達障害|ADHD|自閉症|コロナに感染|感染(?!防止|対策|予防|拡大|症対策|者数|状況|経路)|発熱|熱が(?:ある|出て)"
    r"|咳が|入院(?:中)?|通院(?:中)?|透析|手術|服薬|服用|既往歴|持病|アレルギー|喘息|ぜんそく|心臓病|心筋梗塞|脳梗塞|脳卒中"
    r"|骨折|肝炎|結核|性病|梅毒|依存症|てんかん|パーキンソン病?|リウマチ|難病|障害者手帳|療育手帳|精神保健福祉手帳|身体障害"
    r"|知的障害|精神障害|障がい|要介護[0-9一二三四五]?|要支援[0-9一二]?|病気|疾患|症状|診断され|治療中|闘病|余命"
    r"|インフルエンザ|後遺症|車椅子|車いす|寝たきり|人工透析|抗がん剤|ペースメーカー|白内障|緑内障"
)
_FIXED = re.compile(f"(?=[{''.join(sorted({t[0] for t in _TERMS.split('|')}))}])(?:{_TERMS})")
# Conditions named by their last word (乳がん, パニック障害, 花粉症, 腰痛, コロナ陽性): the word is
# found first, then the name before it (a search for the name at every position was 6 times slower).
_SUFFIX = re.compile("病(?!院|棟|床|気)|症(?!状|例)|炎|疾患|障害|痛|がん(?!ば|じ|と)|癌|ガン(?!ダ|マン)|陽性")
_BARE_SUFFIX = ("がん", "癌", "ガン", "陽性")
_NAME_BEFORE = re.compile("[ァ-ヶ一-龥]{1,6}$")


def find_health(base: str) -> list[Span]:
    found = [(*m.span(), "health") for m in _FIXED.finditer(base)]
    for m in _SUFFIX.finditer(base):
        before = _NAME_BEFORE.search(base, max(0, m.start() - 6), m.start())
        if before is not None:
            found.append((before.start(), m.end(), "health"))
        elif m[0] in _BARE_SUFFIX:
            found.append((*m.span(), "health"))
    return found
