"""The pack validator on mutated YAML: whatever a department editor's keyboard produces, it
returns diagnostics (or a valid pack) — it never raises and never hangs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared_nlu.pack import validate_packs
from tests.packs_inline import COMMON, TAX

FILES = ["bot.yml", "nlu.yml", "responses.yml"]
NASTY = [
    "\t",
    ":",
    "- ",
    "  ",
    '"',
    "'",
    "|",
    "{",
    "}",
    "[",
    "]",
    "#",
    "&a",
    "*a",
    "!!python/object",
    "\n",
    "\x00",
    "ー",
    "\ufeff",
    "%",
    "@",
]


def mutate(text: str, edits: list[tuple[int, int, str]]) -> str:
    for position, length, insert in edits:
        at = position % (len(text) + 1)
        text = text[:at] + insert + text[at + length % 5 :]
    return text


edit = st.tuples(
    st.integers(0, 5000), st.integers(0, 4), st.one_of(st.sampled_from(NASTY), st.text(max_size=6))
)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(name=st.sampled_from(FILES), edits=st.lists(edit, min_size=1, max_size=6))
def test_should_always_return_diagnostics_for_mutated_yaml(
    name: str, edits: list[tuple[int, int, str]]
) -> None:
    files = {k: v.encode() for k, v in TAX.items()}
    files[name] = mutate(TAX[name], edits).encode("utf-8", errors="surrogatepass")
    packs, diagnostics = validate_packs({"tax": files, "common": {k: v.encode() for k, v in COMMON.items()}})
    assert diagnostics.ok == ("tax" in packs and "common" in packs) or not diagnostics.ok
    for diagnostic in diagnostics.items:
        assert diagnostic.file.startswith(("tax/", "common/")) and diagnostic.message


@settings(max_examples=60, deadline=2000, derandomize=True)
@given(raw=st.binary(max_size=400))
def test_should_handle_arbitrary_bytes(raw: bytes) -> None:
    files = {k: v.encode() for k, v in TAX.items()}
    files["nlu.yml"] = raw
    _, diagnostics = validate_packs({"tax": files, "common": {k: v.encode() for k, v in COMMON.items()}})
    assert all(d.message for d in diagnostics.items)


def test_should_not_hang_on_a_billion_laughs() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    files = {k: v.encode() for k, v in TAX.items()}
    files["responses.yml"] = bomb.encode()
    _, diagnostics = validate_packs({"tax": files, "common": {k: v.encode() for k, v in COMMON.items()}})
    assert not diagnostics.ok
