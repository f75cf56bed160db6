"""Scripted conversations through the real anthropic SDK against a loopback fake API."""

from __future__ import annotations

import json

import pytest
from tests.tui.factories import ME, filled_library

from rlcoach.coach import evidence
from rlcoach.coach.backend import CoachError, choose_backend, price_of
from rlcoach.coach.loop import Coach
from rlcoach.coach.store import Usage
from rlcoach.coach.tools import Toolbox
from rlcoach.config import Identity
from rlcoach.library import queries as q

from .fake_messages import Failure, FakeMessages, Turn

IDENTITY = Identity(platform_ids=(f"{ME[0]}:{ME[1]}",))


@pytest.fixture
def api(monkeypatch):
    with FakeMessages() as fake:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        yield fake


@pytest.fixture
def box():
    lib = filled_library(30)
    yield Toolbox(lib, IDENTITY)
    lib.close()


def coach(box: Toolbox, **kw) -> Coach:
    backend = choose_backend()
    assert backend is not None and backend.mode == "own-key"
    return Coach(backend, box, **kw)


def test_tool_loop_streams_runs_tools_and_checks_numbers(api, box):
    mean = q.trends(box.library, ["boost.bpm"], last=50, identity=IDENTITY)[0].average
    shown = f"{mean:.1f}"
    api.script = [
        Turn([("text", "Let me look."), ("tool_use", "metric_summary",
                                         {"metrics": ["boost.bpm"], "last": 50})],
             input_tokens=900, output_tokens=30, cache_write=800),
        Turn([("text", f"Your BPM averages {shown} over 30 games, not 999.5; "
                       "see game 30 @ 4:37.")],
             input_tokens=950, output_tokens=40, cache_read=800),
    ]
    streamed: list[str] = []
    answer = coach(box).ask("how is my boost?", on_text=streamed.append)
    assert "".join(streamed).startswith("Let me look.")
    assert answer.rounds == 2 and [r.name for r in answer.tool_results] == ["metric_summary"]
    # The second request carried the tool call and its result back.
    second = api.requests[1].body["messages"]
    assert second[-2]["content"][-1]["type"] == "tool_use"
    result = second[-1]["content"][0]
    assert result["type"] == "tool_result"
    assert json.loads(result["content"])["metrics"][0]["n"] == 30
    # Caching breakpoints on the stable prefix: the last system block and the last tool.
    body = api.requests[0].body
    assert body["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert body["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    assert all("cache_control" not in t for t in body["tools"][:-1])
    # ... and a moving one on the conversation so far (the tool result, in round 2).
    assert result["cache_control"] == {"type": "ephemeral"}
    assert sum("cache_control" in b for m in second for b in m["content"]
               if isinstance(m["content"], list)) == 1
    # Usage summed over rounds, cache fields included, cost at list price.
    assert answer.usage.input_tokens == 1850 and answer.usage.output_tokens == 70
    assert (answer.usage.cache_write_tokens, answer.usage.cache_read_tokens) == (800, 800)
    assert answer.usage.cost == pytest.approx(price_of("claude-sonnet-4-6", Usage(
        1850, 70, 800, 800)))
    # Evidence: the real mean is verified, the invented 999.5 is not.
    assert "999.5" in answer.check.unverified and shown not in answer.check.unverified
    assert answer.check.citations[0].game == 30 and answer.check.citations[0].at == "4:37"


def test_round_cap_forces_an_answer(api, box):
    api.script = [Turn([("tool_use", "read_notes", {})]) for _ in range(2)] + \
        [Turn([("text", "Here is what I have.")])]
    answer = coach(box, max_rounds=3).ask("notes?")
    assert answer.rounds == 3 and answer.text == "Here is what I have."
    assert "tool_choice" not in api.requests[1].body
    assert api.requests[2].body["tool_choice"] == {"type": "none"}


def test_history_carries_over_and_tool_errors_go_back_to_the_model(api, box):
    api.script = [Turn([("tool_use", "metric_summary", {"metrics": ["nonsense"]})]),
                  Turn([("text", "That stat does not exist.")]),
                  Turn([("text", "Second answer.")])]
    c = coach(box)
    c.ask("first?")
    err = api.requests[1].body["messages"][-1]["content"][0]
    assert err["is_error"] is True and "unknown metric" in err["content"]
    c.ask("second?")
    roles = [m["role"] for m in api.requests[2].body["messages"]]
    assert roles == ["user", "assistant", "user"]


@pytest.mark.parametrize("failure, words", [
    (Failure(402, "billing_error", "allowance used"), "rlcoach upgrade"),
    (Failure(429, "rate_limit_error", "slow down", {"retry-after": "30"}), "30 s"),
    (Failure(401, "authentication_error", "bad key"), "ANTHROPIC_API_KEY"),
    (Failure(400, "invalid_request_error", "too long"), "refused"),
    (Failure(500, "api_error", "boom"), "--offline"),
])
def test_errors_become_one_line_with_what_to_do(api, box, monkeypatch, failure, words):
    api.script = [failure] * 3  # the SDK retries 429/5xx itself
    backend = choose_backend()
    assert backend is not None
    backend.make_client = lambda: __import__("anthropic").Anthropic(max_retries=0)
    with pytest.raises(CoachError) as info:
        Coach(backend, box).ask("hi")
    text = f"{info.value.message} {info.value.hint}"
    assert words in text and "\n" not in text


def test_unreachable_api_is_one_line(monkeypatch, box):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
    backend = choose_backend()
    assert backend is not None
    backend.make_client = lambda: __import__("anthropic").Anthropic(max_retries=0)
    with pytest.raises(CoachError, match="cannot reach"):
        Coach(backend, box).ask("hi")


def test_interrupt_keeps_partial_text_and_the_conversation(api, box):
    api.script = [Turn([("text", "one two three four five")]), Turn([("text", "next")])]
    c = coach(box)
    seen: list[str] = []

    def on_text(t: str) -> None:
        seen.append(t)
        if len(seen) == 2:
            raise KeyboardInterrupt

    answer = c.ask("q1", on_text=on_text)
    assert answer.interrupted and answer.text == "one two"
    assert c.ask("q2").text == "next"
    assert [m["role"] for m in api.requests[1].body["messages"]] == ["user", "assistant", "user"]


def test_mode_choice(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.setenv("RLCOACH_TOKEN_STORE", "file")
    assert choose_backend(offline=True) is None
    assert choose_backend() is None  # no key, no login: offline
    with pytest.raises(CoachError, match="not logged in"):
        choose_backend(hosted=True)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-x")
    backend = choose_backend(model="claude-haiku-4-5")
    assert backend is not None and (backend.mode, backend.model) == ("own-key", "claude-haiku-4-5")


@pytest.mark.parametrize("answer, tool_numbers, unverified", [
    ("You average 45.3 boost", [45.27], []),
    ("You average 45 boost", [45.27], []),
    ("You win 62% of games", [0.6234], []),
    ("1. Do this\n2. Do that with 7 goals", [7], []),
    ("In 2025 you scored 12 goals", [3], ["12"]),
    ("game 12 @ 4:37 shows it", [12], []),
    ("at 4:37 you missed", [1], ["4:37"]),
])
def test_evidence_check(answer, tool_numbers, unverified):
    assert evidence.check(answer, [{"v": tool_numbers}]).unverified == unverified


def test_mark_leaves_citations_alone():
    assert evidence.mark("game 12 @ 4:37: 12 shots", ["12"]) == "game 12 @ 4:37: 12[?] shots"


def test_refusal_is_one_line(api, box):
    api.script = [Turn([], stop="refusal")]
    with pytest.raises(CoachError, match="declined"):
        coach(box).ask("something off-topic")
