"""Whether this checkout's pack validator knows ``near_misses`` (the coverage work adds the key).

The admin's "not covered" action stores a version with a near miss; until the validator takes the
key, storing it is refused (422) and the tests that need it are expected to fail (strict xfail: once
the validator knows the key they must pass).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from admin.pack_text import insert_near_miss
from shared_nlu.pack import validate_packs

BOTS = Path(__file__).resolve().parent / "packs"  # the test packs: a department's edit cannot fail this


def validator_accepts_near_misses() -> bool:
    folders = [path for path in BOTS.iterdir() if path.is_dir()]
    sources = {folder.name: {f.name: f.read_bytes() for f in folder.glob("*.yml")} for folder in folders}
    nlu = insert_near_miss(
        sources["tax"]["nlu.yml"].decode("utf-8"), "auto_tax_due_date", "ゴルフ場利用税の期限"
    )
    assert nlu is not None
    sources["tax"]["nlu.yml"] = nlu.encode("utf-8")
    _, diagnostics = validate_packs(sources)
    return diagnostics.ok


NEEDS_NEAR_MISSES = pytest.mark.xfail(
    not validator_accepts_near_misses(),
    reason="the pack validator of this branch does not know near_misses yet (coverage adds it)",
    strict=True,
)
