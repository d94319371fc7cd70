"""Commands for the nlp area. PLACEHOLDER: filled in by the owner of this module."""
from __future__ import annotations

import click

COMMANDS: list[click.Command] = []
