"""Append each alert as one JSON line to a feed file, for other tools to tail or import."""
from __future__ import annotations

import errno
import json
import os
from pathlib import Path

from ..records import DeliveryResult, Notification

RETRYABLE_ERRNOS = {errno.ENOSPC, errno.EAGAIN, errno.EINTR, errno.EBUSY, errno.EDQUOT}


class FileNotifier:
    def __init__(self, path: Path):
        self.path = path

    def send(self, notification: Notification) -> DeliveryResult:
        record = dict(notification.payload)
        record.setdefault("subject", notification.subject)
        record.setdefault("text", notification.body)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # one write of one line in append mode: concurrent readers never see half a record
            with open(self.path, "a", encoding="utf-8") as handle:
                handle.write(line)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            message = f"file {self.path}: {exc.strerror or exc}"
            if exc.errno in RETRYABLE_ERRNOS:
                return DeliveryResult.retry(message)
            return DeliveryResult.permanent(message)
        return DeliveryResult.success()
