"""One coach conversation: the loop (or offline findings) plus its log in the library.

``Conversation.open(library, backend, ...)`` starts a new thread or continues one
(``continue_id``: a thread id, or 0 for the most recent). ``ask(question)`` runs the
loop and, unless ``log`` is False (``--no-log``), stores the question and the answer
(text, tool calls and results, model, tokens, cost, unverified numbers) as messages.
Offline answers are stored too (mode ``offline``, no model, no tokens).

A conversation is about the whole library, one ``game`` (``chat --game``, the
dashboard's Game screen) or a ``Trend`` (the metrics charted on the dashboard's
Trends): the scope goes into the system prompt as one extra (cached) block that
tells the model where to start, and into the offline findings. ``banner`` is the
line shown when a chat starts (mode, model, allowance, scope), for the CLI and
the dashboard alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rlcoach.coach import evidence, offline, store
from rlcoach.coach.backend import Backend
from rlcoach.coach.loop import Answer, Coach
from rlcoach.coach.tools import Toolbox, ToolResult
from rlcoach.config import Identity
from rlcoach.library.db import Library


@dataclass(frozen=True)
class Trend:
    """Metrics the player is looking at over a window of games (the dashboard's Trends)."""

    metrics: tuple[str, ...]
    playlist: str | None = None
    last: int | None = None  # None: all games

    def filters(self) -> dict[str, Any]:
        """The tools' arguments that select the same games as the chart."""
        args: dict[str, Any] = {"metrics": list(self.metrics), "last": min(self.last or 500, 500)}
        if self.playlist:
            args["playlist"] = self.playlist
        return args

    def describe(self) -> str:
        games = f"last {self.last} games" if self.last else "all games"
        return f"{', '.join(self.metrics)} over your {games}" + \
            (f" of {self.playlist}" if self.playlist else "")


def scope_context(game: int | None, trend: Trend | None) -> str | None:
    """The system prompt's scope block (None: the whole library)."""
    if game is not None:
        return (f"The player opened this conversation about game {game}; "
                "start from game_summary for it.")
    if trend is not None and trend.metrics:
        return ("The player opened this conversation from a chart of "
                f"{trend.describe()}; start from metric_trend with "
                f"{json.dumps(trend.filters(), separators=(',', ':'))}.")
    return None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Conversation:
    library: Library
    toolbox: Toolbox
    backend: Backend | None  # None: offline
    game: int | None = None
    log: bool = True
    trend: Trend | None = None
    thread_id: int | None = None
    coach: Coach | None = None
    total: store.Usage = field(default_factory=store.Usage)

    @property
    def mode(self) -> str:
        return self.backend.mode if self.backend else "offline"

    @classmethod
    def open(cls, library: Library, backend: Backend | None, *, identity: Identity | None = None,
             game: int | None = None, log: bool = True, continue_id: int | None = None,
             max_rounds: int = 6, trend: Trend | None = None) -> Conversation:
        toolbox = Toolbox(library, identity)
        conv = cls(library, toolbox, backend, game, log, trend)
        if continue_id is not None:
            found = store.thread(library, continue_id or None)
            conv.thread_id, conv.game = found.id, found.game_id if game is None else game
        if backend is not None:
            conv.coach = Coach(backend, toolbox, max_rounds=max_rounds,
                               context=scope_context(conv.game, conv.trend))
            if conv.thread_id is not None:
                conv.coach.resume([(m.role, m.text)
                                   for m in store.messages(library, conv.thread_id)])
        return conv

    def ask(self, question: str, on_text: Callable[[str], None] = lambda _t: None,
            on_tool: Callable[[ToolResult], None] = lambda _r: None) -> Answer:
        asked_at = _now()
        if self.coach is None:
            text = self.findings(question)
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

    def findings(self, question: str | None = None) -> str:
        """The offline findings for this conversation's scope (no model, not logged)."""
        return offline.findings(self.toolbox, game=self.game, question=question,
                                trend=self.trend.filters() if self.trend else None)

    def banner(self) -> str:
        """Mode, model, allowance left and scope: the line a chat starts with.

        Hosted mode asks the server for the allowance (a network call: run it where
        waiting is fine, e.g. in a worker)."""
        if self.backend is None:
            return ("offline (no model: findings from your numbers). Set a key "
                    "(`rlcoach coach key set`) or `rlcoach login` for a conversation.")
        parts = [f"mode: {self.mode}", f"model: {self.backend.model}"]
        allowance = self.backend.allowance() if self.backend.allowance else None
        if allowance:
            parts.append(f"allowance left: {money(allowance.get('remaining'))} of "
                         f"{money(allowance.get('allowance'))} this month")
        if self.thread_id:
            parts.append(f"continuing #{self.thread_id}")
        if self.game:
            parts.append(f"game {self.game}")
        elif self.trend and self.trend.metrics:
            parts.append(self.trend.describe())
        return " · ".join(parts)

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


def money(micro: Any) -> str:
    """US$ from the server's micro-dollars ("?" when it did not say)."""
    return "?" if not isinstance(micro, int | float) else f"${micro / 1e6:.2f}"


def usage_line(usage: store.Usage) -> str:
    cost = f", ${usage.cost:.4f}" if usage.cost is not None else ""
    return (f"tokens: {usage.input_tokens} in, {usage.output_tokens} out, "
            f"{usage.cache_read_tokens} cache read, {usage.cache_write_tokens} cache write{cost}")
