# secretgate — build, test, lint, bench.
# Every target works on a fresh machine with Go installed; `make test` is the
# one command CI runs (.ci/run).

GO       ?= go
BIN      ?= bin/secretgate
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/secretgate/secretgate/internal/cli.Version=$(VERSION)
# A build fails when go.mod or go.sum is out of date instead of rewriting
# them (go mod tidy is a deliberate step; make lint checks it was run).
# Other flags from the environment or go env -w are kept.
export GOFLAGS := $(strip $(filter-out -mod=%,$(shell $(GO) env GOFLAGS)) -mod=readonly)

# The Go-installable tools the tests and lint use, at pinned versions:
# make tools builds them into .tools/bin (git-ignored), which every target
# finds first on PATH. Bump a version here; make tools then rebuilds that
# tool only. opa, actionlint and gitleaks are the versions go.mod already
# requires (the code uses them as libraries), so command line and library
# agree; make bench compares secretgate with the opa and gitleaks CLIs.
TOOLS_BIN             := $(CURDIR)/.tools/bin
ACT_VERSION           := v0.2.89
GOLANGCI_LINT_VERSION := v2.15.0
OPA_VERSION            = $(shell $(GO) list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
ACTIONLINT_VERSION     = $(shell $(GO) list -m -f '{{.Version}}' github.com/rhysd/actionlint)
GITLEAKS_VERSION       = $(shell $(GO) list -m -f '{{.Version}}' github.com/zricethezav/gitleaks/v8)
TOOLS = \
	act=github.com/nektos/act@$(ACT_VERSION) \
	golangci-lint=github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) \
	opa=github.com/open-policy-agent/opa@$(OPA_VERSION) \
	actionlint=github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION) \
	gitleaks=github.com/zricethezav/gitleaks/v8@$(GITLEAKS_VERSION)
export PATH := $(TOOLS_BIN):$(PATH)

.PHONY: all build tools test test-skips test-race bench-smoke bench-small lint fmt rego-test demo docs bench fuzz clean

all: build

build: ## build bin/secretgate
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/secretgate

tools: ## install act, golangci-lint, opa, actionlint and gitleaks at their pinned versions into .tools/bin (no-op when current)
	@bash scripts/tools.sh '$(TOOLS_BIN)' $(TOOLS)

test: tools lint build ## everything CI checks: lint, Go tests, Rego tests, race detector, benchmarks once, make bench at small size; then what was skipped
	$(GO) test -count=1 ./...
	$(BIN) policy test
	$(MAKE) --no-print-directory test-race
	$(MAKE) --no-print-directory bench-smoke
	$(MAKE) --no-print-directory bench-small
	@$(MAKE) --no-print-directory test-skips

# The tests that need a tool make tools does not install skip without it
# (unless CI is set: then they fail). Say so at the end of make test rather
# than only in go test -v's output.
test-skips: ## list the tests make test skipped for a missing tool, and why
	@skipped=0; \
	skip() { echo "skipped: $$1"; skipped=1; }; \
	command -v act >/dev/null 2>&1 || skip "act end-to-end tests of the pull-request workflow (act not found: run make tools)"; \
	command -v pre-commit >/dev/null 2>&1 || skip "pre-commit hook test (Debian package pre-commit not installed)"; \
	command -v shellcheck >/dev/null 2>&1 || skip "shellcheck of the action's scripts (Debian package shellcheck not installed)"; \
	if [ $$skipped = 0 ]; then echo "skipped: nothing (act, pre-commit and shellcheck found)"; fi

# The packages whose non-test code starts goroutines: their tests run again
# under the race detector, which needs cgo and a C compiler (.ci/run
# installs gcc). Listed by hand so none drops out silently; make lint
# (scripts/race-pkgs.sh) fails when a package that starts goroutines (go
# func, go f(...), sync.WaitGroup, errgroup or .Go) is missing here.
RACE_PKGS ?= \
	./internal/awsinv \
	./internal/awstest \
	./internal/cli \
	./internal/explain \
	./internal/leaks \
	./internal/policy \
	./internal/progress \
	./internal/report \
	./internal/resolve \
	./internal/run \
	./internal/source \
	./internal/source/tfhcl

# Left out under the race detector only: three tests that compare the leak
# matchers with gitleaks' regular expressions on thousands of texts, one
# goroutine calling Detect in turn (nothing concurrent to check, and about 8
# of the race run's 9 minutes), and the Rego unit tests (OPA's evaluator on
# one goroutine per test; the trust consistency tests take 3 s each plainly
# and passed the 30 s test timeout under the detector on a loaded machine).
# They run in the plain `go test` above, and the Rego tests in `secretgate
# policy test` too.
RACE_SKIP := ^(TestFastRulesMatchGitleaks|TestFastMatchersEqualRegexp|TestDetectSameWithDecodeFilter|TestRegoUnitTests)$$

test-race: ## the tests of the packages that start goroutines, under the race detector
	CGO_ENABLED=1 $(GO) test -race -count=1 -skip '$(RACE_SKIP)' $(RACE_PKGS)

# Every benchmark once (-benchtime 1x), so none rots unnoticed: a failing
# or skipped benchmark fails the target. BenchmarkTreeScan scans this
# repository's files, BenchmarkHistoryScan its history (a clone: CI's is
# one). Measurements are make bench's job, not this one's.
BENCH_PKGS ?= ./...
bench-smoke: ## run every Go benchmark once; fails when one fails or is skipped
	@out=$$(mktemp); \
	LEAKS_BENCH_TREE='$(CURDIR)' LEAKS_BENCH_REPO='$(CURDIR)' $(GO) test -run '^$$' -bench . -benchtime 1x -v $(BENCH_PKGS) >$$out 2>&1; code=$$?; \
	grep -v -e 'no test files' -e '^=== RUN' $$out; \
	if [ $$code -ne 0 ]; then rm -f $$out; echo "bench-smoke: a benchmark failed (above)"; exit $$code; fi; \
	if grep -q -e '--- SKIP: Benchmark' $$out; then rm -f $$out; echo "bench-smoke: a benchmark was skipped (above); every benchmark must run"; exit 1; fi; \
	rm -f $$out

# Every check runs even when an earlier one fails, so one make lint shows
# everything to fix; the target fails when any did. Rego: opa fmt and opa
# check --strict (unused imports and variables, shadowed names...); Regal,
# the Rego linter, is not served by the Go module proxy, so make tools
# cannot pin it.
lint: tools ## golangci-lint (.golangci.yml: vet, staticcheck, errcheck, gofmt…), opa fmt and check over policies/, actionlint, go mod tidy, the race list
	@status=0; \
	run() { echo "+ $$*"; "$$@" || status=1; }; \
	run golangci-lint run ./...; \
	run opa fmt --list --fail policies; \
	run opa check --strict policies; \
	run actionlint .github/workflows/*.yml; \
	run bash scripts/actionlint-examples.sh; \
	run $(GO) mod tidy -diff; \
	run bash scripts/race-pkgs.sh $(RACE_PKGS); \
	exit $$status

fmt: tools ## rewrite Go and Rego files into their canonical format
	golangci-lint fmt ./...
	opa fmt --write policies

rego-test: build ## run the Rego unit tests verbosely
	$(BIN) policy test -v

demo: build ## the main job on the shipped example repository
	@echo "+ secretgate check --offline --path docs/examples/demo"
	@$(BIN) check --offline --path docs/examples/demo; code=$$?; \
	echo; echo "secretgate exited with $$code (0 clean, 1 findings at or above --fail-on, 2 usage error, 3 incomplete)"

docs: build ## regenerate docs/policies.md from the rule metadata
	$(BIN) policy list --format markdown > docs/policies.md

bench: build ## secretgate side by side with the gitleaks CLI, opa eval and git on the same inputs: one table of ratios and goals, then the Go benchmarks
	bash internal/bench/bench.sh

# make bench's table on small inputs, once: it fails when a row cannot
# run or secretgate and its peer disagree on the findings, never on a
# ratio (on small inputs and a shared machine they mean nothing).
bench-small: build ## make bench's table at small size (part of make test)
	BENCH_SIZE=small bash internal/bench/bench.sh

FUZZTIME ?= 30s
fuzz: ## run every fuzz target for FUZZTIME each (failing inputs land in testdata/fuzz)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "+ go test -run '^$$' -fuzz '^$$f$$' -fuzztime $(FUZZTIME) $$pkg"; \
	    $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
	  done; \
	done

clean: ## remove bin/ (make tools' .tools/ stays: rm -rf .tools to rebuild the tools)
	rm -rf bin
