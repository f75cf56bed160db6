"""Price table and cost math for the metered coach.

Design:
- Money is counted in integer *cost units*: 1 unit = 1 micro-dollar (US$0.000001). A price of
  $P per million tokens is then exactly P units per token, so the table in settings reads like
  Anthropic's price list ("input": 3.0 means $3 / MTok) and no float ever reaches the database.
- A call's cost is ``ceil(sum(tokens_i * price_i))`` computed with ``Decimal``: rounding once,
  up, per call keeps every ledger row an integer, so the ledger sums exactly to the allowance's
  ``used`` column.
- Cache writes have two prices: 5-minute (the default, 1.25x input) and 1-hour writes
  (``cache_control.ttl = "1h"``, 2x input). The API's ``usage.cache_creation`` splits the
  written tokens by TTL; without that split every write is priced as a 5-minute one (the
  API's default TTL).
- The worst case reserved before a call prices every input token at the dearest input rate
  (plain, either cache write or cache read) and every one of ``max_tokens`` at the output
  rate.
- ``estimate_input_tokens`` is a conservative local bound, used instead of a round trip to
  upstream ``count_tokens`` on the hot path: byte-level BPE never makes a token shorter than
  one byte, so the UTF-8 length of the request's JSON is above the real count for text. A
  fixed overhead covers the hidden tool-use system prompt the API adds when tools are given.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

TOOLS_OVERHEAD_TOKENS = 1000
BASE_OVERHEAD_TOKENS = 16
# Images are billed about (width * height) / 750 tokens, capped near 1,600 by resizing;
# their base64 source is far bigger than that, so the byte count already covers them.


@dataclass(frozen=True)
class ModelPrice:
    """US$ per million tokens (= cost units per token)."""

    input: Decimal
    output: Decimal
    cache_write: Decimal  # 5-minute cache writes
    cache_read: Decimal
    cache_write_1h: Decimal | None = None  # None: Anthropic's 2x the input price

    @classmethod
    def from_mapping(cls, raw: dict[str, Any]) -> ModelPrice:
        try:
            values = {
                k: Decimal(str(raw[k])) for k in ("input", "output", "cache_write", "cache_read")
            }
        except KeyError as exc:
            raise ValueError(f"price entry lacks {exc.args[0]!r}: {raw!r}") from None
        if "cache_write_1h" in raw:
            values["cache_write_1h"] = Decimal(str(raw["cache_write_1h"]))
        if any(v < 0 for v in values.values()):
            raise ValueError(f"negative price in {raw!r}")
        return cls(**values)

    @property
    def write_1h(self) -> Decimal:
        return self.cache_write_1h if self.cache_write_1h is not None else 2 * self.input

    @property
    def dearest_input(self) -> Decimal:
        return max(self.input, self.cache_write, self.write_1h, self.cache_read)


@dataclass
class TokenUsage:
    """Cumulative usage of one call, in Anthropic's four billed token kinds."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0  # all cache writes, both TTLs
    cache_read_tokens: int = 0
    cache_write_1h_tokens: int = 0  # the part of cache_write_tokens written for 1 hour

    def update(self, usage: dict[str, Any] | None) -> None:
        """Merge an API ``usage`` object; later values win (the API's counts are cumulative)."""
        if not usage:
            return
        for api_key, attr in (
            ("input_tokens", "input_tokens"),
            ("output_tokens", "output_tokens"),
            ("cache_creation_input_tokens", "cache_write_tokens"),
            ("cache_read_input_tokens", "cache_read_tokens"),
        ):
            value = usage.get(api_key)
            if isinstance(value, int) and value >= 0:
                setattr(self, attr, value)
        split = usage.get("cache_creation")
        if isinstance(split, dict):
            value = split.get("ephemeral_1h_input_tokens")
            if isinstance(value, int) and value >= 0:
                self.cache_write_1h_tokens = value


def cost_units(price: ModelPrice, usage: TokenUsage) -> int:
    written_1h = min(usage.cache_write_1h_tokens, usage.cache_write_tokens)
    total = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + (usage.cache_write_tokens - written_1h) * price.cache_write
        + written_1h * price.write_1h
        + usage.cache_read_tokens * price.cache_read
    )
    return int(math.ceil(total))


def worst_case_units(price: ModelPrice, input_tokens: int, max_tokens: int) -> int:
    return int(math.ceil(input_tokens * price.dearest_input + max_tokens * price.output))


def estimate_input_tokens(body: dict[str, Any]) -> int:
    """An upper bound of the input tokens of a Messages API request body (see module doc)."""
    counted = {k: body[k] for k in ("system", "messages", "tools", "tool_choice") if k in body}
    size = len(json.dumps(counted, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    overhead = BASE_OVERHEAD_TOKENS + (TOOLS_OVERHEAD_TOKENS if body.get("tools") else 0)
    return size + overhead


def price_table(raw: dict[str, dict[str, Any]]) -> dict[str, ModelPrice]:
    return {model: ModelPrice.from_mapping(entry) for model, entry in raw.items()}
