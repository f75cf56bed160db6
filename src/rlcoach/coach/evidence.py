"""Checking an answer's numbers against the turn's tool results, and finding its citations.

Design:
- Evidence is every number in the turn's tool results and tool inputs (JSON numbers, and
  numbers inside strings such as a "3-1" score or a "4:37" clock), plus the user's own
  question. A number in the answer is *verified* when some evidence number, rounded to the
  answer's number of decimals, equals it (45.27 verifies "45.3" and "45"; also x100 for
  shares written as percentages). Signs are ignored ("-12" and "12 fewer").
- Not checked: list numbering ("1." at a line start), the numbers inside citations
  (the game id and clock are checked against the results separately) and years.
- Citations are ``game <id> @ m:ss`` (or ``@ +m:ss`` in overtime, ``@ 123s`` when the clock
  is unknown). The CLI renders them as references; ids not seen in the turn are unverified.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

CITATION = re.compile(r"\bgame\s+#?(\d+)\s*@\s*(\+?\d{1,2}:\d{2}|\d+(?:\.\d+)?\s?s)\b", re.I)
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
LIST_MARK = re.compile(r"^\s*\d+[.)]\s", re.M)
CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")


@dataclass(frozen=True)
class Citation:
    game: int
    at: str  # "4:37", "+0:42" or "123s"
    known: bool  # the game id came back from a tool this turn


@dataclass(frozen=True)
class Check:
    unverified: list[str]  # the answer's numbers that no tool returned
    citations: list[Citation]


def evidence_numbers(payloads: Iterable[Any], question: str = "") -> set[float]:
    found: set[float] = set()

    def walk(value: Any) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int | float):
            found.add(float(value))
        elif isinstance(value, str):
            for match in NUMBER.finditer(value.replace(":", " ")):
                found.add(_parse(match.group()))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for payload in payloads:
        walk(json.loads(payload) if isinstance(payload, str) and payload[:1] in "[{" else payload)
    walk(question)
    return found


def _parse(text: str) -> float:
    return float(text.replace(",", ""))


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _matches(text: str, evidence: set[float]) -> bool:
    value, places = _parse(text), _decimals(text)
    for ev in evidence:
        for candidate in (ev, ev * 100):
            if round(candidate, places) == round(value, places):
                return True
            if abs(abs(candidate) - abs(value)) < 0.5 * 10 ** -places + 1e-9:
                return True
    return False


def check(answer: str, payloads: Iterable[Any], question: str = "") -> Check:
    payload_list = list(payloads)
    evidence = evidence_numbers(payload_list, question)
    citations = [Citation(int(m.group(1)), m.group(2).replace(" ", ""),
                          float(m.group(1)) in evidence) for m in CITATION.finditer(answer)]
    stripped = CITATION.sub(" ", answer)
    stripped = LIST_MARK.sub(" ", stripped)
    unverified: list[str] = []
    for clock in CLOCK.findall(stripped):
        if not any(clock in json.dumps(p) for p in payload_list):
            unverified.append(clock)
    stripped = CLOCK.sub(" ", stripped)
    for match in NUMBER.finditer(stripped):
        text = match.group().lstrip("+")
        value = _parse(text)
        if 1990 <= value <= 2100 and "." not in text:
            continue  # a year
        if not _matches(text, evidence) and text not in unverified:
            unverified.append(text)
    return Check(unverified, citations)


def mark(answer: str, unverified: list[str]) -> str:
    """The answer with each unverified number followed by a ``[?]`` marker."""
    if not unverified:
        return answer
    wanted = set(unverified)

    def sub(match: re.Match[str]) -> str:
        text = match.group()
        return f"{text}[?]" if text.lstrip("+") in wanted else text

    protected = {m.span() for m in CITATION.finditer(answer)}
    out, last = [], 0
    for start, end in sorted(protected):
        out.append(NUMBER.sub(sub, answer[last:start]))
        out.append(answer[start:end])
        last = end
    out.append(NUMBER.sub(sub, answer[last:]))
    return "".join(out)
