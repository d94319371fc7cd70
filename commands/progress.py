"""Progress bars on a terminal, silence under cron: stages take a plain callback."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

Progress = Callable[[int, int], None]  # (done, total)


@contextmanager
def progress_bar(label: str, *, stream=None) -> Iterator[Progress | None]:
    """Yield a callback drawing a bar when `stream` (stderr) is a terminal, else None."""
    stream = stream or sys.stderr
    if not getattr(stream, "isatty", lambda: False)():
        yield None
        return
    state: dict[str, object] = {}

    def update(done: int, total: int) -> None:
        bar = state.get("bar")
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label=label, file=stream)
            bar.__enter__()
            state["bar"], state["done"] = bar, 0
        bar.length = max(total, 1)
        bar.update(done - int(state["done"]))
        state["done"] = done

    try:
        yield update
    finally:
        if "bar" in state:
            state["bar"].__exit__(None, None, None)
