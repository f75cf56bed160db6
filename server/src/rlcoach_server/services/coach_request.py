"""Validation of a coach request body, and the input bound it is reserved with.

Design:
- Pure CPU, no I/O: the route calls ``validate`` before anything else touches the body.
- Only parameters the price table can meter are accepted (``MESSAGE_PARAMS``): server tools,
  MCP servers, containers, service tiers and betas bill in ways it does not describe.
- Content blocks are checked against what the local input bound can cover
  (``input_bound``): the UTF-8 length of the JSON is an upper bound for text (byte-level BPE
  never makes a token shorter than a byte), but not for blocks whose source is a reference.
  An image URL is ~85 bytes and bills up to ~1,600 tokens, so every image (any source) adds
  ``IMAGE_TOKENS`` to the bound. PDF documents (a page is billed as text plus an image, and
  neither a URL nor a compressed PDF tells how many pages) and Files API references are
  refused, as are block types whose billing the bound cannot see (server-tool results).
  Hence no request shape makes a call cost more than its reservation.
- A body nested too deep for the JSON parser is a 400, like any other invalid JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from ..config import Settings
from .coach_pricing import ModelPrice, estimate_input_tokens

# Parameters passed upstream; anything else is refused rather than forwarded.
COUNT_PARAMS = frozenset({"model", "messages", "system", "tools", "tool_choice", "thinking"})
MESSAGE_PARAMS = COUNT_PARAMS | {
    "max_tokens",
    "stream",
    "metadata",
    "stop_sequences",
    "temperature",
    "top_k",
    "top_p",
}
# Anthropic resizes an image to at most ~1,600 tokens (long edge 1568 px, ~1.15 MP); a margin
# on top because "about" is the documented word.
IMAGE_TOKENS = 2000
# Content block types whose input billing the bound covers (their text is in the JSON).
ALLOWED_BLOCKS = frozenset(
    {
        "text",
        "image",
        "document",
        "tool_use",
        "tool_result",
        "thinking",
        "redacted_thinking",
        "search_result",
    }
)
IMAGE_SOURCES = frozenset({"base64", "url"})
DOCUMENT_SOURCES = frozenset({"text", "content"})


class Invalid(Exception):
    """A client mistake; its message is shown to the caller in a 400."""


def parse(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("request body is not valid JSON") from None
    except RecursionError:
        raise Invalid("request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise Invalid("request body must be a JSON object")
    return body


def validate(
    settings: Settings, prices: dict[str, ModelPrice], raw: bytes, *, counting: bool
) -> dict[str, Any]:
    """The parsed body with max_tokens clamped; raises ``Invalid`` with a client-facing reason."""
    body = parse(raw)
    model = body.get("model")
    allowed = [m for m in settings.coach_models if m in prices]
    if not isinstance(model, str) or model not in allowed:
        raise Invalid(
            f"model {model!r} is not available on this server; use one of: " + ", ".join(allowed)
        )
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        raise Invalid("messages: a non-empty list is required")
    unknown = sorted(set(body) - (COUNT_PARAMS if counting else MESSAGE_PARAMS))
    if unknown:
        raise Invalid(f"not available through the coach: {', '.join(unknown)}")
    tools = body.get("tools") or []
    if not isinstance(tools, list) or any(
        not isinstance(t, dict) or t.get("type", "custom") != "custom" for t in tools
    ):
        raise Invalid("tools: only custom tools (name, description, input_schema) are available")
    count_images(body)  # refuses unmeterable blocks
    if counting:
        return body
    max_tokens = body.get("max_tokens")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise Invalid("max_tokens: a positive integer is required")
    # Clamp rather than refuse: the cap is this server's policy, not the caller's mistake.
    body["max_tokens"] = min(max_tokens, settings.coach_max_tokens)
    return body


def _blocks(content: Any) -> Iterator[dict[str, Any]]:
    """Every content block of a ``content`` value (a string has none), nested ones included:
    a tool result's content, a search result's, a document's ``content`` source."""
    if not isinstance(content, list):
        return
    for block in content:
        if not isinstance(block, dict):
            continue  # upstream validates shapes; only what it would bill matters here
        yield block
        yield from _blocks(block.get("content"))
        source = block.get("source")
        if isinstance(source, dict) and source.get("type") == "content":
            yield from _blocks(source.get("content"))


def count_images(body: dict[str, Any]) -> int:
    """How many images the body carries; raises ``Invalid`` for blocks that cannot be metered."""
    messages = body.get("messages")
    contents = [body.get("system")] + [
        m.get("content") for m in messages or [] if isinstance(m, dict)
    ]
    images = 0
    for block in (b for content in contents for b in _blocks(content)):
        kind = block.get("type")
        source = block.get("source")
        source_type = source.get("type") if isinstance(source, dict) else None
        if kind not in ALLOWED_BLOCKS:
            raise Invalid(f"content blocks of type {kind!r} are not available through the coach")
        if kind == "image":
            if source_type not in IMAGE_SOURCES:
                raise Invalid("image: only base64 and url sources are available")
            images += 1
        elif kind == "document" and source_type not in DOCUMENT_SOURCES:
            raise Invalid(
                "document: only text and content sources are available "
                "(PDFs and file references cannot be metered by this server)"
            )
    return images


def input_bound(body: dict[str, Any]) -> int:
    """An upper bound of the input tokens upstream will bill for ``body``."""
    return estimate_input_tokens(body) + IMAGE_TOKENS * count_images(body)


def with_server_metadata(body: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The body with ``metadata.user_id`` set by the server (a client-chosen one is replaced:
    Anthropic uses it to attribute abuse, so it must name our user, not whatever they claim)."""
    return {**body, "metadata": {"user_id": user_id}}
