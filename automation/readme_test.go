package automation_test

import (
	"os"
	"strings"
	"testing"
)

// TestReadmeEmbeddingExampleCompiles keeps the README's embedding example
// identical to example_test.go, which the test build compiles.
func TestReadmeEmbeddingExampleCompiles(t *testing.T) {
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code := string(example)
	code = strings.TrimSpace(code[strings.Index(code, "import ("):])
	if !strings.Contains(string(readme), "```go\n"+code+"\n```") {
		t.Error("README's Embedding example differs from automation/example_test.go; paste the file from `import (` on")
	}
}
