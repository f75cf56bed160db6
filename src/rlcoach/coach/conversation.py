"""One coach conversation: the loop (or offline findings) plus its log in the library.

``Conversation.open(library, backend, ...)`` starts a new thread or continues one
(``continue_id``: a thread id, or 0 for the most recent). ``ask(question)`` runs the
loop and, unless ``log`` is False (``--no-log``), stores the question and the answer
(text, tool calls and results, model, tokens, cost, unverified numbers) as messages.
Offline answers are stored too (mode ``offline``, no model, no tokens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rlcoach.coach import evidence, offline, store
from rlcoach.coach.backend import Backend
from rlcoach.coach.loop import Answer, Coach
from rlcoach.coach.tools import Toolbox, ToolResult
from rlcoach.config import Identity
from rlcoach.library.db import Library


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Conversation:
    library: Library
    toolbox: Toolbox
    backend: Backend | None  # None: offline
    game: int | None = None
    log: bool = True
    thread_id: int | None = None
    coach: Coach | None = None
    total: store.Usage = field(default_factory=store.Usage)

    @property
    def mode(self) -> str:
        return self.backend.mode if self.backend else "offline"

    @classmethod
    def open(cls, library: Library, backend: Backend | None, *, identity: Identity | None = None,
             game: int | None = None, log: bool = True, continue_id: int | None = None,
             max_rounds: int = 6) -> Conversation:
        toolbox = Toolbox(library, identity)
        conv = cls(library, toolbox, backend, game, log)
        if continue_id is not None:
            found = store.thread(library, continue_id or None)
            conv.thread_id, conv.game = found.id, found.game_id if game is None else game
        if backend is not None:
            context = (f"The player opened this conversation about game {conv.game}; "
                       "start from game_summary for it." if conv.game is not None else None)
            conv.coach = Coach(backend, toolbox, max_rounds=max_rounds, context=context)
            if conv.thread_id is not None:
                conv.coach.resume([(m.role, m.text)
                                   for m in store.messages(library, conv.thread_id)])
        return conv

    def ask(self, question: str, on_text: Callable[[str], None] = lambda _t: None,
            on_tool: Callable[[ToolResult], None] = lambda _r: None) -> Answer:
        asked_at = _now()
        if self.coach is None:
            text = offline.findings(self.toolbox, game=self.game, question=question)
            on_text(text)
            answer = Answer(text=text, model="offline", rounds=0)
            # Every number and citation in it was copied from a tool result.
            answer.check = evidence.Check([], [evidence.Citation(c.game, c.at, True)
                                               for c in evidence.check(text, []).citations])
        else:
            answer = self.coach.ask(question, on_text, on_tool)
        self.total = self.total + answer.usage
        if self.log:
            self._store(question, asked_at, answer)
        return answer

    def _store(self, question: str, asked_at: str, answer: Answer) -> None:
        if self.thread_id is None:
            self.thread_id = store.new_thread(self.library, question, self.mode, self.game)
        store.add_message(self.library, self.thread_id,
                          store.StoredMessage("user", question, asked_at))
        store.add_message(self.library, self.thread_id, store.StoredMessage(
            "assistant", answer.text, _now(), model=answer.model or None,
            tool_calls=answer.tool_calls(), usage=answer.usage,
            unverified=answer.check.unverified))

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
