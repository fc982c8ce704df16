# trailwatch — the two set-up commands on a fresh Debian 12 machine:
#   make run    install the missing packages it needs, build the trailwatch executable only
#               (Release, warnings not fatal), run the main job on the bundled example
#   make test   install the test tools too, build everything with -Werror, run every test (Release),
#               then the unit tests under
#               ASan+UBSan, then the fuzz targets for a short time
# Other targets: build, bench, fuzz, format, clean; package (the Debian .deb), package-test (it,
# installed on a fresh Debian 12 root), install (under PREFIX, with the systemd unit and user).

SHELL := /bin/bash
BUILD       ?= build/release
ASAN_BUILD  ?= build/asan
FUZZ_BUILD  ?= build/fuzz
JOBS        ?= $(shell nproc)
FUZZ_SECONDS ?= 10

# Debian 12 packages (never vendored). `make run` installs only what building and running
# trailwatch needs; `make test` adds the test, fuzz and packaging tools; `make bench` the benchmark
# library.
RUN_PACKAGES := build-essential cmake ninja-build pkg-config ccache \
  libsimdjson-dev libdeflate-dev libisal-dev zlib1g-dev libyaml-cpp-dev libcli11-dev \
  libspdlog-dev libfmt-dev libcurl4-openssl-dev libssl-dev libsqlite3-dev libcpp-httplib-dev libboost-dev \
  libicu-dev libexpat1-dev libsystemd-dev libpq-dev libcrypt-dev
TEST_PACKAGES := clang libclang-rt-14-dev libgtest-dev libgmock-dev jq openssl \
  dpkg-dev fakeroot lintian mmdebstrap systemd postgresql chromium
BENCH_PACKAGES := libbenchmark-dev

.PHONY: run test build configure deps deps-test deps-bench check-tools promtool browser-test-deps bench fuzz fuzz-run asan asan-test format clean \
  package package-test install

# $(call install-missing,packages): apt-get install of those not installed yet.
define install-missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef
deps:
	$(call install-missing,$(RUN_PACKAGES))
deps-test: deps
	$(call install-missing,$(TEST_PACKAGES))
deps-bench: deps
	$(call install-missing,$(BENCH_PACKAGES))

# promtool (tests/service/ops_listener_integration_test.cpp checks /metrics with it) is in Debian's
# prometheus package, whose installation would also enable and start a Prometheus server: unless a
# promtool is installed, the binary is taken out of the .deb (apt-get download, dpkg-deb -x) into
# build/tools, which `make test` puts on the tests' PATH. No server is installed or started.
TOOLS := $(CURDIR)/build/tools
promtool:
	@command -v promtool >/dev/null || [ -x $(TOOLS)/usr/bin/promtool ] || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  mkdir -p $(TOOLS)/download && cd $(TOOLS)/download && \
	  { apt-get download prometheus 2>/dev/null || { $$SUDO apt-get update -qq && apt-get download prometheus; }; } && \
	  dpkg-deb -x prometheus_*.deb $(TOOLS) && rm -f prometheus_*.deb && \
	  $(TOOLS)/usr/bin/promtool --version | head -1; }

# The web console's real-browser test (tests/console/console_browser_integration_test.cpp) runs
# tests/console/browser/console.test.mjs: Chromium (TEST_PACKAGES) driven by puppeteer-core, a Node
# package. Debian's nodejs and npm are installed only when there is no node (a newer one already
# installed, e.g. NodeSource's with its own npm, is kept); `npm ci` installs the versions of
# package-lock.json when node_modules is missing or older than that file. puppeteer-core never
# downloads a browser; PUPPETEER_SKIP_DOWNLOAD says so to anything else.
BROWSER_TESTS := tests/console/browser
browser-test-deps: deps-test
	@command -v node >/dev/null || { \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; echo "installing: nodejs npm"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; }
	@command -v npm >/dev/null || { echo "node is installed without npm: install npm (it comes with node's own packages)"; exit 1; }
	@if [ ! -f $(BROWSER_TESTS)/node_modules/.package-lock.json ] || \
	    [ $(BROWSER_TESTS)/package-lock.json -nt $(BROWSER_TESTS)/node_modules/.package-lock.json ]; then \
	  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix $(BROWSER_TESTS) --no-audit --no-fund; \
	fi

# Python tools the integration tests drive (shipped with the machine image). Never skip silently.
check-tools:
	@for t in moto_server aws cfn-lint; do \
	  command -v $$t >/dev/null || { echo "missing $$t: install it with: pip install 'moto[server]' awscli cfn-lint boto3"; exit 1; }; \
	done
	@python3 -c 'import boto3' 2>/dev/null || { echo "missing boto3: install it with: pip install boto3"; exit 1; }

# `configure` (used by run, package, install) leaves the tests, benchmarks and -Werror at their
# defaults (off in a fresh tree, whatever `make test` set otherwise). `build` (make test, make bench)
# turns on the tests and -Werror, so that CI fails on a new warning while a newer compiler's new
# warning never breaks a user's `make run`. Benchmarks only with `make bench` (BENCH=ON).
BENCH ?= OFF
configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps-test
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DTW_TESTS=ON -DTW_WERROR=ON -DTW_BENCH=$(BENCH)
	cmake --build $(BUILD) -j $(JOBS)

# The Debian package, from the Release build (only the binary and the files it installs are
# built): $(BUILD)/package/trailwatch_<version>-1_<arch>.deb (cmake/Install.cmake).
package: configure deps-test
	cmake --build $(BUILD) -j $(JOBS) --target trailwatch trailwatch_install_files
	rm -rf $(BUILD)/package
	cd $(BUILD) && cpack -G DEB

# lintian, the unit's systemd-analyze security, and the package installed with apt-get on a fresh
# Debian 12 root (mmdebstrap, cached per day under $(BUILD)/package-test): deploy/debian/package-test.sh.
package-test: package
	./deploy/debian/package-test.sh $(BUILD)

# `make install [PREFIX=/usr/local]`: the binary, unit, man page and docs under PREFIX,
# /etc/trailwatch/trailwatch.yaml when there is none, then the package's postinst (the
# trailwatch user, /var/lib/trailwatch). docs/deployment.md, "make install".
PREFIX ?= /usr/local
install: configure
	cmake --build $(BUILD) -j $(JOBS) --target trailwatch trailwatch_install_files
	cmake --install $(BUILD) --prefix $(PREFIX)
	./deploy/debian/postinst configure

# Only the trailwatch executable: no tests, no benchmarks, no packaging tools.
run: configure
	cmake --build $(BUILD) -j $(JOBS) --target trailwatch
	./examples/run-example.sh $(BUILD)/trailwatch

asan: deps-test
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 \
	  -DTW_SANITIZE=ON -DTW_TESTS=ON -DTW_WERROR=ON -DTW_BENCH=OFF -DTW_INTEGRATION_TESTS=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target trailwatch_tests

# The sanitizer build's unit tests run as $(JOBS) gtest shards, one process each, rather than one
# process per test under ctest: starting the ASan binary 700 times took 324 of the 360 seconds
# (fresh clone, 2 cores, 2026-12-05). A failing shard prints its whole log.
asan-test: asan
	@cd $(ASAN_BUILD) && rm -f shard-*.log && pids="" && \
	for i in $$(seq 0 $$(($(JOBS) - 1))); do \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  GTEST_TOTAL_SHARDS=$(JOBS) GTEST_SHARD_INDEX=$$i ./trailwatch_tests --gtest_brief=1 \
	    > shard-$$i.log 2>&1 & pids="$$pids $$!"; \
	done; \
	status=0; i=0; for pid in $$pids; do \
	  if wait $$pid; then tail -3 shard-$$i.log; \
	  else status=1; echo "ASan/UBSan shard $$i of $(JOBS) failed:"; cat shard-$$i.log; fi; \
	  i=$$((i + 1)); \
	done; exit $$status

fuzz: deps-test
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTW_FUZZ=ON -DTW_WERROR=ON -DTW_TESTS=OFF -DTW_BENCH=OFF
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

fuzz-run: fuzz
	@for f in $(FUZZ_BUILD)/*_fuzz; do \
	  name=$$(basename $$f); corpus=fuzz/corpus/$${name%_fuzz}; \
	  mkdir -p build/fuzz-work/$$name; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS)s"; \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 $$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	      -artifact_prefix=build/fuzz-work/$$name/ build/fuzz-work/$$name $$corpus 2>build/fuzz-work/$$name.log \
	    || { tail -40 build/fuzz-work/$$name.log; exit 1; }; \
	  grep -E '^stat::' build/fuzz-work/$$name.log || true; \
	done

test: check-tools promtool browser-test-deps
	$(MAKE) build BENCH=OFF
	cd $(BUILD) && PATH="$$PATH:$(TOOLS)/usr/bin" ctest --output-on-failure -j $(JOBS)
	$(MAKE) package-test
	$(MAKE) asan-test
	$(MAKE) fuzz-run

bench: deps-bench
	$(MAKE) build BENCH=ON
	./bench/run-benchmarks.sh $(BUILD)

format:
	clang-format -i $$(git ls-files '*.h' '*.cpp')

clean:
	rm -rf build
