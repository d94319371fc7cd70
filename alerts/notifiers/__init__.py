"""One module per receiver type. Each notifier has ``send(Notification) -> DeliveryResult`` and
never raises for a delivery problem: it says whether the failure is worth retrying, with an
error text from which every secret has been removed."""
from __future__ import annotations

from .base import Notifier, build_notifier, redact

__all__ = ["Notifier", "build_notifier", "redact"]
