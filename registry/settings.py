"""What a deployment may tune in the registry (section `[registry]` of the configuration)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RegistrySettings:
    # XDSTooManyResults above these caps (checklist 3.3, paging and large results).
    max_leafclass_results: int = 1000
    max_objectref_results: int = 10000
    # Affinity-domain value sets (NIST codes.xml format); None accepts any code (checklist 2.6, codes).
    codes_file: Path | None = None
    # Our homeCommunityId, put on returned objects when set (checklist 3.1, homeCommunityId).
    home_community_id: str | None = None
