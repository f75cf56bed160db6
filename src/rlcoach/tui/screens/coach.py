"""Coach: ask the coach about the game or trend on screen (``a`` anywhere in the dashboard).

Design:

* A ``CoachScreen`` is pushed over the screen it was opened from, scoped by
  ``coach_scope``: the open game on the Game screen, the charted metrics (with
  the chart's playlist and range) on Trends, the whole library elsewhere.
  Escape stops the answer being written, and closes the screen when none is.
* It runs the coach's own library API (``rlcoach.coach.conversation``), the
  same loop as ``rlcoach coach chat``: backend choice (own key, hosted login,
  else offline), tools over the library, evidence check, conversation log.
  Opening (keyring, the hosted allowance call) and every answer run in thread
  workers; the UI thread never waits on the network or the database.
* Streaming: the worker hands each text delta to a ``MarkdownStream`` on the
  UI thread (``call_from_thread``), which batches deltas that arrive faster
  than the Markdown widget re-renders. When the answer is complete it is
  redrawn with unverified numbers marked ``[?]``, and a line lists the tools
  run, the ``game <id> @ m:ss`` references, unverified numbers and tokens.
* Stopping: the loop already treats ``KeyboardInterrupt`` while streaming as
  "stop here, keep the conversation" (Ctrl-C in the CLI); Escape sets an event
  that the worker's text and tool callbacks turn into that same interrupt, at
  the next delta. The input stays focused while an answer streams (questions
  are refused until it ends), so letter keys never fall through to the
  dashboard's bindings.
* Offline (no key, no login) the screen opens with the offline findings for
  its scope; questions get the same findings (nothing leaves the machine).
* Links in answers are not opened: model and replay text is untrusted.
* The coach writes its conversation (and notes) to the library; after each
  stored answer the dashboard's file stamp is taken again, so that write does
  not read as "the library changed" and trigger a reload.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from rlcoach.coach.backend import choose_backend
from rlcoach.coach.conversation import Conversation, Trend, usage_line
from rlcoach.coach.evidence import mark
from rlcoach.coach.loop import Answer
from rlcoach.coach.tools import ToolResult
from rlcoach.errors import RlcoachError
from rlcoach.library import queries as q
from rlcoach.tui.screens.game import GameScreen
from rlcoach.tui.screens.trends import TrendsView
from rlcoach.tui.widgets.footer import Footer

if TYPE_CHECKING:
    from rlcoach.tui.app import DashboardApp


def coach_scope(app: DashboardApp) -> tuple[int | None, Trend | None]:
    """(game, trend) for what the player is looking at: a game, a chart, or neither."""
    if isinstance(app.screen, GameScreen) and app.screen.view.game_id is not None:
        return app.screen.view.game_id, None
    main = app.main
    if main.current == "trends":
        trends = main.query_one("#trends", TrendsView)
        if trends.chosen:
            c = trends.cycles
            return None, Trend(tuple(trends.chosen), c["playlist"].value, c["last"].value)
    return None, None


def offline_markdown(text: str) -> str:
    """Offline findings (plain lines) as Markdown: keep every line a line of its own."""
    out: list[str] = []
    for line in text.splitlines():
        if out and not (line.startswith("- ") and out[-1].startswith("- ")):
            out.append("")  # a blank line ends a paragraph or a list
        out.append(line)
    return "\n".join(out)


class Exchange(VerticalScroll, can_focus=False):
    """Past questions and answers, newest at the bottom (scrolls to follow)."""


class CoachScreen(Screen[None]):
    DEFAULT_CSS = """
    CoachScreen #coach-banner { height: auto; padding: 0 1; color: $text-muted; }
    CoachScreen #coach-log { height: 1fr; }
    CoachScreen .question { padding: 1 1 0 1; text-style: bold; }
    CoachScreen .answer { margin: 0; }
    CoachScreen .answer-notes { padding: 0 2; color: $text-muted; }
    CoachScreen .coach-error { padding: 0 2; color: $text-error; }
    CoachScreen #coach-input { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop_or_close", "Stop/close"),
        Binding("pageup", "scroll_log(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_log(1)", "Scroll down", show=False),
    ]

    def __init__(self, game: int | None = None, trend: Trend | None = None) -> None:
        super().__init__()
        self.game, self.trend = game, trend
        self.conversation: Conversation | None = None
        self.busy = True  # until the conversation is open
        self.answers = 0  # answers shown (tests wait on it)
        self._stop = threading.Event()
        self._closing = False
        self._stream: MarkdownStream | None = None
        self._answer_md: Markdown | None = None
        self._notes: Static | None = None
        self._tools: list[str] = []

    @property
    def dash(self) -> DashboardApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(icon="⚽")
        yield Static("Opening the coach…", id="coach-banner", markup=False)
        yield Exchange(id="coach-log")
        yield Input(placeholder="Ask the coach (Enter sends; Esc stops an answer, or closes)",
                    id="coach-input")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        scope = f"game {self.game}" if self.game is not None else \
            self.trend.describe() if self.trend else "your library"
        self.title = f"Coach · {scope}"
        self.query_one(Input).focus()
        self._open()

    def _on_ui(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn`` on the UI thread (awaited there when async) and wait for it."""
        self.app.call_from_thread(fn, *args)

    # -- opening ------------------------------------------------------------

    @work(thread=True, exit_on_error=False, group="coach")
    def _open(self) -> None:
        data = self.dash.data
        try:
            library = data.library()
            if library is None:
                raise RlcoachError("the library is empty", hint="Run `rlcoach ingest`.")
            q.ensure_not_empty(library)
            conv = Conversation.open(library, choose_backend(), identity=data.identity,
                                     game=self.game, trend=self.trend)
            banner = conv.banner()
            findings = conv.findings() if conv.backend is None else None
        except RlcoachError as exc:
            self._on_ui(self._error, exc)
            return
        self._on_ui(self._opened, conv, banner, findings)

    async def _opened(self, conv: Conversation, banner: str, findings: str | None) -> None:
        self.conversation = conv
        self.query_one("#coach-banner", Static).update(f"coach: {banner}")
        if findings is not None:  # read from the top, not followed to the end
            await self._mount_answer(offline_markdown(findings), follow=False)
        self.busy = False
        self.answers += 1 if findings is not None else 0

    def _error(self, exc: RlcoachError) -> None:
        message = exc.message + (f" — {exc.hint}" if exc.hint else "")
        self.query_one("#coach-log", Exchange).mount(
            Static(message, classes="coach-error", markup=False))
        self.query_one("#coach-banner", Static).update(
            "coach: not available" if self.conversation is None else
            f"coach: {self.conversation.mode}")
        self.busy = self.conversation is None  # no conversation: nothing to ask

    # -- asking ---------------------------------------------------------------

    @on(Input.Submitted, "#coach-input")
    async def _submitted(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            return
        if self.busy or self.conversation is None:
            self.notify("Wait for the answer, or Esc to stop it.", timeout=2)
            return
        event.input.clear()
        self.busy = True
        self._stop.clear()
        self._tools = []
        log = self.query_one("#coach-log", Exchange)
        await log.mount(Static(f"you: {question}", classes="question", markup=False))
        md = await self._mount_answer("")
        self._stream = Markdown.get_stream(md)
        self._ask(self.conversation, question)

    async def _mount_answer(self, text: str, *, follow: bool = True) -> Markdown:
        log = self.query_one("#coach-log", Exchange)
        self._answer_md = Markdown(text, classes="answer", open_links=False)
        self._notes = Static("", classes="answer-notes", markup=False)
        await log.mount_all([self._answer_md, self._notes])
        if follow:
            log.anchor()  # follow the answer as it grows (until the player scrolls up)
        return self._answer_md

    @work(thread=True, exit_on_error=False, group="coach")
    def _ask(self, conv: Conversation, question: str) -> None:
        stream = self._stream

        def on_text(text: str) -> None:
            if self._stop.is_set():
                raise KeyboardInterrupt  # the loop's "stop here, keep the conversation"
            if stream is not None:
                self._on_ui(stream.write, text)

        def on_tool(result: ToolResult) -> None:
            self._on_ui(self._tool_ran, result)
            if self._stop.is_set():
                raise KeyboardInterrupt

        try:
            answer = conv.ask(question, on_text, on_tool)
        except RlcoachError as exc:
            self._on_ui(self._failed, exc)
            return
        finally:
            if self._closing:
                conv.close()
        self._on_ui(self._answered, answer)

    def _tool_ran(self, result: ToolResult) -> None:
        error = " error" if result.is_error else ""
        self._tools.append(f"{result.name} ({result.ms:.0f} ms){error}")
        if self._notes is not None:
            self._notes.update("tools: " + ", ".join(self._tools))

    async def _finish_stream(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    async def _answered(self, answer: Answer) -> None:
        await self._finish_stream()
        if self._answer_md is not None:
            text = offline_markdown(answer.text) if answer.model == "offline" else \
                mark(answer.text, answer.check.unverified)
            await self._answer_md.update(text)
        if self._notes is not None:
            self._notes.update("\n".join(answer_notes(answer, self._tools)))
        if self.conversation is not None and self.conversation.log:
            self.dash.data.changed_on_disk()  # our own write, not another process's
        self.answers += 1
        self.busy = False

    async def _failed(self, exc: RlcoachError) -> None:
        await self._finish_stream()
        self._error(exc)
        self.busy = False

    # -- keys -------------------------------------------------------------------

    def action_stop_or_close(self) -> None:
        if self.busy and self.conversation is not None:
            self._stop.set()
            if self._notes is not None:
                self._notes.update("stopping…")
            return
        self.app.pop_screen()

    def action_scroll_log(self, pages: int) -> None:
        log = self.query_one("#coach-log", Exchange)
        log.scroll_to(y=log.scroll_y + pages * max(1, log.size.height - 2), animate=False)

    def on_unmount(self) -> None:
        if self.conversation is None:
            return
        if self.busy:  # the worker closes it when its answer has stopped
            self._closing = True
            self._stop.set()
        else:
            self.conversation.close()


def answer_notes(answer: Answer, tools: list[str]) -> list[str]:
    """The lines under an answer: stopped, tools run, references, unverified, tokens."""
    lines = []
    if answer.interrupted:
        lines.append("stopped (the conversation goes on)")
    if tools:
        lines.append("tools: " + ", ".join(tools))
    for c in answer.check.citations:
        flag = "" if c.known else " (not in this answer's tool results)"
        lines.append(f"ref game {c.game} @ {c.at}{flag}")
    if answer.check.unverified:
        lines.append("unverified (marked [?], no tool returned them): " +
                     ", ".join(answer.check.unverified))
    if answer.usage.input_tokens:
        lines.append(usage_line(answer.usage))
    return lines
