"""OCR engine registry, `--ocr auto`, the RapidOCR engine (optional extra).

Tests that need RapidOCR itself are skipped only when `rapidocr` /
`onnxruntime` cannot be imported (the extra is optional); the registry,
the usage error without the extra and the reading-order logic always run.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from zjcheck import ocr
from zjcheck.errors import UsageError
from zjcheck.extract import squash

ROOT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- registry

def test_registry_lists_both_engines() -> None:
    engines = ocr.available()
    assert engines["tesseract"] == "zjcheck.ocr.tesseract:TesseractEngine"
    assert engines["rapidocr"] == "zjcheck.ocr.rapidocr:RapidOcrEngine"


def test_pyproject_makes_rapidocr_the_default_dependency() -> None:
    """RapidOCR is the default engine: a main dependency, installed by `make demo`."""
    import tomllib
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert meta["entry-points"]["zjcheck.ocr"]["rapidocr"] == "zjcheck.ocr.rapidocr:RapidOcrEngine"
    deps = " ".join(meta["dependencies"])
    assert "rapidocr" in deps and "onnxruntime" in deps
    assert ocr.resolve("auto") == "rapidocr"


def test_unknown_engine_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="未知的 OCR 引擎"):
        ocr.get_engine("abbyy")


def test_auto_prefers_first_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "installed", lambda name: name == "tesseract")
    assert ocr.resolve("auto") == "tesseract"
    monkeypatch.setattr(ocr, "installed", lambda name: True)
    assert ocr.resolve("auto") == ocr.AUTO_ORDER[0]
    assert ocr.resolve("tesseract") == "tesseract"
    monkeypatch.undo()
    assert ocr.resolve("auto") == ("rapidocr" if ocr.installed("rapidocr") else "tesseract")


def _hide_rapidocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import rapidocr` fail as it does without the extra installed."""
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    monkeypatch.delitem(sys.modules, "zjcheck.ocr.rapidocr", raising=False)


def test_rapidocr_missing_is_chinese_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide_rapidocr(monkeypatch)
    with pytest.raises(UsageError) as e:
        ocr.get_engine("rapidocr")
    assert "rapidocr" in str(e.value) and "未安装" in str(e.value) and "pip install" in str(e.value)


def test_cli_rapidocr_missing_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from zjcheck.cli import app
    _hide_rapidocr(monkeypatch)
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    Image.new("RGB", (300, 200), "white").save(pkg / "scan.png")
    monkeypatch.setenv("ZJCHECK_CACHE_DIR", str(tmp_path / "cache"))
    res = CliRunner().invoke(app, ["check", str(pkg), "--ocr", "rapidocr"])
    assert res.exit_code == 2, res.output
    assert "未安装" in res.output and "tesseract" in res.output


# ---------------------------------------------------------------- reading order (pure logic)

def _seg(text: str, x0: int, y0: int, x1: int, y1: int) -> tuple:
    return (text, (x0, y0, x1, y1), 0.99)


def test_rows_join_label_and_value_but_not_spread_pages() -> None:
    from zjcheck.ocr.rapidocr import assemble
    segs = [_seg("工程师", 1165, 274, 1255, 314), _seg("资格名称", 964, 269, 1078, 311),
            _seg("周建华", 268, 476, 370, 514), _seg("姓名", 116, 472, 210, 511),
            _seg("评审组织", 961, 465, 1075, 504)]
    lines = [ln.text for ln in assemble(segs, 1740)]
    assert lines == ["资格名称 工程师", "姓名 周建华", "评审组织"]


def test_two_prose_columns_read_column_by_column() -> None:
    from zjcheck.ocr.rapidocr import assemble
    segs = [_seg("标题横跨两栏的论文题目", 300, 50, 1350, 100)]
    for i in range(6):
        y = 200 + 40 * i
        segs.append(_seg(f"左栏第{i}行正文内容内容内容", 100, y, 780, y + 30))
        segs.append(_seg(f"右栏第{i}行正文内容内容内容", 860, y, 1540, y + 30))
    lines = [ln.text for ln in assemble(segs, 1654)]
    assert lines[0].startswith("标题")
    assert [ln[:2] for ln in lines[1:]] == ["左栏"] * 6 + ["右栏"] * 6
    assert lines[1].startswith("左栏第0行") and lines[7].startswith("右栏第0行")


def test_running_header_on_one_side_does_not_split_the_abstract() -> None:
    """A journal's running header read as a left-only line (its English half a
    separate segment across the gutter) must not start the columns: the
    full-width abstract under the title stays whole, in order; a right
    column that ends early still comes after the whole left column."""
    from zjcheck.ocr.rapidocr import assemble
    segs = [_seg("工艺设计改造及检测检修", 219, 122, 686, 165),
            _seg("China Science & Technology Overview", 700, 122, 1097, 165),
            _seg("一种基于灵敏度分析的模态拟合参数辨识", 162, 195, 1337, 269),
            _seg("【摘要】非线性系统辨识是结构动力学的一项重要研究内容", 147, 411, 1549, 445),
            _seg("增加而急剧衰减。为了解决此类问题通常根据所研究系统的", 100, 444, 1547, 472),
            _seg("整定。对此提出了一种基于灵敏度分析的模态拟合算法综合", 103, 472, 1549, 502)]
    for i in range(8):
        y = 661 + 35 * i
        segs.append(_seg(f"左栏第{i}行正文内容内容内容", 105, y, 810, y + 30))
        if i < 4:                   # the right column ends early (the article's last page)
            segs.append(_seg(f"右栏第{i}行正文内容内容内容", 894, y, 1547, y + 30))
    lines = [ln.text for ln in assemble(segs, 1653)]
    assert lines[1] == "一种基于灵敏度分析的模态拟合参数辨识"
    assert [ln[:2] for ln in lines[2:5]] == ["【摘", "增加", "整定"]
    assert lines.index("右栏第0行正文内容内容内容") > lines.index("左栏第7行正文内容内容内容")
    assert lines[-1] == "右栏第3行正文内容内容内容"


def test_skewed_columns_split_despite_one_crossing_box() -> None:
    """A scan's skew can make one padded box touch the gutter: still two columns."""
    from zjcheck.ocr.rapidocr import assemble
    segs = []
    for i in range(8):
        y, drift = 200 + 40 * i, 3 * i
        segs.append(_seg(f"左栏第{i}行正文内容内容内容", 100 + drift, y, 790 + drift, y + 30))
        segs.append(_seg(f"右栏第{i}行正文内容内容内容", 850 + drift, y, 1540 + drift, y + 30))
    segs.append(_seg("图1 结构框图", 700, 560, 860, 590))      # crosses the gutter
    lines = [ln.text for ln in assemble(segs, 1654)]
    assert lines.index("右栏第0行正文内容内容内容") > lines.index("左栏第7行正文内容内容内容")


def test_two_page_spread_reads_left_page_first() -> None:
    """A booklet spread (wide empty middle): the left page's rows come first."""
    from zjcheck.ocr.rapidocr import assemble
    segs = [_seg("专业技术职务任职资格证书", 1078, 131, 1541, 189)]
    for i, (lab, val) in enumerate([("姓名", "周建华"), ("性别", "男"), ("出生年月", "1985年3月")]):
        y = 470 + 90 * i
        segs += [_seg(lab, 116, y, 230, y + 40), _seg(val, 273, y, 400, y + 40)]
    for i, (lab, val) in enumerate([("资格名称", "工程师"), ("专业", "机械工程"), ("评审组织", "浙江省评委会")]):
        y = 270 + 100 * i
        segs += [_seg(lab, 966, y, 1080, y + 40), _seg(val, 1166, y, 1300, y + 40)]
    lines = [ln.text for ln in assemble(segs, 1740)]
    assert lines[:3] == ["姓名 周建华", "性别 男", "出生年月 1985年3月"]
    assert lines[3:] == ["专业技术职务任职资格证书", "资格名称 工程师", "专业 机械工程", "评审组织 浙江省评委会"]


def test_sideways_segments_do_not_count_as_good(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tall (quarter-turned) lines are not well read: the pipeline then asks orientation()."""
    from zjcheck.ocr.rapidocr import RapidOcrEngine
    eng = RapidOcrEngine.__new__(RapidOcrEngine)        # no model needed for this logic
    upright = [("国家知识产权局依照专利法", (100, 100, 700, 140), 0.99)]
    sideways = [("国家知识产权局依照专利法", (100, 100, 140, 700), 0.99)]
    monkeypatch.setattr(eng, "segments", lambda image: upright)
    assert eng.recognise(Image.new("L", (800, 800))).good_chars == 12
    monkeypatch.setattr(eng, "segments", lambda image: sideways)
    res = eng.recognise(Image.new("L", (800, 800)))
    assert res.good_chars == 0 and res.text == "国家知识产权局依照专利法"


# ---------------------------------------------------------------- the engine itself

@pytest.fixture(scope="module")
def certificate_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT))
    from fixtures.render import effects, title
    from fixtures.render.profile import DEFAULT
    page = effects.scan(title.qualification_certificate(DEFAULT), "ocr-engines-test")
    path = tmp_path_factory.mktemp("ocr") / "title.png"
    page.image.save(path)
    return path


def _backends() -> list[str]:
    return ["onnxruntime", "openvino"]          # both are main dependencies: neither may be skipped


@pytest.mark.parametrize("backend", _backends())
def test_rapidocr_reads_certificate_fields_offline(certificate_png: Path, backend: str) -> None:
    """Key fields of a rendered 任职资格证书, read with every network call and
    every write into site-packages refused (audit hook, own process), on every
    installed inference backend."""
    pytest.importorskip("rapidocr")
    script = textwrap.dedent(f"""
        import json, os, sys
        import rapidocr
        pkg = os.path.dirname(os.path.abspath(rapidocr.__file__))
        site = os.path.dirname(pkg)
        def hook(event, args):
            if event.startswith("socket.") and event not in ("socket.__new__",):
                raise RuntimeError("network: " + event)
            if event == "open" and isinstance(args[0], str):
                mode, flags = str(args[1] or ""), args[2] or 0
                writes = any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
                if writes and os.path.abspath(args[0]).startswith(site):
                    raise RuntimeError("write into site-packages: " + args[0])
        sys.addaudithook(hook)
        from PIL import Image
        from zjcheck.ocr import get_engine
        eng = get_engine("rapidocr:{backend}")
        res = eng.recognise(Image.open({str(certificate_png)!r}).convert("L"))
        cfg = eng._engine().cfg
        threads = (cfg.EngineConfig.openvino.inference_num_threads if eng.backend == "openvino"
                   else cfg.EngineConfig.onnxruntime.intra_op_num_threads)
        print(json.dumps({{"text": res.text, "conf": res.conf, "good": res.good_chars,
                          "lines": len(res.lines), "boxes": all(ln.box for ln in res.lines),
                          "threads": threads, "backend": eng.backend,
                          "engine_type": str(cfg.Rec.engine_type.value), "batch": cfg.Rec.rec_batch_num}},
                         ensure_ascii=False))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={**__import__("os").environ, "ZJCHECK_OCR_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    import json
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    text = squash(out["text"])
    for field in ("专业技术职务任职资格证书", "资格名称", "工程师", "机械工程", "2019年12月20日",
                  "浙人社证2019-J-0217634", "330106198503120319", "浙江恒锐机电科技有限公司"):
        assert squash(field) in text, field
    assert out["boxes"] and out["lines"] >= 10
    assert 0 <= out["conf"] <= 100 and out["conf"] > 80
    assert out["good"] > 100
    assert out["threads"] == 1
    assert out["backend"] == backend and out["engine_type"] == backend
    assert out["batch"] == 1


def test_rapidocr_backend_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rapidocr")
    from zjcheck.ocr import rapidocr as R
    monkeypatch.delenv("ZJCHECK_RAPIDOCR_BACKEND", raising=False)
    monkeypatch.setattr(R, "backend_installed", lambda name: name == "onnxruntime")
    assert R.choose_backend() == "onnxruntime"
    with pytest.raises(UsageError, match="openvino"):
        R.choose_backend("openvino")
    monkeypatch.setattr(R, "backend_installed", lambda name: True)
    # OpenVINO where it computes in bfloat16 (0.6x onnxruntime's time), else onnxruntime
    monkeypatch.setattr(R, "fast_openvino", lambda: True)
    assert R.choose_backend() == "openvino"
    monkeypatch.setattr(R, "fast_openvino", lambda: False)
    assert R.choose_backend() == R.BACKENDS[0] == "onnxruntime"
    assert R.RapidOcrEngine("openvino").width_step() == R.REC_WIDTH_STEP
    assert R.RapidOcrEngine("onnxruntime").width_step() == 0
    monkeypatch.setenv("ZJCHECK_RAPIDOCR_BACKEND", "onnxruntime")
    assert R.choose_backend() == "onnxruntime"
    with pytest.raises(UsageError, match="不支持"):
        R.choose_backend("tensorrt")


def test_engine_option_after_colon() -> None:
    """`--ocr rapidocr:onnxruntime` picks the backend; an option for an engine without any is a usage error."""
    pytest.importorskip("rapidocr")
    pytest.importorskip("onnxruntime")
    eng = ocr.get_engine("rapidocr:onnxruntime")
    assert eng.backend == "onnxruntime" and "-ort" in eng.settings_key()
    with pytest.raises(UsageError):
        ocr.get_engine("tesseract:fast")


def test_rapidocr_settings_key_names_models() -> None:
    pytest.importorskip("rapidocr")
    pytest.importorskip("onnxruntime")
    eng = ocr.get_engine("rapidocr")
    key = eng.settings_key()
    assert key.startswith("rapidocr-") and "PP-OCR" in key
    # the backend, its version and (OpenVINO) the precision it computes in are part of the key
    assert eng.backend_key() in key
    assert ("-ort" in key) if eng.backend == "onnxruntime" else ("-openvino" in key and ("bf16" in key or "f32" in key))


def test_rapidocr_blank_page_reads_nothing() -> None:
    pytest.importorskip("rapidocr")
    pytest.importorskip("onnxruntime")
    res = ocr.get_engine("rapidocr").recognise(Image.new("L", (600, 800), 255))
    assert res.lines == [] and res.good_chars == 0 and res.conf is None


def test_rapidocr_finds_quarter_turn(certificate_png: Path) -> None:
    pytest.importorskip("rapidocr")
    pytest.importorskip("onnxruntime")
    eng = ocr.get_engine("rapidocr")
    turned = Image.open(certificate_png).convert("L").rotate(90, expand=True)   # content turned left
    assert eng.recognise(turned).good_chars < 40
    rot = eng.orientation(turned)
    assert rot in (90, 270)
    upright = eng.recognise(turned.rotate(-rot, expand=True))
    assert squash("浙人社证2019-J-0217634") in squash(upright.text) and upright.good_chars > 100


def test_padded_input_is_rapidocrs_resize_with_width_rounded_up() -> None:
    """The width-step padding changes only the zero padding on the right:
    the scaled segment is RapidOCR's own, and the width a multiple of the step."""
    pytest.importorskip("rapidocr")
    import numpy as np
    from rapidocr.ch_ppocr_rec.main import TextRecognizer
    from zjcheck.ocr.rapidocr import padded_input

    class Rec:
        rec_image_shape = [3, 48, 320]
    rng = np.random.default_rng(1)
    for w in (17, 130, 333, 901):
        img = rng.integers(0, 255, (31, w, 3), dtype=np.uint8)
        ratio = max(320 / 48, w / 31)
        ours = padded_input(Rec(), img, ratio, 32)
        theirs = TextRecognizer.resize_norm_img(Rec(), img, ratio)  # type: ignore[arg-type]
        assert ours.shape[2] % 32 == 0 and ours.shape[2] >= theirs.shape[2]
        assert np.array_equal(ours[:, :, :theirs.shape[2]], theirs)
        assert not ours[:, :, theirs.shape[2]:].any()
        assert np.array_equal(padded_input(Rec(), img, ratio, 0), theirs)


def test_openvino_widens_the_workers_address_space_cap_once() -> None:
    """OpenVINO reserves more address space than the worker cap (limits.py)
    allows for a page: loading it widens the soft cap once (a page bomb still
    meets the cap), and leaves an uncapped process uncapped."""
    code = textwrap.dedent("""
        import resource
        from zjcheck.ocr import rapidocr as R
        cap = 3 * 1024 ** 3
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
        R.widen_address_space(R.OV_ADDRESS_SPACE)
        R.widen_address_space(R.OV_ADDRESS_SPACE)
        print(resource.getrlimit(resource.RLIMIT_AS)[0] - cap == R.OV_ADDRESS_SPACE)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "True", out.stderr


def test_recognition_widths_are_few() -> None:
    """OpenVINO keeps memory for every recognition input width it has run:
    segments are padded to a few widths, never narrower than their own."""
    from zjcheck.ocr.rapidocr import REC_MIN_WIDTH, padded_width
    widths = {w: padded_width(w, 64, 1.25) for w in range(REC_MIN_WIDTH, 4000)}
    assert all(p >= w and p % 64 == 0 for w, p in widths.items())
    assert len(set(widths.values())) <= 12
    assert all(p < 1.4 * w for w, p in widths.items())        # padding stays a fraction of the segment
    assert padded_width(700, 32, 1.0) == 704 and padded_width(700, 0) == 700


def test_detection_canvas_choice() -> None:
    from zjcheck.ocr.ovcanvas import CanvasDetector, canvases
    assert canvases(1280) == ((1280, 960), (960, 1280), (1280, 1280))
    det = CanvasDetector(None, Path("unused.onnx"), {}, 1280, np.ones(3))
    assert det.canvas(1280, 896) == (1280, 960)          # an A4 page
    assert det.canvas(864, 1280) == (960, 1280)          # a landscape certificate
    assert det.canvas(1280, 1152) == (1280, 1280)
    assert det.canvas(192, 736) is None                  # a seal-rim strip: the dynamic model
    assert det.canvas(1280, 320) is None                 # a long narrow strip


def test_openvino_canvas_detection_finds_the_same_boxes(certificate_png: Path) -> None:
    """Detection on a white-padded fixed canvas finds the boxes the dynamic
    model finds, and OpenVINO's threads are not pinned (two workers pinned
    to one core share it)."""
    from zjcheck.ocr.ovcanvas import CanvasDetector
    eng = ocr.get_engine("rapidocr:openvino")
    det = eng._engine().text_det
    assert isinstance(det.session, CanvasDetector)
    assert det.session._config["ENABLE_CPU_PINNING"] == "NO"
    img = np.asarray(Image.open(certificate_png).convert("RGB"))
    x = det.get_preprocess()(img)
    assert det.session.canvas(*x.shape[2:]) is not None
    on_canvas = det(img)
    det.session, canvas = det.session._dynamic, det.session
    try:
        dynamic = det(img)
    finally:
        det.session = canvas
    assert len(on_canvas.boxes) == len(dynamic.boxes) >= 10
    assert np.abs(np.asarray(on_canvas.boxes) - np.asarray(dynamic.boxes)).max() <= 4
