# The two commands a newcomer runs: `make demo` and `make test`.
GO ?= go
export GOFLAGS := -buildvcs=false

.PHONY: all demo test generate check-generate vet lint race interop bench

all: test

## demo: the main job end to end against the embedded fake service (no account, no network)
demo:
	$(GO) run ./cmd/hss demo

## test: vet, every test under -race, and the check that go generate reproduces gen/
test: vet race check-generate

## generate: regenerate gen/ from api/openapi.yaml
generate:
	$(GO) generate ./gen

## check-generate: regenerate gen/ from a clean state and require no change; the tree is left
## as it was, whatever happens (the committed file is restored, the temporary directory removed)
check-generate:
	@tmp=$$(mktemp -d) && trap 'cp "$$tmp/committed.go" gen/hss.gen.go; rm -rf "$$tmp"' EXIT && \
	cp gen/hss.gen.go "$$tmp/committed.go" && rm -f gen/hss.gen.go && \
	$(GO) generate ./gen && \
	if cmp -s "$$tmp/committed.go" gen/hss.gen.go; then echo "gen/ is reproduced byte for byte by go generate"; \
	else echo "gen/hss.gen.go differs from what go generate makes: run make generate and commit" >&2; diff -u "$$tmp/committed.go" gen/hss.gen.go | head -40 >&2; exit 1; fi

vet:
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 ./...

## lint: gofmt and vet, of both modules (gofmt from the Go that builds, so a missing one fails)
lint: vet
	@gofmt="$$($(GO) env GOROOT)/bin/gofmt"; \
	out=$$("$$gofmt" -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')) || exit 1; \
	if [ -n "$$out" ]; then echo "gofmt would change:" >&2; echo "$$out" >&2; exit 1; fi
	cd interop && $(GO) vet ./...

## interop: the same random requests through this client and the official SDK (a separate module)
interop:
	cd interop && $(GO) test -race -count=1 ./...

## bench: this client against the official SDK, a bare net/http floor and the wire on one loopback server;
## medians of BENCH_ROUNDS rounds. Rounds (one run of every benchmark each) rather than -count:
## -count repeats a benchmark back to back, so a burst of load from another process lands on one
## client only; rounds interleave the clients, so the medians compare them under the same load.
## An even count: odd rounds run the clients in the reverse order, so each order runs as often.
## Every round must succeed: a failed one stops the run before any table is printed.
BENCH_ROUNDS ?= 8
bench:
	@cd interop && tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(GO) test -c -o "$$tmp/bench.test" . && \
	for i in $$(seq $(BENCH_ROUNDS)); do HSS_BENCH_ROUND=$$i \
		"$$tmp/bench.test" -test.run '^$$' -test.bench 'Export|Handle|Sign|ClientOnly|Concurrent' \
			-test.benchmem -test.benchtime 0.5s > "$$tmp/round.txt" 2>&1 || { cat "$$tmp/round.txt"; \
			echo "make bench: round $$i failed; no table" >&2; exit 1; }; \
		cat "$$tmp/round.txt" >> "$$tmp/rounds.txt"; echo "make bench: round $$i of $(BENCH_ROUNDS) done" >&2; \
	done && $(GO) run ./cmd/benchtable -echo < "$$tmp/rounds.txt"
