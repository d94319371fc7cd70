"""Print each alert to a terminal stream: the alert feed for someone watching a run."""
from __future__ import annotations

from typing import TextIO

from ..records import DeliveryResult, Notification


class ConsoleNotifier:
    def __init__(self, stream: TextIO):
        self.stream = stream

    def send(self, notification: Notification) -> DeliveryResult:
        try:
            self.stream.write(notification.body.rstrip("\n") + "\n\n")
            self.stream.flush()
        except (OSError, ValueError) as exc:  # closed pipe or stream: nobody is reading
            return DeliveryResult.permanent(f"console: {type(exc).__name__}: {exc}")
        return DeliveryResult.success()
