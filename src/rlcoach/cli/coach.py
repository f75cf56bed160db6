"""``rlcoach coach``: chat with a Claude coach over your own games (or offline findings).

Thin: options -> ``rlcoach.coach`` (backend choice, ``Conversation``) -> rendering.
Answers stream as Markdown through a rich ``Live``; at the end the text is redrawn
with unverified numbers marked ``[?]`` and the ``game <id> @ m:ss`` citations listed
as references. Ctrl-C during an answer stops it and keeps the conversation; at the
prompt it leaves (exit 130). Mode, model and allowance are printed on stderr first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

app = typer.Typer()
coach = typer.Typer(help="Ask a Claude coach about your games (own key, rlcoach login, or "
                    "offline).", no_args_is_help=True)
key_app = typer.Typer(help="Your own Anthropic API key, kept in the system keyring.",
                      no_args_is_help=True)
app.add_typer(coach, name="coach")
coach.add_typer(key_app, name="key")

_LIBRARY = typer.Option(None, "--library", help="Library file (default: in the rlcoach data "
                        "folder).", show_default=False)
_GAME = typer.Option(None, "--game", "-g", help="Talk about one game: a library id, latest, "
                     "or a replay path.")
_MODEL = typer.Option(None, "--model", "-m", help="claude-sonnet-4-6 (default) or "
                      "claude-haiku-4-5 (cheaper).")
_OFFLINE = typer.Option(False, "--offline", help="No model: top findings from your numbers.")
_HOSTED = typer.Option(False, "--hosted", help="Use the rlcoach server even if you have a key.")
_SERVER = typer.Option(None, "--server", help="rlcoach server URL (default: your login's).")
_NO_LOG = typer.Option(False, "--no-log", help="Keep this conversation out of the log.")


@coach.command()
def chat(
    game: str | None = _GAME,
    continue_last: bool = typer.Option(False, "-c", "--continue", help="Continue the last "
                                       "conversation."),
    cid: int | None = typer.Option(None, "--cid", help="Continue conversation ID."),
    model: str | None = _MODEL, offline: bool = _OFFLINE, hosted: bool = _HOSTED,
    server: str | None = _SERVER, no_log: bool = _NO_LOG, library: Path | None = _LIBRARY,
) -> None:
    """Chat with the coach about your library (Ctrl-C stops an answer; again, or Ctrl-D, quits).

    Example: rlcoach coach chat
             rlcoach coach chat --game latest --model claude-haiku-4-5
    In the chat: /usage (tokens, cost, allowance), /quit; end a line with \\ to go on.
    """
    with _open(game, model, offline, hosted, server, no_log, library,
               continue_id=0 if continue_last else cid) as conv:
        _banner(conv)
        _repl(conv)


@coach.command()
def ask(
    question: str = typer.Argument(..., help="Your question, in quotes."),
    game: str | None = _GAME, model: str | None = _MODEL, offline: bool = _OFFLINE,
    hosted: bool = _HOSTED, server: str | None = _SERVER, no_log: bool = _NO_LOG,
    json_out: bool = typer.Option(False, "--json", help="Print the answer, its tool calls, "
                                  "usage and checks as JSON."),
    library: Path | None = _LIBRARY,
) -> None:
    """Ask one question and print the answer (scriptable with --json).

    Example: rlcoach coach ask "why do I lose 50/50s?"
             rlcoach coach ask "how was my last game?" --game latest --json
    """
    from rlcoach.cli.render import print_json

    with _open(game, model, offline, hosted, server, no_log, library) as conv:
        if json_out:
            answer = conv.ask(question)
            print_json(_answer_json(conv, answer))
            return
        _banner(conv)
        _answer(conv, question)


@coach.command()
def logs(
    query: str | None = typer.Option(None, "-q", "--query", help="Only conversations "
                                     "containing this text."),
    cid: int | None = typer.Option(None, "--cid", help="Show conversation ID in full."),
    last: int = typer.Option(20, "--last", "-n", min=1, help="How many conversations."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON for scripts."),
    library: Path | None = _LIBRARY,
) -> None:
    """List past coach conversations, or show one (--cid).

    Example: rlcoach coach logs -q kickoff
             rlcoach coach logs --cid 3 --json
    """
    from dataclasses import asdict

    from rlcoach.cli.render import out_console, print_json, safe
    from rlcoach.coach import store
    from rlcoach.library import open_library

    with open_library(library) as lib:
        if cid is not None:
            found = store.thread(lib, cid)
            msgs = store.messages(lib, cid)
            if json_out:
                print_json({**asdict(found), "messages": [asdict(m) for m in msgs]})
                return
            out = out_console()
            out.print(f"[bold]#{found.id}[/] {safe(found.title)} [dim]({found.mode}, "
                      f"{found.created_at})[/]")
            for m in msgs:
                who = "you" if m.role == "user" else f"coach ({m.model or '-'})"
                out.print(f"\n[bold]{who}[/] [dim]{m.created_at}[/]")
                out.print(safe(m.text), highlight=False)
                if m.usage and m.role == "assistant" and m.usage.input_tokens:
                    out.print(f"[dim]{_usage_line(m.usage)}[/]")
            return
        found_threads = store.threads(lib, query=query, limit=last)
    if json_out:
        print_json([asdict(t) for t in found_threads])
        return
    out = out_console()
    if not found_threads:
        out.print("no conversations yet" + (f" matching {safe(query)}" if query else ""))
    for t in found_threads:
        out.print(f"[bold]{t.id:>4}[/] {t.updated_at[:16]}  {t.mode:<8} {t.messages:>3} msgs  "
                  f"{safe(t.title)}", highlight=False)


@key_app.command("set")
def key_set(key: str | None = typer.Option(None, "--key", help="The key (default: asked "
                                           "for, hidden).")) -> None:
    """Store your Anthropic API key in the system keyring (used before a hosted login).

    Example: rlcoach coach key set
    """
    from rlcoach.cli.render import err_console
    from rlcoach.coach.backend import set_own_key

    value = key or typer.prompt("Anthropic API key", hide_input=True)
    if not value.strip().startswith("sk-"):
        from rlcoach.errors import ConfigError

        raise ConfigError("that does not look like an Anthropic key (sk-ant-...)")
    set_own_key(value)
    err_console().print("key stored in the system keyring; `rlcoach coach chat` will use it")


@key_app.command("clear")
def key_clear() -> None:
    """Remove your Anthropic API key from the system keyring.

    Example: rlcoach coach key clear
    """
    from rlcoach.cli.render import err_console
    from rlcoach.coach.backend import clear_own_key

    gone = clear_own_key()
    err_console().print("key removed" if gone else "no key was stored")


# -- helpers ------------------------------------------------------------------


class _open:
    def __init__(self, game: str | None, model: str | None, offline: bool, hosted: bool,
                 server: str | None, no_log: bool, library: Path | None,
                 continue_id: int | None = None) -> None:
        self.args = (game, model, offline, hosted, server, no_log, library, continue_id)

    def __enter__(self) -> Any:
        from rlcoach.coach.backend import choose_backend
        from rlcoach.coach.conversation import Conversation
        from rlcoach.library import open_library
        from rlcoach.library import queries as q

        game, model, offline, hosted, server, no_log, library, continue_id = self.args
        self.lib = open_library(library)
        try:
            q.ensure_not_empty(self.lib)
            game_id = _game_id(self.lib, game) if game else None
            backend = choose_backend(offline=offline, hosted=hosted, model=model,
                                     server=server)
            self.conv = Conversation.open(self.lib, backend, game=game_id, log=not no_log,
                                          continue_id=continue_id)
        except BaseException:
            self.lib.close()
            raise
        return self.conv

    def __exit__(self, *exc: object) -> None:
        self.conv.close()
        self.lib.close()


def _game_id(lib: Any, ref: str) -> int:
    from rlcoach.coach.facts import game_for_path, resolve_game

    path = Path(ref).expanduser()
    if ref.endswith(".replay") or path.exists():
        return game_for_path(lib, path)
    return resolve_game(lib, ref, None)


def _banner(conv: Any) -> None:
    from rlcoach.cli.render import err_console, safe

    err_console().print("[bold]coach[/]: " + safe(conv.banner()), highlight=False)


def _repl(conv: Any) -> None:
    import contextlib

    from rlcoach.cli.render import err_console

    with contextlib.suppress(ImportError):  # readline gives input() editing and history
        import readline  # noqa: F401
    while True:
        try:
            question = _read_question()
        except EOFError:
            err_console().print()
            return
        if not question:
            continue
        if question in ("/quit", "/exit"):
            return
        if question == "/usage":
            _show_usage(conv)
            continue
        _answer(conv, question)


def _read_question() -> str:
    lines = [input("you> ")]
    while lines[-1].endswith("\\"):
        lines[-1] = lines[-1][:-1]
        lines.append(input("...> "))
    return "\n".join(lines).strip()


def _answer(conv: Any, question: str) -> None:
    from rich.console import Console
    from rich.live import Live
    from rich.markdown import Markdown

    from rlcoach.cli.render import err_console, out_console, safe
    from rlcoach.coach.evidence import mark

    if conv.backend is None:  # offline findings are plain text, not Markdown
        answer = conv.ask(question)
        for line in answer.text.splitlines():
            out_console().print(safe(line), highlight=False)
        _footer(conv, answer)
        return
    # A console that wraps (the shared one soft-wraps, which Live would crop).
    out = Console(file=out_console().file)
    parts: list[str] = []
    with Live(Markdown(""), console=out, refresh_per_second=8, transient=False) as live:
        def on_text(text: str) -> None:
            parts.append(text)
            live.update(Markdown("".join(parts)))

        def on_tool(result: Any) -> None:
            err_console().print(f"[dim]  · {safe(result.name)} ({result.ms:.0f} ms)"
                                f"{' error' if result.is_error else ''}[/]", highlight=False)

        answer = conv.ask(question, on_text, on_tool)
        live.update(Markdown(mark(answer.text, answer.check.unverified)))
    _footer(conv, answer)


def _footer(conv: Any, answer: Any) -> None:
    from rlcoach.cli.render import err_console, safe

    err = err_console()
    if answer.interrupted:
        err.print("[yellow]stopped[/] (the conversation goes on; Ctrl-C at the prompt quits)")
    for c in answer.check.citations:
        flag = "" if c.known else " [yellow](not in this answer's tool results)[/]"
        err.print(f"[dim]ref[/] game {c.game} @ {safe(c.at)}: `rlcoach coach chat --game "
                  f"{c.game}` or the dashboard's Games screen{flag}", highlight=False)
    if answer.check.unverified:
        err.print("[yellow]unverified:[/] " + safe(", ".join(answer.check.unverified)) +
                  " [dim](marked [?]: no tool returned these numbers)[/]", highlight=False)
    if answer.usage.input_tokens:
        err.print(f"[dim]{_usage_line(answer.usage)}[/]", highlight=False)


def _usage_line(usage: Any) -> str:
    from rlcoach.coach.conversation import usage_line

    return usage_line(usage)


def _show_usage(conv: Any) -> None:
    from rlcoach.cli.render import err_console
    from rlcoach.coach.conversation import money

    err = err_console()
    err.print(f"this conversation: {_usage_line(conv.total)}")
    if conv.backend is not None and conv.backend.allowance:
        allowance = conv.backend.allowance()
        if allowance:
            err.print(f"hosted allowance: {money(allowance.get('used'))} used, "
                      f"{money(allowance.get('remaining'))} left of "
                      f"{money(allowance.get('allowance'))} (resets "
                      f"{str(allowance.get('period_resets_at', '?'))[:10]})")


def _answer_json(conv: Any, answer: Any) -> dict[str, Any]:
    from dataclasses import asdict

    return {"mode": conv.mode, "model": answer.model, "thread": conv.thread_id,
            "text": answer.text, "interrupted": answer.interrupted, "rounds": answer.rounds,
            "tool_calls": answer.tool_calls(), "usage": asdict(answer.usage),
            "unverified": answer.check.unverified,
            "citations": [asdict(c) for c in answer.check.citations]}
