"""Privacy helpers: personal data is masked in message text before it is stored or logged."""

from .masking import (
    PLACEHOLDERS,
    MaskResult,
    mask_answer,
    mask_for_log,
    mask_personal_data,
    personal_data_spans,
)

__all__ = [
    "PLACEHOLDERS",
    "MaskResult",
    "mask_answer",
    "mask_for_log",
    "mask_personal_data",
    "personal_data_spans",
]
