"""Reports: usage, cost, unanswered questions, inventory (``/admin/api/v1/reports``)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["reports"])
