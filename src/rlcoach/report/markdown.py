"""The Markdown dossier: a report for people, GitHub-flavoured.

Summary first (result, score, MVP, the user's own line), then ballchasing-
style tables per stat group for teams and players, then the timeline of
goals and demolitions at the in-game clock (forfeits shown in the summary).
Labels and units come from the metric registry.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from rlcoach.report.registry import ALL_GROUPS, Metric, metrics_in

_GROUP_TITLES = {"core": "Core", "boost": "Boost", "movement": "Movement",
                 "positioning": "Positioning", "demo": "Demolitions", "kickoffs": "Kickoffs",
                 "rotation": "Rotation", "boost_management": "Boost management"}
# Wide groups are split so every table stays readable in a terminal.
_MAX_COLUMNS = 7


def _fmt(value: Any, m: Metric | None = None) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int) or (m is not None and m.integer):
        return f"{round(float(value)):,}"
    return f"{float(value):,.2f}".rstrip("0").rstrip(".")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _when(event: dict[str, Any]) -> str:
    """The in-game clock; the recording time when the replay lacks a clock."""
    if event.get("clock"):
        return str(event["clock"])
    return f"{_clock(event.get('time'))} rec." if event.get("time") is not None else "?"


def _ending(r: dict[str, Any]) -> str:
    if r.get("forfeit"):
        at = f" at {r['end_clock']}" if r.get("end_clock") else ""
        return f" (forfeit{at})"
    return " (overtime)" if r.get("overtime") else ""


def _figure_links(figures: list[tuple[str, str]]) -> list[str]:
    if not figures:
        return []
    out = ["", "## Figures", ""]
    for path, alt in figures:
        text = alt.replace("[", "(").replace("]", ")").replace("\n", " ")
        out += [f"![{text}]({quote(path)})", ""]
    out.pop()
    return out


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in headers) + " |",
           "|" + "|".join(["---"] + ["---:"] * (len(headers) - 1)) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


_TOP_FOR_ME = 3
_TOP_PER_PLAYER = 1


def _findings(report: dict[str, Any]) -> list[str]:
    """Top findings: the user's when ``is_me`` is known, else each player's best one."""
    from rlcoach.report.insights import too_little_data

    insights = report.get("insights")
    if insights is None:  # a report from before 1.6
        return []
    me = next((p for p in report["players"] if p.get("is_me")), None)
    if me is not None:
        chosen = [f for f in insights if f["player"] == me["key"]][:_TOP_FOR_ME]
        judged = [me]
    else:
        chosen = []
        for p in report["players"]:
            chosen += [f for f in insights if f["player"] == p["key"]][:_TOP_PER_PLAYER]
        judged = list(report["players"])
    lines = ["", "## Top findings", ""]
    if not chosen:
        lines.append("Nothing stood out against this lobby.")
    for n, f in enumerate(chosen, 1):
        b = f["baseline"]
        others = "; ".join(f"{x['source']}: {_fmt(x['value'])}" for x in f["baselines"][1:])
        lines.append(f"{n}. **{f['claim']}**")
        lines.append(f"   Effect {_fmt(f['effect'])} ({f['severity']}) against {b['source']} "
                     f"(n = {b['n']}){'; ' + others if others else ''}.")
        if f["moments"]:
            lines.append("   Rewatch: " + "; ".join(f"{_when(m)} {m['what']}"
                                                    for m in f["moments"]) + ".")
        lines.append(f"   Practise: {f['practice']}")
    gaps: dict[str, list[str]] = {}
    for p in judged:
        for rule in too_little_data(report, p["key"]):
            gaps.setdefault(rule, []).append(p["name"])
    if gaps:
        lines += ["", "Too little data to judge: " + "; ".join(
            f"{rule} ({', '.join(names)})" for rule, names in gaps.items()) + "."]
    return lines


def render_markdown(report: dict[str, Any], figures: list[tuple[str, str]] | None = None) -> str:
    """The dossier; ``figures`` are (relative SVG path, alt text) pairs embedded
    after the summary (``pipeline.output`` writes the files beside the .md)."""
    r = report["replay"]
    players = report["players"]
    names = {p["key"]: p["name"] for p in players}
    score = r["score"]
    lines = [f"# {r.get('title') or r['file_name']}", ""]
    winner = r.get("winner")
    result = f"**{winner.capitalize()} wins**" if winner else "**Draw**"
    lines.append(f"{result} {score['blue']}–{score['orange']}{_ending(r)} · "
                 f"{r.get('playlist_name') or r['playlist']} · "
                 f"{r.get('map_name') or r.get('map_code') or 'unknown map'} · "
                 f"{r.get('date') or 'date unknown'} · {_clock(r.get('duration'))} recorded")
    lines.append("")
    mvp = next((p for p in players if p["stats"]["core"].get("mvp")), None)
    if mvp:
        lines.append(f"MVP: **{mvp['name']}** ({mvp['team']}, "
                     f"{mvp['stats']['core']['score']} points)")
    for me in (p for p in players if p.get("is_me")):
        c, b, mv = me["stats"]["core"], me["stats"]["boost"], me["stats"]["movement"]
        won = winner == me["team"]
        lines.append(
            f"You (**{me['name']}**, {me['team']}): {'won' if won else 'lost'} · "
            f"{c['goals']} goals, {c['assists']} assists, {c['saves']} saves, "
            f"{c['shots']} shots, {c['score']} points · {_fmt(b['bpm'])} BPM · "
            f"{_fmt(mv['percent_supersonic_speed'])}% supersonic")
    warnings = report.get("quality", {}).get("warnings") or []
    if warnings:
        lines += ["", "> **Data quality:** " + "; ".join(w["message"] for w in warnings)]
    lines += _findings(report)
    lines += _figure_links(figures or [])
    lines += ["", "## Teams", ""]
    teams = report["teams"]
    ball = [["Blue", _fmt(teams["blue"]["score"]),
             _fmt(teams["blue"]["stats"]["ball"]["possession_time"]),
             _fmt(teams["blue"]["stats"]["ball"]["time_in_side"])],
            ["Orange", _fmt(teams["orange"]["score"]),
             _fmt(teams["orange"]["stats"]["ball"]["possession_time"]),
             _fmt(teams["orange"]["stats"]["ball"]["time_in_side"])]]
    lines += _table(["Team", "Goals", "Possession (s)", "Ball in own half (s)"], ball)
    ordered = sorted(players, key=lambda p: (p["team"] != "blue", -p["stats"]["core"]["score"]))
    for group in ALL_GROUPS:
        if not any(group in p["stats"] for p in ordered):
            continue  # a coaching group older reports lack
        metrics = [m for m in metrics_in(group)]
        lines += ["", f"## {_GROUP_TITLES.get(group, group.replace('_', ' ').capitalize())}", ""]
        for start in range(0, len(metrics), _MAX_COLUMNS):
            chunk = metrics[start:start + _MAX_COLUMNS]
            headers = ["Player"] + [m.header for m in chunk]
            rows = [[f"{p['name']} ({p['team'][0].upper()})"]
                    + [_fmt(p["stats"].get(group, {}).get(m.key), m) for m in chunk]
                    for p in ordered]
            lines += [*_table(headers, rows), ""]
        lines.pop()
    ev = report["events"]
    timeline = [(g, "Goal", f"{names.get(g['scorer'], '?')} ({g['team']})"
                 + (f", assist {names[g['assister']]}" if g.get("assister") in names else "")
                 + (f", {g['ball_speed'] * 0.036:.0f} km/h" if g.get("ball_speed") else ""))
                for g in ev["goals"]]
    timeline += [(d, "Demolition", f"{names.get(d['attacker'], '?')} → "
                  f"{names.get(d['victim'], '?')}") for d in ev["demolitions"]]
    lines += ["", "## Timeline", ""]
    if timeline:
        timeline.sort(key=lambda e: (e[0]["time"] is None, e[0]["time"] or 0))
        lines += _table(["Clock", "Event", "Detail"],
                        [[_when(e), kind, text] for e, kind, text in timeline])
    else:
        lines.append("No goals or demolitions.")
    k = ev["kickoffs"]
    if k:
        won = {t: sum(1 for x in k if x.get("first_touch_team") == t) for t in ("blue", "orange")}
        lines += ["", f"Kickoffs: {len(k)} · first touch blue {won['blue']}, "
                      f"orange {won['orange']}"]
    g = report["generator"]
    lines += ["", f"<sub>rlcoach {g['version']} · {g['engine']['name']} "
                  f"{g['engine']['version']} · report schema {report['schema_version']}</sub>", ""]
    return "\n".join(lines)
