"""Page images from PDFs (pypdfium2) and photos/scans (Pillow, EXIF honoured).

Images are bounded before they are decoded (zjcheck.limits): a picture
that declares more pixels than the limit is refused with its size in the
message; a large JPEG is decoded reduced (the DCT scales it down for free).
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence

from zjcheck import limits

MAX_SIDE = 3300            # a photo larger than this is scaled down before OCR
DRAFT_FROM = 50_000_000    # JPEGs with more pixels than this are decoded reduced
# Pillow's own bomb check is replaced by `open_image` (the limit depends on the format, and the
# message must give the size); every evidence image is opened through it
Image.MAX_IMAGE_PIXELS = None


class TooManyPixels(limits.LimitExceeded, Image.DecompressionBombError):
    """An image (or an image in a PDF) larger than the pixel limit."""


def pixel_limit(fmt: str | None) -> int:
    return limits.JPEG_PIXELS if fmt in ("JPEG", "MPO") else limits.IMAGE_PIXELS


def check_pixels(w: int, h: int, fmt: str | None = None) -> None:
    limit = pixel_limit(fmt)
    if w <= 0 or h <= 0 or w * h > limit:
        raise TooManyPixels(limits.too_many_pixels(w, h, limit))


def open_image(path: str) -> Image.Image:
    """Image.open with the pixel limit checked on the declared size, before any decoding."""
    im = Image.open(path)
    try:
        check_pixels(im.width, im.height, im.format)
    except BaseException:
        im.close()
        raise
    return im


@lru_cache(maxsize=2)
def _pdf(path: str) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(path)


def pdf_page_count(path: str) -> int:
    return len(_pdf(path))


def render_pdf_page(path: str, index: int, dpi: int) -> Image.Image:
    page = _pdf(path)[index]
    try:
        w, h = page.get_size()
        if not (math.isfinite(w) and math.isfinite(h) and w > 0 and h > 0):
            raise limits.LimitExceeded(f"页面尺寸异常（{w}×{h}），无法显示：请重新导出该 PDF", "GEN001")
        scale = dpi / 72
        longest = max(w, h) * scale
        if longest > MAX_SIDE * 1.5:          # oversized pages (posters, A0 drawings)
            scale *= MAX_SIDE * 1.5 / longest
        return page.render(scale=scale, grayscale=False).to_pil().convert("RGB")
    finally:
        page.close()


def image_frames(path: str) -> int:
    """Frames (pages) of an image file, counted no further than the page limit + 1."""
    with open_image(path) as im:
        n = 1
        if getattr(im, "is_animated", False) or getattr(im, "n_frames", 1) > 1:
            try:
                while n <= limits.PAGES:
                    im.seek(n)
                    check_pixels(im.width, im.height, im.format)
                    n += 1
            except EOFError:
                pass
        return n


def load_image(path: str, index: int = 0) -> Image.Image:
    """One frame of an image file, upright per EXIF, RGB, at most MAX_SIDE."""
    with open_image(path) as im:
        if index:
            frame = next(f for i, f in enumerate(ImageSequence.Iterator(im)) if i == index)
            check_pixels(frame.width, frame.height, im.format)
        else:
            frame = im
            if im.format in ("JPEG", "MPO") and im.width * im.height > DRAFT_FROM:
                im.draft("RGB", (MAX_SIDE, MAX_SIDE))
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
        with open_image(path) as im:
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
