# Two commands do all the set-up: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
TYPING := .venv-typing
BPY := bpy>=4.5,<4.6
FAKE_BPY := fake-bpy-module-4-5
DEMO_DIR ?= out/demo
# The oldest LTS the manifest allows and the newest LTS, each in its own environment: the tests
# marked every_blender run there too (`make blenders`). Blender 5.x wheels need Python 3.13.
BPY_OLDEST := 'bpy>=4.2,<4.3' 'numpy>=1.26,<2'  # the numpy Blender 4.2 bundles
BPY_NEWEST := 'bpy>=5.2,<5.3'
VENV_OLDEST := .venv-bpy42
VENV_NEWEST := .venv-bpy52
# python3.13 on PATH if it runs (a pyenv shim may not), else pyenv's.
PYTHON313 ?= $(firstword $(foreach p,python3.13 $(wildcard $(addsuffix /versions/3.13*/bin/python3.13,\
	$(PYENV_ROOT) $(HOME)/.pyenv)),$(shell $(p) -c '' >/dev/null 2>&1 && echo $(p))))
# The files holding tests marked every_blender (others import torch, which these venvs lack).
BLENDER_TESTS := tests/test_blender.py tests/test_ui.py tests/test_render.py \
	tests/test_reproduce.py tests/test_cube.py tests/test_multi_render.py tests/test_fidelity.py \
	tests/test_camera_lighting.py tests/test_shape_files.py

.PHONY: demo test lint typecheck pytest blenders bench extension clean

# The runtime/test environment: the project (editable) and the real Blender 4.5 LTS wheel.
$(VENV)/.ready: pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]' '$(BPY)'
	touch $@

# $(call blender_venv,PYTHON,BPY): the project (editable) and one more bpy wheel.
define blender_venv
	$(1) -m venv $(@D)
	$(@D)/bin/python -m pip install --quiet --upgrade pip
	$(@D)/bin/python -m pip install --quiet -e . 'pytest>=8' scipy $(2)
	touch $@
endef

$(VENV_OLDEST)/.ready: pyproject.toml Makefile
	$(call blender_venv,$(PYTHON),$(BPY_OLDEST))

$(VENV_NEWEST)/.ready: pyproject.toml Makefile
	@test -n '$(PYTHON313)' || { echo 'no Python 3.13 found: make PYTHON313=/path/to/python3.13'; exit 1; }
	$(call blender_venv,$(PYTHON313),$(BPY_NEWEST))

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

# The zip `make extension` builds once must install in every Blender, so the tests take it.
blenders: extension $(VENV_OLDEST)/.ready $(VENV_NEWEST)/.ready
	for venv in $(VENV_OLDEST) $(VENV_NEWEST); do \
		IDENTBOX_EXTENSION_ZIP=$(abspath $(wildcard dist/identbox-*.zip)) \
			$$venv/bin/python -m pytest -m every_blender $(BLENDER_TESTS) || exit 1; \
	done

test: lint typecheck pytest blenders

# Every benchmark in full (tests/test_benchmarks.py runs each one's quick mode). The window
# benchmark needs Debian's Blender and Xvfb, as the GUI tests do.
bench: $(VENV)/.ready
	$(VENV)/bin/python benchmarks/sampling.py
	$(VENV)/bin/python benchmarks/render.py
	$(VENV)/bin/python benchmarks/workers.py
	$(VENV)/bin/python benchmarks/validate.py
	$(VENV)/bin/python benchmarks/tamper_detection.py --tampers 40
	$(VENV)/bin/python benchmarks/fidelity.py
	$(VENV)/bin/python benchmarks/quality.py
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
	rm -rf $(VENV) $(TYPING) $(VENV_OLDEST) $(VENV_NEWEST) dist build *.egg-info .pytest_cache .mypy_cache .ruff_cache
