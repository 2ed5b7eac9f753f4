"""Administrative regions (GB/T 2260): the provinces' 2-digit codes, the
start of an ID number, of a DB 地方标准 number and of a CN 刊号."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def provinces() -> frozenset[str]:
    raw = tomllib.loads(resources.files("zjcheck").joinpath("data/extract.toml").read_text("utf-8"))
    return frozenset(raw["regions"]["provinces"])
