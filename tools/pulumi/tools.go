//go:build tools

// Package tools pins the pulumi CLI that the engine tests drive. Its version
// must equal the Pulumi SDK version in the root go.mod (a test enforces it).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
