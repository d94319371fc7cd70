"""Progress bars: drawn on a terminal, silent under cron."""
from __future__ import annotations

import io

from commands.progress import progress_bar


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_bar_when_not_a_terminal():
    stream = io.StringIO()
    with progress_bar("analyse", stream=stream) as update:
        assert update is None
    assert stream.getvalue() == ""


def test_bar_on_a_terminal():
    stream = Terminal()
    with progress_bar("analyse", stream=stream) as update:
        update(5, 10)
        update(10, 10)
    assert "analyse" in stream.getvalue() and "100%" in stream.getvalue()
