"""Fallback: build ReplayData from the engine's per-frame API.

Used only when the ndarray API refuses a replay because players joined or
left mid-match. Every player that ever had a car gets columns (absent rows
are ``present == False``); split-screen guests with no frames are dropped.
Rows are the replay's own network frames, so analysis weights them by
``dt``. The indicator columns are rebuilt from the API's event lists so the
analysis code sees the same shapes as on the primary path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rlcoach.replay import header as hdr
from rlcoach.replay.names import CAR_NAMES
from rlcoach.replay.types import UNKNOWN_ATTACKER, Frames, PlayerFrames, PlayerInfo, ReplayData

_RAW_BOOST_MAX = 255.0
_RESPAWN_S = 3.0


def _rb(frame: Any) -> dict[str, Any] | None:
    if not isinstance(frame, dict):
        return None
    data = frame.get("Data")
    return data if isinstance(data, dict) else None


def _vec(d: dict[str, Any] | None) -> tuple[float, float, float]:
    if not d:
        return (0.0, 0.0, 0.0)
    return (float(d.get("x", 0.0)), float(d.get("y", 0.0)), float(d.get("z", 0.0)))


def _id_key(remote: Any) -> str:
    return repr(sorted(remote.items())) if isinstance(remote, dict) else repr(remote)


def frames_from_frames_data(data: dict[str, Any]) -> ReplayData:
    meta = data["meta"]
    fd = data["frame_data"]
    meta_frames = fd["metadata_frames"]
    n = len(meta_frames)
    time = np.array([float(m.get("time", 0.0)) for m in meta_frames])
    state = np.array([int(m.get("replicated_game_state_name") or 0) for m in meta_frames],
                     dtype=np.int16)
    seconds = np.array([float(m.get("seconds_remaining") or 0) for m in meta_frames])
    countdown = np.array([float(m.get("replicated_game_state_time_remaining") or 0)
                          for m in meta_frames])
    ball_pos, ball_vel = np.zeros((n, 3)), np.zeros((n, 3))
    for k, f in enumerate(fd["ball_data"]["frames"][:n]):
        d = _rb(f)
        if d and d.get("rigid_body"):
            ball_pos[k] = _vec(d["rigid_body"].get("location"))
            ball_vel[k] = _vec(d["rigid_body"].get("linear_velocity"))
    known: dict[str, tuple[int | None, dict[str, Any]]] = {_id_key(p.get("remote_id")): (team, p)
             for team, key in ((0, "team_zero"), (1, "team_one")) for p in meta.get(key) or []}
    infos: list[PlayerInfo] = []
    columns: list[PlayerFrames] = []
    for remote, pdata in fd["players"]:
        frames = pdata.get("frames") or []
        pos, vel = np.zeros((n, 3)), np.zeros((n, 3))
        boost = np.zeros(n)
        present = np.zeros(n, dtype=bool)
        sliding = np.zeros(n, dtype=bool)
        dodging = np.zeros(n, dtype=bool)
        name, team = None, None
        for k, f in enumerate(frames[:n]):
            d = _rb(f)
            if not d or not d.get("rigid_body"):
                continue
            present[k] = True
            pos[k] = _vec(d["rigid_body"].get("location"))
            vel[k] = _vec(d["rigid_body"].get("linear_velocity"))
            boost[k] = float(d.get("boost_amount") or 0.0) * 100.0 / _RAW_BOOST_MAX
            sliding[k] = bool(d.get("powerslide_active"))
            dodging[k] = bool(d.get("dodge_active"))
            name = name or d.get("player_name")
            if team is None and d.get("is_team_0") is not None:
                team = 0 if d["is_team_0"] else 1
        if not present.any():
            continue  # split-screen guests and ghosts never had a car
        meta_team, mp = known.get(_id_key(remote), (team, {}))
        platform, pid = hdr._remote_id(remote)
        car_id = mp.get("car_body_id")
        infos.append(PlayerInfo(
            name=str(mp.get("name") or name or "?"), team=int(meta_team or 0),
            platform=platform, platform_id=pid, car_id=car_id,
            car_name=CAR_NAMES.get(car_id) if car_id is not None else None,
        ))
        # Same shape as the primary path: mark each slide's first and last row.
        edges = np.flatnonzero(np.diff(np.concatenate(([0], sliding.astype(np.int8), [0]))))
        marks = np.zeros(n, dtype=bool)
        marks[edges[0::2]] = True
        marks[np.maximum(edges[1::2] - 1, edges[0::2])] = True
        columns.append(PlayerFrames(
            pos=pos, vel=vel, boost=boost, present=present,
            demolished_by=np.full(n, -1, dtype=np.int16),
            touch=np.zeros(n, dtype=bool), pickup=np.zeros(n, dtype=bool),
            dodge=dodging & ~np.concatenate(([False], dodging[:-1])), powerslide=marks,
        ))
        columns[-1]._remote = _id_key(remote)  # type: ignore[attr-defined]
    # The engine lists players in hash order, which changes from call to call:
    # sort on what the replay says (team, first row present, identity) so the
    # same file always gives the same player order, keys and report.
    first_row = [int(np.argmax(c.present)) for c in columns]
    order = sorted(range(len(infos)), key=lambda i: (
        infos[i].team, first_row[i], infos[i].base_key, _id_key(columns[i]._remote)))  # type: ignore[attr-defined]
    infos = [infos[i] for i in order]
    columns = [columns[i] for i in order]
    index = {c._remote: i for i, c in enumerate(columns)}  # type: ignore[attr-defined]
    _apply_events(data, columns, infos, index, time)
    return ReplayData(
        header=hdr.header_dict(meta["all_headers"]), players=infos,
        frames=Frames(time=time, ball_pos=ball_pos, ball_vel=ball_vel, state=state,
                      players=columns, seconds_remaining=seconds,
                      kickoff_countdown=countdown),
        sample_rate=None, source="frames", game_type=meta.get("game_type") or {},
    )


def _apply_events(data: dict[str, Any], cols: list[PlayerFrames], infos: list[PlayerInfo],
                  index: dict[str, int], time: np.ndarray) -> None:
    n = len(time)
    for ev in data.get("boost_pad_events") or []:
        i = index.get(_id_key(ev.get("player")))
        if i is not None and "PickedUp" in (ev.get("kind") or {}) and ev.get("frame", n) < n:
            cols[i].pickup[ev["frame"]] = True
    for ev in data.get("touch_events") or []:
        k = ev.get("frame")
        if k is None or k >= n:
            continue
        i = index.get(_id_key(ev.get("player"))) if ev.get("player") else None
        if i is None:  # the API sometimes names only the team: nearest car on it
            team = 0 if ev.get("team_is_team_0") else 1
            ball = None
            cands = [j for j, p in enumerate(infos) if p.team == team and cols[j].present[k]]
            if cands:
                ball = data["frame_data"]["ball_data"]["frames"][k]
                bpos = np.array(_vec((_rb(ball) or {}).get("rigid_body", {}).get("location")))
                i = min(cands, key=lambda j: float(np.linalg.norm(cols[j].pos[k] - bpos)))
        if i is not None:
            cols[i].touch[k] = True
    for ev in data.get("demolish_infos") or []:
        v = index.get(_id_key(ev.get("victim")))
        a = index.get(_id_key(ev.get("attacker")))
        k = ev.get("frame")
        if v is None or k is None or k >= n:
            continue
        end = int(np.searchsorted(time, time[k] + _RESPAWN_S))
        cols[v].demolished_by[k:end] = a if a is not None else UNKNOWN_ATTACKER
