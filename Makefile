# tamp — see README.md. `make demo` runs the example against a local moto,
# `make test` runs every test (unit and end-to-end).
GO      ?= go
BIN     := bin/tamp
COMMIT  := $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS := -s -w -X github.com/tamp-ecs/tamp/internal/version.Commit=$(COMMIT)

.PHONY: build dist test fuzz demo bench lint golden check-moto

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tamp

# Release archives under dist/: tamp_<version>_<os>_<arch>.tar.gz (zip for
# Windows) for linux, darwin and windows, and SHA256SUMS; reproducible.
# VERSION defaults to the version in internal/version (make dist VERSION=0.2.0).
dist:
	$(GO) run ./internal/dist/cmd/dist -version "$(VERSION)" -commit "$(COMMIT)" -out dist

# The end-to-end tests run the binary against moto from this machine's
# Python; check-moto says so plainly when it is missing.
test: check-moto
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 9m ./...
	@$(MAKE) --no-print-directory fuzz

# Each fuzz target for a bounded number of runs beyond its seed corpus
# (the seeds run in every go test); a crasher is kept under the package's
# testdata/fuzz and then runs as a regular test case. The budgets are
# counts, about three seconds of each target here, not durations: a
# duration-bounded run can fail with a bare "context deadline exceeded"
# when it ends (go.dev/issue/75804, fixed in Go 1.27). FUZZTIME overrides
# every budget (FUZZTIME=30s for a longer, duration-bounded session).
FUZZ_TARGETS := config:FuzzLoad:300 config:FuzzYAMLToJSON:10000 ecs:FuzzDecodeTaskDefinition:10000 \
	ecs:FuzzDecodeService:10000 scheduled:FuzzParseExpression:10000 scheduled:FuzzNextRun:10000 \
	scheduled:FuzzLoadTasks:3000 tfstate:FuzzLookup:10000 tfstate:FuzzParse:10000 \
	internal/mask:FuzzMask:10000 cmd/tamp:FuzzSecretsNeverPrinted:200
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; rest=$${t#*:}; fn=$${rest%%:*}; n=$${rest##*:}; \
	  $(GO) test ./$$pkg -run '^$$' -fuzz "^$$fn\$$" -fuzztime $${FUZZTIME:-$${n}x}; \
	done

demo: build check-moto
	TAMP=$(CURDIR)/$(BIN) ./examples/demo/run.sh

# Go benchmarks, then the side-by-side comparisons of design.md section 8.
# bench/tfstate is a module of its own so the reference tool it compares
# with never becomes a dependency of tamp.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	cd bench/tfstate && $(GO) run -mod=mod . compare
	@$(MAKE) --no-print-directory build
	@ls -l $(BIN) | awk '{ printf "release binary: %.1f MiB (target: at most 36 MiB)\n", $$5 / 1048576 }'

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	@# every package of the release compiles for Windows too (make dist
	@# builds it; Unix-only syscalls belong in build-tagged files)
	@GOOS=windows GOARCH=amd64 $(GO) list -e -export -deps -f '{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}' ./cmd/tamp | (! grep .)

# Rewrite the golden files under testdata/golden from the current output.
golden:
	TAMP_UPDATE_GOLDEN=1 $(GO) test -count=1 ./...

check-moto:
	@python3 -c 'import moto.server' 2>/dev/null || { \
	  echo "moto is missing: the end-to-end tests and the demo run 'python3 -m moto.server'."; \
	  echo "Install it with: python3 -m pip install 'moto[server]'"; exit 1; }
