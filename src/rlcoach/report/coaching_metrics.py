"""Per-player coaching metrics (issue 10), declared once like every other stat.

Groups here are optional in the report schema: reports from before 1.2 lack
them. Each group is filled by one analysis in ``rlcoach.analysis.coaching``;
a test fails when a report and these declarations disagree.
"""

from __future__ import annotations

from rlcoach.report.metric import Metric, m

KICKOFF_METRICS: tuple[Metric, ...] = (
    m("kickoffs", "taken", "count", "neutral", "Kickoffs taken",
      "Kickoffs where the player was the team's taker (nearest the ball at the first touch)."),
    m("kickoffs", "won", "count", "higher", "Kickoffs won",
      "Taken kickoffs where the ball was in the opponents' half, beyond 700 uu from halfway, "
      "3 s after the first touch (or the team scored by then)."),
    m("kickoffs", "lost", "count", "lower", "Kickoffs lost",
      "Taken kickoffs won by the other team, by the same rule."),
    m("kickoffs", "win_pct", "%", "higher", "Kickoff win %",
      "Kickoffs won / kickoffs taken x 100 (0 when none were taken)."),
    m("kickoffs", "first_touches", "count", "neutral", "Kickoff first touches",
      "Kickoffs where the player touched the ball first."),
)

DUEL_METRICS: tuple[Metric, ...] = (
    m("duels", "count", "count", "neutral", "50/50s",
      "Contests where an opponent touched the ball within 0.3 s of the player (or vice versa)."),
    m("duels", "won", "count", "higher", "50/50s won",
      "50/50s after which the ball moved over 500 uu towards the opponents' goal within 1 s."),
    m("duels", "lost", "count", "lower", "50/50s lost",
      "50/50s after which the ball moved over 500 uu towards the player's own goal within 1 s."),
    m("duels", "win_pct", "%", "higher", "50/50 win %",
      "50/50s won / 50/50s x 100 (0 when there were none)."),
    m("duels", "kickoff_count", "count", "neutral", "Kickoff 50/50s",
      "50/50s that were the first contest within 5 s of a kickoff."),
    m("duels", "kickoff_won", "count", "higher", "Kickoff 50/50s won",
      "Kickoff 50/50s won, by the same rule."),
)

SHOOTING_METRICS: tuple[Metric, ...] = (
    m("shooting", "shots", "count", "higher", "Shots (flight)",
      "Touches after which the ball's flight crosses the goal line within 3 s near the mouth, "
      "plus every goal's last touch."),
    m("shooting", "on_target", "count", "higher", "Shots on target",
      "Shots whose flight crosses the line inside the goal mouth (and goals)."),
    m("shooting", "goals", "count", "higher", "Goals (from shots)",
      "Shots that were the scorer's last touch before a goal."),
    m("shooting", "xg", "xG", "higher", "xG",
      "Sum of expected goals of the player's shots (physical prior v2: ball flight time "
      "against the nearest defender's time to the crossing point; from the flight, never "
      "the outcome)."),
    m("shooting", "goals_minus_xg", "xG", "higher", "Goals - xG",
      "Goals from shots minus their xG: above 0 finishes better than the shots' quality."),
)

CHANCES_METRICS: tuple[Metric, ...] = (
    m("chances", "shot_quality", "%", "higher", "Shot quality",
      "Mean xG of the player's shots x 100: the average chance of scoring a shot had "
      "(0 when no shots)."),
    m("chances", "low_xg_shots", "count", "neutral", "Low-xG shots",
      "Shots with xG under 0.1."),
    m("chances", "xg_conceded", "xG", "lower", "xG conceded",
      "Sum of xG of the opponents' shots that followed the player's touch as their team's "
      "last touch, within 5 s (the ball given away)."),
    m("chances", "shots_conceded", "count", "lower", "Shots conceded",
      "Opponents' shots that followed the player's touch, by the same rule."),
)

POSSESSION_METRICS: tuple[Metric, ...] = (
    m("possession", "passes", "count", "higher", "Passes",
      "Touches whose next touch was a teammate's within 4 s after 500 uu of ball travel."),
    m("possession", "passes_received", "count", "neutral", "Passes received",
      "Touches that completed a teammate's pass."),
    m("possession", "turnovers", "count", "lower", "Turnovers",
      "Touches whose next touch was an opponent's (more than 0.3 s later: not a 50/50)."),
    m("possession", "dribbles", "count", "neutral", "Dribbles",
      "Runs of 3 or more touches by the player, each within 1.5 s and 300 uu of the car."),
    m("possession", "controlled_touches", "count", "neutral", "Controlled touches",
      "Touches in a dribble after its first."),
)

_MECHANICS = (
    ("speed_flip", "Speed flips", "Dodges from the floor, landing within 1.8 s, that reach "
     "1600 uu/s with the nose on the line of travel while the roof rolls 95+ degrees and the "
     "nose neither sweeps past 70 degrees nor lifts: a cancelled forward-diagonal flip (side "
     "flips excluded by their sideways push)."),
    ("wavedash", "Wavedashes", "Dodges 28-320 uu above the floor that land on the wheels "
     "within 0.35 s."),
    ("half_flip", "Half-flips", "Dodges near the floor after which the nose turns round "
     "(143+ degrees) and then points along the car's travel, within 0.65 s."),
    ("flip_reset", "Flip resets", "Airborne touches with the ball under the car's floor, "
     "followed by a dodge before landing; one per refreshed flip."),
    ("ceiling_shot", "Ceiling shots", "Ball touches within 1.3 s of leaving the ceiling, "
     "without landing; one per visit to the ceiling."),
    ("air_dribble", "Air dribbles", "Runs of 3+ touches by the player, nobody else touching, "
     "each within 2.2 s, 2+ of them airborne, the ball kept near the car; counted from the "
     "take-off touch."),
    ("double_tap", "Double taps", "A touch, the ball off the opponents' backboard within 3 s, "
     "and the player's airborne touch within 1.5 s of the bounce, towards the goal mouth."),
    ("flick", "Flicks", "A dodge with the ball carried on the car, and the player's touch "
     "within 0.32 s changing the ball's velocity by 325+ uu/s away from the car."),
)

MECHANIC_METRICS: tuple[Metric, ...] = tuple(
    m("mechanics", key, "count", "neutral", label, f"{definition} Heuristic; each event "
      "in the report has a confidence.")
    for key, label, definition in _MECHANICS
)

# Rotation, goals conceded and boost management (10b); rules in
# analysis/coaching/rotation.py, conceded.py and boost_management.py. Live play only.
ROTATION_METRICS: tuple[Metric, ...] = (
    *(
        m("rotation", f"time_{k}_man", "s", "neutral", f"Time {k} man",
          f"Seconds of live play as the team's {k} man ({why}).")
        for k, why in (("first", "closest to the ball on the ground plane"),
                       ("second", "neither closest nor deepest"),
                       ("third", "deepest of the others, 3+ cars on the pitch"))
    ),
    *(
        m("rotation", f"percent_{k}_man", "%", "neutral", f"% {k} man",
          f"Share of the player's live time as {k} man.")
        for k in ("first", "second", "third")
    ),
    m("rotation", "first_man_takeovers", "count", "neutral", "First-man takeovers",
      "Times the player became first man (spells under 0.5 s ignored; kickoffs excluded)."),
    m("rotation", "double_commits", "count", "lower", "Double commits",
      "Times the player and a teammate were both within 700 uu of the ball and both closing "
      "on it at 400+ uu/s (heuristic)."),
    m("rotation", "last_man_overcommits", "count", "lower", "Last-man overcommits",
      "Touches in the opponents' half as the team's deepest car that the opponents answered "
      "within 3 s (heuristic)."),
    m("rotation", "percent_goal_side", "%", "higher", "% goal side",
      "Share of live time nearer the own goal than the ball is."),
    m("rotation", "time_shadow_defence", "s", "neutral", "Shadow defence",
      "Seconds retreating goal side in the own half, within 3000 uu of the ball, while "
      "the opponents have it and bring it towards the goal."),
    m("rotation", "goals_conceded_caught_ahead", "count", "lower", "Conceded, caught ahead",
      "Goals against where the player was not goal side at the scoring team's last touch."),
)

BOOST_MANAGEMENT_METRICS: tuple[Metric, ...] = (
    m("boost_management", "time_starved", "s", "lower", "Time starved",
      "Seconds of live play under 12 boost while first man or last back."),
    m("boost_management", "percent_starved", "%", "lower", "% starved",
      "Share of the player's live time starved (under 12 boost, first man or last back)."),
    m("boost_management", "percent_overfill", "%", "lower", "% overfill",
      "Share of the pads' nominal boost wasted because the tank was nearly full."),
    m("boost_management", "percent_big_pads", "%", "neutral", "% of big pads",
      "Share of all big pads taken in the match that the player took."),
    m("boost_management", "percent_big_pads_stolen", "%", "neutral", "% big pads stolen",
      "Share of the player's big pads that lay in the opponents' half."),
)

COACHING_METRICS: tuple[Metric, ...] = (
    *KICKOFF_METRICS, *DUEL_METRICS, *SHOOTING_METRICS, *CHANCES_METRICS,
    *POSSESSION_METRICS, *MECHANIC_METRICS, *ROTATION_METRICS, *BOOST_MANAGEMENT_METRICS,
)
