"""The library's tables and the numbered migrations that create them.

Design:

* ``games`` holds one row per *match*. ``match_key`` is the header
  MatchGUID when present (two teammates' files of one match share it), else
  the header replay Id, else the file's sha256; it is UNIQUE, which is what
  makes ingest dedupe matches.
* ``players`` holds one row per (game, player) with the identity columns
  needed to decide at query time who "me" is (platform, id, name). "Me" is
  never stored: changing ``[identity]`` in rlcoach.toml needs no re-ingest.
* ``metric_values`` is long format, one row per (player row, metric), with
  metrics named by ``metrics.id`` (small integers keep 2,000 games x 6
  players x 84 metrics compact). The primary key serves "this player's
  values"; the (metric, player) index serves "this metric for many games".
* ``reports`` keeps every full report zlib-compressed JSON, apart from
  ``games`` so scanning games never drags megabytes of events along; later
  metrics can be backfilled from it without the replay.
* ``files`` remembers every file seen (path, size, mtime, sha256, status)
  so a re-ingest skips known files before analyzing anything.

Migrations are plain SQL, numbered by ``PRAGMA user_version``; the Core
``Table`` objects below describe the latest version for queries, and a test
checks that they agree with what the migrations build.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
)

metadata = MetaData()

games = Table(
    "games", metadata,
    Column("id", Integer, primary_key=True),
    Column("match_key", String, nullable=False, unique=True),
    Column("match_guid", String),
    Column("replay_id", String),
    Column("played_at", String, nullable=False),  # ISO 8601, header date (recorder's local time)
    Column("playlist", String),
    Column("playlist_name", String),
    Column("match_type", String),
    Column("map_code", String),
    Column("map_name", String),
    Column("team_size", Integer),
    Column("duration", Float),
    Column("overtime", Boolean),
    Column("forfeit", Boolean),
    Column("blue_score", Integer),
    Column("orange_score", Integer),
    Column("winner", String),  # "blue", "orange" or NULL
    Column("schema_version", String),
    Column("generator_version", String),
    Column("ingested_at", String, nullable=False),
)

players = Table(
    "players", metadata,
    Column("id", Integer, primary_key=True),
    Column("game_id", Integer, ForeignKey("games.id", ondelete="CASCADE"), nullable=False),
    Column("key", String, nullable=False),
    Column("name", String, nullable=False),
    Column("platform", String),
    Column("player_id", String),
    Column("team", String, nullable=False),
    Column("is_bot", Boolean, nullable=False),
    Column("car", String),
)

metrics = Table(
    "metrics", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),  # Metric.qualified
)

metric_values = Table(
    "metric_values", metadata,
    Column("player_row", Integer, ForeignKey("players.id", ondelete="CASCADE"),
           primary_key=True),
    Column("metric_id", Integer, ForeignKey("metrics.id"), primary_key=True),
    Column("value", Float, nullable=False),
)

reports = Table(
    "reports", metadata,
    Column("game_id", Integer, ForeignKey("games.id", ondelete="CASCADE"), primary_key=True),
    Column("encoding", String, nullable=False),  # "zlib-json"
    Column("data", LargeBinary, nullable=False),
)

files = Table(
    "files", metadata,
    Column("id", Integer, primary_key=True),
    Column("path", String, nullable=False, unique=True),
    Column("size", Integer, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("sha256", String),
    Column("status", String, nullable=False),  # ok | duplicate | failed
    Column("error_kind", String),
    Column("error", String),
    Column("game_id", Integer, ForeignKey("games.id", ondelete="SET NULL")),
    Column("seen_at", String, nullable=False),
)

coach_threads = Table(
    "coach_threads", metadata,
    Column("id", Integer, primary_key=True),
    Column("title", String, nullable=False),
    Column("game_id", Integer, ForeignKey("games.id", ondelete="SET NULL")),
    Column("mode", String, nullable=False),  # hosted | own-key | offline
    Column("created_at", String, nullable=False),
    Column("updated_at", String, nullable=False),
)

coach_messages = Table(
    "coach_messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", Integer, ForeignKey("coach_threads.id", ondelete="CASCADE"),
           nullable=False),
    Column("role", String, nullable=False),  # user | assistant
    Column("text", String, nullable=False),
    Column("content", String),  # JSON: the turn's tool calls and results
    Column("model", String),
    Column("input_tokens", Integer),
    Column("output_tokens", Integer),
    Column("cache_read_tokens", Integer),
    Column("cache_write_tokens", Integer),
    Column("cost", Float),  # US$ at the model's list price (own key) or server cost
    Column("unverified", String),  # JSON list of numbers no tool returned
    Column("created_at", String, nullable=False),
)

coach_notes = Table(
    "coach_notes", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String, nullable=False),  # goal | observation
    Column("text", String, nullable=False),
    Column("game_id", Integer, ForeignKey("games.id", ondelete="SET NULL")),
    Column("created_at", String, nullable=False),
)

# Each entry is one migration: the statements that take the database from
# version N to N+1. Never edit a released entry; append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # 1: the tables.
    (
        """CREATE TABLE games (
            id INTEGER PRIMARY KEY,
            match_key TEXT NOT NULL UNIQUE,
            match_guid TEXT,
            replay_id TEXT,
            played_at TEXT NOT NULL,
            playlist TEXT,
            playlist_name TEXT,
            match_type TEXT,
            map_code TEXT,
            map_name TEXT,
            team_size INTEGER,
            duration REAL,
            overtime BOOLEAN,
            forfeit BOOLEAN,
            blue_score INTEGER,
            orange_score INTEGER,
            winner TEXT,
            schema_version TEXT,
            generator_version TEXT,
            ingested_at TEXT NOT NULL
        )""",
        """CREATE TABLE players (
            id INTEGER PRIMARY KEY,
            game_id INTEGER NOT NULL REFERENCES games(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            platform TEXT,
            player_id TEXT,
            team TEXT NOT NULL,
            is_bot BOOLEAN NOT NULL,
            car TEXT,
            UNIQUE (game_id, key)
        )""",
        "CREATE TABLE metrics (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
        """CREATE TABLE metric_values (
            player_row INTEGER NOT NULL REFERENCES players(id) ON DELETE CASCADE,
            metric_id INTEGER NOT NULL REFERENCES metrics(id),
            value REAL NOT NULL,
            PRIMARY KEY (player_row, metric_id)
        ) WITHOUT ROWID""",
        """CREATE TABLE reports (
            game_id INTEGER PRIMARY KEY REFERENCES games(id) ON DELETE CASCADE,
            encoding TEXT NOT NULL,
            data BLOB NOT NULL
        )""",
        """CREATE TABLE files (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL,
            mtime REAL NOT NULL,
            sha256 TEXT,
            status TEXT NOT NULL,
            error_kind TEXT,
            error TEXT,
            game_id INTEGER REFERENCES games(id) ON DELETE SET NULL,
            seen_at TEXT NOT NULL
        )""",
    ),
    # 2: the indexes behind the read-side queries (recent games, trends,
    # "which games is this account in", sha256 dedupe before analysis).
    (
        "CREATE INDEX ix_games_played_at ON games (played_at)",
        "CREATE INDEX ix_games_playlist_played_at ON games (playlist, played_at)",
        "CREATE INDEX ix_players_game ON players (game_id)",
        "CREATE INDEX ix_players_identity ON players (platform, player_id, name)",
        "CREATE INDEX ix_players_name ON players (name COLLATE NOCASE)",
        "CREATE INDEX ix_metric_values_metric ON metric_values (metric_id, player_row)",
        "CREATE INDEX ix_files_sha256 ON files (sha256)",
        "CREATE INDEX ix_files_game ON files (game_id)",
    ),
    # 3: the coach's conversations and notes (rlcoach.coach.store owns them).
    (
        """CREATE TABLE coach_threads (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            game_id INTEGER REFERENCES games(id) ON DELETE SET NULL,
            mode TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        """CREATE TABLE coach_messages (
            id INTEGER PRIMARY KEY,
            thread_id INTEGER NOT NULL REFERENCES coach_threads(id) ON DELETE CASCADE,
            role TEXT NOT NULL,
            text TEXT NOT NULL,
            content TEXT,
            model TEXT,
            input_tokens INTEGER,
            output_tokens INTEGER,
            cache_read_tokens INTEGER,
            cache_write_tokens INTEGER,
            cost REAL,
            unverified TEXT,
            created_at TEXT NOT NULL
        )""",
        "CREATE INDEX ix_coach_messages_thread ON coach_messages (thread_id, id)",
        """CREATE TABLE coach_notes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            game_id INTEGER REFERENCES games(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        )""",
    ),
    # 4 (issue 10): coaching metrics need no table (metric_values is long
    # format; the registry's new groups get metric ids on first use). What
    # they need is finding games analyzed by an older rlcoach, for
    # ``rlcoach ingest --reanalyze``.
    ("CREATE INDEX ix_games_schema_version ON games (schema_version)",),
)

SCHEMA_VERSION = len(MIGRATIONS)
