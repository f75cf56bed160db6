"""Generate the dashboard's rank reference file from ballchasing's population means.

Reads ``../shared/benchmarks/ballchasing-rank-means.json`` (a capture of
ballchasing.com's ``/population/average/stats`` endpoint; see the README next
to it) and writes ``src/rlcoach/tui/data/rank_means.json``, which ships in the
package and is what the Compare screen reads.

The output keeps the limits of the source beside the numbers, because the
dashboard must show them next to every comparison: means only (no spread, no
percentiles), all playlists pooled, captured before early 2023. Ballchasing
stat names are mapped to registry ``group.key`` names only where the meaning
is the same; stats with no registry counterpart are listed as unmapped rather
than forced onto a metric that merely sounds alike.

Usage::

    python scripts/gen_rank_benchmarks.py            # default paths
    python scripts/gen_rank_benchmarks.py SRC OUT    # explicit paths

Re-running on the same input produces byte-identical output (sorted keys,
fixed rounding), so the committed file only changes when the source does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SRC = ROOT.parent / "shared" / "benchmarks" / "ballchasing-rank-means.json"
DEFAULT_OUT = ROOT / "src" / "rlcoach" / "tui" / "data" / "rank_means.json"

TIERS: dict[int, str] = {
    1: "Bronze", 4: "Silver", 7: "Gold", 10: "Platinum", 13: "Diamond",
    16: "Champion", 19: "Grand Champion", 999: "Pro",
}

# ballchasing population stat name -> registry group.key. Most names are the
# registry key itself (ballchasing's API names); the population endpoint uses a
# few older spellings, mapped here by meaning:
#   avg_boost_amount                                  -> boost.avg_amount
#   avg_distance_ball / dist_to_mates                 -> positioning.avg_distance_to_*
#   avg_powerslide  average powerslide duration (s)   -> movement.avg_powerslide_duration
#   percent_last_defender / percent_first_attacker    -> percent_most_back / _most_forward
#     (ballchasing's API renamed them; same definition, far fewer games: ~0.77M)
# Left unmapped on purpose: ``bcolpm`` reads like the API's ``bcpm``, but its
# means sit 2-8% *below* ``bpm`` in every tier, while ``bcpm`` (per minute of
# the player's own time) can only be at or above ``bpm``; so it is some other
# definition, and a wrong reference is worse than none.
MAPPING: dict[str, str] = {
    "assists": "core.assists",
    "goals": "core.goals",
    "saves": "core.saves",
    "shots": "core.shots",
    "score": "core.score",
    "bpm": "boost.bpm",
    "avg_boost_amount": "boost.avg_amount",
    "boost_count_collected_big": "boost.count_collected_big",
    "boost_count_collected_small": "boost.count_collected_small",
    "boost_count_stolen_big": "boost.count_stolen_big",
    "boost_count_stolen_small": "boost.count_stolen_small",
    "time_zero_boost": "boost.time_zero_boost",
    "avg_speed": "movement.avg_speed",
    "avg_powerslide": "movement.avg_powerslide_duration",
    "percent_slow_speed": "movement.percent_slow_speed",
    "percent_boost_speed": "movement.percent_boost_speed",
    "percent_supersonic_speed": "movement.percent_supersonic_speed",
    "percent_ground": "movement.percent_ground",
    "percent_low_air": "movement.percent_low_air",
    "percent_high_air": "movement.percent_high_air",
    "avg_distance_ball": "positioning.avg_distance_to_ball",
    "dist_to_mates": "positioning.avg_distance_to_mates",
    "percent_defensive_third": "positioning.percent_defensive_third",
    "percent_neutral_third": "positioning.percent_neutral_third",
    "percent_offensive_third": "positioning.percent_offensive_third",
    "percent_defensive_half": "positioning.percent_defensive_half",
    "percent_offensive_half": "positioning.percent_offensive_half",
    "percent_behind_ball": "positioning.percent_behind_ball",
    "percent_infront_ball": "positioning.percent_infront_ball",
    "percent_closest_to_ball": "positioning.percent_closest_to_ball",
    "percent_farthest_from_ball": "positioning.percent_farthest_from_ball",
    "percent_last_defender": "positioning.percent_most_back",
    "percent_first_attacker": "positioning.percent_most_forward",
    "demos_inflicted": "demo.inflicted",
    "demos_taken": "demo.taken",
}

# Per-game totals grow with match length and team size; the Compare screen
# flags them so nobody reads "0.5 goals vs 1.1" as a skill gap in 1v1.
PER_GAME_TOTALS = frozenset({
    "core.assists", "core.goals", "core.saves", "core.shots", "core.score",
    "boost.count_collected_big", "boost.count_collected_small", "boost.count_stolen_big",
    "boost.count_stolen_small", "boost.time_zero_boost", "demo.inflicted", "demo.taken",
})

SOURCE = {
    "name": "ballchasing.com population averages (/population/average/stats)",
    "url": "https://ballchasing.com",
    "captured": "before early 2023 (capture found in a repository commit dated 2023-02-05)",
    "limits": [
        "means only: no spread, no percentiles",
        "all playlists pooled (1v1, 2v2, 3v3, extra modes together)",
        "no date range beyond 'before early 2023'",
        "a tier covers its whole rank group (e.g. Diamond I-III)",
    ],
    "short": "ballchasing population means, all playlists pooled, pre-2023, means only",
}


def generate(raw: list[dict]) -> dict:
    """The output document for one parsed source file (pure, for tests)."""
    from rlcoach.report.registry import BY_QUALIFIED

    for qualified in MAPPING.values():
        if qualified not in BY_QUALIFIED:  # the registry is the single source of names
            raise SystemExit(f"mapping names unknown metric {qualified}")
    stats: dict[str, dict] = {}
    unmapped: list[str] = []
    for entry in raw:
        name = entry["name"]
        qualified = MAPPING.get(name)
        if qualified is None:
            unmapped.append(name)
            continue
        tiers = {}
        for tier, games, mean in sorted(entry["points"]):
            tiers[str(tier)] = {"games": int(games), "mean": round(float(mean), 4)}
        stats[qualified] = {
            "source_name": name,
            "games": int(entry["count"]),
            "per_game_total": qualified in PER_GAME_TOTALS,
            "tiers": tiers,
        }
    return {
        "source": SOURCE,
        "tiers": {str(k): v for k, v in TIERS.items()},
        "stats": dict(sorted(stats.items())),
        "unmapped": sorted(unmapped),
    }


def main(argv: list[str]) -> int:
    src = Path(argv[0]) if argv else DEFAULT_SRC
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    raw = json.loads(src.read_text(encoding="utf-8"))
    doc = generate(raw)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"{out}: {len(doc['stats'])} stats mapped, unmapped: {', '.join(doc['unmapped'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
