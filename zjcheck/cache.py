"""Page-text cache on disk, keyed by file content + engine + settings.

Lives in the user's cache directory (ZJCHECK_CACHE_DIR overrides), never in
the evidence folder, so a second run of an unchanged package does no OCR.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from platformdirs import user_cache_dir

from zjcheck.model import PageText

SCHEMA = 8     # bump when PageText or the analysis changes meaning (7: garbled layers OCR'd; 8: seals re-detected, rim text)


def default_dir() -> Path:
    env = os.environ.get("ZJCHECK_CACHE_DIR")
    return Path(env) if env else Path(user_cache_dir("zjcheck")) / "pages"


class PageCache:
    def __init__(self, directory: Path | None, settings: str) -> None:
        self.dir = directory
        self.settings = hashlib.sha256(f"{SCHEMA}|{settings}".encode()).hexdigest()[:16]

    def _path(self, sha256: str) -> Path:
        assert self.dir is not None
        return self.dir / sha256[:2] / f"{sha256}-{self.settings}.json"

    def get(self, sha256: str) -> list[PageText] | None:
        if self.dir is None:
            return None
        try:
            raw = json.loads(self._path(sha256).read_text("utf-8"))
            return [PageText.from_json(p) for p in raw["pages"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, sha256: str, pages: list[PageText]) -> None:
        if self.dir is None or any(p.error for p in pages):
            return
        path = self._path(sha256)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"pages": [p.to_json() for p in pages]}, f, ensure_ascii=False)
            os.replace(tmp, path)
        except OSError:
            pass          # a cache that cannot be written only costs time
