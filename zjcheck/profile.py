"""The applicant profile: zjcheck.toml at the package root, a --profile file,
and CLI options (which win), field by field; the name may be inferred."""

from __future__ import annotations

import tomllib
from collections import Counter
from datetime import date
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from zjcheck.errors import UsageError
from zjcheck.model import Document, Profile
from zjcheck.extract import parse_date

FIELDS = ("name", "id_number", "employer", "title_date", "graduation_date", "route")
ROUTES = {"常规": "常规", "normal": "常规", "破格": "破格", "exceptional": "破格", "自评分": "破格"}


def _coerce(key: str, value: Any, where: str) -> Any:
    if key in ("title_date", "graduation_date"):
        if isinstance(value, date):
            return value
        d = parse_date(str(value))
        if d is None:
            raise UsageError(f"{where}：{key} 不是有效日期（应写作 2019-12-20）：{value!r}")
        return d
    if key == "route":
        r = ROUTES.get(str(value).strip())
        if r is None:
            raise UsageError(f"{where}：route 只能是“常规”或“破格”，而不是 {value!r}")
        return r
    if not isinstance(value, str):
        raise UsageError(f"{where}：{key} 应为文字")
    return value.strip() or None


def parse_profile_text(text: str, where: str) -> dict[str, Any]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{where} 不是有效的 TOML：{e}") from None
    raw = raw.get("applicant", raw)
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise UsageError(f"{where}：不认识的字段 {', '.join(sorted(unknown))}；可用：{', '.join(FIELDS)}")
    return {k: _coerce(k, v, where) for k, v in raw.items()}


def build(package_text: str | None, profile_file: Path | None, options: dict[str, Any]) -> Profile:
    p = Profile()
    layers: list[tuple[str, dict[str, Any]]] = []
    if package_text is not None:
        layers.append(("zjcheck.toml", parse_profile_text(package_text, "材料目录中的 zjcheck.toml")))
    if profile_file is not None:
        try:
            text = profile_file.read_text("utf-8-sig")
        except OSError as e:
            raise UsageError(f"无法读取申报人信息文件 {profile_file}：{e.strerror}") from None
        layers.append((str(profile_file), parse_profile_text(text, str(profile_file))))
    cli = {k: _coerce(k, v, "命令行参数") for k, v in options.items() if v is not None}
    layers.append(("命令行", cli))
    for source, values in layers:
        for k, v in values.items():
            if v is not None:
                setattr(p, k, v)
                p.sources[k] = source
    return p


def infer_name(documents: list[Document], personal: set[str]) -> str | None:
    """The name most personal records give in their 姓名 field."""
    from zjcheck.crossdoc import labelled_names
    votes: Counter[str] = Counter()
    for doc in documents:
        for page in doc.pages:
            if page.material in personal:
                for name, _conf in labelled_names(page):
                    votes[name] += 1
    if not votes:
        return None
    (best, n), *rest = votes.most_common(2) + [("", 0)]
    return best if n > rest[0][1] else None


def apply_hints(p: Profile, hints: list[tuple[str, Mapping[str, Any]]]) -> None:
    """Fill the profile fields neither zjcheck.toml nor the command line gave
    from the checkers' `profile_hints` ((material, {field: Fact}) in plugin
    order): the surest hint of a field wins, and the field is marked inferred."""
    best: dict[str, tuple[float, str, Any]] = {}
    for material, fields in hints:
        for key, fact in fields.items():
            if key not in FIELDS or fact is None or fact.value in (None, ""):
                continue
            score = fact.confidence + (1.0 if fact.strong else 0.0)
            if key not in best or score > best[key][0]:
                best[key] = (score, material, fact.value)
    for key, (_score, material, value) in best.items():
        if getattr(p, key) is None and key not in p.sources:
            setattr(p, key, value)
            p.sources[key] = "inferred"
            p.inferred_from[key] = material
