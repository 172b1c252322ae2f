"""Department self-service (``/admin/api/v1/bots…``): open a new bot, import an FAQ spreadsheet as a
draft, check pack files while they are typed, and try a version before it goes live.

Drafts are ordinary pack versions that are not active: residents keep getting the active version
until someone activates the draft (``POST …/packs/{version}/activate``).
"""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, Field

from core.errors import AppError
from core.pack_versions import active_sources
from core.web.deps import ServicesDep
from core.web.error_schemas import error_responses
from shared_nlu.pack import Severity, validate_packs
from shared_nlu.pack.parse_bot import HOURS_RE

from .. import bot_creation, draft_trial, faq_import, pack_publishing
from ..auth import EDITOR_ROLES, require_role
from .deps import ADMIN_ERRORS, PrincipalDep, SessionDep
from .packs import DiagnosticOut, VersionPath, editor_access

router = APIRouter(tags=["self-service"], responses=ADMIN_ERRORS)
log = logging.getLogger("madoguchi.admin")


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, description="e.g. 大阪府○○課")
    phone: str = Field(min_length=3, max_length=20, description="e.g. 06-6941-0351")
    hours: str = Field(default="09:00-18:00", description="weekday opening hours, HH:MM-HH:MM")


class BotIn(BaseModel):
    id: str = Field(
        min_length=2, max_length=40, description="lower-case letters, digits and _; starts with a letter"
    )
    name: str = Field(min_length=1, max_length=100)
    department: str = Field(min_length=1, max_length=64, description="a department the registry knows")
    description: str = Field(min_length=1, max_length=500)
    contact: ContactIn


class BotCreatedOut(BaseModel):
    id: str
    version: int = Field(description="the draft holding the new bot's first pack")
    active: bool = Field(description="false: residents do not see the bot until a version is activated")
    project_id: int | None


class FaqRefusedOut(BaseModel):
    row: int = Field(description="row number as the spreadsheet shows it")
    reason: str
    message: str


class FaqImportOut(BaseModel):
    version: int = Field(description="the new draft")
    taken: int
    refused: list[FaqRefusedOut]
    columns: dict[str, str] = Field(description="role (question, answer, category, checked_on) → header used")
    warnings: list[DiagnosticOut]


class FilesIn(BaseModel):
    files: dict[str, str | None] = Field(
        min_length=1,
        description="changed files; the rest come from base_version (default: the active version)",
    )
    base_version: int | None = Field(default=None, ge=1, le=2_147_483_647)


class ValidationOut(BaseModel):
    ok: bool = Field(description="no errors: the files can be saved")
    diagnostics: list[DiagnosticOut]


class TryIn(BaseModel):
    text: str = Field(min_length=1, max_length=1000)
    session: str | None = Field(default=None, max_length=20_000, description="from the previous answer")


class TryOut(BaseModel):
    messages: list[dict[str, Any]]
    intent: str | None
    confidence: float | None
    bot: str | None
    fallback: bool
    fallback_reason: str | None
    session: str = Field(description="send it back with the next text to continue this trial conversation")


@router.post(
    "/bots",
    response_model=BotCreatedOut,
    status_code=201,
    responses=error_responses(400, 409),
    summary="Open a new bot for a department (strategy)",
)
def create_bot(
    body: BotIn, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> BotCreatedOut:
    require_role(principal, "strategy")
    if not bot_creation.BOT_ID.match(body.id):
        raise AppError(
            422,
            "bad_bot_id",
            "id は半角英小文字で始め、英小文字・数字・_ だけで 2〜40 文字にしてください（例: waste_sorting）。",
            "The id must start with a lower-case letter and use only a-z, 0-9 and _ (2-40 characters).",
        )
    if not bot_creation.PHONE.match(body.contact.phone):
        raise AppError(
            422,
            "bad_phone",
            "電話番号は 06-6941-0351 や #7119 のように書いてください。",
            "Write the phone number like 06-6941-0351 or #7119.",
        )
    if not HOURS_RE.match(body.contact.hours):
        raise AppError(
            422,
            "bad_hours",
            "受付時間は 09:00-17:45 のように書いてください。",
            "Write the hours like 09:00-17:45.",
        )
    spec = bot_creation.NewBot(
        body.id,
        body.name.strip(),
        body.department,
        body.description.strip(),
        body.contact.name.strip(),
        body.contact.phone,
        body.contact.hours,
    )
    existing = set(services.runtime.current.packs.packs)
    row = bot_creation.create_bot(session, principal, spec, existing)
    pack_publishing.validate(session, principal, body.id, row.files)
    project = bot_creation.project_of(session, body.id)
    session.commit()
    return BotCreatedOut(id=body.id, version=row.version, active=False, project_id=project)


@router.post(
    "/bots/{bot_id}/faq-import",
    response_model=FaqImportOut,
    status_code=201,
    responses=error_responses(400, 404, 409, 413),
    summary="Import an FAQ spreadsheet (.xlsx or .csv) as a new draft",
)
async def import_faq(
    bot_id: str,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    file: Annotated[
        UploadFile, File(description=".xlsx, or .csv in UTF-8 (with or without BOM) or Shift_JIS")
    ],
    comment: Annotated[str | None, Form(max_length=2000)] = None,
) -> FaqImportOut:
    editor_access(services, principal, bot_id)
    limit = services.settings.max_upload_bytes  # the whole body was held to it too (body_limit.py)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise AppError(
            413,
            "file_too_large",
            f"ファイルが大きすぎます（上限 {limit // 1000} kB）。画像や他のシートを消すか、CSV で保存してください。",
            f"The file is too large (limit {limit // 1000} kB). Remove images and other sheets, or save it as CSV.",
        )
    try:
        result = faq_import.read_spreadsheet(file.filename or "", data)
    except faq_import.ImportRefused as exc:
        raise AppError(422, "spreadsheet_unreadable", exc.ja, exc.en) from exc
    if not result.entries:
        raise AppError(
            422,
            "no_rows_taken",
            f"取り込める行がありません（{len(result.refused)} 行はエラー）。" + _first_refusal(result),
            f"No row could be imported ({len(result.refused)} refused).",
        )
    text = _faq_without_collisions(session, bot_id, result)
    saved = pack_publishing.save(
        session,
        principal,
        bot_id,
        {"faq.yml": text},
        comment or f"FAQ を取り込みました（{file.filename or 'ファイル'}）",
        activate=False,
    )
    session.commit()
    return FaqImportOut(
        version=saved.version,
        refused=[FaqRefusedOut(row=r.row, reason=r.reason, message=r.message) for r in result.refused],
        taken=len(result.entries),
        columns=result.columns,
        warnings=[DiagnosticOut.model_validate(d.to_dict()) for d in saved.warnings],
    )


@router.post(
    "/bots/{bot_id}/packs/validate",
    response_model=ValidationOut,
    responses=error_responses(400, 404),
    summary="Check pack files without saving them (for the editor, as the department types)",
)
def validate_files(
    bot_id: str, body: FilesIn, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> ValidationOut:
    editor_access(services, principal, bot_id)
    pack_publishing.check_file_names(list(body.files))
    base = (
        pack_publishing.version(session, bot_id, body.base_version)
        if body.base_version is not None
        else pack_publishing.base_of(session, bot_id)
    )
    files = pack_publishing.apply_changes(base.files, body.files)
    sources, _ = active_sources(session)
    sources[bot_id] = {name: text.encode("utf-8") for name, text in files.items()}
    _, diags = validate_packs(sources)
    mine = [d for d in diags.sorted() if d.file.startswith(f"{bot_id}/")]
    others = [d for d in diags.sorted() if d.severity is Severity.ERROR and d not in mine]
    found = mine + others
    return ValidationOut(ok=diags.ok, diagnostics=[DiagnosticOut.model_validate(d.to_dict()) for d in found])


@router.post(
    "/bots/{bot_id}/packs/{version}/try",
    response_model=TryOut,
    responses=error_responses(400, 404),
    summary="What this version would answer (nothing is stored; drafts stay drafts)",
)
def try_version(
    bot_id: str,
    version: VersionPath,
    body: TryIn,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
) -> TryOut:
    editor_access(services, principal, bot_id, roles=(*EDITOR_ROLES, "viewer"))
    row = pack_publishing.version(session, bot_id, version)
    sources, fingerprint = active_sources(session)
    sources[bot_id] = {name: text.encode("utf-8") for name, text in row.files.items()}
    key = f"{fingerprint}|{bot_id}:{version}:{row.digest}"
    bots = draft_trial.trained(sources, key, services.settings.model_dir)
    session.rollback()  # a trial reads only; end the transaction before answering
    return TryOut(**draft_trial.try_message(bots, bot_id, _clean(body.text), body.session))


def _clean(text: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", "", text)


def _faq_without_collisions(session: SessionDep, bot_id: str, result: faq_import.FaqImport) -> str:
    """faq.yml for the rows taken; a question that is already another intent's example (here or in
    another bot) is moved to the refused rows, so one clash does not refuse the whole sheet."""
    sources, _ = active_sources(session)
    base = pack_publishing.base_of(session, bot_id)
    for _ in range(3):
        text = result.faq_yml(date.today())
        files = {**base.files, "faq.yml": text}
        sources[bot_id] = {name: t.encode("utf-8") for name, t in files.items()}
        _, diags = validate_packs(sources)
        clashing = {
            d.line
            for d in diags.sorted()
            if d.severity is Severity.ERROR
            and d.file == f"{bot_id}/faq.yml"
            and d.code.startswith("duplicate")
        }
        if not clashing:
            return text
        lines = text.split("\n")
        rows = {_entry_row(lines, line) for line in clashing} - {None}
        if not rows:
            return text
        for entry in [e for e in result.entries if e["row"] in rows]:
            result.entries.remove(entry)
            result.refused.append(
                faq_import.RefusedRow(
                    entry["row"],
                    "duplicate_question",
                    "同じ質問が別の質問（intent）の例文にあります。どちらか一方にしてください。",
                )
            )
        result.refused.sort(key=lambda r: r.row)
        if not result.entries:
            raise AppError(
                422,
                "no_rows_taken",
                "取り込める行がありません。" + _first_refusal(result),
                "No row could be imported.",
            )
    return result.faq_yml(date.today())


def _entry_row(lines: list[str], line: int) -> int | None:
    """The spreadsheet row of the faq.yml entry around ``line`` (1-based), from its "# N行目" note."""
    for index in range(min(line, len(lines)) - 1, -1, -1):
        match = re.match(r"\s*# (\d+)行目", lines[index])
        if match:
            return int(match[1])
    return None


def _first_refusal(result: faq_import.FaqImport) -> str:
    first = result.refused[0] if result.refused else None
    return f" 最初のエラー: {first.row}行目: {first.message}" if first else ""
