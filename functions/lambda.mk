# Shared recipe for the function Makefiles that `sam build` runs (BuildMethod: makefile).
#
# SAM copies the function folder to a scratch directory and runs
# `make --makefile <original path> build-<LogicalId>` there, so every path below
# is taken from this file's location, never from the working directory.
FUNCTIONS_DIR := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
PYTHON ?= python3.11

# The python3.11 runtime is Amazon Linux 2 on x86_64. The requirement files are
# complete, exact closures exported from the lock, so --no-deps keeps anything
# outside them (scipy, grpcio) from being pulled back in by a package's metadata.
LAMBDA_PIP := --platform manylinux2014_x86_64 --only-binary=:all: --python-version 3.11 \
	--implementation cp --no-deps --no-compile --disable-pip-version-check --quiet

# build_function(function folder): the shared domain package, the handler, the
# pinned dependencies; then shrink and byte-compile. The command line, the local
# stack and the ops tools live in cli/newsfacet_cli, outside functions/, so
# nothing has to be deleted from the copy.
define build_function
	@test -n "$(ARTIFACTS_DIR)" || { echo "ARTIFACTS_DIR is not set: run 'make build' at the top" >&2; exit 2; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "$(PYTHON) is not Python 3.11: the .pyc files must match the python3.11 runtime" >&2; exit 2; }
	$(PYTHON) -m pip install $(LAMBDA_PIP) --target "$(ARTIFACTS_DIR)" \
	  -r "$(FUNCTIONS_DIR)/$(1)/requirements.txt"
	rm -rf "$(ARTIFACTS_DIR)/newsfacet"
	cp -R "$(FUNCTIONS_DIR)/newsfacet" "$(ARTIFACTS_DIR)/newsfacet"
	cp "$(FUNCTIONS_DIR)/$(1)/app.py" "$(ARTIFACTS_DIR)/app.py"
	if [ -d "$(FUNCTIONS_DIR)/$(1)/lambda_shims" ]; then \
	  cp -R "$(FUNCTIONS_DIR)/$(1)/lambda_shims/." "$(ARTIFACTS_DIR)/"; fi
	$(PRUNE)
	$(STRIP_SO)
	$(COMPILE_PYC)
endef

# Test suites and caches are dead weight at run time. numpy.testing imports one
# helper from numpy/_core/tests: keep just that, so it still imports.
define PRUNE
	find "$(ARTIFACTS_DIR)" -depth -type d \( -name __pycache__ -o -name tests \) \
	  -not -path "$(ARTIFACTS_DIR)/numpy/*" -exec rm -rf {} +
	find "$(ARTIFACTS_DIR)" -path "$(ARTIFACTS_DIR)/numpy/*" \( -name __pycache__ -o \
	  \( -path '*/tests/*' -not -path '*/numpy/_core/tests/_natype.py' \
	      -not -path '*/numpy/_core/tests/__init__.py' \) \) -type f -delete
	find "$(ARTIFACTS_DIR)" -type f \( -name '*.pyc' -o -name '*.pyx' -o -name '*.pxd' \
	  -o -name '*.c' -o -name '*.cpp' -o -name '*.h' \) -delete
endef

# Debug symbols are most of the size of spaCy's and blis's extension modules.
# Libraries that auditwheel vendored into *.libs were rewritten by patchelf, and
# strip corrupts them ("ELF load command address/offset not page-aligned").
define STRIP_SO
	find "$(ARTIFACTS_DIR)" -type f -name '*.so*' -not -path '*.libs/*' \
	  -exec strip --strip-unneeded {} +
endef

# /var/task is read-only, so Python cannot cache bytecode there: without .pyc
# every cold start compiles every module. unchecked-hash .pyc files stay valid
# whatever mtimes the zip round-trip leaves on the sources.
define COMPILE_PYC
	$(PYTHON) -m compileall -q -j 0 --invalidation-mode unchecked-hash "$(ARTIFACTS_DIR)" >/dev/null
endef
