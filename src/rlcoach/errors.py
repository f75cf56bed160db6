"""One error family for everything rlcoach reports to a user.

Every error carries a one-line ``message`` and an optional ``hint`` saying
what to do next. Only ``rlcoach.cli`` maps these to exit codes; library code
raises them and never prints or exits.
"""

from __future__ import annotations


class RlcoachError(Exception):
    """Base class: a problem we can explain to the user in one line."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(RlcoachError):
    """rlcoach.toml (or an option) is invalid."""


class InputError(RlcoachError):
    """A path given by the user cannot be used (missing, not a replay, ...)."""


class OutputError(RlcoachError):
    """A report cannot be written (unwritable folder, disk full, ...)."""


class ReplayError(RlcoachError):
    """A replay could not be analyzed. ``kind`` is a stable short code."""

    kind = "failed"


class CorruptReplayError(ReplayError):
    kind = "corrupt"


class UnsupportedReplayError(ReplayError):
    kind = "unsupported"


class ReplayTimeoutError(ReplayError):
    kind = "timeout"


class ReplayMemoryError(ReplayError):
    kind = "out-of-memory"


class ReplayCrashError(ReplayError):
    kind = "engine-crash"


class LibraryError(RlcoachError):
    """The local library database cannot be used."""


REPLAY_ERROR_KINDS: dict[str, type[ReplayError]] = {
    cls.kind: cls
    for cls in (
        ReplayError,
        CorruptReplayError,
        UnsupportedReplayError,
        ReplayTimeoutError,
        ReplayMemoryError,
        ReplayCrashError,
    )
}


def replay_error(kind: str, message: str, hint: str | None = None) -> ReplayError:
    """Rebuild a ReplayError from its kind (used across process boundaries)."""
    return REPLAY_ERROR_KINDS.get(kind, ReplayError)(message, hint)


class AccountError(RlcoachError):
    """Signing in to the rlcoach server, or talking to it, failed."""
