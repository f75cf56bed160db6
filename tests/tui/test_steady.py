"""The dashboard does not keep what it no longer shows (item: memory flat over switches)."""

from __future__ import annotations

import gc

import pytest
from textual.widgets._footer import FooterKey

from rlcoach.tui.app import NAVIGATION

from .conftest import settle

pytestmark = pytest.mark.anyio


async def test_view_switches_leave_no_widgets_behind(make_app) -> None:
    app = make_app()
    keys = [key for _view, _label, key, _help in NAVIGATION]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        async def switch(n: int) -> None:
            for i in range(n):
                await pilot.press(keys[(i + 1) % len(keys)])
                await pilot.pause()

        await switch(len(keys))  # every view mounted once
        gc.collect()
        alive = sum(isinstance(o, FooterKey) for o in gc.get_objects())
        await switch(16)  # a leak of ~20 footer keys a switch shows in far fewer
        gc.collect()
        detached = [o for o in gc.get_objects() if isinstance(o, FooterKey) and not o.is_attached]
        assert detached == []  # Textual's Footer kept ~20 per switch
        assert sum(isinstance(o, FooterKey) for o in gc.get_objects()) <= alive + 2
        assert gc.get_freeze_count() > 0  # frozen once after the views mounted ...
        frozen = gc.get_freeze_count()
        await switch(4)
        assert gc.get_freeze_count() <= frozen  # ... not again on every switch (it would grow)
