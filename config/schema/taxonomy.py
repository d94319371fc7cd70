"""Schema of taxonomy.yaml. PLACEHOLDER: replaced by the owner of this file."""
from __future__ import annotations

from pydantic import ConfigDict

from .base import StrictModel


class TaxonomyFile(StrictModel):
    model_config = ConfigDict(extra="allow", frozen=True)
