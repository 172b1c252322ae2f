"""Hand-written resident conversations that ``madoguchi simulate`` plays through the chat API.

Each :class:`Script` is one resident's visit to one bot: what they type (one of a few phrasings is
picked), which button they press, and how likely they are to rate an answer. The texts are written
for the simulator (polite, casual, Kansai dialect, typos, some English); they are not copies of the
training examples in ``bots/*/nlu.yml``. ``expect`` names the answer a step is written to reach: it
documents the script and lets an editor check the scripts after a pack changes; the simulator plays
whatever the bot really answers.

Buttons are pressed by payload (``/auto_tax_payment``) or by title (``訪問販売``) and only if the
bot's previous reply offered them; otherwise the step's ``texts`` are typed instead (or the step is
skipped when there are none), as a resident would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BOTS = ("inquiry", "tax", "consumer", "covid_general", "covid_tracing", "covid_sticker")

DEFAULT_RATE = 0.25  # chance that a resident rates an answer they could rate
DEFAULT_HELPFUL = 0.8  # chance that such a rating says "helpful"
ANY_BUTTON = "*"


@dataclass(frozen=True)
class Step:
    """One resident message: typed text (one variant is chosen) or a button press."""

    texts: tuple[str, ...] = ()
    button: str | None = None  # a payload ("/hotline"), a title ("訪問販売") or ANY_BUTTON
    expect: str | None = None  # the response this step is written to reach (utter_…)
    chance: float = 1.0  # probability that the resident sends this step at all
    rate: float = DEFAULT_RATE  # probability of rating the answer (when it can be rated)
    helpful: float = DEFAULT_HELPFUL  # probability that the rating is "helpful"


@dataclass(frozen=True)
class Script:
    name: str
    bot: str  # the bot whose chat window the resident opened
    steps: tuple[Step, ...]
    language: str = "ja"
    weight: float = 1.0  # relative frequency among the bot's scripts
    peak_months: tuple[int, ...] = field(default=())  # months when this script is three times as common


def say(
    *texts: str,
    expect: str | None = None,
    chance: float = 1.0,
    rate: float = DEFAULT_RATE,
    helpful: float = DEFAULT_HELPFUL,
) -> Step:
    return Step(tuple(texts), None, expect, chance, rate, helpful)


def press(
    button: str,
    *otherwise: str,
    expect: str | None = None,
    chance: float = 1.0,
    rate: float = DEFAULT_RATE,
    helpful: float = DEFAULT_HELPFUL,
) -> Step:
    """Press ``button`` if the last reply offers it, else type one of ``otherwise`` (or skip)."""
    return Step(tuple(otherwise), button, expect, chance, rate, helpful)


# ---- openings and closings shared by many scripts ------------------------------------------------
def hello(chance: float = 0.3) -> Step:
    return say(
        "こんにちは",
        "こんにちは〜",
        "おはようございます",
        "すみません、ちょっと教えてください",
        "まいど、こんにちは",
        "はじめまして",
        expect="utter_greet",
        chance=chance,
        rate=0.02,
    )


def thanks(chance: float = 0.5) -> Step:
    return say(
        "ありがとうございました",
        "ありがとう！",
        "おおきに、助かりました",
        "よくわかりました。ありがとうございます",
        "ありがと",
        "助かったわ〜ありがとう",
        expect="utter_thanks",
        chance=chance,
        rate=0.1,
    )


def bye(chance: float = 0.25) -> Step:
    return say(
        "ほな、失礼します",
        "わかりました。もう大丈夫です",
        "以上です、失礼します",
        "さよなら〜",
        expect="utter_goodbye",
        chance=chance,
        rate=0.05,
    )


def thanks_en(chance: float = 0.6) -> Step:
    return say(
        "Thank you!", "thanks a lot", "Thanks, that helps", expect="utter_thanks", chance=chance, rate=0.1
    )


def off_topic(chance: float = 0.12) -> Step:
    """Something no bot answers: a fallback now and then."""
    return say(
        "ところで今日の晩ごはん何がいいと思う？",
        "明日って雨ふるんかな",
        "阪神きのう勝った？",
        "ユニバの年パスっていくら？",
        "ｗｗｗ",
        "てすとです",
        expect="utter_nlu_fallback",
        chance=chance,
        rate=0.0,
    )


# ---- 府民お問合せセンター（inquiry）: the front door ------------------------------------------------------
INQUIRY = (
    Script(
        "inquiry_center_hours",
        "inquiry",
        (
            hello(),
            say(
                "ピピっとラインって土曜日も電話つながりますか？",
                "府民お問合せセンターは何時まで受け付けてるん？",
                "ピピットラインのでんわ、お昼休みもつながる？",
                expect="utter_center_contact",
            ),
            press(
                "/office_access", "府庁ってどこにあるんでしたっけ", expect="utter_office_access", chance=0.4
            ),
            thanks(),
        ),
        weight=1.5,
    ),
    Script(
        "inquiry_passport",
        "inquiry",
        (
            hello(0.2),
            say(
                "来月はじめて海外に行くんですが、パスポートはどこで作れますか",
                "パスポート切れてたわ…どこで更新するん？",
                "子どものパスポートを作るのに、親だけで申請に行けますか",
                "ぱすぽーと しんせい どこ",
                expect="utter_passport",
                rate=0.35,
            ),
            say(
                "パスポートの申請から受け取りまで何日くらいかかりますか",
                "パスポートの受け取りって本人が行かなあかんの？",
                "パスポートの写真、自分で撮ったのでも大丈夫？",
                expect="utter_passport",
                chance=0.5,
            ),
            press("/office_access", expect="utter_office_access", chance=0.3),
            thanks(0.6),
        ),
        weight=1.6,
    ),
    Script(
        "inquiry_housing",
        "inquiry",
        (
            say(
                "府営住宅って今は募集してますか？",
                "ひとり親なんですが府営住宅に申し込めますか",
                "年金ぐらしで家賃が高くて…府営住宅に入る条件を知りたい",
                expect="utter_prefectural_housing",
                rate=0.35,
                helpful=0.6,
            ),
            say(
                "府営住宅の申込書は市役所でももらえますか",
                "府営住宅の次の募集っていつごろですか",
                expect="utter_prefectural_housing",
                chance=0.4,
            ),
            press(
                "/municipal_redirect",
                "住民票をとるのは市役所ですよね？",
                expect="utter_municipal_redirect",
                chance=0.3,
            ),
            thanks(),
        ),
        weight=1.2,
    ),
    Script(
        "inquiry_disaster",
        "inquiry",
        (
            say(
                "台風が来てるけど、うちの近くの避難所ってどこで調べたらええの",
                "大雨のとき、どのタイミングで避難したらいいですか",
                "地震がきたときの避難場所を調べたいです",
                expect="utter_disaster_info",
                rate=0.3,
            ),
            say(
                "ハザードマップってどこで見られますか",
                "ペットも連れて避難できるんかな",
                expect="utter_disaster_info",
                chance=0.6,
            ),
            thanks(0.4),
        ),
    ),
    Script(
        "inquiry_opinion",
        "inquiry",
        (
            say(
                "府の窓口での対応がひどかったので、意見を言いたいです",
                "知事に直接要望を伝える方法はありますか",
                "府のホームページ、字が小さくて読みにくいって伝えたい",
                expect="utter_opinion_submission",
                rate=0.35,
                helpful=0.6,
            ),
            press(
                "/center_contact", "電話でも受け付けてもらえますか", expect="utter_center_contact", chance=0.5
            ),
            bye(0.3),
        ),
    ),
    Script(
        "inquiry_find_department",
        "inquiry",
        (
            hello(0.25),
            say(
                "府立の公園でイベントをしたいんですが、どこに相談したらいいですか",
                "どの課に聞いたらええんか全然わからへん",
                "中小企業向けの融資のことはどこの課が担当してますか",
                expect="utter_find_department",
                rate=0.3,
                helpful=0.65,
            ),
            press(
                "/municipal_redirect",
                "ごみの出し方も府に聞いたらええの？",
                expect="utter_municipal_redirect",
                chance=0.35,
            ),
            say(
                "お問合せセンターに電話してみます。番号を教えてください",
                "ピピっとラインの電話番号って何番？",
                expect="utter_center_contact",
                chance=0.4,
            ),
            thanks(0.4),
        ),
    ),
    Script(
        "inquiry_driver_license",
        "inquiry",
        (
            say(
                "運転免許の更新って府庁でできますか？",
                "免許の住所変更はどこでやるの",
                "めんきょのこうしん どこでするん",
                expect="utter_driver_license_redirect",
            ),
            say("門真の試験場は日曜も更新できますか", expect="utter_driver_license_redirect", chance=0.4),
            thanks(),
        ),
        weight=0.8,
    ),
    Script(
        "inquiry_municipal",
        "inquiry",
        (
            say(
                "マイナンバーカードの更新ってここで聞けますか",
                "住民票を取りたいんですけど",
                "粗大ごみの出し方教えて",
                expect="utter_municipal_redirect",
                rate=0.2,
                helpful=0.6,
            ),
            say("国民健康保険の手続きも市役所ですか？", expect="utter_municipal_redirect", chance=0.4),
            bye(0.3),
        ),
        weight=0.9,
    ),
    Script(
        "inquiry_routed_tax",
        "inquiry",
        (
            hello(0.2),
            say(
                "車の税金の納付書がまだ届いてないんですが",
                "自動車税の払いかた教えてください",
                "自動車税って何日までに払えばいい？",
                rate=0.3,
            ),
            press(ANY_BUTTON, chance=0.5),
            thanks(),
        ),
        weight=1.3,
        peak_months=(4, 5, 6),
    ),
    Script(
        "inquiry_routed_consumer",
        "inquiry",
        (
            say(
                "知らない会社から未払い料金の請求メールが来て怖いです",
                "クーリングオフについて教えてほしい",
                "ネットで買ったものが届かないんやけど、どこに相談したらええ？",
                rate=0.3,
            ),
            press(ANY_BUTTON, chance=0.4),
            thanks(),
        ),
    ),
    Script(
        "inquiry_routed_covid",
        "inquiry",
        (
            say(
                "コロナのワクチンってまだ無料で打てますか",
                "熱が出てしんどい、コロナかもしれへんけどどうしたらええ",
                "コロナの後遺症の相談はどこにすればいいですか",
                rate=0.25,
            ),
            press(ANY_BUTTON, chance=0.3),
            thanks(0.4),
        ),
        weight=0.6,
    ),
    Script(
        "inquiry_english",
        "inquiry",
        (
            say("Hello", "Hi there", expect="utter_greet", chance=0.5, rate=0.0),
            say(
                "Where is the Osaka prefectural government office?",
                "How do I get to the prefectural office?",
                expect="utter_office_access",
                rate=0.3,
            ),
            say(
                "What is the phone number of the inquiry center?",
                "Is the inquiry center open on Saturdays?",
                expect="utter_center_contact",
                chance=0.6,
            ),
            thanks_en(),
        ),
        language="en",
        weight=0.5,
    ),
    Script(
        "inquiry_english_passport",
        "inquiry",
        (
            say(
                "I need to renew my Japanese passport, where do I go?",
                "Where can my kids apply for a passport?",
                expect="utter_passport",
                rate=0.3,
            ),
            say("Can I talk to a person?", expect="utter_handoff_human", chance=0.3),
            thanks_en(0.5),
        ),
        language="en",
        weight=0.4,
    ),
    Script(
        "inquiry_capabilities_fallback",
        "inquiry",
        (
            say(
                "なにができるん？",
                "このチャットって何が聞けるんですか",
                "メニューみせて",
                expect="utter_bot_capabilities",
                rate=0.1,
            ),
            say(
                "梅田でおいしいお好み焼き屋さん知ってる？",
                "明日の天気おしえて",
                "しりとりしよか",
                expect="utter_nlu_fallback",
                rate=0.0,
            ),
            say("ほな府営住宅の申し込みのこと教えて", "じゃあパスポートのことを聞きたいです", rate=0.3),
        ),
        weight=0.8,
    ),
    Script(
        "inquiry_handoff",
        "inquiry",
        (
            say(
                "ちょっと込み入った話なので、職員の方と電話で話したいです",
                "人と話したいんやけど",
                "オペレーターさんにつないでほしい",
                expect="utter_handoff_human",
                rate=0.0,
            ),
            say("わかりました、かけてみます", "平日しかあかんのか…", chance=0.5, rate=0.0),
            thanks(0.4),
        ),
        weight=0.7,
    ),
    Script(  # residents who do not say what they need: the answer is whatever the bot guesses
        "inquiry_vague",
        "inquiry",
        (
            say(
                "手続きのことを聞きたいんですけど",
                "ちょっと相談があって",
                "手続きのこと教えて",
                rate=0.3,
                helpful=0.25,
            ),
            say(
                "書類なくしてしもた",
                "書類をなくしてしまいました",
                chance=0.6,
                rate=0.3,
                helpful=0.3,
            ),
            say("わかりました、電話します", chance=0.3, rate=0.0),
        ),
        weight=0.5,
    ),
    Script(
        "inquiry_typos",
        "inquiry",
        (
            say(
                "ふえいじゅうたくの ぼしゅう いつ",
                "府営住宅のもうしこみ、ネットでもできる？",
                "府えい住宅 家賃 いくら",
                expect="utter_prefectural_housing",
                rate=0.3,
                helpful=0.6,
            ),
            off_topic(0.2),
            say("ピピっとラインのでんわばんごう", expect="utter_center_contact", chance=0.4),
        ),
        weight=0.6,
    ),
)

# ---- 府税相談（tax）: heavier in April–June (the automobile tax season) ------------------------------
TAX = (
    Script(
        "tax_due_date_then_payment",
        "tax",
        (
            hello(0.2),
            say(
                "自動車税って今年はいつが締め切りですか",
                "車の税金、5月中に払えばええんやっけ？",
                "自動車税のしめきりいつ？",
                expect="utter_auto_tax_due_date",
                rate=0.3,
            ),
            press("/auto_tax_payment", "払い方も知りたいです", expect="utter_auto_tax_payment", chance=0.7),
            say("PayPayでも払えますか", "コンビニで払ったらレシートが証明書になるの？", chance=0.3),
            thanks(0.6),
        ),
        weight=2.0,
        peak_months=(4, 5),
    ),
    Script(
        "tax_payment",
        "tax",
        (
            say(
                "自動車税をクレジットカードで払いたいんですけど",
                "仕事で銀行に行かれへんねん、夜でも自動車税払える方法ある？",
                "自動車税はスマホで払えますか",
                "じどうしゃぜい はらいかた",
                expect="utter_auto_tax_payment",
                rate=0.35,
            ),
            press(
                "/auto_tax_certificate",
                "カードで払った場合、車検はどうなりますか",
                expect="utter_auto_tax_certificate",
                chance=0.45,
            ),
            thanks(),
        ),
        weight=1.8,
        peak_months=(5,),
    ),
    Script(
        "tax_notice_missing",
        "tax",
        (
            say(
                "自動車税の納付書、どこかにやってしもたみたいで見つからへん",
                "自動車税の通知がまだ来てないんですけど",
                "納付書を子どもが破いてしまいました。再発行してもらえますか",
                expect="utter_auto_tax_notice",
                rate=0.35,
            ),
            press(
                "/tax_office_contact",
                "府税事務所の電話番号は？",
                expect="utter_tax_office_contact",
                chance=0.6,
            ),
            thanks(),
        ),
        weight=1.5,
        peak_months=(5, 6),
    ),
    Script(
        "tax_moved",
        "tax",
        (
            say(
                "去年の秋に奈良から大阪に越してきたんですが、自動車税の通知はどこから来ますか",
                "引っ越したけど車検証の住所を変えてない、自動車税の通知はどうなる？",
                "転勤で住所が変わりました。自動車税の送り先って変えられますか",
                expect="utter_auto_tax_moved",
                rate=0.3,
            ),
            press("/auto_tax_notice", expect="utter_auto_tax_notice", chance=0.4),
            thanks(0.5),
        ),
        peak_months=(3, 4, 5),
    ),
    Script(
        "tax_late_payment",
        "tax",
        (
            say(
                "うっかりしてて自動車税の期限過ぎてた…今から払っても大丈夫？",
                "督促状っていうのが届いたんですが",
                "自動車税払うの忘れてて期限過ぎてもうた！どないしよ",
                expect="utter_late_payment",
                rate=0.3,
            ),
            press(
                "/auto_tax_payment",
                "その納付書でまだコンビニで払える？",
                expect="utter_auto_tax_payment",
                chance=0.5,
            ),
            say(
                "延滞金っていくらぐらいつくんですか",
                expect="utter_late_payment",
                chance=0.4,
                rate=0.5,
                helpful=0.4,
            ),
            thanks(0.4),
        ),
        peak_months=(6, 7),
    ),
    Script(
        "tax_scrapped",
        "tax",
        (
            say(
                "4月に車を廃車にしたんですが、自動車税は返ってきますか",
                "車を売ったのに自動車税の通知が届いたんやけど",
                "亡くなった父の車を廃車にしたいです。自動車税はどうなりますか",
                expect="utter_auto_tax_scrapped_or_sold",
                rate=0.35,
                helpful=0.7,
            ),
            say(
                "廃車した分の還付金っていつごろ振り込まれますか",
                expect="utter_auto_tax_scrapped_or_sold",
                chance=0.35,
            ),
            press("/tax_office_contact", expect="utter_tax_office_contact", chance=0.3),
            thanks(),
        ),
        peak_months=(4, 5),
    ),
    Script(
        "tax_amount",
        "tax",
        (
            say(
                "2500ccの普通車やけど自動車税なんぼ？",
                "自動車税が去年より高くなってるのはなぜですか",
                "13年すぎた車は税金上がるってほんま？",
                expect="utter_auto_tax_amount",
                rate=0.45,
                helpful=0.45,
            ),
            press(
                "/auto_tax_disability_exemption", chance=0.15, expect="utter_auto_tax_disability_exemption"
            ),
            say("具体的な金額は教えてもらえないんですね", "わかった、通知書見てみるわ", chance=0.3, rate=0.0),
        ),
        peak_months=(5,),
    ),
    Script(
        "tax_disability",
        "tax",
        (
            say(
                "母が身体障害者手帳を持っていて、通院に私の車を使っています。自動車税が安くなる制度はありますか",
                "障害のある子の送り迎えに使う車って、税金の減免ある？",
                "療育手帳があれば自動車税の減免は受けられますか",
                expect="utter_auto_tax_disability_exemption",
                rate=0.4,
            ),
            say(
                "減免の申請はいつまでにすればいいですか",
                expect="utter_auto_tax_disability_exemption",
                chance=0.4,
            ),
            press("/tax_office_contact", expect="utter_tax_office_contact", chance=0.5),
            thanks(0.6),
        ),
        weight=0.7,
    ),
    Script(
        "tax_real_estate",
        "tax",
        (
            say(
                "中古マンションを買って半年、府から不動産取得税の通知が来ました。払わなあかんの？",
                "家を新築したら不動産取得税ってかかりますか",
                "不動産取得税の軽減って、自分で申請しないとあかんの？",
                expect="utter_real_estate_acquisition_tax",
                rate=0.35,
            ),
            say(
                "相続した家でも不動産取得税はかかりますか",
                expect="utter_real_estate_acquisition_tax",
                chance=0.3,
            ),
            press(
                "/municipal_tax_redirect",
                "固定資産税とは別なんですよね？",
                expect="utter_municipal_tax_redirect",
                chance=0.35,
            ),
            thanks(),
        ),
        weight=1.0,
    ),
    Script(
        "tax_business",
        "tax",
        (
            say(
                "個人でネイルサロンをしてるんですが、事業税ってかかりますか",
                "フリーでデザインの仕事してるけど個人事業税の申告いる？",
                "個人事業税の通知が来たけど何の税金？",
                expect="utter_individual_business_tax",
                rate=0.3,
            ),
            press(
                "/national_tax_redirect",
                "確定申告は税務署ですよね",
                expect="utter_national_tax_redirect",
                chance=0.4,
            ),
            thanks(0.5),
        ),
        weight=0.8,
        peak_months=(8,),
    ),
    Script(
        "tax_not_prefectural",
        "tax",
        (
            say(
                "確定申告の相談はここでできますか？",
                "医療費控除の申告ってどこでするの",
                expect="utter_national_tax_redirect",
                rate=0.2,
            ),
            press(
                "/residence_tax_redirect",
                "住民税のことも聞きたいんですが",
                expect="utter_residence_tax_redirect",
                chance=0.5,
            ),
            say(
                "原付の税金はどこに払うん？",
                "固定資産税の通知書が来たんですけど",
                expect="utter_municipal_tax_redirect",
                chance=0.4,
            ),
            thanks(0.4),
        ),
        weight=0.9,
    ),
    Script(
        "tax_english",
        "tax",
        (
            say(
                "What's the deadline for the car tax this year?",
                "When is the automobile tax due this year?",
                expect="utter_auto_tax_due_date",
                rate=0.3,
            ),
            say(
                "Can I pay it with a credit card?",
                "Can I pay at a konbini?",
                expect="utter_auto_tax_payment",
                chance=0.6,
            ),
            thanks_en(),
        ),
        language="en",
        weight=0.4,
        peak_months=(5,),
    ),
    Script(
        "tax_handoff",
        "tax",
        (
            say(
                "自動車税のことで府税事務所に電話したいんですが、どこにかければいいですか",
                "府税事務所って土曜日あいてる？",
                expect="utter_tax_office_contact",
                rate=0.3,
                helpful=0.6,
            ),
            say(
                "ややこしいから直接人と話したいわ",
                "担当の方につないでもらえますか",
                expect="utter_handoff_human",
                chance=0.5,
                rate=0.0,
            ),
            thanks(0.3),
        ),
        weight=0.7,
    ),
    Script(
        "tax_off_topic_first",
        "tax",
        (
            off_topic(1.0),
            say("自動車税の納付書が届かないんやけど", "軽自動車の税金っていつまで？", rate=0.3),
            thanks(0.3),
        ),
        weight=0.5,
    ),
)

# ---- 消費生活センター（consumer） -----------------------------------------------------------------
CONSUMER = (
    Script(
        "consumer_cooling_off_door",
        "consumer",
        (
            say("クーリングオフできるか調べたい", expect="utter_ask_transaction_type"),
            press("訪問販売", "訪問販売です", expect="utter_ask_received_date"),
            say(
                "5日前",
                "5日前です",
                "5日前にもらいました",
                expect="utter_cooling_off_running",
                rate=0.5,
                helpful=0.9,
            ),
            thanks(0.6),
        ),
        weight=1.6,
    ),
    Script(
        "consumer_cooling_off_phone",
        "consumer",
        (
            # the first phrasing names the transaction, so the bot asks for the date straight away
            say(
                "電話で勧誘されて健康食品を契約してもうた、まだ解約間に合う？",
                "クーリングオフの期間内か確かめたいです",
            ),
            press("電話勧誘販売", expect="utter_ask_received_date"),
            say("10日前", "先週の月曜日", "2週間くらい前です", rate=0.5, helpful=0.6),
            say(
                "188に電話してみます", "書面に不備があったかもしれへん、相談してみます", chance=0.4, rate=0.0
            ),
        ),
        weight=1.2,
    ),
    Script(
        "consumer_cooling_off_typed",
        "consumer",
        (
            hello(0.2),
            say(
                "クーリングオフまだできるか確認したいです",
                "くーりんぐおふ 期限 しらべたい",
                expect="utter_ask_transaction_type",
            ),
            say("訪問購入", "訪問購入です", "訪問購入やと思います", expect="utter_ask_received_date"),
            say("きのう", "おととい", "3日前", expect="utter_cooling_off_running", rate=0.5, helpful=0.9),
            thanks(0.5),
        ),
    ),
    Script(
        "consumer_cooling_off_cancel",
        "consumer",
        (
            say("クーリングオフの期限を調べてほしい", expect="utter_ask_transaction_type"),
            say("やっぱりやめる", "キャンセル", "やっぱりやめます", expect="utter_cooling_off_cancelled"),
            press("/hotline", "相談の電話番号を教えて", expect="utter_hotline", chance=0.6),
        ),
        weight=0.5,
    ),
    Script(
        "consumer_cooling_off_about",
        "consumer",
        (
            say(
                "クーリングオフの通知はハガキで出すんですか？",
                "そもそもクーリングオフってどういう制度？",
                "cooling offってメールで送ってもいいの？",
                expect="utter_cooling_off_about",
                rate=0.35,
            ),
            press(
                "/cooling_off_check",
                "自分の契約が間に合うか確認したい",
                expect="utter_ask_transaction_type",
                chance=0.5,
            ),
            press("通信販売", expect="utter_ask_received_date"),
            say("1週間前", "10日前", expect="utter_cooling_off_mail_order", rate=0.4, helpful=0.5),
            thanks(0.4),
        ),
        weight=1.2,
    ),
    Script(
        "consumer_online_shopping",
        "consumer",
        (
            say(
                "フリマアプリで買った服がいつまで待っても届きません",
                "ネット通販で頼んだのと違う色の靴が届いた",
                "通販で買った掃除機、返品できますか",
                expect="utter_online_shopping",
                rate=0.35,
                helpful=0.65,
            ),
            press("/subscription_trap", chance=0.25, expect="utter_subscription_trap"),
            press("/hotline", "相談するならどこ？", expect="utter_hotline", chance=0.4),
            thanks(0.4),
        ),
        weight=1.3,
    ),
    Script(
        "consumer_subscription",
        "consumer",
        (
            say(
                "1回だけのつもりでサプリを頼んだら毎月届くようになった",
                "お試し500円の化粧品が定期購入になってたんです",
                "解約しようとしても電話がぜんぜんつながらへん、定期購入やめたい",
                expect="utter_subscription_trap",
                rate=0.4,
                helpful=0.65,
            ),
            press("/hotline", expect="utter_hotline", chance=0.5),
            thanks(0.4),
        ),
    ),
    Script(
        "consumer_phishing",
        "consumer",
        (
            say(
                "宅配業者を名乗るSMSのリンクを押してしまいました",
                "銀行からっぽいメールでパスワード入れてもうた…",
                "Amazonを名乗るメールにカード番号を入力してしまった",
                expect="utter_phishing",
                rate=0.4,
            ),
            press("/fraud_billing", chance=0.3, expect="utter_fraud_billing"),
            say("カード会社に電話します。ありがとう", chance=0.4, expect="utter_thanks", rate=0.05),
        ),
    ),
    Script(
        "consumer_fraud_billing",
        "consumer",
        (
            say(
                "身に覚えのない有料サイトの料金を払えってメールが来た",
                "訴訟を起こすってハガキが届いたんですけど無視していい？",
                "電子マネーで払えって言われてるんやけど",
                expect="utter_fraud_billing",
                rate=0.4,
            ),
            press("/hotline", expect="utter_hotline", chance=0.4),
            thanks(0.5),
        ),
    ),
    Script(
        "consumer_door_to_door",
        "consumer",
        (
            say(
                "無料で床下を点検しますって業者が来て、工事の契約をさせられそう",
                "突然来た業者に屋根の修理を勧められて契約してしまった",
                expect="utter_door_to_door_sales",
                rate=0.3,
            ),
            press(
                "/cooling_off_check",
                "クーリングオフまだ間に合うかな",
                expect="utter_ask_transaction_type",
                chance=0.6,
            ),
            press("訪問販売", expect="utter_ask_received_date"),
            say("3日前", "今週の月曜日", rate=0.5, helpful=0.9),
            thanks(0.4),
        ),
    ),
    Script(
        "consumer_elderly",
        "consumer",
        (
            say(
                "実家の母が高い布団を何回も買わされてるみたいで心配です",
                "一人暮らしのおじいちゃんの家に知らん会社の請求書がいっぱいある",
                expect="utter_elderly_protection",
                rate=0.35,
            ),
            press("/door_to_door_sales", chance=0.3, expect="utter_door_to_door_sales"),
            press(
                "/hotline", "離れて暮らしてる家族でも188に相談できますか", expect="utter_hotline", chance=0.4
            ),
            thanks(0.5),
        ),
        weight=0.8,
    ),
    Script(
        "consumer_minor",
        "consumer",
        (
            say(
                "中3の息子がスマホゲームで5万円も課金してました。取り消せますか",
                "18歳の娘が勝手にエステの契約をしてきた",
                "未成年の契約って取り消せるんですか",
                expect="utter_minor_contract",
                rate=0.4,
                helpful=0.7,
            ),
            press("/hotline", expect="utter_hotline", chance=0.3),
            thanks(0.4),
        ),
        weight=0.6,
    ),
    Script(
        "consumer_mlm",
        "consumer",
        (
            say(
                "友達に誘われた投資の勉強会、人を紹介したら儲かるって言われてて怪しい",
                "マルチみたいな副業に入ってしまって抜けたい",
                expect="utter_multi_level_marketing",
                rate=0.3,
            ),
            press("/cooling_off_check", expect="utter_ask_transaction_type", chance=0.5),
            press("連鎖販売取引", expect="utter_ask_received_date"),
            say("2週間前", "10日前", rate=0.5, helpful=0.9),
        ),
        weight=0.6,
    ),
    Script(  # a vague first message: the bot guesses, or offers its guesses as buttons
        "consumer_vague",
        "consumer",
        (
            say(
                "契約のことで相談したいんですけど",
                "契約のことで相談",
                "契約トラブルのことで…",
                rate=0.3,
                helpful=0.4,
            ),
            press(ANY_BUTTON, "高齢の親のことなんです", rate=0.35),
            thanks(0.4),
        ),
        weight=0.6,
    ),
    Script(
        "consumer_center_hours",
        "consumer",
        (
            say(
                "消費生活センターに直接相談に行きたいんですが、土曜日は開いてますか",
                "消費生活センターの場所はどこですか",
                expect="utter_center_hours",
                rate=0.3,
                helpful=0.6,
            ),
            press("/hotline", expect="utter_hotline", chance=0.3),
            say(
                "人と話したい",
                "電話で相談員さんと話せますか",
                expect="utter_handoff_human",
                chance=0.2,
                rate=0.0,
            ),
            thanks(0.5),
        ),
        weight=0.8,
    ),
)

# ---- 新型コロナ全般相談（covid_general） -----------------------------------------------------------
COVID_GENERAL = (
    Script(
        "covid_fever",
        "covid_general",
        (
            say(
                "昨日から38度の熱があってのどが痛い、どこの病院に行ったらええ？",
                "子どもが夜中に熱を出しました。コロナかもしれません",
                expect="utter_fever_what_to_do",
                rate=0.3,
            ),
            press("/testing", "検査ってどこで受けられますか", expect="utter_testing", chance=0.5),
            press("/tested_positive", expect="utter_tested_positive", chance=0.3),
            thanks(0.4),
        ),
    ),
    Script(
        "covid_family_positive",
        "covid_general",
        (
            say(
                "夫がコロナ陽性になりました。私は仕事に行っても大丈夫ですか",
                "同居してる母がコロナになってもうた、うちらは外出してええの",
                expect="utter_close_contact",
                rate=0.35,
            ),
            press(
                "/prevention",
                "家の中でうつらんようにするにはどうしたら",
                expect="utter_prevention",
                chance=0.4,
            ),
            thanks(0.5),
        ),
    ),
    Script(
        "covid_positive",
        "covid_general",
        (
            say(
                "陽性になりました。何日くらい家にいないといけませんか",
                "コロナにかかってしもた、いつまで外出したらあかんの",
                expect="utter_isolation_period",
                rate=0.35,
            ),
            press(
                "/return_to_work_school",
                "会社に陰性証明を出さないといけませんか",
                expect="utter_return_to_work_school",
                chance=0.5,
            ),
            thanks(0.4),
        ),
    ),
    Script(
        "covid_vaccine",
        "covid_general",
        (
            say(
                "70代の父のコロナワクチン、今年はいつ打てますか",
                "コロナのワクチンの接種券がまだ届かない",
                expect="utter_vaccination",
                rate=0.3,
                helpful=0.6,
            ),
            press(
                "/vaccine_side_effects",
                "副反応で熱が出たらどうしたらいいですか",
                expect="utter_vaccine_side_effects",
                chance=0.4,
            ),
            thanks(0.4),
        ),
        peak_months=(10, 11, 12),
    ),
    Script(
        "covid_long",
        "covid_general",
        (
            say(
                "コロナ治ったのに、ずっと咳とだるさが続いてて…",
                "コロナのあと味がわからんのが2か月も続いてる",
                expect="utter_long_covid",
                rate=0.4,
                helpful=0.6,
            ),
            press("/medical_costs", expect="utter_medical_costs", chance=0.3),
            thanks(0.4),
        ),
        weight=0.7,
    ),
    Script(
        "covid_english",
        "covid_general",
        (
            say(
                "I think I have covid. Where can I get tested?",
                "Where can I get a covid test in Osaka?",
                expect="utter_testing",
                rate=0.3,
            ),
            say("How long should I stay home?", expect="utter_isolation_period", chance=0.5),
            thanks_en(0.5),
        ),
        language="en",
        weight=0.4,
    ),
)

# ---- 大阪コロナ追跡システム（covid_tracing）: ended 2022-12-31, still asked about ---------------------
COVID_TRACING = (
    Script(
        "tracing_notification",
        "covid_tracing",
        (
            say(
                "コロナ追跡システムから通知って書いたメールが来たけど、これ本物？",
                "追跡システムの通知がいまごろ届いたんですが",
                expect="utter_notification_received",
                rate=0.4,
            ),
            press(
                "/service_period",
                "システムっていつ終わったんですか",
                expect="utter_service_period",
                chance=0.4,
            ),
            thanks(0.4),
        ),
        weight=1.2,
    ),
    Script(
        "tracing_personal_data",
        "covid_tracing",
        (
            say(
                "追跡システムに登録したメールアドレスって、誰が見られたんですか",
                "追跡システムに登録した個人情報はどうなったん？",
                expect="utter_personal_data",
                rate=0.35,
            ),
            press(
                "/cancel_registration",
                "登録解除の手続きっている？",
                expect="utter_cancel_registration",
                chance=0.5,
            ),
            thanks(0.4),
        ),
    ),
    Script(
        "tracing_facility",
        "covid_tracing",
        (
            say(
                "うちの店の入口に貼ってた追跡システムのQRコード、もう剥がしてもいいですか",
                "イベントで使うQRコードを発行したい",
                expect="utter_facility_registration",
                rate=0.3,
            ),
            press("/service_period", expect="utter_service_period", chance=0.3),
            bye(0.3),
        ),
        weight=0.8,
    ),
    Script(
        "tracing_about",
        "covid_tracing",
        (
            say(
                "コロナ追跡システムってなんですか？",
                "追跡システムってどういう仕組みやったの",
                expect="utter_about_system",
                rate=0.3,
            ),
            press(ANY_BUTTON, chance=0.5),
            say("スマホ持ってない人はどうしてたんですか", expect="utter_no_smartphone", chance=0.25),
            thanks(0.3),
        ),
    ),
)

# ---- 感染防止宣言ステッカー（covid_sticker） ---------------------------------------------------------
COVID_STICKER = (
    Script(
        "sticker_about",
        "covid_sticker",
        (
            say(
                "感染防止宣言ステッカーって、まだ貼っておかないといけないの？",
                "お店に貼ってある宣言ステッカーって何のため？",
                expect="utter_about_sticker",
                rate=0.3,
            ),
            press("/qr_code_link", expect="utter_qr_code_link", chance=0.35),
            thanks(0.4),
        ),
    ),
    Script(
        "sticker_apply",
        "covid_sticker",
        (
            say(
                "飲食店を新しく開くんですが、ステッカーの申請方法を教えてください",
                "ステッカーの申込みってどこからするん？",
                expect="utter_how_to_apply",
                rate=0.3,
            ),
            press("/cost", "ステッカーってお金かかりますか", expect="utter_cost", chance=0.5),
            press("/print_and_display", expect="utter_print_and_display", chance=0.3),
            thanks(0.4),
        ),
    ),
    Script(
        "sticker_close_shop",
        "covid_sticker",
        (
            say(
                "お店を閉めることになったので、宣言を取り下げたいです",
                "ステッカーの登録内容の店名を変えたい",
                expect="utter_change_or_cancel",
                rate=0.3,
                helpful=0.6,
            ),
            thanks(0.4),
        ),
        weight=0.7,
    ),
    Script(
        "sticker_support_payment",
        "covid_sticker",
        (
            say(
                "ステッカーを貼ってないと協力金はもらえなかったんですか",
                "協力金の条件にステッカーって入ってた？",
                expect="utter_support_payment_link",
                rate=0.3,
                helpful=0.6,
            ),
            press("/about_sticker", expect="utter_about_sticker", chance=0.3),
            bye(0.3),
        ),
        weight=0.7,
    ),
)

SCRIPTS: tuple[Script, ...] = INQUIRY + TAX + CONSUMER + COVID_GENERAL + COVID_TRACING + COVID_STICKER


def scripts_for(bot: str) -> tuple[Script, ...]:
    return tuple(s for s in SCRIPTS if s.bot == bot)
