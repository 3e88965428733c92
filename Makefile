# d365audit: run `make help` for the targets.
GO        ?= go
TAGS      := -tags=duckdb_arrow
BIN       := bin/d365audit
SAMPLES   := samples/contoso
OUT       ?= out/demo
# git describe (scripts/version.sh): --version, the manifest, findings.json,
# the workbook and the PDF say which build wrote them.
VERSION   ?= $(shell scripts/version.sh)
LDFLAGS   := -X main.version=$(VERSION)
# A count, not a duration: with a duration, Go 1.26's fuzz coordinator can
# fail a target with "context deadline exceeded" when the time runs out
# (golang/go#75804, fixed in Go 1.27). 20,000 inputs take a few seconds.
FUZZTIME  ?= 20000x

.DEFAULT_GOAL := help
.PHONY: help build test fuzz golden demo bench lint dist windows clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build bin/d365audit
	$(GO) build $(TAGS) -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/d365audit

test: ## run every test, then each fuzz target on $(FUZZTIME) inputs
	$(GO) vet $(TAGS) ./...
	$(GO) test $(TAGS) -count=1 ./...
	$(MAKE) --no-print-directory fuzz

fuzz: ## run each fuzz target on $(FUZZTIME) inputs
	$(GO) test $(TAGS) -run='^$$' -fuzz='^FuzzCSV$$' -fuzztime=$(FUZZTIME) ./ingest
	$(GO) test $(TAGS) -run='^$$' -fuzz='^FuzzJSON$$' -fuzztime=$(FUZZTIME) ./ingest
	$(GO) test -run='^$$' -fuzz='^FuzzJSONFastParser$$' -fuzztime=$(FUZZTIME) ./ingest/jsonpage
	$(GO) test -run='^$$' -fuzz='^FuzzParse$$' -fuzztime=$(FUZZTIME) ./ingest/rolexml
	$(GO) test -run='^$$' -fuzz='^FuzzRead$$' -fuzztime=$(FUZZTIME) ./ingest/skucatalog

golden: ## rewrite every golden file (report text dumps, the sample's findings) from the current code; review the diff before committing
	$(GO) test $(TAGS) -count=1 ./reports/pdf/ ./reports/xlsx/ ./audit/ -update

demo: build ## validate samples/contoso, audit it into $(OUT), ask who can approve payments, audit the month after and diff
	./$(BIN) validate --input $(SAMPLES)
	./$(BIN) run --input $(SAMPLES) --out $(OUT) --force
	./$(BIN) who-can --input $(OUT)/audit.duckdb --table contoso_payment --privilege write --min-depth local
	./$(BIN) run --input samples/contoso-2026-12 --out $(OUT)-2026-12 --previous $(OUT) --force
	./$(BIN) diff $(OUT) $(OUT)-2026-12

bench: ## end-to-end run on generated tenants of 1k, 10k, 100k users (per stage), ingest of 1M rows against DuckDB's readers, then tenants of 1, 5 and 20 environments (100k people)
	./scripts/bench-run.sh
	./scripts/bench-ingest.sh
	./scripts/bench-tenant.sh

lint: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet $(TAGS) ./...

dist: ## release archives in dist/ for linux/amd64, linux/arm64, windows/amd64 (scripts/install-cross.sh sets up the compilers) with SHA256SUMS
	VERSION=$(VERSION) ./scripts/dist.sh

windows: ## cross-build bin/d365audit.exe and check it under Wine against the Linux build on samples/contoso
	VERSION=$(VERSION) ./scripts/windows.sh

clean: ## remove build output
	rm -rf bin out dist
