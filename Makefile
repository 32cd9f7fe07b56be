# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
TYPING := .venv-typing
BPY := bpy>=4.5,<4.6
FAKE_BPY := fake-bpy-module-4-5
DEMO_DIR ?= out/demo

.PHONY: demo test lint typecheck pytest bench extension clean

# The runtime/test environment: the project (editable) and the real Blender 4.5 LTS wheel.
$(VENV)/.ready: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]' '$(BPY)'
	touch $@

# Stubs live apart: fake-bpy-module installs a package named `bpy` that would shadow the wheel.
$(TYPING)/.ready: Makefile
	$(PYTHON) -m venv $(TYPING)
	$(TYPING)/bin/python -m pip install --quiet --upgrade pip
	$(TYPING)/bin/python -m pip install --quiet mypy numpy '$(FAKE_BPY)'
	touch $@

# 16 pairs of the default preset at 128 px: well under two minutes on a 2-core CPU.
demo: $(VENV)/.ready
	$(VENV)/bin/python -m identbox render --preset hues_positions_rotations \
		--n-pairs 16 --seed 0 --resolution 128 --samples 32 --out $(DEMO_DIR)
	@echo "Demo dataset: $(abspath $(DEMO_DIR))/ (samples/m1, samples/m2, factors/, manifest.json)"

lint: $(VENV)/.ready
	$(VENV)/bin/ruff check .

typecheck: $(TYPING)/.ready
	bash .ci/typecheck $(TYPING)/bin/python

pytest: $(VENV)/.ready
	$(VENV)/bin/python -m pytest

test: lint typecheck pytest

# Every benchmark in full (tests/test_benchmarks.py runs each one's quick mode). The window
# benchmark needs Debian's Blender and Xvfb, as the GUI tests do.
bench: $(VENV)/.ready
	$(VENV)/bin/python benchmarks/sampling.py
	$(VENV)/bin/python benchmarks/render.py
	$(VENV)/bin/python benchmarks/validate.py
	$(VENV)/bin/python benchmarks/fidelity.py
	$(VENV)/bin/python benchmarks/window.py

# Builds dist/identbox-<version>.zip with the extension CLI bundled in the bpy wheel, then puts
# its files under identbox/ so the same zip installs on Blender 3.4 to 5.x.
extension: $(VENV)/.ready
	mkdir -p dist
	rm -f dist/identbox-*.zip
	$(VENV)/bin/python $$(ls $(VENV)/lib/python3*/site-packages/bpy/*/scripts/addons_core/bl_pkg/cli/blender_ext.py | head -n 1) \
		build --source-dir . --output-dir dist
	$(VENV)/bin/python .ci/one_zip.py \
		dist/identbox-$$($(VENV)/bin/python -c "import identbox; print(identbox.__version__)").zip

clean:
	rm -rf $(VENV) $(TYPING) dist build *.egg-info .pytest_cache .mypy_cache .ruff_cache
