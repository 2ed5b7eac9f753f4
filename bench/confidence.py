"""How sure is an OCR line at a given confidence?  Calibration of the
evidence policy's per-engine `ocr_strong` threshold (zjcheck/data/evidence.toml).

For every OCR'd page of the rendered compliant packages, each line the engine
read is "right" when its text (normalised, no spaces) occurs in the text the
fixture drew on that page (fixtures/packages/manifest.json), else "wrong".
Prints, per engine and threshold, how many lines reach it and how many of
those are wrong: the threshold for an engine is where its wrong share matches
the default engine's at its threshold.

    .venv/bin/python bench/confidence.py [--engines rapidocr,tesseract] [--packages compliant,compliant-b,compliant-c]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zjcheck.extract import squash  # noqa: E402
from zjcheck.pipeline import Options, run  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "fixtures" / "packages"
THRESHOLDS = (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


def lines_by_engine(engine: str, packages: list[str]) -> list[tuple[float, bool]]:
    man = json.loads((PACKAGES / "manifest.json").read_text("utf-8"))
    out: list[tuple[float, bool]] = []
    seen: set[str] = set()
    for name in packages:
        truth = {f["path"]: f["pages"] for f in man["packages"][name]["files"]}
        result = run(PACKAGES / name, Options(engine=engine, jobs=2))
        for doc in result.documents:
            if doc.file.sha256 in seen or doc.rel not in truth:
                continue
            seen.add(doc.file.sha256)
            for page, t in zip(doc.pages, truth[doc.rel]):
                if page.content.source != "ocr":
                    continue
                drawn = squash(t.get("text", ""))
                for ln in page.content.lines:
                    s = squash(ln.text)
                    if len(s) < 2 or ln.conf is None:
                        continue
                    out.append((ln.conf / 100.0, s in drawn))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--packages", default="compliant,compliant-b,compliant-c")
    args = ap.parse_args()
    for engine in args.engines.split(","):
        rows = lines_by_engine(engine, args.packages.split(","))
        print(f"\n{engine}: {len(rows)} lines, {sum(1 for _, ok in rows if not ok)} not as drawn")
        print("  threshold   lines reaching it   right   wrong   wrong share")
        for th in THRESHOLDS:
            sel = [ok for c, ok in rows if c >= th]
            wrong = sum(1 for ok in sel if not ok)
            share = wrong / len(sel) if sel else 0.0
            print(f"  {th:9.2f}   {len(sel):17d}   {len(sel) - wrong:5d}   {wrong:5d}   {share:10.1%}")


if __name__ == "__main__":
    main()
