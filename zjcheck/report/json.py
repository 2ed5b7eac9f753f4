"""The JSON report: the stable contract other tools and the tests rely on.

Schema "zjcheck/1" (documented in README.md): top-level keys schema,
zjcheck, root, catalogue, applicant, stats, summary, gap, totals, items, documents,
findings.  Keys are only ever added, never renamed or removed, within a
schema version.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from zjcheck.escape import json_safe
from zjcheck.pipeline import Result, describe_parts

SCHEMA = "zjcheck/1"


def document_material(doc) -> str:  # type: ignore[no-untyped-def]
    mats = Counter(p.material for p in doc.pages if p.material != "other")
    return mats.most_common(1)[0][0] if mats else "other"


def to_dict(r: Result) -> dict[str, Any]:
    counts = r.counts()
    prof = r.profile
    return {
        "schema": SCHEMA,
        "zjcheck": r.stats.get("zjcheck"),
        "root": r.root,
        "catalogue": {"id": r.catalogue.id, "name": r.catalogue.name, "notice": r.catalogue.notice,
                      "cutoff": r.catalogue.cutoff.isoformat()},
        "applicant": {
            "name": prof.name, "name_source": prof.sources.get("name"),
            "id_number": prof.id_number, "employer": prof.employer,
            "title_date": prof.title_date.isoformat() if prof.title_date else None,
            "graduation_date": prof.graduation_date.isoformat() if prof.graduation_date else None,
            "route": prof.route, "sources": prof.sources,
        },
        "stats": r.stats,
        "summary": {"errors": counts["error"], "warnings": counts["warning"], "infos": counts["info"],
                    "unreadable_files": r.unreadable, "unchecked_materials": r.unchecked,
                    "exit_code": r.exit_code},
        "gap": [g.to_json() for g in r.gap],
        "totals": r.totals,
        "items": [{
            "id": it.id, "material": it.material,
            "catalogue_item": (r.catalogue.item_for(it.material).id if r.catalogue.item_for(it.material) else None),
            "paths": it.paths, "parts": describe_parts(it), "facts": it.facts,
            "provenance": {k: f.to_json() for k, f in it.provenance.items()},
        } for it in r.items],
        "documents": [{
            "path": d.rel, "path_hex": getattr(d.file, "raw_name", None),
            "kind": d.file.kind, "sha256": d.file.sha256, "size": d.file.size,
            "material": document_material(d), "pages": len(d.pages), "text_source": d.text_source,
            "readable": d.readable,
            "page_info": [{
                "page": p.number, "material": p.material, "parts": p.parts, "item": p.item_id,
                "score": round(p.score, 1), "text_source": p.content.source, "rotation": p.content.rotation,
                "ocr_conf": p.content.conf, "seals": len(p.content.seals), "chars": len(p.text),
            } for p in d.pages],
        } for d in r.documents],
        "findings": [f.to_json() for f in r.findings],
    }


def render(r: Result) -> str:
    """The report as JSON text: every string valid UTF-8 (file names that were
    not are decoded readably; documents[].path_hex keeps their bytes), no NaN."""
    return json.dumps(json_safe(to_dict(r)), ensure_ascii=False, indent=2, allow_nan=False, default=str)
