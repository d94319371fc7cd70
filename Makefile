# Two commands on a fresh clone: `make demo` and `make test`. Each creates .venv itself.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test install clean benchmarks

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(PY) pipeline.py demo

test: $(STAMP)
	$(PY) -m pytest -q -n 2 --dist loadfile

# Speed and quality figures (docs/benchmarks.md); several need ../shared/data and take minutes.
benchmarks: $(STAMP)
	$(PY) benchmarks/crawl_throughput.py
	$(PY) benchmarks/extraction_quality.py
	$(PY) benchmarks/nlp_quality.py
	$(PY) benchmarks/nlp_throughput.py
	$(PY) benchmarks/sentiment_accuracy.py
	$(PY) benchmarks/scoring_incremental.py

clean:
	rm -rf $(VENV) demo-out *.egg-info .pytest_cache
