"""Packs as versions: upload, edit, diff, activate, roll back, add an example, mark a question not
covered (``/admin/api/v1/bots/{bot_id}/…``).

Reading needs any token (a department token only for its department's bots); changing needs the
strategy or a department role. A change is committed with its audit entry, then this worker
reloads in the background; the other workers follow through their pack watcher.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from core.errors import AppError, with_error_fields
from core.pack_versions import active_fingerprint, active_sources
from core.services import Services
from core.web.deps import ServicesDep, services_of
from core.web.error_schemas import error_responses
from shared_nlu.pack.loader import PACK_FILES

from .. import audit, not_covered, pack_publishing, pack_quality, pack_text
from ..auth import EDITOR_ROLES, Principal, require_role
from ..lanes import LaneCheck
from .cost_settings import to_utc
from .deps import ADMIN_ERRORS, DB_INT_MAX, PrincipalDep, SessionDep
from .projects import check_bot_access

router = APIRouter(tags=["packs"], responses=ADMIN_ERRORS)
log = logging.getLogger("madoguchi.admin")
# a new version: bad JSON, unknown bot, unchanged, concurrently changed or taking another bot's
# questions (lane_collision), too large
SAVE_RESPONSES = error_responses(400, 404, 409, 413)
T = TypeVar("T")


class PackFilesOut(BaseModel):
    files: list[str] = Field(description="the files a pack may have, in the order editors read them")


class VersionOut(BaseModel):
    version: int
    author: str
    comment: str | None
    created_at: datetime
    active: bool = Field(description="the version every worker should serve")
    digest: str
    activated_at: datetime | None
    serving: bool = Field(description="this worker's running bots were built from this version")


class VersionDetailOut(VersionOut):
    files: dict[str, str] = Field(description="file name → text")
    diff: str | None = Field(description="unified diff against the version this one was based on")


class DiagnosticOut(BaseModel):
    severity: str
    file: str = Field(description='"<bot>/<file>"')
    line: int = Field(description="1-based; 0 = the whole file")
    column: int
    code: str
    message: str
    hint: str


class SavedOut(BaseModel):
    version: int
    warnings: list[DiagnosticOut]
    activated: bool = True


class UploadIn(BaseModel):
    files: dict[str, str | None] = Field(
        min_length=1,
        description="changed files only; the rest come from the active version; null removes a file",
    )
    comment: str | None = Field(default=None, max_length=2000)
    activate: bool = Field(default=True, description="false saves a draft: residents keep the active version")
    base_version: int | None = Field(
        default=None,
        ge=1,
        le=DB_INT_MAX,
        description="the version the changes apply to (default: the active one)",
    )


class QualityOut(BaseModel):
    version: int
    report: dict[str, Any] = Field(description="measured, examples, accuracy, answered, confusions")
    active_version: int | None
    active_report: dict[str, Any] | None
    worse: bool = Field(description="activating asks for confirmation")
    reasons: list[str]
    diff_from_active: str = Field(
        description="unified diff from the active version (from nothing for a bot never active)"
    )


class ExampleIn(BaseModel):
    intent: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=10_000, description="one line, at most 300 characters")
    comment: str | None = Field(default=None, max_length=2000)
    activate: bool = Field(default=True, description="false saves a draft to try in the editor first")


class NotCoveredIn(BaseModel):
    comment: str | None = Field(default=None, max_length=2000, description="the new version's comment")
    activate: bool = Field(default=True, description="false saves a draft to try in the editor first")


class NearMissOut(SavedOut):
    intent: str = Field(description="the bot's intent whose near_misses got the question")
    text: str = Field(description="the near miss as written into nlu.yml (the stored, masked text)")


def limit_body(request: Request) -> None:
    """Refuse a large body by its declared length (``BodyLimit`` in front of the app does too)."""
    if int(request.headers.get("content-length") or 0) > _upload_limit(request):
        raise _too_large(_upload_limit(request))


async def raw_body(request: Request) -> bytes:
    body = await request.body()
    if len(body) > _upload_limit(request):
        raise _too_large(_upload_limit(request))
    return body


def _upload_limit(request: Request) -> int:
    return services_of(request).settings.max_upload_bytes  # MADOGUCHI_MAX_UPLOAD_BYTES


LimitDep = Annotated[None, Depends(limit_body)]
VersionPath = Annotated[int, Path(le=DB_INT_MAX)]
QuestionPath = Annotated[
    str, Path(min_length=1, max_length=64, description="question_id from the unanswered report")
]
AllowOverlap = Annotated[
    bool,
    Query(
        description="strategy role only: store the version although it takes questions of other bots "
        "(the 409 lane_collision lists them); recorded in the audit log"
    ),
]


@router.get("/pack-files", response_model=PackFilesOut, summary="The files a pack may have")
def pack_files(principal: PrincipalDep) -> PackFilesOut:
    """The loader's list (shared_nlu.pack.loader.PACK_FILES): the dashboard offers these for upload
    and orders a version's files by them, rather than keep a copy of its own. Any valid token."""
    return PackFilesOut(files=list(PACK_FILES))


@router.get(
    "/bots/{bot_id}/packs",
    response_model=list[VersionOut],
    responses=error_responses(404),
    summary="A bot's pack versions, newest first",
)
def list_versions(
    bot_id: str, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> list[VersionOut]:
    check_bot_access(services, principal, bot_id)
    serving = _serving(services, bot_id)
    return [_out(VersionOut, row, serving) for row in pack_publishing.versions(session, bot_id)]


@router.get(
    "/bots/{bot_id}/packs/{version}",
    response_model=VersionDetailOut,
    responses=error_responses(404),
    summary="One version's files and diff",
)
def get_version(
    bot_id: str, version: VersionPath, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> VersionDetailOut:
    check_bot_access(services, principal, bot_id)
    row = pack_publishing.version(session, bot_id, version)
    return _out(VersionDetailOut, row, _serving(services, bot_id), files=row.files, diff=row.diff)


@router.post(
    "/bots/{bot_id}/packs",
    response_model=SavedOut,
    status_code=201,
    responses=SAVE_RESPONSES,
    summary="Upload a new version",
)
def upload(
    bot_id: str,
    body: UploadIn,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    _: LimitDep,
    allow_overlap: AllowOverlap = False,
) -> SavedOut:
    # a draft changes nothing residents get: the lane check runs when it is activated
    check = _lane_check(services, allow_overlap) if body.activate else None
    saved = _audit_refusal(
        session,
        services,
        principal,
        bot_id,
        "pack.upload_refused",
        lambda: pack_publishing.save(
            session,
            principal,
            bot_id,
            body.files,
            body.comment,
            check,
            activate=body.activate,
            base_version=body.base_version,
        ),
    )
    return _finish(session, services, saved)


@router.put(
    "/bots/{bot_id}/packs/files/{file_name}",
    response_model=SavedOut,
    status_code=201,
    responses=SAVE_RESPONSES,
    summary="Replace one file (text/plain body, or JSON {text, comment}) as a new version",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["text"],
                        "properties": {"text": {"type": "string"}, "comment": {"type": "string"}},
                    }
                },
            },
        }
    },
)
def put_file(
    bot_id: str,
    file_name: str,
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    raw: Annotated[bytes, Depends(raw_body)],
    comment: str | None = None,
    allow_overlap: AllowOverlap = False,
) -> SavedOut:
    check = _lane_check(services, allow_overlap)

    def save() -> pack_publishing.Saved:  # after the access check, before the body is read as anything
        pack_publishing.check_file_names([file_name])
        text, note = _file_body(raw, request.headers.get("content-type", ""), comment)
        return pack_publishing.save(session, principal, bot_id, {file_name: text}, note, check)

    return _finish(
        session, services, _audit_refusal(session, services, principal, bot_id, "pack.upload_refused", save)
    )


@router.post(
    "/bots/{bot_id}/packs/{version}/activate",
    response_model=SavedOut,
    responses=error_responses(404, 409),
    summary="Activate (roll back to) a version; a draft that measures worse needs confirm=true",
)
def activate(
    bot_id: str,
    version: VersionPath,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    allow_overlap: AllowOverlap = False,
    confirm: Annotated[
        bool, Query(description="activate a draft even though it measures worse than the active version")
    ] = False,
) -> SavedOut:
    """A version that never served residents (a draft) is measured first (:mod:`admin.pack_quality`):
    when it answers worse than the active version, 409 ``quality_worse`` with both reports, unless
    ``confirm=true``. Rolling back to a version that was live before is not measured again."""
    check = _lane_check(services, allow_overlap)

    def change() -> pack_publishing.Saved:
        row = pack_publishing.version(session, bot_id, version)
        measured: dict[str, Any] | None = None
        if row.activated_at is None and not row.active:
            report = quality_report(session, bot_id, row)
            if report["worse"] and not confirm:
                raise QualityWorse(report)
            figures = report["report"]
            measured = {
                "worse": report["worse"],
                "confirmed": confirm,
                "accuracy": figures.get("accuracy"),
                "answered": figures.get("answered"),
            }
        return pack_publishing.activate(session, principal, bot_id, version, check, quality=measured)

    saved = _audit_refusal(session, services, principal, bot_id, "pack.activate_refused", change)
    return _finish(session, services, saved)


@router.get(
    "/bots/{bot_id}/packs/{version}/quality",
    response_model=QualityOut,
    responses=error_responses(404),
    summary="A version's cross-validated quality next to the active version's",
)
def quality(
    bot_id: str, version: VersionPath, session: SessionDep, principal: PrincipalDep, services: ServicesDep
) -> QualityOut:
    check_bot_access(services, principal, bot_id)
    return QualityOut(**quality_report(session, bot_id, pack_publishing.version(session, bot_id, version)))


def quality_report(session: Session, bot_id: str, row: Any) -> dict[str, Any]:
    sources, fingerprint = active_sources(session)
    live = next((v for v in pack_publishing.versions(session, bot_id) if v.active), None)
    active_report = None
    if live is not None:
        active_report = pack_quality.measure(sources, f"{fingerprint}|active", bot_id)
    sources[bot_id] = {name: text.encode("utf-8") for name, text in row.files.items()}
    draft = pack_quality.measure(sources, f"{fingerprint}|{bot_id}:{row.version}:{row.digest}", bot_id)
    reasons = pack_quality.worse(draft, active_report)
    return {
        "version": row.version,
        "report": draft,
        "active_version": live.version if live is not None else None,
        "active_report": active_report,
        "worse": bool(reasons),
        "reasons": reasons,
        "diff_from_active": pack_publishing.pack_diff(live.files if live is not None else {}, row.files),
    }


class QualityWorse(AppError):
    def __init__(self, report: dict[str, Any]) -> None:
        self.report = report
        reasons = " ".join(report["reasons"])
        super().__init__(
            409,
            "quality_worse",
            f"このバージョンは有効なバージョン {report['active_version']} より答えが悪くなります。{reasons} それでも有効にするときは confirm=true を付けてください。",
            f"This version answers worse than the active version {report['active_version']}; add confirm=true to activate it anyway.",
        )

    def body(self, language: str = "ja") -> dict[str, object]:
        return with_error_fields(super().body(language), quality=self.report)


@router.post(
    "/bots/{bot_id}/examples",
    response_model=SavedOut,
    status_code=201,
    responses=error_responses(400, 404, 409),
    summary="Add one training example",
)
def add_example(
    bot_id: str,
    body: ExampleIn,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    allow_overlap: AllowOverlap = False,
) -> SavedOut:
    check = _lane_check(services, allow_overlap) if body.activate else None
    saved = _audit_refusal(
        session,
        services,
        principal,
        bot_id,
        "pack.add_example_refused",
        lambda: pack_text.add_example(
            session, principal, bot_id, body.intent, body.text, body.comment, check, activate=body.activate
        ),
    )
    return _finish(session, services, saved)


def _lane_check(services: Services, allow_overlap: bool) -> LaneCheck:
    """Against the model this worker serves; the candidate is trained through the worker's model
    cache, so the reload after the change finds it there."""
    return LaneCheck(services.runtime.current.nlu, services.runtime.train, allow_overlap)


def _audit_refusal(
    session: Session,
    services: Services,
    principal: Principal,
    bot_id: str,
    action: str,
    change: Callable[[], T],
) -> T:
    """Check access, run ``change``; if either refuses, record who, which bot and why (codes and
    places only, no file content) in a transaction of its own, then answer the refusal. A bot
    that does not exist is not recorded: its id is whatever the caller typed."""
    try:
        editor_access(services, principal, bot_id)  # 404 unknown bot, 403 another department's or a viewer
        return change()
    except AppError as exc:
        if exc.code == "unknown_bot":
            raise
        session.rollback()  # nothing of the refused change stays; the lock it may hold is released
        audit.record(session, principal, action, f"bot:{bot_id}", pack_publishing.refusal_detail(exc))
        session.commit()
        raise


@router.post(
    "/bots/{bot_id}/unanswered/{question_id}/not-covered",
    response_model=NearMissOut,
    status_code=201,
    responses=error_responses(400, 404, 409),
    summary="Mark an unanswered question as not covered by the bot",
    description=not_covered.__doc__,
)
def mark_not_covered(
    bot_id: str,
    question_id: QuestionPath,
    session: SessionDep,
    principal: PrincipalDep,
    services: ServicesDep,
    body: NotCoveredIn | None = None,
) -> NearMissOut:
    editor_access(services, principal, bot_id)
    nlu = services.runtime.current.nlu
    added = not_covered.mark_not_covered(
        session,
        principal,
        nlu,
        bot_id,
        question_id,
        body.comment if body else None,
        activate=body.activate if body else True,
    )
    saved = _finish(session, services, added.saved)
    return NearMissOut(**saved.model_dump(), intent=added.intent, text=added.text)


def editor_access(
    services: Services, principal: Principal, bot_id: str, roles: tuple[str, ...] = EDITOR_ROLES
) -> None:
    """404 for an unknown bot, 403 for another department's bot or a role that may not."""
    check_bot_access(services, principal, bot_id)
    require_role(principal, *roles)


def _finish(session: Session, services: Services, saved: pack_publishing.Saved) -> SavedOut:
    session.commit()  # before reloading: the reload reads the active versions in its own session
    try:
        # trains in the background; a failure keeps the old bots serving
        if not services.reload_if_changed():
            # the active versions are the ones serving, e.g. rolled back to them after a failed
            # training: that failure no longer matters and must not stay on /readyz
            services.runtime.serving_active(active_fingerprint(session))
    except Exception as exc:  # the version is stored either way; the pack watcher tries again
        log.warning("reload after a pack change failed: %s", exc.__class__.__name__)
    warnings = [DiagnosticOut.model_validate(d.to_dict()) for d in saved.warnings]
    return SavedOut(version=saved.version, warnings=warnings, activated=saved.activated)


def _file_body(raw: bytes, content_type: str, comment: str | None) -> tuple[str, str | None]:
    """(text, comment) from a text/plain body, or from JSON {"text": …, "comment": …}."""
    if content_type.startswith("application/json"):
        try:
            data: Any = json.loads(raw)
        except ValueError as exc:
            raise AppError(
                400, "invalid_json", "本文が JSON として読めません。", "The body is not valid JSON."
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise AppError(
                422,
                "invalid_request",
                "JSON の本文には text（文字列）が必要です。",
                'The JSON body needs "text" (a string).',
            )
        extra = data.get("comment")
        return data["text"], extra if isinstance(extra, str) else comment
    try:
        return raw.decode("utf-8-sig"), comment
    except UnicodeDecodeError as exc:
        raise AppError(
            422,
            "not_utf8",
            "ファイルが UTF-8 ではありません。UTF-8 で保存し直してください（Shift_JIS は読めません）。",
            "The file is not UTF-8. Save it as UTF-8.",
        ) from exc


def _serving(services: Services, bot_id: str) -> int | None:
    """The version this worker's bots were built from, read from the runtime's fingerprint."""
    pairs = (item.rpartition(":") for item in services.runtime.current.fingerprint.split(","))
    return next((int(number) for bot, _, number in pairs if bot == bot_id and number.isdigit()), None)


def _out(model: type[Any], row: Any, serving: int | None, **extra: Any) -> Any:
    fields = {name: getattr(row, name) for name in VersionOut.model_fields if name != "serving"}
    # SQLite hands stored UTC times back without a zone: say so, as the schema's date-time promises
    fields["created_at"] = to_utc(row.created_at)
    fields["activated_at"] = to_utc(row.activated_at) if row.activated_at is not None else None
    return model(**fields, serving=row.version == serving, **extra)


def _too_large(limit: int) -> AppError:
    return AppError(
        413,
        "body_too_large",
        f"本文が大きすぎます（上限 {limit // 1024} KB）。",
        f"The request body is too large (limit {limit // 1024} KB).",
    )
