"""The metric registry: every per-player stat defined exactly once.

Keys, groups and units are ballchasing.com's, so a user can put our numbers
beside theirs. Everything else that names a stat (the report's JSON Schema,
Markdown and TUI labels, library columns, coach tools, the parity test's
tolerances) reads it from here; a test fails when a report and the registry
disagree.
"""

from __future__ import annotations

from rlcoach.analysis.boost import EMPTY_LEVEL, FULL_LEVEL
from rlcoach.analysis.context import COUNTED_COUNTDOWN_S, GOAL_PAUSE_S
from rlcoach.analysis.field import BOOST_SPEED, CROSSBAR_Z, MAX_CAR_SPEED, SUPERSONIC_SPEED, THIRD_Y
from rlcoach.analysis.movement import GROUND_Z, HIGH_AIR_Z, SLIDE_TIME_Z
from rlcoach.report.coaching_metrics import COACHING_METRICS
from rlcoach.report.metric import Direction, Metric, m

_m = m  # the definitions below predate the shared helper

GROUPS = ("core", "boost", "movement", "positioning", "demo")
# Groups added in report 1.x: optional in the schema, absent from older reports.
OPTIONAL_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(m.group for m in COACHING_METRICS))
ALL_GROUPS = GROUPS + OPTIONAL_GROUPS

# Threshold text is built from the constants the analysis code uses, so a
# definition cannot drift from the code (docs/metrics.md is generated from it).
_SUPERSONIC = f"{SUPERSONIC_SPEED:g} uu/s"
_BOOST_SPEED = f"{BOOST_SPEED:g} uu/s"
_PLAY_TIME = "match time less post-goal time"
_SHARE_BASE = (f"match time (kickoff countdowns only in their last {COUNTED_COUNTDOWN_S:g} s) "
               f"less {GOAL_PAUSE_S:g} s per goal and per clock expiry")
_GROUND = f"car below z = {GROUND_Z:g} uu (the floor; walls and ceiling count as air)"
_HIGH = f"z = {HIGH_AIR_Z:g} uu (the crossbar is at {CROSSBAR_Z:.1f} uu)"
_EMPTY = f"{EMPTY_LEVEL:.2f}"
_FULL = f"{FULL_LEVEL:.2f}"

_BANDS = (("0_25", "0-25"), ("25_50", "25-50"), ("50_75", "50-75"), ("75_100", "75-100"))

# Share-of-time positioning metrics: (key suffix, direction, label).
_ROLES = ("most_back", "most_forward", "closest_to_ball", "farthest_from_ball")
_ROLE_SHARES: tuple[tuple[str, Direction, str], ...] = (
    ("defensive_third", "neutral", "in the defensive third"),
    ("offensive_third", "neutral", "in the offensive third"),
    ("neutral_third", "neutral", "in the middle third"),
    ("defensive_half", "neutral", "in the own half"),
    ("offensive_half", "neutral", "in the opponents' half"),
    ("behind_ball", "higher", "behind the ball"),
    ("infront_ball", "lower", "in front of the ball"),
    ("most_back", "neutral", "as last player"),
    ("most_forward", "neutral", "as most advanced player"),
    ("closest_to_ball", "neutral", "closest to the ball"),
    ("farthest_from_ball", "neutral", "farthest from the ball"),
)

METRICS: tuple[Metric, ...] = (
    # core: from the replay header's scoreboard
    _m("core", "score", "points", "higher", "Score", "Scoreboard points."),
    _m("core", "goals", "count", "higher", "Goals", "Goals scored."),
    _m("core", "assists", "count", "higher", "Assists", "Assists credited by the game."),
    _m("core", "saves", "count", "higher", "Saves", "Saves credited by the game."),
    _m("core", "shots", "count", "higher", "Shots", "Shots on goal credited by the game."),
    _m("core", "shots_against", "count", "lower", "Shots against",
       "Shots taken by the opposing team."),
    _m("core", "goals_against", "count", "lower", "Goals against",
       "Goals scored by the opposing team."),
    _m("core", "shooting_percentage", "%", "higher", "Shooting %", "Goals / shots x 100."),
    _m("core", "mvp", "bool", "higher", "MVP", "Highest score on the winning team."),
    # boost
    _m("boost", "bpm", "boost/min", "neutral", "BPM",
       f"Boost used per minute of {_SHARE_BASE} (used: collected from pads less the "
       "tank's net gain).", integer=True),
    _m("boost", "bcpm", "boost/min", "neutral", "BCPM",
       f"Boost collected from pads per minute of the player's tracked {_PLAY_TIME}."),
    _m("boost", "avg_amount", "boost", "neutral", "Avg boost",
       f"Average replicated boost held (0-100) over {_PLAY_TIME}.", slack=1.0),
    _m("boost", "amount_collected", "boost", "neutral", "Collected",
       "Boost gained from pads (what the tank actually took).", integer=True),
    _m("boost", "amount_stolen", "boost", "higher", "Stolen",
       "Boost gained from pads in the opponents' half.", integer=True),
    _m("boost", "amount_collected_big", "boost", "neutral", "Collected (big)",
       "Boost gained from big pads.", integer=True),
    _m("boost", "amount_stolen_big", "boost", "higher", "Stolen (big)",
       "Boost gained from big pads in the opponents' half.", integer=True),
    _m("boost", "amount_collected_small", "boost", "neutral", "Collected (small)",
       "Boost gained from small pads.", integer=True),
    _m("boost", "amount_stolen_small", "boost", "higher", "Stolen (small)",
       "Boost gained from small pads in the opponents' half.", integer=True),
    _m("boost", "count_collected_big", "count", "neutral", "Big pads", "Big pads picked up."),
    _m("boost", "count_stolen_big", "count", "higher", "Big pads stolen",
       "Big pads picked up in the opponents' half."),
    _m("boost", "count_collected_small", "count", "neutral", "Small pads",
       "Small pads picked up."),
    _m("boost", "count_stolen_small", "count", "higher", "Small pads stolen",
       "Small pads picked up in the opponents' half."),
    _m("boost", "amount_overfill", "boost", "lower", "Overfill",
       "Pad boost wasted because the tank was nearly full.", integer=True),
    _m("boost", "amount_overfill_stolen", "boost", "lower", "Overfill (stolen)",
       "Overfill on pads in the opponents' half.", integer=True),
    _m("boost", "amount_used_while_supersonic", "boost", "lower", "Used supersonic",
       "Boost spent while already supersonic.", integer=True),
    _m("boost", "time_zero_boost", "s", "lower", "Time at 0 boost",
       f"Seconds of {_PLAY_TIME} with boost <= {_EMPTY} (empty)."),
    _m("boost", "percent_zero_boost", "%", "lower", "% at 0 boost",
       f"time_zero_boost as a share of {_SHARE_BASE}."),
    _m("boost", "time_full_boost", "s", "neutral", "Time at 100 boost",
       f"Seconds of {_PLAY_TIME} with the held boost >= {_FULL} (full)."),
    _m("boost", "percent_full_boost", "%", "neutral", "% at 100 boost",
       f"time_full_boost as a share of {_SHARE_BASE}."),
    *(
        _m("boost", f"time_boost_{k}", "s", "neutral", f"Time {lab} boost",
           f"Seconds holding {lab} boost.")
        for k, lab in _BANDS
    ),
    *(
        _m("boost", f"percent_boost_{k}", "%", "neutral", f"% {lab} boost",
           f"Time holding {lab} boost over the player's four band times.")
        for k, lab in _BANDS
    ),
    # movement
    _m("movement", "avg_speed", "uu/s", "higher", "Avg speed",
       "Average car speed.", integer=True),
    _m("movement", "total_distance", "uu", "neutral", "Distance",
       "Distance driven or flown.", integer=True),
    _m("movement", "time_supersonic_speed", "s", "higher", "Time supersonic",
       f"Seconds at or above {_SUPERSONIC}."),
    _m("movement", "time_boost_speed", "s", "neutral", "Time boost speed",
       f"Seconds from {_BOOST_SPEED} up to {_SUPERSONIC}."),
    _m("movement", "time_slow_speed", "s", "lower", "Time slow", f"Seconds below {_BOOST_SPEED}."),
    _m("movement", "time_ground", "s", "neutral", "Time on ground",
       f"Seconds with the {_GROUND}."),
    _m("movement", "time_low_air", "s", "neutral", "Time low air",
       f"Seconds off the floor below {_HIGH}."),
    _m("movement", "time_high_air", "s", "neutral", "Time high air",
       f"Seconds off the floor at or above {_HIGH}."),
    _m("movement", "time_powerslide", "s", "neutral", "Time powerslide",
       f"Seconds holding powerslide in live play with the car at z <= {SLIDE_TIME_Z:g} uu."),
    _m("movement", "count_powerslide", "count", "neutral", "Powerslides", "Powerslides started."),
    _m("movement", "avg_powerslide_duration", "s", "neutral", "Avg powerslide",
       "Average powerslide length.", slack=0.02),
    _m("movement", "avg_speed_percentage", "%", "higher", "Avg speed %",
       f"Average speed as a share of max car speed ({MAX_CAR_SPEED:g} uu/s)."),
    _m("movement", "percent_slow_speed", "%", "lower", "% slow",
       f"Share of time below {_BOOST_SPEED}."),
    _m("movement", "percent_boost_speed", "%", "neutral", "% boost speed",
       f"Share of time from {_BOOST_SPEED} up to {_SUPERSONIC}."),
    _m("movement", "percent_supersonic_speed", "%", "higher", "% supersonic",
       f"Share of time at or above {_SUPERSONIC}."),
    _m("movement", "percent_ground", "%", "neutral", "% ground",
       f"Share of time with the {_GROUND}."),
    _m("movement", "percent_low_air", "%", "neutral", "% low air",
       f"Share of time off the floor below {_HIGH}."),
    _m("movement", "percent_high_air", "%", "neutral", "% high air",
       f"Share of time off the floor at or above {_HIGH}."),
    # positioning
    _m("positioning", "avg_distance_to_ball", "uu", "neutral", "Avg dist. to ball",
       "Average distance to the ball.", integer=True),
    _m("positioning", "avg_distance_to_ball_possession", "uu", "neutral",
       "Dist. to ball (possession)", "Average distance to the ball while the team has it.",
       integer=True),
    _m("positioning", "avg_distance_to_ball_no_possession", "uu", "neutral",
       "Dist. to ball (no possession)",
       "Average distance to the ball while the opponents have it.", integer=True),
    _m("positioning", "avg_distance_to_mates", "uu", "neutral", "Avg dist. to mates",
       "Average distance to teammates.", integer=True),
    _m("positioning", "time_defensive_third", "s", "neutral", "Time def. third",
       f"Seconds in the defensive third (equal thirds: y beyond -{THIRD_Y:.0f} uu)."),
    _m("positioning", "time_neutral_third", "s", "neutral", "Time mid third",
       "Seconds in the middle third."),
    _m("positioning", "time_offensive_third", "s", "neutral", "Time off. third",
       "Seconds in the offensive third."),
    _m("positioning", "time_defensive_half", "s", "neutral", "Time def. half",
       "Seconds in the own half."),
    _m("positioning", "time_offensive_half", "s", "neutral", "Time off. half",
       "Seconds in the opponents' half."),
    _m("positioning", "time_behind_ball", "s", "higher", "Time behind ball",
       "Seconds between the ball and the own goal."),
    _m("positioning", "time_infront_ball", "s", "lower", "Time in front of ball",
       "Seconds ahead of the ball."),
    _m("positioning", "time_most_back", "s", "neutral", "Time most back",
       "Seconds as the team's last player (live play and post-goal time; a demolished "
       "car counts while it respawns)."),
    _m("positioning", "time_most_forward", "s", "neutral", "Time most forward",
       "Seconds as the team's most advanced player."),
    _m("positioning", "goals_against_while_last_defender", "count", "lower",
       "Goals conceded as last man", "Goals conceded while the team's last player."),
    _m("positioning", "time_closest_to_ball", "s", "neutral", "Time closest to ball",
       "Seconds as the team's closest player to the ball."),
    _m("positioning", "time_farthest_from_ball", "s", "neutral", "Time farthest from ball",
       "Seconds as the team's farthest player from the ball (live play and post-goal "
       "time; a demolished car counts while it respawns)."),
    *(
        _m("positioning", f"percent_{k}", "%", d, f"% {lab}",
           f"Share of time {lab}" + (f", over {_SHARE_BASE}." if k in _ROLES else "."))
        for k, d, lab in _ROLE_SHARES
    ),
    # demos
    _m("demo", "inflicted", "count", "higher", "Demos", "Demolitions inflicted."),
    _m("demo", "taken", "count", "lower", "Demoed", "Times demolished."),
    *COACHING_METRICS,
)

BY_QUALIFIED: dict[str, Metric] = {m.qualified: m for m in METRICS}

# Team-level fields ballchasing publishes beyond the per-player sums.
TEAM_BALL_METRICS: tuple[Metric, ...] = (
    _m("ball", "possession_time", "s", "higher", "Possession",
       "Seconds the team had the ball (last touch by the team)."),
    _m("ball", "time_in_side", "s", "lower", "Ball in own half",
       "Seconds the ball spent in the team's half."),
)

# Ballchasing's team stats: these per-player fields summed over the team
# (core.shooting_percentage, shots_against and goals_against are derived).
TEAM_SUMMED_KEYS: tuple[str, ...] = (
    "core.shots", "core.goals", "core.saves", "core.assists", "core.score",
    "boost.bpm", "boost.bcpm", "boost.avg_amount",
    *(f"boost.{k}" for k in (
        "amount_collected", "amount_stolen", "amount_collected_big", "amount_stolen_big",
        "amount_collected_small", "amount_stolen_small", "count_collected_big",
        "count_stolen_big", "count_collected_small", "count_stolen_small", "amount_overfill",
        "amount_overfill_stolen", "amount_used_while_supersonic", "time_zero_boost",
        "time_full_boost", "time_boost_0_25", "time_boost_25_50", "time_boost_50_75",
        "time_boost_75_100",
    )),
    *(f"movement.{k}" for k in (
        "total_distance", "time_supersonic_speed", "time_boost_speed", "time_slow_speed",
        "time_ground", "time_low_air", "time_high_air", "time_powerslide", "count_powerslide",
    )),
    *(f"positioning.{k}" for k in (
        "time_defensive_third", "time_neutral_third", "time_offensive_third",
        "time_defensive_half", "time_offensive_half", "time_behind_ball", "time_infront_ball",
    )),
    "demo.inflicted", "demo.taken",
)


def metric(qualified_or_key: str) -> Metric:
    """Look a metric up by ``group.key`` or by a key that is unique."""
    if qualified_or_key in BY_QUALIFIED:
        return BY_QUALIFIED[qualified_or_key]
    found = [m for m in METRICS if m.key == qualified_or_key]
    if len(found) == 1:
        return found[0]
    if not found:
        raise KeyError(qualified_or_key)
    raise KeyError(f"{qualified_or_key} is ambiguous: {', '.join(m.qualified for m in found)}")


def metrics_in(group: str) -> tuple[Metric, ...]:
    return tuple(m for m in METRICS if m.group == group)
