# The README's commands. Tools are built once into bin/ from the Go module
# proxy (tools/*/go.mod pin them) and rebuilt only when their pin changes.
SHELL := /bin/bash
GO ?= go
# The CLI reports the version it is built as; the Automation API refuses one without it.
PULUMI_VERSION = $(shell cd tools/pulumi && $(GO) list -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)

.PHONY: test rehearse tools vet fmt check-postgres
.DEFAULT_GOAL := test

## test: go vet and every test (mocks, rehearsal with real SpiceDB and PostgreSQL, real Pulumi engine)
test: tools check-postgres vet
	$(GO) test -count=1 -timeout 45m ./...

## rehearse: run the dev stack's own task definitions locally behind a TLS front; Ctrl-C stops it
rehearse: bin/spicedb check-postgres
	$(GO) build -o bin/spicedb-ecs ./cmd/spicedb-ecs
	bin/spicedb-ecs rehearse --stack dev

tools: bin/spicedb bin/pulumi

bin/spicedb: tools/spicedb/go.mod tools/spicedb/go.sum
	cd tools/spicedb && $(GO) build -o ../../bin/spicedb github.com/authzed/spicedb/cmd/spicedb

bin/pulumi: tools/pulumi/go.mod tools/pulumi/go.sum
	@test -n "$(PULUMI_VERSION)" || { echo "cannot read the pulumi/pkg/v3 version from tools/pulumi/go.mod"; exit 1; }
	cd tools/pulumi && $(GO) build -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		-o ../../bin/pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

GO_DIRS = $(shell $(GO) list -f '{{.Dir}}' ./...)

vet:
	@unformatted="$$(gofmt -l $(GO_DIRS))"; test -z "$$unformatted" || { echo "gofmt needed: $$unformatted"; exit 1; }
	$(GO) vet ./...

fmt:
	gofmt -w $(GO_DIRS)

# PostgreSQL is a Debian package; the rehearsal runs its own throwaway
# server, so only the binaries must be there.
check-postgres:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { \
		echo "PostgreSQL server binaries not found: install them with 'sudo apt-get install postgresql'"; exit 1; }
