package stack

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// flatConfig renders Pulumi.yaml's keys as README rows do: object fields as
// key.field, each with its default.
func flatConfig(t *testing.T) map[string]string {
	t.Helper()
	flat := map[string]string{}
	for key, decl := range projectConfig(t) {
		fields, isObject := decl.Default.(map[string]any)
		if !isObject || len(fields) == 0 {
			flat[key] = renderDefault(decl.Default)
			continue
		}
		for field, v := range fields {
			flat[key+"."+field] = renderDefault(v)
		}
	}
	return flat
}

func renderDefault(v any) string {
	switch x := v.(type) {
	case string:
		if x == "" {
			return `""`
		}
		return x
	case []any:
		if len(x) == 0 {
			return "[]"
		}
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
	}
	return fmt.Sprint(v)
}

var readmeRow = regexp.MustCompile("^\\| `([^`]+)` \\| `?([^`|]*?)`? \\| (.+) \\|$")

// TestReadmeConfigTable: the README's table lists every key of Pulumi.yaml
// with its default, and nothing else (but aws:region).
func TestReadmeConfigTable(t *testing.T) {
	data, err := os.ReadFile(repoRoot + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]string{}
	inTable := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == "| key | default | description |":
			inTable = true
		case inTable && !strings.HasPrefix(line, "|"):
			inTable = false
		case inTable:
			if m := readmeRow.FindStringSubmatch(line); m != nil {
				documented[m[1]] = m[2]
			}
		}
	}
	delete(documented, "aws:region")
	declared := flatConfig(t)
	for key, def := range declared {
		got, ok := documented[key]
		switch {
		case !ok:
			t.Errorf("README's config table lacks %s (default %s)", key, def)
		case got != def:
			t.Errorf("README says %s defaults to %s; Pulumi.yaml says %s", key, got, def)
		}
	}
	for key := range documented {
		if _, ok := declared[key]; !ok {
			t.Errorf("README documents %s, which Pulumi.yaml does not declare", key)
		}
	}
	if len(declared) < 40 {
		t.Errorf("only %d keys found in Pulumi.yaml; the flattening is broken", len(declared))
	}
}

// TestReadmeCommandsUseDeclaredKeys: every `pulumi config set` and
// --config/--secret example in the README names a key Pulumi.yaml declares.
func TestReadmeCommandsUseDeclaredKeys(t *testing.T) {
	data, err := os.ReadFile(repoRoot + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	declared := flatConfig(t)
	uses := regexp.MustCompile(`(?:config set(?: --path| --secret)*|--(?:config|secret)) '?([a-zA-Z][\w.:]*(?:\[\d+\])?)`).FindAllStringSubmatch(string(data), -1)
	var checked []string
	for _, m := range uses {
		key := regexp.MustCompile(`\[\d+\]$`).ReplaceAllString(m[1], "")
		if strings.HasPrefix(key, "aws:") || key == "k" || key == "key" { // placeholders in the CLI table
			continue
		}
		checked = append(checked, key)
		if _, ok := declared[key]; !ok {
			t.Errorf("README sets %q, which Pulumi.yaml does not declare", m[1])
		}
	}
	sort.Strings(checked)
	t.Logf("checked %v", checked)
	if len(checked) < 5 {
		t.Errorf("found only %v in the README's commands; the scan is broken", checked)
	}
}
