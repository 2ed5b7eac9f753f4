"""RapidOCR speed levers, one by one, on the same page images (bench/README.md).

The page images the pipeline OCRs (PDF pages rendered at 200 dpi, image files
as they are, both through zjcheck.imaging.prepare.for_ocr) of the given
fixture packages are read by several RapidOCR configurations in one process
with one thread each; the configurations take turns page by page, so a change
of the machine's load during the run touches them alike.  Prints, per
configuration, seconds (and ratio to the first), RapidOCR's own detection /
classifier / recognition seconds, and the CER against the text the fixture
drew (mean, median, pooled).

A configuration is a space-separated list of RapidOCR parameters
(`Rec.rec_batch_num=1`, `Det.limit_side_len=960`,
`EngineConfig.onnxruntime.enable_cpu_mem_arena=true`) and these shorthands:
`backend=openvino|onnxruntime`, `precision=f32|bf16` (OpenVINO),
`ov_cache=N` (OpenVINO CPU_RUNTIME_CACHE_CAPACITY), `ov_pin=0|1` (OpenVINO ENABLE_CPU_PINNING), `use_cls=0`, `rec_step=N` (recognition
input widths padded to a multiple of N px, zjcheck.ocr.rapidocr.padded_input; default 0 here: RapidOCR's own).

    .venv/bin/python bench/levers.py --packages compliant --limit 24 \\
        --cfg "backend=onnxruntime Rec.rec_batch_num=6" --cfg "backend=onnxruntime" --cfg "backend=openvino"
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import cer  # noqa: E402
from zjcheck.extract import squash  # noqa: E402


def ocr_pages(packages: list[str]) -> list[dict]:
    """The prepared page images the pipeline would OCR, with the drawn text."""
    from PIL import Image  # noqa: F401
    from zjcheck import read
    from zjcheck.imaging import prepare, render
    pkgs = ROOT / "fixtures" / "packages"
    man = json.loads((pkgs / "manifest.json").read_text("utf-8"))["packages"]
    out: list[dict] = []
    for name in packages:
        for f in man[name]["files"]:
            p = pkgs / name / f["path"]
            suffix = p.suffix.lower()
            if suffix in (".docx", ".xlsx"):
                continue
            for pg in f.get("pages", []):
                i = pg["page"] - 1
                if suffix == ".pdf":
                    layer = read.repair_layer(read._pdf_layer_text(str(p), i))
                    if len("".join(layer.split())) >= read.MIN_LAYER_CHARS and read.layer_problem(layer) is None:
                        continue
                    img = render.render_pdf_page(str(p), i, 200)
                else:
                    img = render.load_image(str(p), i)
                out.append({"array": np.asarray(prepare.for_ocr(img).convert("RGB")), "truth": pg.get("text") or "",
                            "material": pg.get("material"), "file": f"{name}/{f['path']}", "page": pg["page"]})
    return out


class Config:
    def __init__(self, spec: str) -> None:
        import rapidocr
        from rapidocr import RapidOCR
        from rapidocr.utils.typings import EngineType
        from zjcheck.ocr import rapidocr as Z
        self.spec = spec or "default"
        params = {"Global.log_level": "error", "Global.max_side_len": Z.DET_MAX_SIDE, "Global.text_score": Z.TEXT_SCORE,
                  "EngineConfig.onnxruntime.intra_op_num_threads": 1, "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                  "EngineConfig.openvino.inference_num_threads": 1,
                  "Det.limit_type": "max", "Det.limit_side_len": Z.DET_SIDE, "Rec.rec_batch_num": Z.REC_BATCH}
        md = Path(rapidocr.__file__).parent / "models"
        for k, v in Z.MODELS.items():
            params[f"{k}.model_path"] = str(md / v)
        backend, ov_props, self.call, step = Z.choose_backend(), {}, {}, 0
        for item in spec.split():
            k, v = item.split("=", 1)
            try:
                val = json.loads(v)
            except ValueError:
                val = v
            if k == "backend":
                backend = v
            elif k == "precision":
                ov_props["INFERENCE_PRECISION_HINT"] = v
            elif k == "ov_pin":
                ov_props["ENABLE_CPU_PINNING"] = "YES" if val else "NO"
            elif k == "ov_cache":
                ov_props["CPU_RUNTIME_CACHE_CAPACITY"] = str(v)
            elif k == "rec_step":
                step = int(val)
            elif k == "use_cls":
                self.call["use_cls"] = bool(val)
            else:
                params[k] = val
        for section in Z.MODELS:
            params[f"{section}.engine_type"] = EngineType(backend)
        if backend == "openvino":          # imported only when asked: OpenVINO is an extra
            from rapidocr.inference_engine.openvino import main as ov_main
        base = ov_main.CPUConfig if backend == "openvino" else None
        if ov_props and backend == "openvino":
            class CPUConfig(base):  # type: ignore[misc, valid-type]
                def get_config(self) -> dict:
                    return {**super().get_config(), **ov_props}
            ov_main.CPUConfig = CPUConfig
        try:
            self.ocr = RapidOCR(params=params)
            self.ocr._load_det_model()
            self.ocr._load_cls_model()
            self.ocr._load_rec_model()
        finally:
            if base is not None:
                ov_main.CPUConfig = base
        if step:
            rec = self.ocr.text_rec
            rec.resize_norm_img = lambda img, ratio, _rec=rec: Z.padded_input(_rec, img, ratio, step)
        self.seconds = 0.0
        self.stages = [0.0, 0.0, 0.0]
        self.cers: list[tuple[float, int, str | None]] = []

    def read(self, page: dict) -> None:
        from zjcheck.ocr.rapidocr import assemble
        t = time.perf_counter()
        out = self.ocr(page["array"], **self.call)
        self.seconds += time.perf_counter() - t
        for k, e in enumerate(getattr(out, "elapse_list", None) or []):
            self.stages[k] += e or 0.0
        segs = []
        for quad, txt, score in zip(getattr(out, "boxes", None) if getattr(out, "txts", None) else [],
                                    getattr(out, "txts", None) or [], getattr(out, "scores", None) or []):
            q = np.asarray(quad, float).reshape(-1, 2)
            if txt and txt.strip():
                segs.append((txt.strip(), (int(q[:, 0].min()), int(q[:, 1].min()), int(q[:, 0].max()),
                                           int(q[:, 1].max())), float(score)))
        c = cer("\n".join(ln.text for ln in assemble(segs, page["array"].shape[1])), page["truth"])
        if c is not None:
            self.cers.append((c, len(squash(page["truth"])), page["material"]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--packages", default="compliant")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages")
    ap.add_argument("--cfg", action="append", default=[], help="a configuration (repeat); the first is the reference")
    ap.add_argument("--by-material", action="store_true")
    args = ap.parse_args(argv)
    import cv2
    cv2.setNumThreads(1)
    pages = ocr_pages(args.packages.split(","))
    if args.limit:
        pages = pages[:args.limit]
    configs = [Config(c) for c in (args.cfg or [""])]
    loads = []
    for i, page in enumerate(pages):
        for c in (configs if i % 2 == 0 else configs[::-1]):
            c.read(page)
        loads.append(os.getloadavg()[0])
    ref = configs[0].seconds or 1.0
    print(f"{len(pages)} pages of {args.packages}; load average during the run {min(loads):.2f}–{max(loads):.2f} "
          f"(mean {np.mean(loads):.2f})")
    for c in configs:
        cs = [x for x, _, _ in c.cers]
        pooled = sum(x * n for x, n, _ in c.cers) / max(1, sum(n for _, n, _ in c.cers))
        print(f"[{c.spec}] {c.seconds:.1f} s ({c.seconds / ref:.2f}×)  det {c.stages[0]:.1f} cls {c.stages[1]:.1f} "
              f"rec {c.stages[2]:.1f}  CER mean {100 * np.mean(cs):.2f} % median {100 * np.median(cs):.2f} % "
              f"pooled {100 * pooled:.2f} %")
        if args.by_material:
            by: dict[str, list[float]] = {}
            for x, _, m in c.cers:
                by.setdefault(m or "?", []).append(x)
            print("   " + ", ".join(f"{m} {100 * np.mean(v):.1f}" for m, v in sorted(by.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
