# secretgate — build, test, lint, bench.
# Every target works on a fresh machine with Go installed; `make test` is the
# one command CI runs (.ci/run).

GO       ?= go
BIN      ?= bin/secretgate
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/secretgate/secretgate/internal/cli.Version=$(VERSION)
export GOFLAGS ?= -mod=mod

.PHONY: all build test lint fmt vet rego-test demo docs bench fuzz clean

all: build

build: ## build bin/secretgate
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/secretgate

test: lint build ## everything CI checks: formatting, vet, Go tests, Rego tests
	$(GO) test -count=1 ./...
	$(BIN) policy test

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
