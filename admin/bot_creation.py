"""A new bot from the admin: its first pack version (a draft) and its town-DX project.

The smart-city strategy department opens a bot for a department; the department's own staff then
fill it (an FAQ spreadsheet, or intents written in the editor) and activate it. Until a version is
activated residents never see the bot: the runtime serves active versions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import AppError
from core.pack_versions import files_digest
from core.storage.models import PackVersion, Project
from shared_nlu.constants import COMMON_BOT, WELCOME_RESPONSE

from . import audit, plain_yaml
from .auth import Principal
from .projects import fiscal_year_of

BOT_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
PHONE = re.compile(r"^(\+?[0-9][0-9-]{3,18}[0-9]|#[0-9]{4})$")


@dataclass(frozen=True)
class NewBot:
    id: str
    name: str
    department: str
    description: str
    contact_name: str
    contact_phone: str
    contact_hours: str  # "09:00-18:00", weekdays


def known_departments(session: Session) -> list[str]:
    """Departments the registry knows: the inventory's and those of bots already registered."""
    return sorted(set(session.scalars(select(Project.department).distinct())))


def create_bot(session: Session, principal: Principal, bot: NewBot, existing_bots: set[str]) -> PackVersion:
    """Store version 1 of ``bot``'s pack as a draft and register it as a project of this fiscal year.

    Raises 409 ``bot_exists`` for an id already in use and 422 for an unknown department; the
    caller validates the files (:func:`admin.pack_publishing.validate`) and commits.
    """
    if bot.id == COMMON_BOT or bot.id in existing_bots or _has_versions(session, bot.id):
        raise AppError(
            409,
            "bot_exists",
            f"ボット「{bot.id}」はすでにあります。別の id にしてください。",
            f"A bot {bot.id!r} exists already; choose another id.",
        )
    departments = known_departments(session)
    if bot.department not in departments:
        raise AppError(
            422,
            "unknown_department",
            f"部局「{bot.department}」は登録されていません。登録済みの部局: {'、'.join(departments)}",
            f"Unknown department {bot.department!r}. Known departments: {', '.join(departments)}.",
        )
    fiscal_year = fiscal_year_of(date.today())
    same_name = session.scalars(
        select(Project.id).where(
            Project.fiscal_year == fiscal_year,
            Project.department == bot.department,
            Project.kind == "街のDX",
            Project.name == bot.name,
        )
    ).first()
    if same_name is not None:
        raise AppError(
            409,
            "project_exists",
            f"{fiscal_year}年度の{bot.department}に「{bot.name}」という事業がすでにあります。別の名前にしてください。",
            f"FY{fiscal_year} already has a project {bot.name!r} of {bot.department}; choose another name.",
        )
    files = starter_pack(bot)
    row = PackVersion(
        bot_id=bot.id,
        version=1,
        files=files,
        digest=files_digest(files),
        author=principal.name,
        comment="新しいボット（管理画面で作成）",
        diff=None,
        active=False,
        activated_at=None,
    )
    session.add(row)
    session.add(
        Project(
            fiscal_year=fiscal_year,
            department=bot.department,
            name=bot.name,
            kind="街のDX",
            sub_projects=1,
            main_project=bot.name,
            bot_id=bot.id,
            source="admin",
        )
    )
    session.flush()
    audit.record(
        session,
        principal,
        "bot.create",
        f"bot:{bot.id}",
        {"department": bot.department, "fiscal_year": fiscal_year, "version": 1},
    )
    return row


def project_of(session: Session, bot_id: str) -> int | None:
    return session.scalars(
        select(Project.id).where(Project.bot_id == bot_id).order_by(Project.fiscal_year.desc())
    ).first()


def _has_versions(session: Session, bot_id: str) -> bool:
    return (
        session.scalars(select(PackVersion.id).where(PackVersion.bot_id == bot_id).limit(1)).first()
        is not None
    )


def starter_pack(bot: NewBot) -> dict[str, str]:
    """bot.yml, an nlu.yml with nothing in it yet, and responses.yml with the bot's welcome message.

    The common pack (greetings, thanks, hand-off, the safety intents) comes with
    ``include_common: true``; the welcome names the bot and its contact, so even an empty bot
    answers residents with a useful next step.
    """
    bot_yml = {
        "version": "1",
        "id": bot.id,
        "name": {"ja": bot.name},
        "department": bot.department,
        "description": {"ja": bot.description},
        "languages": ["ja"],
        "include_common": True,
        "contact": {"name": {"ja": bot.contact_name}, "phone": bot.contact_phone, "hours": bot.contact_hours},
    }
    welcome = (
        f"{bot.name}です。{bot.description}\nご質問をどうぞ。"
        f"お電話でのご相談は {bot.contact_name}（電話 {bot.contact_phone}、平日 {bot.contact_hours}）へ。"
    )
    responses = {"version": "3.1", "responses": {WELCOME_RESPONSE: [{"text": welcome}]}}
    header = "# 管理画面で作成したボットです。ここに書いた内容は下書きとして保存され、有効にするまで住民には表示されません。\n"
    return {
        "bot.yml": header + plain_yaml.dump(bot_yml),
        "nlu.yml": header
        + '# 質問（intent）と例文をここに書きます。docs/pack-format.md を参照してください。\nversion: "3.1"\nnlu: []\n',
        "responses.yml": header + plain_yaml.dump(responses),
    }
