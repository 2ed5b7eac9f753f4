"""Page-text cache on disk, keyed by file content + engine + settings.

Lives in the user's cache directory (ZJCHECK_CACHE_DIR overrides), never in
the evidence folder, so a second run of an unchanged package does no OCR.
A file's pages are kept one by one as they are read (`put_page`), so a run
that is killed half-way keeps what it read; when the whole file is read its
pages become one entry (`put`) and the page entries go.
"""

from __future__ import annotations

import contextlib
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

    def _page_path(self, sha256: str, index: int) -> Path:
        assert self.dir is not None
        return self.dir / sha256[:2] / f"{sha256}-{self.settings}-p{index}.json"

    def get_page(self, sha256: str, index: int) -> PageText | None:
        """One page kept by a run that did not finish the file."""
        if self.dir is None:
            return None
        try:
            return PageText.from_json(json.loads(self._page_path(sha256, index).read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put_page(self, sha256: str, index: int, page: PageText) -> None:
        if self.dir is None or page.error:
            return
        self._write(self._page_path(sha256, index), page.to_json())

    def put(self, sha256: str, pages: list[PageText]) -> None:
        if self.dir is None or any(p.error for p in pages):
            return
        if self._write(self._path(sha256), {"pages": [p.to_json() for p in pages]}):
            for i in range(len(pages)):
                try:
                    self._page_path(sha256, i).unlink()
                except OSError:
                    pass

    @staticmethod
    def _write(path: Path, value: object) -> bool:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(value, f, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            return True
        except (OSError, ValueError, TypeError):
            return False          # a cache that cannot be written only costs time
