# Two commands are all a learner needs:  `make lab`  and  `make test`.
# Everything else here is for course authors.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# JupyterLab refuses to start as root unless told it is fine (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: setup lab lab-zh test lint test-browser slides student solutions handouts zh figures bench execute clean

# The editions every teaching output is made for: English (the source) and 简体中文 (notebooks/zh/).
EDITION_LANGUAGES := en zh

setup: $(VENV)/.installed

# Re-installs whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## Open the course in JupyterLab (first run installs everything into .venv).
lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/00_shapes_and_notation.ipynb

## 用中文学习：open the Chinese edition (notebooks/zh/) in JupyterLab.
lab-zh: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/zh/00_shapes_and_notation.ipynb

## Run every test: the linter, unit tests and every notebook cell under strict nbval.
test: setup lint
	$(BIN)/pytest

## Check the Python code with ruff (rules in pyproject.toml, [tool.ruff]).
lint: setup
	$(BIN)/ruff check .

## Only the browser tests (exported decks and JupyterLab in headless Chromium).
test-browser: setup
	$(BIN)/pytest tests/browser

## Export every notebook as an offline reveal.js deck into build/slides/.
## Runs `npm ci` once (package.json, package-lock.json -> node_modules/); without npm the decks use a CDN.
## The Chinese decks go into build/slides/zh/ (likewise for student, solutions and handouts).
slides: setup
	for lang in $(EDITION_LANGUAGES); do $(BIN)/python -m course_utils.authoring.slides --language $$lang || exit 1; done

## The student edition to hand out: build/student/NN_name.ipynb, solutions removed, check outputs cleared.
student: setup
	for lang in $(EDITION_LANGUAGES); do $(BIN)/python -m course_utils.authoring.editions student --language $$lang || exit 1; done

## The solutions edition for after the session: build/solutions/NN_name.ipynb, each exercise's task and solution.
solutions: setup
	for lang in $(EDITION_LANGUAGES); do $(BIN)/python -m course_utils.authoring.editions solutions --language $$lang || exit 1; done

## PDF handouts, one page per slide: exports the decks, then prints build/handouts/NN_name.pdf with Chromium.
## make handouts NOTES=1  adds a page of speaker notes after each slide that has some.
handouts: setup
	for lang in $(EDITION_LANGUAGES); do \
	  $(BIN)/python -m course_utils.authoring.handouts --language $$lang $(if $(NOTES),--notes,) || exit 1; done

## Regenerate the Chinese edition notebooks/zh/ from the English notebooks and translations/zh/, and execute it.
## Fails, naming the cells, if a translation is missing or stale: see docs/translating.md.
zh: setup
	OMP_NUM_THREADS=2 $(BIN)/python -m course_utils.authoring.translate zh --build

## Regenerate figures/ from code.
figures: setup
	$(BIN)/python -m course_utils.authoring.figures

## Time every notebook and the training runs on this machine; writes benchmarks/RESULTS.md.
bench: setup
	$(BIN)/python -m course_utils.authoring.bench

## Re-execute one notebook in a fresh kernel after editing it:  make execute NB=notebooks/02_conv2d_by_hand.ipynb
execute: setup
	@test -n "$(NB)" || { echo "usage: make execute NB=notebooks/NN_name.ipynb"; exit 2; }
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.coalesce_streams=True $(NB)

clean:
	rm -rf $(VENV) build node_modules .pytest_cache .hypothesis .ruff_cache
