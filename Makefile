# Shortcuts for tasks.py, which needs only Python 3.11+ (no make required):
#   make report  = python3 tasks.py report
#   make test    = python3 tasks.py test
PYTHON ?= python3

.PHONY: report test lint bench lab clean

report test lint bench lab:
	$(PYTHON) tasks.py $@

clean:
	rm -rf .venv reports/*/
