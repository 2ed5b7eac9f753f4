"""Fixed detection canvases for RapidOCR on OpenVINO.

OpenVINO's CPU plugin plans a model's memory once when the model is compiled
for one input shape (buffers reused from layer to layer); compiled with
dynamic shapes, it keeps what it allocated for the largest inputs it has
seen.  A page-sized detection input (the page scaled so that its longer side
is DET_SIDE px, the other side rounded to 32) is therefore padded with white
to one of a few canvases, each compiled once for its shape: six page shapes
read three times took 654 MB dynamic, 428 MB on two canvases, and were not
slower (A4 pages are padded from 896 to 960 px wide); see bench/README.md.  Smaller
inputs (seal rim strips, recovered blobs, small photos) keep the dynamic
model, whose buffers then stay small.

The detector's output is a probability map of the input's size; the padded
part is cut off before RapidOCR's post-processing sees it, so boxes are in
the same coordinates as without padding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

MIN_FILL = 0.5      # an input takes a canvas only when it covers at least this share of it


def canvases(side: int) -> tuple[tuple[int, int], ...]:
    """(height, width) canvases for a detection side of `side` px: portrait
    and landscape pages up to a 4:3 short side, then square."""
    short = -(-side * 3 // 4 // 32) * 32
    return ((side, short), (short, side), (side, side))


class CanvasDetector:
    """Stands in for RapidOCR's OpenVINO detection session."""

    def __init__(self, dynamic: Any, model_path: Path, config: dict[str, str], side: int,
                 pad: np.ndarray) -> None:
        self._dynamic = dynamic
        self._path = Path(model_path)
        self._config = config
        self._canvases = canvases(side)
        self._pad = np.asarray(pad, dtype=np.float32).reshape(1, -1, 1, 1)
        self._requests: dict[tuple[int, int], Any] = {}
        self._core: Any = None

    def canvas(self, h: int, w: int) -> tuple[int, int] | None:
        for ch, cw in self._canvases:
            if h <= ch and w <= cw and h * w >= MIN_FILL * ch * cw:
                return ch, cw
        return None

    def _request(self, shape: tuple[int, int]) -> Any:
        if shape not in self._requests:
            if self._core is None:
                import openvino
                self._core = openvino.Core()
                self._core.set_property("CPU", self._config)
            model = self._core.read_model(str(self._path))
            model.reshape([1, 3, *shape])
            self._requests[shape] = self._core.compile_model(model, "CPU").create_infer_request()
        return self._requests[shape]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        h, w = int(x.shape[2]), int(x.shape[3])
        shape = self.canvas(h, w)
        if shape is None:
            return self._dynamic(x)
        buf = np.empty((1, x.shape[1], *shape), dtype=np.float32)
        buf[...] = self._pad
        buf[:, :, :h, :w] = x
        req = self._request(shape)
        req.infer([buf])
        return req.get_output_tensor(0).data[:, :, :h, :w]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._dynamic, name)
