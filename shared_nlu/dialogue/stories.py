"""Run a pack's conversation tests (``tests.yml``, Rasa test stories) against the real engine."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..pack.model import Pack, Story
from .engine import DialogueEngine


@dataclass(frozen=True)
class StoryResult:
    """``failure`` is None when the story passed; otherwise it says which step failed and why."""

    bot: str
    story: str
    line: int
    failure: str | None = None

    @property
    def passed(self) -> bool:
        return self.failure is None


def run_story(engine: DialogueEngine, pack: Pack, story: Story, now: datetime) -> StoryResult:
    """User steps are sent in order; ``intent``/``bot`` are checked against the parse, and the
    ``action`` steps that follow must appear, in that order, among the responses of that turn."""
    state = engine.new_session(f"test:{pack.id}:{story.line}", pack.id)
    responses: list[str] = []
    cursor = 0
    for step in story.steps:
        where = f"line {step.line}"
        if step.user is not None:
            turn = engine.handle(state, step.user, now)
            state = turn.state
            responses, cursor = list(turn.actions), 0
            parse = turn.parse
            assert parse is not None
            if step.intent and parse.intent != step.intent:
                return StoryResult(
                    pack.id,
                    story.name,
                    story.line,
                    f"{where}: 「{step.user}」 expected intent {step.intent}, got {parse.intent} ({parse.confidence:.2f})",
                )
            answered_by = parse.bot
            if step.bot and answered_by != step.bot:
                return StoryResult(
                    pack.id,
                    story.name,
                    story.line,
                    f"{where}: 「{step.user}」 expected bot {step.bot}, got {answered_by}",
                )
        if step.action is not None:
            if step.action in responses[cursor:]:
                cursor = responses.index(step.action, cursor) + 1
            else:
                return StoryResult(
                    pack.id,
                    story.name,
                    story.line,
                    f"{where}: expected action {step.action}, got {', '.join(responses[cursor:]) or 'nothing'}",
                )
    return StoryResult(pack.id, story.name, story.line)


def run_stories(engine: DialogueEngine, packs: list[Pack], now: datetime) -> list[StoryResult]:
    return [run_story(engine, pack, story, now) for pack in packs for story in pack.stories]
