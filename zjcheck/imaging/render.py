"""Page images from PDFs (pypdfium2) and photos/scans (Pillow, EXIF honoured)."""

from __future__ import annotations

import io
import warnings
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence

MAX_SIDE = 3300            # a photo larger than this is scaled down before OCR
Image.MAX_IMAGE_PIXELS = 120_000_000   # beyond this Pillow refuses: a bomb, not a scan


@lru_cache(maxsize=2)
def _pdf(path: str) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(path)


def pdf_page_count(path: str) -> int:
    return len(_pdf(path))


def render_pdf_page(path: str, index: int, dpi: int) -> Image.Image:
    page = _pdf(path)[index]
    try:
        w, h = page.get_size()
        scale = dpi / 72
        longest = max(w, h) * scale
        if longest > MAX_SIDE * 1.5:          # oversized pages (posters, A0 drawings)
            scale *= MAX_SIDE * 1.5 / longest
        return page.render(scale=scale, grayscale=False).to_pil().convert("RGB")
    finally:
        page.close()


def image_frames(path: str) -> int:
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def load_image(path: str, index: int = 0) -> Image.Image:
    """One frame of an image file, upright per EXIF, RGB, at most MAX_SIDE."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            if index:
                frame = next(f for i, f in enumerate(ImageSequence.Iterator(im)) if i == index)
            else:
                frame = im
            out = ImageOps.exif_transpose(frame) if index == 0 else frame.copy()
            if out.mode in ("RGBA", "LA", "PA") or (out.mode == "P" and "transparency" in out.info):
                # transparent parts (an e-seal PNG, a screenshot with alpha) are white paper, not black
                rgba = out.convert("RGBA")
                bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                bg.alpha_composite(rgba)
                out = bg
            out = out.convert("RGB")
    if max(out.size) > MAX_SIDE:
        out.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return out


def image_dpi(path: str) -> int:
    try:
        with Image.open(path) as im:
            d = im.info.get("dpi")
            return int(round(float(d[0]))) if d else 0
    except Exception:
        return 0


def thumbnail(img: Image.Image, width: int = 360) -> bytes:
    t = img.copy()
    t.thumbnail((width, width * 2))
    buf = io.BytesIO()
    t.save(buf, "JPEG", quality=70)
    return buf.getvalue()


def open_for_thumbnail(path: Path, kind: str, page: int) -> Image.Image:
    if kind == "pdf":
        return render_pdf_page(str(path), page - 1, 60)
    return load_image(str(path), page - 1)
