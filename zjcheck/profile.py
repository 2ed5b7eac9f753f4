"""The applicant profile: zjcheck.toml at the package root, a --profile file,
and CLI options (which win), field by field; the name may be inferred."""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from zjcheck.errors import UsageError
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import plausible_name
from zjcheck.model import Document, Profile
from zjcheck.extract import parse_date

FIELDS = ("name", "id_number", "employer", "title_date", "graduation_date", "route")
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2100, 12, 31)   # a date outside is a typo, not a fact
MAX_VALUE = 200          # characters kept of a text field (a name, an employer)
ROUTES = {"常规": "常规", "normal": "常规", "破格": "破格", "exceptional": "破格", "自评分": "破格"}


def _coerce(key: str, value: Any, where: str) -> Any:
    if key in ("title_date", "graduation_date"):
        if isinstance(value, datetime):
            value = value.date()                 # TOML's 2019-12-20T08:00:00: the day
        d = value if isinstance(value, date) else parse_date(str(value)[:40])
        if d is None:
            raise UsageError(f"{where}：{key} 不是有效日期（应写作 2019-12-20）：{str(value)[:80]!r}")
        if not MIN_DATE <= d <= MAX_DATE:
            raise UsageError(f"{where}：{key} 的日期 {d.isoformat()} 不合理（应在 {MIN_DATE.year}–{MAX_DATE.year} 年之间）")
        return d
    if key == "route":
        r = ROUTES.get(str(value).strip()) if isinstance(value, str) else None
        if r is None:
            raise UsageError(f"{where}：route 只能是“常规”或“破格”，而不是 {str(value)[:80]!r}")
        return r
    if not isinstance(value, str):
        raise UsageError(f"{where}：{key} 应为文字")
    return value.strip()[:MAX_VALUE] or None


def parse_profile_text(text: str, where: str) -> dict[str, Any]:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{where} 不是有效的 TOML：{e}") from None
    except RecursionError:
        raise UsageError(f"{where} 不是有效的 TOML：嵌套过深") from None
    raw = raw.get("applicant", raw)
    if not isinstance(raw, dict):
        raise UsageError(f"{where}：[applicant] 应是一个表（字段 = 值），可用字段：{', '.join(FIELDS)}")
    unknown = set(raw) - set(FIELDS)
    if unknown:
        shown = ", ".join(repr(k)[:40] for k in sorted(unknown)[:10])
        raise UsageError(f"{where}：不认识的字段 {shown}；可用：{', '.join(FIELDS)}")
    return {k: _coerce(k, v, where) for k, v in raw.items()}


def read_profile_file(path: Path) -> str:
    """A --profile file by the walker's rules for zjcheck.toml: a regular
    file, at most PROFILE_BYTES, UTF-8/UTF-16/GBK text."""
    from zjcheck import limits
    from zjcheck.walk import _open_regular, decode_text
    try:
        with _open_regular(path) as f:
            data = f.read(limits.PROFILE_BYTES + 1)
    except OSError as e:
        raise UsageError(f"无法读取申报人信息文件 {path}：{e.strerror or e}") from None
    if len(data) > limits.PROFILE_BYTES:
        raise UsageError(f"申报人信息文件 {path} 超过上限 {limits.size(limits.PROFILE_BYTES)}：它不像 zjcheck.toml")
    text = decode_text(data)
    if text is None:
        raise UsageError(f"申报人信息文件 {path} 不是文本（UTF-8 或 GBK）：请用记事本另存为 UTF-8")
    return text


def build(package_text: str | None, profile_file: Path | None, options: dict[str, Any]) -> Profile:
    p = Profile()
    layers: list[tuple[str, dict[str, Any]]] = []
    if package_text is not None:
        layers.append(("zjcheck.toml", parse_profile_text(package_text, "材料目录中的 zjcheck.toml")))
    if profile_file is not None:
        text = read_profile_file(profile_file)
        layers.append((str(profile_file), parse_profile_text(text, str(profile_file))))
    cli = {k: _coerce(k, v, "命令行参数") for k, v in options.items() if v is not None}
    layers.append(("命令行", cli))
    for source, values in layers:
        for k, v in values.items():
            if v is not None:
                setattr(p, k, v)
                p.sources[k] = source
    return p


# how much one reading of a name counts in the vote: typed sheets and text
# layers are read exactly; an OCR reading counts with its line confidence
VOTE_WEIGHT = {"sheet": 3.0, "text-layer": 2.0}


def name_readings(documents: list[Document], personal: set[str]) -> list[Fact]:
    """Every reading of the applicant's name: the 姓名 field of personal
    records, the 申报人 of the score sheet and the work summary."""
    from zjcheck.crossdoc import APPLICANT_LABEL, labelled_names
    out: list[Fact] = []
    for doc in documents:
        for page in doc.pages:
            if page.material in personal:
                found = labelled_names(page)
            elif page.material in ("score_sheet", "summary"):
                found = labelled_names(page, APPLICANT_LABEL)
            else:
                continue
            out.extend(page_fact(name, page, conf) for name, conf in found if plausible_name(name))
    return out


def _one_apart(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 1


def infer_name(documents: list[Document], personal: set[str]) -> Fact | None:
    """The applicant's name by vote over every document that names them.

    Readings one character apart are one candidate (an OCR misreading of the
    same name: 林晓雯 / 林晓去); the candidate with the most weight wins and is
    spelt as its best-supported reading, typed and text-layer readings
    counting most.  The result is a strong fact when it rests on a typed
    sheet or text layer, or on readings from two or more documents."""
    readings = name_readings(documents, personal)
    if not readings:
        return None
    weight: dict[str, float] = {}
    docs: dict[str, set[str]] = {}
    exact: dict[str, Fact] = {}
    for f in readings:
        weight[f.value] = weight.get(f.value, 0.0) + VOTE_WEIGHT.get(f.source, f.confidence)
        docs.setdefault(f.value, set()).add(f.path or "")
        if f.value not in exact or (not exact[f.value].strong and f.strong):
            exact[f.value] = f
    groups: list[list[str]] = []
    for name in sorted(weight, key=lambda n: -weight[n]):
        home = next((g for g in groups if _one_apart(g[0], name)), None)
        (home.append(name) if home is not None else groups.append([name]))
    scored = sorted(((sum(weight[n] for n in g), g) for g in groups), key=lambda t: -t[0])
    total, group = scored[0]
    if len(scored) > 1 and scored[1][0] >= total:
        return None                      # a tie: no name can be claimed
    best = group[0]                      # the heaviest spelling of the winning group
    support = set().union(*(docs[n] for n in group))
    typed = any(exact[n].source in VOTE_WEIGHT for n in group if exact[n].value == best)
    sure = typed or len(docs[best]) >= 2
    f = exact[best]
    return Fact(best, f.source, f.confidence if not sure else max(f.confidence, 0.9), f.path, f.page,
                confirmed_by=tuple(sorted(support - {f.path or ""}))[:5])


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
                best[key] = (score, material, fact)
    for key, (_score, material, fact) in best.items():
        if getattr(p, key) is None and key not in p.sources:
            setattr(p, key, fact.value)
            p.sources[key] = "inferred"
            p.inferred_from[key] = material
            p.facts[key] = fact


def fact_of(p: Profile, key: str) -> Fact | None:
    """The profile field as a Fact: given (zjcheck.toml, command line) it is
    sure; inferred, it is as sure as what it was read from."""
    value = getattr(p, key, None)
    if value is None:
        return None
    if p.sources.get(key) == "inferred":
        return p.facts.get(key)
    return Fact(value, "profile")
