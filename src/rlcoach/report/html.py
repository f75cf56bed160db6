"""The HTML report: one self-contained file per replay, readable offline.

Reading order is summary, findings, figures, then the stat tables; the
tables sort on a header click. Everything is inline: the figures are SVG
elements, the style sheet and the 20-line sorting script sit in the page,
and a Content-Security-Policy of ``default-src 'none'`` makes the browser
refuse any request the page might still try (a stray URL in a player's name
cannot fetch anything). Every string from the replay is HTML-escaped. The
layout is one column that scales from a phone to a desktop; wide tables
scroll sideways inside their own box.
"""

from __future__ import annotations

from html import escape
from typing import Any

from rlcoach.report.figures import Figure
from rlcoach.report.markdown import _GROUP_TITLES, _ending, _fmt, _when
from rlcoach.report.registry import ALL_GROUPS, metrics_in

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:")

_STYLE = """
:root{--ink:#222;--muted:#666;--line:#ddd;--blue:#0072B2;--orange:#E69F00}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1100px;padding:16px;font:15px/1.45 system-ui,-apple-system,
'Segoe UI',Roboto,sans-serif;color:var(--ink);background:#fff}
h1{font-size:1.4em;margin:.2em 0}
h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid var(--line)}
.summary{color:var(--muted)}
.warn{background:#fff6e0;border-left:4px solid var(--orange);padding:6px 10px}
figure{margin:1em 0}figure svg{max-width:100%;height:auto;display:block}
figcaption{color:var(--muted);font-size:.9em}
.findings li{margin:.4em 0}.practice{color:var(--muted)}
.scroll{overflow-x:auto}table{border-collapse:collapse;font-size:.9em;white-space:nowrap}
th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:right}
th:first-child,td:first-child{text-align:left;position:sticky;left:0;background:#fff}
th{cursor:pointer;user-select:none}th[aria-sort]::after{content:" ↕";color:var(--muted)}
.blue{border-left:4px solid var(--blue)}.orange{border-left:4px solid var(--orange)}
tr.me td{font-weight:700}
"""

# Sort a table by the clicked column: numbers numerically, text alphabetically.
_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.setAttribute('aria-sort','none');
  th.addEventListener('click', function(){
    var body = th.closest('table').tBodies[0];
    var desc = th.getAttribute('aria-sort') !== 'descending';
    var key = function(tr){ var t = tr.cells[col].getAttribute('data-v');
      var n = parseFloat(t); return isNaN(n) ? t : n; };
    Array.from(body.rows).sort(function(a, b){
      var x = key(a), y = key(b); var c = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -c : c; }).forEach(function(tr){ body.appendChild(tr); });
    th.closest('tr').querySelectorAll('th').forEach(function(o){
      o.setAttribute('aria-sort','none'); });
    th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
  });
});
"""


def render_html(report: dict[str, Any], figures: list[Figure]) -> str:
    r = report["replay"]
    title = r.get("title") or r["file_name"]
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>",
        *_summary(report), *_findings(report),
    ]
    if figures:
        parts.append("<h2>Figures</h2>")
        parts += [f'<figure id="fig-{f.name}">{f.svg}<figcaption>{escape(f.alt)}</figcaption>'
                  "</figure>" for f in figures]
    parts += _tables(report)
    g = report["generator"]
    parts.append(f'<p class="summary"><small>rlcoach {escape(g["version"])} · '
                 f'{escape(g["engine"]["name"])} {escape(g["engine"]["version"])} · '
                 f'report schema {escape(report["schema_version"])}</small></p>')
    parts.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "\n".join(parts)


def _summary(report: dict[str, Any]) -> list[str]:
    r = report["replay"]
    score, winner = r["score"], r.get("winner")
    result = f"{winner.capitalize()} wins" if winner else "Draw"
    out = [f"<h1>{escape(r.get('title') or r['file_name'])}</h1>",
           f'<p><strong>{result} {score["blue"]}–{score["orange"]}</strong>'
           f"{escape(_ending(r))} · {escape(r.get('playlist_name') or r['playlist'])} · "
           f"{escape(r.get('map_name') or r.get('map_code') or 'unknown map')} · "
           f"{escape(r.get('date') or 'date unknown')}</p>"]
    for me in (p for p in report["players"] if p.get("is_me")):
        c = me["stats"]["core"]
        out.append(f'<p class="summary">You ({escape(me["name"])}, {me["team"]}): '
                   f"{c['goals']} goals, {c['assists']} assists, {c['saves']} saves, "
                   f"{c['shots']} shots, {c['score']} points</p>")
    warnings = (report.get("quality") or {}).get("warnings") or []
    if warnings:
        out.append('<p class="warn"><strong>Data quality:</strong> '
                   + "; ".join(escape(w["message"]) for w in warnings) + "</p>")
    return out


def _findings(report: dict[str, Any], limit: int = 5) -> list[str]:
    insights = report.get("insights") or []
    if not insights:
        return []
    out = ["<h2>What to work on</h2>", '<ol class="findings">']
    for item in insights[:limit]:
        moments = ", ".join(escape(_when(m)) for m in (item.get("moments") or [])[:5])
        out.append(f"<li>{escape(str(item.get('claim', '')))}"
                   + (f" <small>(at {moments})</small>" if moments else "")
                   + (f'<div class="practice">Practise: {escape(str(item["practice"]))}</div>'
                      if item.get("practice") else "") + "</li>")
    return [*out, "</ol>"]


def _tables(report: dict[str, Any]) -> list[str]:
    players = sorted(report["players"],
                     key=lambda p: (p["team"] != "blue", -p["stats"]["core"]["score"]))
    out: list[str] = []
    for group in ALL_GROUPS:
        if not any(group in p["stats"] for p in players):
            continue
        metrics = list(metrics_in(group))
        out.append(f"<h2>{escape(_GROUP_TITLES.get(group, group.replace('_', ' ').title()))}</h2>")
        head = "".join(f'<th title="{escape(m.definition)}">{escape(m.header)}</th>'
                       for m in metrics)
        rows = []
        for p in players:
            stats = p["stats"].get(group, {})
            cells = "".join(f'<td data-v="{escape(str(stats.get(m.key, "")))}">'
                            f"{escape(_fmt(stats.get(m.key), m))}</td>" for m in metrics)
            me = ' class="me"' if p.get("is_me") else ""
            rows.append(f'<tr{me}><td class="{p["team"]}" data-v="{escape(p["name"])}">'
                        f"{escape(p['name'])}</td>{cells}</tr>")
        out.append(f'<div class="scroll"><table class="sortable"><thead><tr><th>Player</th>'
                   f"{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")
    return out
