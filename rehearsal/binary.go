package rehearsal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// buildHint says how the pinned SpiceDB binary is built in this repository.
const buildHint = "build it with `make tools` in the repository root"

// FindSpiceDB returns bin/spicedb of the enclosing module, searching from the
// working directory upwards (tests run in their package directory).
func FindSpiceDB() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("rehearsal: working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return checkBinary(filepath.Join(dir, "bin", "spicedb"))
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("rehearsal: no go.mod above the working directory, cannot locate bin/spicedb; " + buildHint)
		}
		dir = parent
	}
}

func checkBinary(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("rehearsal: spicedb binary %s: %w; %s", path, err, buildHint)
	}
	if info.IsDir() || info.Mode()&0o111 == 0 {
		return "", fmt.Errorf("rehearsal: %s is not an executable file; %s", path, buildHint)
	}
	return path, nil
}
