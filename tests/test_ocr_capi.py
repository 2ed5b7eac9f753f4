"""Tesseract in process (zjcheck.ocr.capi) reads exactly what the command reads.

The in-process API exists for speed only (models loaded once per worker);
it must not change a single word, box or confidence, or the checkers tuned
on the command's output would drift.  Real Tesseract on rendered fixture
pages; the command runs through pytesseract, as the fallback does.
"""

from __future__ import annotations

import pytesseract
import pytest
from PIL import Image

from tests.conftest import PACKAGES
from zjcheck.imaging import prepare, render
from zjcheck.ocr import capi, tesseract
from zjcheck.ocr.tesseract import BLOCK_CONFIG, CONFIG, LANGS, OSD_CONFIG, TesseractEngine

pytestmark = pytest.mark.skipif(capi.load() is None, reason="libtesseract.so.5 cannot be loaded here")

# A photographed degree certificate with a seal, a table-heavy pension record
# (page 1), and the utility-model certificate scanned a quarter turn off.
PAGES = [("compliant/01-学历学位/学位证书.jpg", 0),
         ("compliant/03-养老保险/养老保险参保缴费证明.pdf", 0)]
TURNED = "compliant/08-专利/实用新型专利证书.jpg"


def _page(rel: str, index: int) -> Image.Image:
    path = PACKAGES / rel
    if not path.exists():
        pytest.fail(f"fixture page {rel} is missing: run `make fixtures`")
    img = render.render_pdf_page(str(path), index, 200) if path.suffix == ".pdf" else render.load_image(str(path), index)
    return prepare.for_ocr(img)


def _words(data: dict[str, list]) -> list[tuple]:
    keys = ("block_num", "par_num", "line_num", "word_num", "left", "top", "width", "height", "conf", "text")
    return [tuple(str(data[k][i]).strip() for k in keys) for i in range(len(data["text"]))]


def _command(image: Image.Image, langs: str, config: str) -> dict[str, list]:
    return pytesseract.image_to_data(tesseract._uncompressed(image), lang=langs, config=config,
                                     output_type=pytesseract.Output.DICT)


@pytest.mark.parametrize(("rel", "index"), PAGES)
def test_in_process_reads_what_the_command_reads(rel: str, index: int) -> None:
    image = _page(rel, index)
    ours = TesseractEngine._api(LANGS)
    assert ours is not None
    got = _words(ours.data(image, 3))
    assert len(got) > 50
    assert got == _words(_command(image, LANGS, CONFIG))


def test_block_mode_and_second_language_match_the_command() -> None:
    """The chi_sim re-read and the recovery strip use psm 6; a second loaded API
    (chi_sim alone) must not disturb the first (order does not matter)."""
    image = _page(*PAGES[0]).crop((0, 0, 1200, 700))
    ours = TesseractEngine._api("chi_sim")
    assert ours is not None
    assert _words(ours.data(image, 6)) == _words(_command(image, "chi_sim", BLOCK_CONFIG))
    assert _words(TesseractEngine._api(LANGS).data(image, 6)) == _words(_command(image, LANGS, BLOCK_CONFIG))


def test_orientation_matches_the_command() -> None:
    image = _page(TURNED, 0)
    osd = pytesseract.image_to_osd(tesseract._uncompressed(image), config=OSD_CONFIG,
                                   output_type=pytesseract.Output.DICT)
    want = int(osd["rotate"]) % 360 if float(osd["orientation_conf"]) >= 1.0 else None
    got = TesseractEngine().orientation(image)
    assert got == want
    assert got in (90, 270)      # the fixture is turned a quarter, whichever way the engine names it


def test_osd_model_loads_quietly(capfd: pytest.CaptureFixture[str]) -> None:
    """The OSD model has no LSTM: asking it for LSTM printed an error on every worker."""
    api = capi.Api(capi.load(), "osd", tesseract._OSD_VARIABLES)
    api.orientation(Image.new("L", (300, 300), 255))
    del api
    assert "Error" not in capfd.readouterr().err


def test_cli_fallback_when_forced(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZJCHECK_TESSERACT_CLI", "1")
    capi.load.cache_clear()
    try:
        assert capi.load() is None
        assert TesseractEngine._api(LANGS) is None
        res = TesseractEngine().recognise(Image.new("L", (400, 200), 255))
        assert res.lines == [] and res.good_chars == 0
    finally:
        monkeypatch.delenv("ZJCHECK_TESSERACT_CLI")
        capi.load.cache_clear()
    assert capi.load() is not None


def test_tsv_rows_parse_without_header() -> None:
    tsv = "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1.000000\t\n5\t1\t1\t1\t1\t1\t3\t4\t20\t10\t91.886078\t授权\n"
    data = capi.parse_tsv(tsv)
    assert data["conf"] == [-1, 91]
    assert data["text"] == ["", "授权"]
    assert data["left"] == [0, 3]
