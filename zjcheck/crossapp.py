"""Checks across applicants, for `zjcheck batch` (SPEC §4, BAT001–BAT003):
what only a reviewer with many folders can see.

    BAT001  the same page image in two applicants' packages (an assessment
            form, a certificate reused with the name changed)
    BAT002  one patent / standard / paper / book / project claimed by two
            applicants with roles that cannot both hold (two first
            inventors, two 负责人 of one team, two authors at one position)
    BAT003  two work summaries or assessment forms sharing long passages

Each applicant's run is reduced to an `ApplicantPrint` (`fingerprint`):
page hashes and texts of the applicant's own pages, the claims on shared
achievements with the facts they rest on, winnowed fingerprints of the
long texts.  A print is small and plain (it can travel from a worker), and
`cross_check` compares the prints of a whole batch through indexes — page
hashes (zjcheck.dupindex), claim keys, text fingerprints — never every
applicant against every other.  The rules' numbers and words are in
data/crossapp.toml.

Two folders of one person (same name, or same ID number where both are
known) are never compared, and an applicant whose name is not known is
left out (whose page is whose cannot be told).
"""

from __future__ import annotations

import base64
import math
import re
import tomllib
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from zjcheck import dupindex
from zjcheck.codes import finding
from zjcheck.evidence import Fact, page_fact
from zjcheck.extract import squash
from zjcheck.imaging.phash import distance, parse
from zjcheck.materials import material_name
from zjcheck.model import Finding, Item

_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\u25a1]")     # what a compared text keeps (□ stands for a name)
_NUMBER = re.compile(r"\d{2,}")
_ORDINAL = "一二三四五六七八九十"


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    return tomllib.loads(resources.files("zjcheck").joinpath("data/crossapp.toml").read_text("utf-8"))


# ---------------------------------------------------------------- prints

@dataclass
class PagePrint:
    path: str
    page: int
    material: str
    item: str | None
    catalogue: str | None
    phash: int
    dhash: int
    text: bytes                       # zlib of the page's text, squashed


@dataclass
class TextPrint:
    item: str
    material: str
    catalogue: str | None
    path: str
    page: int | None
    text: bytes                       # zlib of the cleaned text (the applicant's name as □)
    fp: np.ndarray                    # winnowed k-gram hashes (uint64)
    pos: np.ndarray                   # their positions in the cleaned text (uint32)


@dataclass
class ClaimPrint:
    kind: str                         # patent / standard / paper / book / project
    keys: tuple[str, ...]             # what identifies the achievement (number, title, ISBN …)
    label: str                        # how a message names it
    item: str
    catalogue: str | None
    path: str | None
    page: int | None
    position: int | None              # the applicant's place in the list of this copy
    role: str | None                  # the applicant's role in this copy (projects, books)
    people: tuple[str, ...]           # the list as read on this copy
    needs: dict[str, Fact | None] = field(default_factory=dict)


@dataclass
class SealPrint:
    path: str
    page: int
    item: str | None
    catalogue: str | None
    box: list[float]
    sig: dict[str, Any]               # the normalised imprint (zjcheck.tamper.seals.signature)
    text: bytes                       # zlib of the page's text, squashed (the same document twice is no paste)


@dataclass
class ApplicantPrint:
    key: str                          # the applicant's folder or zip under the batch root
    name: str | None
    id_number: str | None
    pages: list[PagePrint] = field(default_factory=list)
    texts: list[TextPrint] = field(default_factory=list)
    claims: list[ClaimPrint] = field(default_factory=list)
    seals: list[SealPrint] = field(default_factory=list)


# ---------------------------------------------------------------- prints in the ledger

def _enc(v: Any) -> Any:
    """A print's field as JSON: bytes and arrays as base64, facts as their fields."""
    if isinstance(v, bytes):
        return {"b64": base64.b64encode(v).decode("ascii")}
    if isinstance(v, np.ndarray):
        return {"np": str(v.dtype), "b64": base64.b64encode(v.tobytes()).decode("ascii")}
    if isinstance(v, Fact):
        return {"fact": {f.name: _enc(getattr(v, f.name)) for f in fields(v)}}
    if isinstance(v, (PagePrint, TextPrint, ClaimPrint, SealPrint)):
        return {f.name: _enc(getattr(v, f.name)) for f in fields(v)}
    if isinstance(v, (list, tuple)):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        return {k: _enc(x) for k, x in v.items()}
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)                   # a date in a fact's value: its ISO text


def _dec(v: Any) -> Any:
    if isinstance(v, dict):
        if "np" in v:
            return np.frombuffer(base64.b64decode(v["b64"]), dtype=np.dtype(v["np"])).copy()
        if "b64" in v:
            return base64.b64decode(v["b64"])
        if "fact" in v:
            d = {k: _dec(x) for k, x in v["fact"].items()}
            d["box"] = tuple(d["box"]) if d.get("box") else None
            d["confirmed_by"] = tuple(d.get("confirmed_by") or ())
            return Fact(**d)
        return {k: _dec(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_dec(x) for x in v]
    return v


def print_to_json(ap: ApplicantPrint) -> dict[str, Any]:
    """An applicant's print as the batch ledger keeps it (zjcheck.ledger), so
    that a resumed batch compares applicants checked in an earlier run too."""
    return {f.name: _enc(getattr(ap, f.name)) for f in fields(ap)}


def print_from_json(d: dict[str, Any]) -> ApplicantPrint:
    ap = ApplicantPrint(d["key"], d.get("name"), d.get("id_number"))
    ap.pages = [PagePrint(**_dec(x)) for x in d.get("pages") or []]
    ap.texts = [TextPrint(**_dec(x)) for x in d.get("texts") or []]
    ap.seals = [SealPrint(**_dec(x)) for x in d.get("seals") or []]
    for x in d.get("claims") or []:
        c = _dec(x)
        c["keys"], c["people"] = tuple(c["keys"]), tuple(c["people"])
        ap.claims.append(ClaimPrint(**c))
    return ap


def _z(s: str) -> bytes:
    return zlib.compress(s.encode("utf-8"), 6)


def _unz(b: bytes) -> str:
    return zlib.decompress(b).decode("utf-8")


def clean(text: str, names: Iterable[str] = ()) -> str:
    """A text as BAT003 compares it: NFKC, lower case, names as □, nothing but
    letters, digits and hanzi (OCR's spaces and punctuation vary between copies)."""
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()
    for n in sorted({squash(x) for x in names if x}, key=len, reverse=True):
        if len(n) >= 2:
            t = t.replace(n, "\u25a1")
    return _KEEP.sub("", t)


_B = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def kgram_hashes(text: str, k: int) -> np.ndarray:
    """One uint64 per k-gram of `text` (a polynomial rolling hash, mixed)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _B + codes[j:j + n]
        h ^= h >> np.uint64(31)
        h *= _MIX
        h ^= h >> np.uint64(29)
    return h


def winnow(h: np.ndarray, w: int) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, positions) chosen by winnowing: the smallest hash of every
    window of `w` k-grams (a passage of k + w - 1 characters shared by two
    texts gives both at least one common fingerprint)."""
    if len(h) == 0:
        return h, np.empty(0, dtype=np.uint32)
    if len(h) <= w:
        i = np.array([int(np.argmin(h))])
    else:
        win = np.lib.stride_tricks.sliding_window_view(h, w)
        i = np.unique(np.argmin(win, axis=1) + np.arange(len(win)))
    return h[i], i.astype(np.uint32)


def _ci(result: Any, material: str) -> str | None:
    ci = result.catalogue.item_for(material)
    return ci.id if ci is not None else None


def _fact_on_page(item: Item, key: str, value: Any, probe: str | None = None) -> Fact | None:
    """The fact behind item.facts[key]: the checker's, or the page the value is printed on."""
    f = item.fact(key)
    if f is not None:
        return f
    want = squash(probe if probe is not None else str(value))
    if not want:
        return None
    page = next((p for p in item.pages if want in squash(p.text)), None)
    return page_fact(value, page) if page is not None else None


def fingerprint(key: str, result: Any) -> ApplicantPrint:
    """What the batch keeps of one applicant's run (`pipeline.Result`)."""
    prof = result.profile
    ap = ApplicantPrint(key, prof.name, prof.id_number)
    r = rules()
    if prof.name:
        pages_cfg = r["pages"]
        for doc in result.documents:
            for pg in doc.pages:
                h = parse(pg.content.imghash)
                if (h is None or pg.material not in pages_cfg["materials"] or pg.content.ink < pages_cfg["min_ink"]
                        or pg.content.error):
                    continue
                text = squash(pg.text)
                if len(text) < pages_cfg["min_text"]:
                    continue
                ap.pages.append(PagePrint(doc.rel, pg.number, pg.material, pg.item_id, _ci(result, pg.material),
                                          h[0], h[1], _z(text)))
    for doc in result.documents if prof.name else []:
        if not doc.readable or doc.file.kind in ("docx", "xlsx"):
            continue
        for pg in doc.pages:
            if pg.content.source == "pdf-text":       # electronic seals are one image by design
                continue
            for sig in pg.content.marks.get("seals", []):
                ap.seals.append(SealPrint(doc.rel, pg.number, pg.item_id, _ci(result, pg.material),
                                          list(sig["box"]), sig, _z(squash(pg.text))))
    tcfg = r["texts"]
    for it in result.items:
        if it.material in tcfg["materials"] and prof.name:
            text = clean("\n".join(p.text for p in it.pages), [prof.name])
            fp, pos = winnow(kgram_hashes(text, tcfg["k"]), tcfg["window"])
            if len(fp):
                first = it.pages[0]
                ap.texts.append(TextPrint(it.id, it.material, _ci(result, it.material), first.doc.rel,
                                          first.number if len(first.doc.pages) > 1 else None, _z(text), fp, pos))
        claim = _claim(it, result) if prof.name else None
        if claim is not None:
            # point at the page of the list (the role is read there), not the item's first page
            lst = next((f for f in list(claim.needs.values())[1:] if f is not None and f.path), None)
            if lst is not None:
                claim.path, claim.page = lst.path, lst.page
            ap.claims.append(claim)
    return ap


def _position(names: Sequence[str], name: str) -> int | None:
    want = squash(name)
    for i, n in enumerate(names, 1):
        if squash(str(n)) == want:
            return i
    return None


def _claim(it: Item, result: Any) -> ClaimPrint | None:
    """The applicant's claim on a shared achievement: what identifies it, and
    the applicant's place or role in this copy, with the facts they rest on."""
    f = it.facts
    name = result.profile.name
    where = it.pages[0] if it.pages else None
    path, page = (where.doc.rel, where.number) if where is not None else (None, None)
    ci = _ci(result, it.material)
    if it.material == "patent" and f.get("number") and f.get("number_valid") and f.get("inventors"):
        people = tuple(f["inventors"])
        num = re.sub(r"[^0-9X]", "", str(f["number"]).upper())
        pos = _position(people, name)
        lst = _fact_on_page(it, "inventors", people, people[0])
        return ClaimPrint("patent", (f"patent:{num}",), f"专利 {f['number']}《{f.get('title') or ''}》", it.id, ci,
                          path, page, pos, None, people,
                          {"专利号": _fact_on_page(it, "number", f["number"]), "发明人名单": lst})
    if it.material == "standard" and f.get("number") and f.get("number_valid") and f.get("drafters"):
        people = tuple(f["drafters"])
        num = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(f["number"]))).upper().replace("—", "-")
        return ClaimPrint("standard", (f"standard:{num}",), f"标准 {f['number']}《{f.get('title') or ''}》", it.id, ci,
                          path, page, _position(people, name), None, people,
                          {"标准号": _fact_on_page(it, "number", f["number"]),
                           "起草人名单": _fact_on_page(it, "drafters", people, people[0])})
    if it.material == "paper" and f.get("title") and f.get("authors"):
        people = tuple(f["authors"])
        title = clean(str(f["title"]))
        if len(title) < 6:
            return None
        tf = it.fact("title_body") or _fact_on_page(it, "title", f["title"])
        src = "、".join(str(x) for x in (f.get("journal"), f.get("year") and f"{f['year']}年",
                                         f.get("issue") and f"第{f['issue']}期") if x)
        return ClaimPrint("paper", (f"paper:{title}",), f"论文《{f['title']}》" + (f"（{src}）" if src else ""), it.id,
                          ci, path, page, _position(people, name), None, people,
                          {"论文题名": tf, "作者名单": _fact_on_page(it, "authors", people, people[0])})
    if it.material == "book" and f.get("isbn") and f.get("authors"):
        people = tuple(f["authors"])
        isbn = re.sub(r"[^0-9X]", "", str(f["isbn"]).upper())
        return ClaimPrint("book", (f"book:{isbn}",), f"论著《{f.get('title') or ''}》（ISBN {f['isbn']}）", it.id, ci,
                          path, page, _position(people, name), f.get("applicant_role"), people,
                          {"ISBN": _fact_on_page(it, "isbn", f["isbn"]),
                           "作者名单": _fact_on_page(it, "authors", people, people[0])})
    if it.material == "project" and f.get("members") and f.get("role"):
        keys = []
        if f.get("number"):
            keys.append("project:no:" + re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", str(f["number"])).upper()))
        amount = f.get("amount_upper_value") or f.get("amount_figure_value")
        if f.get("project_name") and amount:
            keys.append(f"project:name:{clean(str(f['project_name']))}:{int(float(amount))}")
        if not keys:
            return None
        people = tuple(f["members"])
        ident = (_fact_on_page(it, "number", f["number"]) if f.get("number")
                 else _fact_on_page(it, "project_name", f.get("project_name")))
        members = _fact_on_page(it, "members", people, people[0])
        label = f"项目“{f.get('project_name') or ''}”" + (f"（编号 {str(f['number']).upper()}）" if f.get("number") else "")
        return ClaimPrint("project", tuple(keys), label, it.id, ci, path, page, _position(people, name),
                          str(f["role"]), people, {"项目编号或名称": ident, "参与人员名单": members})
    return None


# ---------------------------------------------------------------- cross findings

@dataclass
class Side:
    applicant: str
    name: str | None
    path: str | None
    page: int | None
    evidence: str | None = None
    catalogue: str | None = None


@dataclass
class CrossFinding:
    """One finding about two applicants: shown in the batch summary (both
    applicants, both paths) and in each one's own report."""

    code: str                         # BAT00x, or GEN012 when a needed fact was read poorly
    severity: str
    message: str
    fix: str | None
    a: Side
    b: Side
    data: dict[str, Any] = field(default_factory=dict)

    def concerns(self, key: str) -> bool:
        return key in (self.a.applicant, self.b.applicant)

    def for_applicant(self, key: str) -> Finding:
        own = self.a if self.a.applicant == key else self.b
        other = self.b if own is self.a else self.a
        data = {k: v for k, v in self.data.items() if k != "boxes_of"}
        if own.applicant in self.data.get("boxes_of", {}):
            data["boxes"] = self.data["boxes_of"][own.applicant]        # the crop on the applicant's own page
        return Finding(self.code, self.severity, "batch", self.message, own.path, own.page, own.catalogue,
                       own.evidence, self.fix, {**data, "other_applicant": other.applicant,
                                                "other_name": other.name, "other_path": other.path,
                                                "other_page": other.page})

    def to_row(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "message": self.message, "fix": self.fix,
                "applicant_a": self.a.applicant, "name_a": self.a.name, "path_a": self.a.path, "page_a": self.a.page,
                "applicant_b": self.b.applicant, "name_b": self.b.name, "path_b": self.b.path, "page_b": self.b.page,
                **({"would_be": self.data["would_be"]} if "would_be" in self.data else {})}


def _make(code: str, message: str, a: Side, b: Side, needs: dict[str, Fact | None] | None = None,
          **data: Any) -> CrossFinding:
    f = finding(code, message, material="batch", needs=needs, **data)
    return CrossFinding(f.code, f.severity, f.message, f.fix, a, b, dict(f.data))


def _who(p: ApplicantPrint) -> str:
    return f"{p.key}（{p.name}）" if p.name and p.name not in p.key else p.key


def _at(path: str | None, page: int | None) -> str:
    return f"{path} 第 {page} 页" if path and page else (path or "")


def same_person(a: ApplicantPrint, b: ApplicantPrint) -> bool:
    """Two folders of one person: the same name, and the same ID number where both are known."""
    p = persons([a, b])
    return bool(a.name) and p[0] == p[1]


def persons(prints: Sequence[ApplicantPrint]) -> list[int]:
    """One number per print: prints of one person (the same name; the same ID
    number where known) share it, so a template counts people, not folders."""
    out: list[int] = []
    by_name: dict[str, list[tuple[int, set[str]]]] = defaultdict(list)      # name -> [(person, its ID numbers)]
    fresh = 0
    for p in prints:
        people = by_name[squash(p.name or "")]
        ident = (p.id_number or "").upper()
        hit = None
        if ident:
            hit = next((q for q in people if ident in q[1]), None) or next((q for q in people if not q[1]), None)
            if hit is not None:
                hit[1].add(ident)
        elif people:
            hit = people[0]
        if hit is None:
            hit = (fresh, {ident} if ident else set())
            fresh += 1
            people.append(hit)
        out.append(hit[0])
    return out


def cross_check(prints: Sequence[ApplicantPrint]) -> list[CrossFinding]:
    """Every cross-applicant finding of a batch."""
    prints = [p for p in prints if p.name]
    who = persons(prints)
    out = bat001(prints, who) + bat002(prints, who) + bat003(prints, who) + tmp005(prints, who)
    out.sort(key=lambda c: (c.code, c.a.applicant, c.b.applicant, c.a.path or "", c.a.page or 0))
    return out


# ---------------------------------------------------------------- BAT001

def _trigrams(s: str) -> set[str]:
    return {s[i:i + 3] for i in range(len(s) - 2)}


def _jaccard(a: set[Any] | list[Any], b: set[Any] | list[Any]) -> float:
    if isinstance(a, list):                    # multisets
        ca, cb = defaultdict(int), defaultdict(int)
        for x in a:
            ca[x] += 1
        for x in b:
            cb[x] += 1
        inter = sum(min(ca[k], cb[k]) for k in ca)
        union = sum(max(ca.get(k, 0), cb.get(k, 0)) for k in set(ca) | set(cb))
        return inter / union if union else 1.0
    return len(a & b) / len(a | b) if a | b else 1.0


def same_page_text(ta: str, tb: str, name_a: str, name_b: str) -> tuple[bool, str]:
    """Whether two page texts are one page (names aside), and why not."""
    cfg = rules()["pages"]
    na, nb = squash(name_a), squash(name_b)
    a_names = (na in ta, nb in ta)
    b_names = (na in tb, nb in tb)
    if not any(a_names) or not any(b_names):
        return False, "页面上没有两人中任何一人的姓名"
    if all(a_names) or all(b_names):
        return False, "页面同时写有两人的姓名（名单、公示一类共同的文件）"
    ca, cb = clean(ta, [na, nb]), clean(tb, [na, nb])
    sim = _jaccard(_trigrams(ca), _trigrams(cb))
    if sim < cfg["text_similarity"]:
        return False, f"文字相似度 {sim:.2f}"
    nums_a, nums_b = _NUMBER.findall(ca), _NUMBER.findall(cb)
    if (nums_a or nums_b) and _jaccard(nums_a, nums_b) < cfg["numbers_similarity"]:
        return False, "页面上的数字（日期、编号）不同"
    return True, f"文字相似度 {sim:.2f}"


def bat001(prints: Sequence[ApplicantPrint], who: Sequence[int] | None = None) -> list[CrossFinding]:
    cfg = rules()["pages"]
    who = persons(prints) if who is None else who
    rows = [(i, pp) for i, p in enumerate(prints) for pp in p.pages]
    if len(rows) < 2:
        return []
    mats = sorted({pp.material for _, pp in rows})
    owner = np.array([who[i] for i, _ in rows])
    cls = np.array([mats.index(pp.material) for _, pp in rows])
    ph = np.array([pp.phash for _, pp in rows], dtype=np.uint64)
    dh = np.array([pp.dhash for _, pp in rows], dtype=np.uint64)
    pairs = dupindex.near_pairs(ph, dh, owner, cls, dupindex.Limits(cfg["phash"], cfg["dhash"]))
    out = []
    for i, j in pairs.tolist():
        (ia, pa), (ib, pb) = rows[i], rows[j]
        a, b = prints[ia], prints[ib]
        ok, why = same_page_text(_unz(pa.text), _unz(pb.text), a.name or "", b.name or "")
        if not ok:
            continue
        dp, dd = distance(pa.phash, pb.phash), distance(pa.dhash, pb.dhash)
        what = material_name(pa.material)
        msg = (f"{_who(a)} 的 {_at(pa.path, pa.page)} 与 {_who(b)} 的 {_at(pb.path, pb.page)} 是同一页{what}"
               f"（页面图像近似相同，感知哈希相差 {dp}/{dd} 位；除姓名外文字相同，{why}）：一人的材料出现在另一人的申报材料中")
        out.append(_make("BAT001", msg, Side(a.key, a.name, pa.path, pa.page, pa.item, pa.catalogue),
                         Side(b.key, b.name, pb.path, pb.page, pb.item, pb.catalogue),
                         phash_bits=dp, dhash_bits=dd))
    return out


# ---------------------------------------------------------------- BAT002

_ROLE_WORD = {"patent": "发明人", "standard": "起草人", "paper": "作者", "book": "作者"}


def _nth(n: int) -> str:
    return f"第{_ORDINAL[n - 1]}" if 1 <= n <= 10 else f"第 {n} 位"


def _leader(role: str | None) -> bool:
    if not role:
        return False
    cfg = rules()["claims"]
    r = squash(role)
    return any(squash(w) in r for w in cfg["leader_roles"]) and not any(squash(w) in r for w in cfg["not_leader"])


def _lists(c: ClaimPrint, person: str) -> bool:
    return any(squash(str(x)) == squash(person) for x in c.people)


def conflict(ca: ClaimPrint, a: ApplicantPrint, cb: ClaimPrint, b: ApplicantPrint) -> str | None:
    """Why two applicants' claims on one achievement cannot both hold (None: they can)."""
    if ca.kind == "project":
        if _leader(ca.role) and _leader(cb.role) and (_lists(ca, b.name or "") or _lists(cb, a.name or "")):
            return (f"{_who(a)} 的合同中 {a.name} 是“{ca.role}”，{_who(b)} 的合同中 {b.name} 是“{cb.role}”，"
                    f"两人在同一项目组的名单上：一个项目组只有一位负责人")
        return None
    # one list names both (a truncated read — OCR lost the rest of the list — or another work of
    # the same title names only its own author: no collision can be told)
    if (ca.position is not None and ca.position == cb.position
            and (_lists(ca, b.name or "") or _lists(cb, a.name or ""))):
        word = _ROLE_WORD.get(ca.kind, "作者")
        return (f"{_who(a)} 的材料中 {a.name} 是{_nth(ca.position)}{word}，{_who(b)} 的材料中 {b.name} "
                f"也是{_nth(cb.position)}{word}：同一位次不可能是两个人")
    return None


def bat002(prints: Sequence[ApplicantPrint], who: Sequence[int] | None = None) -> list[CrossFinding]:
    who = persons(prints) if who is None else who
    by_key: dict[str, list[tuple[int, ClaimPrint]]] = defaultdict(list)
    for i, p in enumerate(prints):
        for c in p.claims:
            for k in c.keys:
                by_key[k].append((i, c))
    out = []
    seen: set[tuple[int, str, int, str]] = set()
    for group in by_key.values():
        if len({i for i, _ in group}) < 2:
            continue
        for x, (ia, ca) in enumerate(group):
            for ib, cb in group[x + 1:]:
                if ia == ib or (ia, ca.item, ib, cb.item) in seen:
                    continue
                a, b = prints[ia], prints[ib]
                if who[ia] == who[ib]:
                    continue
                why = conflict(ca, a, cb, b)
                if why is None:
                    continue
                seen.add((ia, ca.item, ib, cb.item))
                needs = {f"{a.key}：{k}": v for k, v in ca.needs.items()}
                needs |= {f"{b.key}：{k}": v for k, v in cb.needs.items()}
                msg = (f"{ca.label}同时出现在 {_who(a)}（{_at(ca.path, ca.page)}）和 {_who(b)}（{_at(cb.path, cb.page)}）"
                       f"的申报材料中，所称角色不可能同时成立：{why}")
                out.append(_make("BAT002", msg, Side(a.key, a.name, ca.path, ca.page, ca.item, ca.catalogue),
                                 Side(b.key, b.name, cb.path, cb.page, cb.item, cb.catalogue), needs,
                                 achievement=ca.label, role_a=ca.role or ca.position, role_b=cb.role or cb.position))
    return out


# ---------------------------------------------------------------- BAT003

def _diagonal_runs(ta: str, tb: str, k: int) -> list[tuple[int, int, int]]:
    """(start in a, start in b, length) of the common passages of two texts,
    found through their common k-grams and merged along each diagonal
    (a gap of a few characters — an OCR slip — does not cut a passage)."""
    ha, hb = kgram_hashes(ta, k), kgram_hashes(tb, k)
    where: dict[int, list[int]] = defaultdict(list)
    for i, h in enumerate(ha.tolist()):
        where[h].append(i)
    hits: dict[int, list[int]] = defaultdict(list)      # diagonal (j - i) -> positions j in b
    for j, h in enumerate(hb.tolist()):
        for i in where.get(h, ())[:8]:
            hits[j - i].append(j)
    runs: list[tuple[int, int, int]] = []
    for diag, js in hits.items():
        js.sort()
        start = prev = js[0]
        for j in js[1:] + [None]:                        # type: ignore[list-item]
            if j is not None and j - prev <= k + 2:        # one misread character spoils k k-grams
                prev = j
                continue
            runs.append((start - diag, start, prev - start + k))
            if j is not None:
                start = prev = j
    # a passage is counted once even if it sits on several diagonals (a repeated phrase)
    runs.sort(key=lambda r: -r[2])
    taken = np.zeros(len(tb) + 1, dtype=bool)
    out = []
    for ia, jb, n in runs:
        if taken[jb:jb + n].mean() > 0.5:
            continue
        taken[jb:jb + n] = True
        out.append((ia, jb, n))
    return sorted(out, key=lambda r: r[1])


def bat003(prints: Sequence[ApplicantPrint], who: Sequence[int] | None = None) -> list[CrossFinding]:
    cfg = rules()["texts"]
    docs = [(i, t) for i, p in enumerate(prints) for t in p.texts]
    if len(docs) < 2:
        return []
    who = persons(prints) if who is None else who
    fps = np.concatenate([t.fp for _, t in docs])
    doc_of = np.concatenate([np.full(len(t.fp), d, dtype=np.int64) for d, (_, t) in enumerate(docs)])
    owner_of = np.array([who[i] for i, _ in docs])[doc_of]
    material_of = np.array([t.material for _, t in docs])
    order = np.lexsort((doc_of, fps))
    fps, doc_of, owner_of = fps[order], doc_of[order], owner_of[order]
    starts = np.flatnonzero(np.r_[True, fps[1:] != fps[:-1]])
    ends = np.r_[starts[1:], len(fps)]
    template_n = max(int(cfg["template_applicants"]), math.ceil(cfg["template_share"] * len(set(who))))
    template: set[int] = set()
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for s, e in zip(starts.tolist(), ends.tolist()):
        if e - s < 2:
            continue
        owners = owner_of[s:e]
        ds = doc_of[s:e]
        uniq = np.unique(owners)
        if len(uniq) < 2:
            continue
        # the template's text: in many applicants' documents, or twice in one applicant's documents of one kind
        mats_owner = list(zip(owners.tolist(), material_of[ds].tolist()))
        if len(uniq) >= template_n or len(set(mats_owner)) < len(set(zip(owners.tolist(), ds.tolist()))):
            template.add(int(fps[s]))
            continue
        dl = sorted(set(ds.tolist()))
        for x, da in enumerate(dl):
            for db in dl[x + 1:]:
                if who[docs[da][0]] != who[docs[db][0]]:
                    shared[(da, db)] += 1
    out = []
    for (da, db), n in sorted(shared.items()):
        if n < cfg["min_fingerprints"]:
            continue
        (ia, ta), (ib, tb) = docs[da], docs[db]
        a, b = prints[ia], prints[ib]
        found = shared_passages(ta, a, tb, b, template)
        if found is None:
            continue
        passages, total, share = found
        quote = "；".join(f"“{p[:40]}{'…' if len(p) > 40 else ''}”" for p in passages[:3])
        what_a, what_b = material_name(ta.material), material_name(tb.material)
        msg = (f"{_who(a)} 的{what_a}（{_at(ta.path, ta.page)}）与 {_who(b)} 的{what_b}（{_at(tb.path, tb.page)}）"
               f"有 {len(passages)} 段共 {total} 字相同（占较短一份的 {share:.0%}），如：{quote}")
        out.append(_make("BAT003", msg, Side(a.key, a.name, ta.path, ta.page, ta.item, ta.catalogue),
                         Side(b.key, b.name, tb.path, tb.page, tb.item, tb.catalogue),
                         passages=passages[:10], shared_chars=total, share=round(share, 3)))
    return out


def shared_passages(ta: TextPrint, a: ApplicantPrint, tb: TextPrint, b: ApplicantPrint,
                    template: set[int]) -> tuple[list[str], int, float] | None:
    """The passages two documents share beyond their template, when long and
    many enough to be a copy: (passages, characters, share of the shorter)."""
    cfg = rules()["texts"]
    k = int(cfg["k"])
    sa = clean(_unz(ta.text), [b.name or ""])
    sb = clean(_unz(tb.text), [a.name or ""])
    tmpl_a = np.zeros(len(sa) + 1, dtype=bool)                 # characters of the template's text in a
    for h, p in zip(ta.fp.tolist(), ta.pos.tolist()):
        if h in template:
            tmpl_a[p:p + k] = True
    passages = []
    for ia, _jb, n in _diagonal_runs(sa, sb, k):
        if n < cfg["min_passage"]:
            continue
        # a copied form shares its printed text too: only the stretches beyond the template count
        own = np.r_[False, ~tmpl_a[ia:ia + n], False].astype(np.int8)
        edges = np.flatnonzero(np.diff(own))
        for s, e in zip(edges[::2].tolist(), edges[1::2].tolist()):
            if e - s >= cfg["min_passage"]:
                passages.append(sa[ia + s:ia + e])
    if not passages:
        return None
    total = sum(len(p) for p in passages)
    own = min(len(sa) - int(tmpl_a[:len(sa)].sum()), len(sb)) or 1
    share = min(1.0, total / own)
    floor = cfg["min_shared"]
    floor = floor.get(ta.material, max(floor.values())) if isinstance(floor, dict) else floor
    if max(len(p) for p in passages) < cfg["min_longest"] or total < floor:
        return None
    if share < cfg["min_share"] and total < cfg["min_shared_alone"]:
        return None
    return passages, total, share


# ---------------------------------------------------------------- applying to a run

def attach(result: Any, key: str, found: Iterable[CrossFinding]) -> list[Finding]:
    """Add the cross findings that concern applicant `key` to its run: the
    findings list, and the gap table's rows of the evidence they are about."""
    mine = [c.for_applicant(key) for c in found if c.concerns(key)]
    by_item = {g.item: g for g in result.gap}
    errs = {f.evidence for f in result.findings if f.severity == "error" and f.evidence}
    for f in mine:
        result.findings.append(f)
        g = by_item.get(f.item or "")
        if g is None:
            continue
        text = f"{f.evidence + '：' if f.evidence else ''}{f.message}"
        if f.severity == "error":
            g.missing.append(text)
            if f.evidence and f.evidence not in errs:
                errs.add(f.evidence)
                g.verified = max(0, g.verified - 1)
        elif f.severity == "warning":
            g.warnings.append(text)
        elif f.code == "GEN012":
            g.unconfirmed.append(text)
    order = {"error": 0, "warning": 1, "info": 2}
    result.findings.sort(key=lambda f: (order[f.severity], f.code, f.path or "", f.page or 0))
    return mine


__all__ = ["ApplicantPrint", "ClaimPrint", "CrossFinding", "PagePrint", "Side", "TextPrint", "attach", "bat001",
           "bat002", "bat003", "clean", "conflict", "cross_check", "fingerprint", "kgram_hashes", "rules",
           "same_page_text", "same_person", "shared_passages", "winnow"]


# ---------------------------------------------------------------- TMP005 across applicants

def tmp005(prints: Sequence[ApplicantPrint], who: Sequence[int] | None = None) -> list[CrossFinding]:
    """The same seal imprint, pixel for pixel, in two people's packages (issue 21):
    a seal cut from one scan and pasted into another's document.  Every pair
    of imprints of different people is compared (bounded by `seals.limit` in
    data/crossapp.toml: imprints beyond it are not compared); the same page in
    both packages is BAT001's, not a pasted seal."""
    from rapidfuzz import fuzz

    from zjcheck.tamper.seals import compare, pasted
    who = persons(prints) if who is None else who
    limit = int(rules().get("seals", {}).get("limit", 20000))
    rows = [(i, sp) for i, p in enumerate(prints) for sp in p.seals][:limit]
    out = []
    for n, (ia, sa) in enumerate(rows):
        ta = _unz(sa.text)
        for ib, sb in rows[n + 1:]:
            if who[ia] == who[ib]:
                continue
            tb = _unz(sb.text)
            if len(ta) > 40 and len(tb) > 40 and fuzz.ratio(ta, tb) >= 90:
                continue
            sim = compare(sa.sig, sb.sig)
            if not pasted(sim):
                continue
            a, b = prints[ia], prints[ib]
            msg = (f"{_who(a)} 的 {_at(sa.path, sa.page)} 与 {_who(b)} 的 {_at(sb.path, sb.page)} 上的印章是同一个印迹"
                   f"（图像相关 {sim['ncc']:.2f}，墨色浓淡分布一致）：实物盖章每次留下的印迹都不相同，请核对原件")
            out.append(_make("TMP005", msg, Side(a.key, a.name, sa.path, sa.page, sa.item, sa.catalogue),
                             Side(b.key, b.name, sb.path, sb.page, sb.item, sb.catalogue),
                             boxes_of={a.key: [sa.box], b.key: [sb.box]}, ncc=sim["ncc"], field=sim["field"]))
    return out
