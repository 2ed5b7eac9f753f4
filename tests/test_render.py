"""Image loading: EXIF orientation honoured (SPEC §2), frames, bombs refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from zjcheck.imaging.render import load_image


def _phone_photo(path: Path, orientation: int) -> None:
    """A portrait page stored sideways, as phone cameras do, with the EXIF tag
    that tells viewers how to turn it: a black bar marks the page's top."""
    page = Image.new("RGB", (400, 600), "white")
    page.paste((0, 0, 0), (0, 0, 400, 60))                    # top of the page
    stored = page.transpose({6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270,
                             3: Image.Transpose.ROTATE_180}[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(path, "JPEG", exif=exif.tobytes())


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_honoured(tmp_path: Path, orientation: int) -> None:
    path = tmp_path / "IMG_0001.jpg"
    _phone_photo(path, orientation)
    with Image.open(path) as raw:
        assert raw.size == ((600, 400) if orientation in (6, 8) else (400, 600))
    img = load_image(str(path))
    assert img.size == (400, 600)
    top, bottom = img.getpixel((200, 20)), img.getpixel((200, 580))
    assert max(top) < 60 and min(bottom) > 200, (top, bottom)


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    Image.new("1", (12_000, 12_000)).save(path)               # 144 Mpx, a few KB on disk
    with pytest.raises((Image.DecompressionBombError, Image.DecompressionBombWarning)):
        load_image(str(path))
