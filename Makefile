# zjcheck — two commands: `make demo` and `make test` (each sets up what it needs).
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# fonts-arphic-*, fonts-wqy-zenhei: type faces of the rendered sample documents (楷体, 明体, 黑体)
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk libmagic1 fonts-arphic-ukai fonts-arphic-uming fonts-wqy-zenhei
# Only for `make test`: the browser test of the HTML report (headless Chromium).
TEST_APT_PACKAGES := chromium chromium-driver
STAMP := $(VENV)/.installed
FIXTURES := fixtures/packages/manifest.json
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: demo test setup system-deps test-system-deps venv fixtures bench bench-scale clean

demo: setup fixtures
	@echo "== zjcheck check fixtures/packages/compliant =="
	-$(BIN)/zjcheck check fixtures/packages/compliant
	@echo
	@echo "== 一份有问题的示例：现任职务取得不足 5 年（fixtures/packages/tit-recent） =="
	-$(BIN)/zjcheck check fixtures/packages/tit-recent

# The suite runs on the default engine (RapidOCR); `ZJCHECK_OCR=tesseract make test` runs it on Tesseract.
test: setup test-system-deps fixtures
	$(BIN)/python -m pytest -q

setup: system-deps $(STAMP)

# Debian packages: installed when missing (as root), otherwise the exact command is printed.
system-deps: PKGS = $(APT_PACKAGES)
test-system-deps: PKGS = $(TEST_APT_PACKAGES)
system-deps test-system-deps:
	@missing=""; for p in $(PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "安装系统软件包:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "缺少系统软件包:$$missing"; \
	    echo "请运行: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

$(VENV)/bin/python:
	@$(PY) -m venv $(VENV)

# pip's and the build backend's chatter goes to a log, shown only when the install fails
$(STAMP): pyproject.toml $(VENV)/bin/python
	@echo "安装 Python 依赖（日志：$(VENV)/install.log）..."
	@{ $(BIN)/pip install -q --upgrade pip && $(BIN)/pip install -q -e '.[test,cluster]'; } > $(VENV)/install.log 2>&1 \
	  || { cat $(VENV)/install.log; exit 1; }
	@touch $(STAMP)

# Sample packages are rendered, not committed (deterministic: same bytes every run).
fixtures: $(STAMP)
	@if [ ! -f $(FIXTURES) ] || [ -n "$$(find fixtures/build.py fixtures/render fixtures/variants -newer $(FIXTURES) -print -quit)" ]; then \
	  echo "渲染示例材料 fixtures/packages ..."; $(BIN)/python fixtures/build.py --out fixtures/packages; \
	fi

# OCR accuracy/speed of every engine and RapidOCR backend (bench/README.md).
bench: setup fixtures
	$(BIN)/python bench/run.py

# pages/s of `zjcheck batch --scheduler` with 1 and 2 Dask workers (issue 20)
bench-scale: setup fixtures
	$(BIN)/python bench/scale.py

clean:
	rm -rf fixtures/packages .pytest_cache
