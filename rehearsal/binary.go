package rehearsal

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spicedb-ecs/spicedb-ecs/internal/modroot"
)

// buildHint says how the pinned SpiceDB binary is built in this repository.
const buildHint = "build it with `make tools` in the repository root"

// FindSpiceDB returns bin/spicedb of the enclosing module, searching from the
// working directory upwards (tests run in their package directory).
func FindSpiceDB() (string, error) {
	root, err := modroot.Find()
	if err != nil {
		return "", fmt.Errorf("rehearsal: cannot locate bin/spicedb: %w; %s", err, buildHint)
	}
	return checkBinary(filepath.Join(root, "bin", "spicedb"))
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
