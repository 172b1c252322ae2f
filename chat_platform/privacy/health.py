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
    r"糖尿病|高血圧|低血圧|がん|癌|ガン|腫瘍|うつ病|鬱病|うつ状態|統合失調症|認知症|HIV|エイズ|AIDS|妊娠(?:中|[0-9]+[かヶケ]月)?"
    r"|流産|中絶|不妊|精神疾患|発達障害|ADHD|自閉症|陽性|コロナに感染|感染(?!防止|対策|予防|拡大|症対策|者数|状況|経路)"
    r"|発熱|熱が(?:ある|出て)|咳が|入院(?:中)?|通院(?:中)?|透析|手術|服薬|服用|既往歴|持病|アレルギー|喘息|ぜんそく|心臓病"
    r"|心筋梗塞|脳梗塞|脳卒中|骨折|肝炎|結核|性病|梅毒|依存症|てんかん|パーキンソン病?|リウマチ|難病|障害者手帳|療育手帳"
    r"|精神保健福祉手帳|身体障害|知的障害|精神障害|障がい|要介護[0-9一二三四五]?|要支援[0-9一二]?|病気|疾患|症状|診断され"
    r"|治療中|闘病|余命|インフルエンザ|後遺症|車椅子|車いす|寝たきり|人工透析|抗がん剤|ペースメーカー"
    r"|[一-龥ァ-ヶ]{1,6}(?:病(?!院|棟|床)|症(?!状|例)|炎|疾患)"
)
_HEALTH = re.compile(_TERMS)
_HINT = re.compile(r"病|症|癌|がん|ガン|腫|妊|流産|中絶|HIV|エイズ|AIDS|ADHD|陽性|感染|熱|咳|院|透析|手術|服|既往|アレルギー"
                   r"|喘息|ぜんそく|梗塞|卒中|骨折|炎|疾|依存|てんかん|リウマチ|障|介護|支援|治療|余命|インフル|後遺|車椅子"
                   r"|車いす|寝たきり|ペースメーカー")  # fmt: skip


def find_health(base: str) -> list[Span]:
    if not _HINT.search(base):
        return []
    return [(*m.span(), "health") for m in _HEALTH.finditer(base)]
