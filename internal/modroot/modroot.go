// Package modroot finds the root of this module from inside it: tests run in
// their package directory, and tools such as bin/spicedb and bin/pulumi live
// at the root.
package modroot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Find walks up from the working directory to the nearest directory holding
// a go.mod file.
func Find() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("modroot: working directory: %w", err)
	}
	start := dir
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("modroot: no go.mod above " + start)
		}
		dir = parent
	}
}
