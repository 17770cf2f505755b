package pg

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// debianRoot is where the Debian "postgresql" packages install one directory
// per major version.
const debianRoot = "/usr/lib/postgresql"

// requiredTools are the binaries this package runs.
var requiredTools = []string{"initdb", "postgres", "pg_isready", "psql"}

// FindBinDir returns the bin directory of the newest PostgreSQL major version
// installed by the Debian packages, or an error that says what to install.
func FindBinDir() (string, error) {
	entries, err := os.ReadDir(debianRoot)
	if err != nil {
		return "", fmt.Errorf("pg: no PostgreSQL under %s (%v): install it with `sudo apt-get install postgresql`", debianRoot, err)
	}
	var majors []int
	for _, e := range entries {
		if n, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() {
			majors = append(majors, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(majors)))
	for _, major := range majors {
		dir := filepath.Join(debianRoot, strconv.Itoa(major), "bin")
		if checkTools(dir) == nil {
			return dir, nil
		}
	}
	return "", fmt.Errorf("pg: no complete PostgreSQL server (%v) under %s/<major>/bin: install it with `sudo apt-get install postgresql`", requiredTools, debianRoot)
}

func checkTools(dir string) error {
	for _, tool := range requiredTools {
		if _, err := os.Stat(filepath.Join(dir, tool)); err != nil {
			return fmt.Errorf("pg: %s missing in %s: install it with `sudo apt-get install postgresql`", tool, dir)
		}
	}
	return nil
}
