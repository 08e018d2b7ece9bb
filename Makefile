# minyi — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/minyi
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/minyi-survey/minyi/internal/buildinfo.Version=$(VERSION)
GOFILES := cmd internal surveys web migrations

.PHONY: all build run test test-browser-stress lint bench clean

all: lint test build

## build: compile bin/minyi
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/minyi

## run: build and serve on the embedded default (SQLite file minyi.db here); prints the URL and login
run: build
	./$(BIN) serve

## test: every test, with the race detector; PostgreSQL too when MINYI_TEST_POSTGRES is set; then the browser modules' tests (Node ≥ 20)
test:
	$(GO) test -race -count=1 -timeout 30m ./...
	node --test web/static/js/*.test.mjs web/static/tablet/*.test.mjs

## test-browser-stress: every browser test 20 times under -race on a loaded machine, with pass counts (COUNT=, RUN= narrow it; not part of make test)
test-browser-stress:
	bash internal/webtest/testdata/stress.sh

## lint: gofmt check and go vet
lint:
	@out="$$(gofmt -l $(GOFILES))"; if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## bench: all Go benchmarks with allocations, then the end-to-end benchmark scripts
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	@for s in $$(ls internal/*/testdata/bench.sh 2>/dev/null); do echo "== $$s"; bash $$s || exit 1; done

clean:
	rm -rf bin
