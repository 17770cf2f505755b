//go:build tools

// Package tools pins the spicedb binary that the rehearsal runs. Its version
// must equal the default spicedb.version in Pulumi.yaml (a test enforces it).
package tools

import _ "github.com/authzed/spicedb/cmd/spicedb"
