# secretgate — build, test, lint, bench.
# Every target works on a fresh machine with Go installed; `make test` is the
# one command CI runs (.ci/run).

GO       ?= go
BIN      ?= bin/secretgate
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/secretgate/secretgate/internal/cli.Version=$(VERSION)
export GOFLAGS ?= -mod=mod

.PHONY: all build test test-race bench-smoke lint fmt vet rego-test demo docs bench fuzz clean

all: build

build: ## build bin/secretgate
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/secretgate

test: lint build ## everything CI checks: formatting, vet, Go tests, Rego tests, race detector, benchmarks once
	$(GO) test -count=1 ./...
	$(BIN) policy test
	$(MAKE) --no-print-directory test-race
	$(MAKE) --no-print-directory bench-smoke

# The packages that start goroutines (non-test code that says go func,
# go f(...), sync.WaitGroup, errgroup or .Go): their tests run again under
# the race detector, which needs cgo and a C compiler (.ci/run installs gcc).
RACE_GREP := go func|go [A-Za-z_.]+[(]|sync[.]WaitGroup|errgroup|[.]Go[(]
RACE_PKGS ?= $(addprefix ./,$(sort $(dir $(shell grep -rlE --include='*.go' --exclude='*_test.go' '$(RACE_GREP)' checks cmd internal))))

# Left out under the race detector only: three tests that compare the leak
# matchers with gitleaks' regular expressions on thousands of texts, one
# goroutine calling Detect in turn (nothing concurrent to check, and about 8
# of the race run's 9 minutes). They run in the plain `go test` above.
RACE_SKIP := ^(TestFastRulesMatchGitleaks|TestFastMatchersEqualRegexp|TestDetectSameWithDecodeFilter)$$

test-race: ## the tests of the packages that start goroutines, under the race detector
	CGO_ENABLED=1 $(GO) test -race -count=1 -skip '$(RACE_SKIP)' $(RACE_PKGS)

# Every benchmark once (-benchtime 1x), so none rots unnoticed: a failing
# or skipped benchmark fails the target. BenchmarkTreeScan scans this
# repository. Measurements are make bench's job, not this one's.
BENCH_PKGS ?= ./...
bench-smoke: ## run every Go benchmark once; fails when one fails or is skipped
	@out=$$(mktemp); \
	LEAKS_BENCH_TREE='$(CURDIR)' $(GO) test -run '^$$' -bench . -benchtime 1x -v $(BENCH_PKGS) >$$out 2>&1; code=$$?; \
	grep -v -e 'no test files' -e '^=== RUN' $$out; \
	if [ $$code -ne 0 ]; then rm -f $$out; echo "bench-smoke: a benchmark failed (above)"; exit $$code; fi; \
	if grep -q -e '--- SKIP: Benchmark' $$out; then rm -f $$out; echo "bench-smoke: a benchmark was skipped (above); every benchmark must run"; exit 1; fi; \
	rm -f $$out

lint: fmt vet ## gofmt and go vet

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

rego-test: build ## run the Rego unit tests verbosely
	$(BIN) policy test -v

demo: build ## the main job on the shipped example repository
	@echo "+ secretgate check --offline --path docs/examples/demo"
	@$(BIN) check --offline --path docs/examples/demo; code=$$?; \
	echo; echo "secretgate exited with $$code (0 clean, 1 findings at or above --fail-on, 2 usage error, 3 incomplete)"

docs: build ## regenerate docs/policies.md from the rule metadata
	$(BIN) policy list --format markdown > docs/policies.md

bench: build ## benchmarks, compared side by side with the peers (opa eval)
	bash internal/bench/bench.sh

FUZZTIME ?= 30s
fuzz: ## run every fuzz target for FUZZTIME each (failing inputs land in testdata/fuzz)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "+ go test -run '^$$' -fuzz '^$$f$$' -fuzztime $(FUZZTIME) $$pkg"; \
	    $(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 2s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
