# mgmd — the README's commands. The real build is Meson + Ninja; this file only drives it.
#   make          build into build/
#   make check    every test: unit tests plain and under ASan+UBSan, format, netns end to end
#   make demo     real kernel hosts in namespaces joining and leaving, decoded live
#   make bench    benchmarks with figures and ratios against peers measured in the same run
#                 (the daemon section runs mgmd alone, in querier mode, when this kernel has no
#                 multicast routing; root)
#   make bench-vm the daemon section whole, mgmd against igmpproxy and FRR pimd, under Debian's
#                 kernel in a qemu VM (installs the peers and the VM; root)
#   make fuzz     short runs of every libFuzzer target (FUZZ_SECONDS each)
#   make install  honours PREFIX and DESTDIR
#   make deps     install the Debian packages the project needs (root)
#   make check-netns-asan  the mgmd end-to-end tests (NETNS_ASAN_TESTS) with the daemon and
#                 the test tools built with ASan+UBSan (part of make check)
#   make check-vm the netns tests this kernel cannot run (VM_TESTS), under Debian's kernel in
#                 a qemu VM (tests/vm/run-in-vm; installs qemu and linux-image-amd64; root);
#                 VM_TESTS= runs every netns test there

PREFIX       ?= /usr/local
DESTDIR      ?=
FUZZ_SECONDS ?= 60
MESON        ?= meson
NINJA        ?= ninja

BUILD      := build
BUILD_SAN  := build-asan
BUILD_FUZZ := build-fuzz
VM_TESTS   ?= test_mroute test_mgmd_router test_mgmd_proxy_frr
NETNS_ASAN_TESTS ?= test_mgmd_querier test_mgmd_router test_mgmd_flood test_mgmd_proxy_chain \
	test_mgmd_proxy test_mgmd_proxy_flood

.PHONY: all check check-unit check-asan check-format check-netns check-netns-asan check-vm bench \
	bench-vm fuzz install deps demo clean format

all: $(BUILD)/build.ninja
	$(NINJA) -C $(BUILD)
	@ln -sfn tools/mgmdump $(BUILD)/mgmdump

$(BUILD)/build.ninja:
	@scripts/deps --ensure build
	$(MESON) setup $(BUILD) --prefix=$(PREFIX) --werror

$(BUILD_SAN)/build.ninja:
	@scripts/deps --ensure build
	$(MESON) setup $(BUILD_SAN) --werror -Db_sanitize=address,undefined -Db_lundef=false

$(BUILD_FUZZ)/build.ninja:
	@scripts/deps --ensure fuzz
	CC=clang $(MESON) setup $(BUILD_FUZZ) -Dfuzz=true -Db_lundef=false

check:
	@scripts/deps --ensure all
	$(MAKE) check-format
	$(MAKE) check-unit
	$(MAKE) check-asan
	$(MAKE) check-netns
	$(MAKE) check-netns-asan
	@echo "make check: all suites passed"

check-unit: all
	$(MESON) test -C $(BUILD) --suite unit --print-errorlogs
	@scripts/test-summary $(BUILD) "unit tests (-Werror build)"

check-asan: $(BUILD_SAN)/build.ninja
	$(NINJA) -C $(BUILD_SAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MESON) test -C $(BUILD_SAN) --suite unit --print-errorlogs
	@scripts/test-summary $(BUILD_SAN) "unit tests (ASan+UBSan build)"

check-format:
	@scripts/check-format

check-netns: all
	tests/netns/run $(BUILD)

# tests/netns/run takes every program from the build directory it is given: here mgmd, mgmctl
# and the test tools of the sanitizer build.
check-netns-asan: $(BUILD_SAN)/build.ninja
	$(NINJA) -C $(BUILD_SAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		tests/netns/run $(BUILD_SAN) $(NETNS_ASAN_TESTS)

check-vm: all
	tests/vm/run-in-vm $(BUILD) tests/netns/run $(BUILD) $(VM_TESTS)

bench: all
	@scripts/deps --ensure bench || echo "make bench: without igmpproxy and frr, mgmd runs alone"
	bench/run $(BUILD)

# The peers run in the VM from the host's root, so they are installed here first.
bench-vm: all
	@scripts/deps --ensure bench
	MGMT_VM_MEM=$${MGMT_VM_MEM:-2048} MGMT_VM_TIMEOUT=$${MGMT_VM_TIMEOUT:-2400} \
		tests/vm/run-in-vm $(BUILD) bench/run $(BUILD) daemon

fuzz: $(BUILD_FUZZ)/build.ninja
	$(NINJA) -C $(BUILD_FUZZ)
	fuzz/run $(BUILD_FUZZ) $(FUZZ_SECONDS)

demo:
	@scripts/deps --ensure all
	$(MAKE) all
	scripts/demo $(BUILD)

install: all
	$(MESON) configure $(BUILD) --prefix=$(PREFIX) >/dev/null
	$(NINJA) -C $(BUILD)
	DESTDIR=$(DESTDIR) $(MESON) install -C $(BUILD) --no-rebuild

deps:
	scripts/deps --install

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
