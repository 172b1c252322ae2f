"""Packs as versions: upload, edit, diff, activate, roll back, add an example (``/admin/api/v1/bots/{bot_id}/…``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["packs"])
