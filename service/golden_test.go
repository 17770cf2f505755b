package service

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const goldenTaskDefinitions = "testdata/dev-task-definitions.golden.json"

// TestTaskDefinitionsGolden pins the rendered container definitions of the
// default (dev) configuration for human review (dispatch off, as the stack
// passes it by default; dispatch_test.go covers it on). Secret ARNs and version ids
// are masked by name; the image URI is masked too (its mock digest depends
// on the checkout path).
// Run `go test ./service -run Golden -update` after an intended change and
// review the diff.
func TestTaskDefinitionsGolden(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	pskArn := svcOutput(run.one(t, "aws:secretsmanager/secret:Secret"), "arn").(string)
	pskVersion := svcOutput(run.one(t, svcTestSecretVersionType), "versionId").(string)
	imageURI := svcOutput(run.one(t, "awsx:ecr:Image"), "imageUri").(string)
	masker := strings.NewReplacer(
		pskArn, "<preshared-key secret ARN>",
		svcTestDatastoreArn, "<datastore URI secret ARN>",
		pskVersion, "<preshared-key secret version>",
		svcTestDatastoreVersion, "<datastore URI secret version>",
		imageURI, "<built image URI, digest-pinned>",
	)
	doc := map[string]json.RawMessage{}
	for _, td := range []string{"spicedb-serve", "spicedb-migrate"} {
		raw, _ := run.containerDefinitions(t, td)
		doc[strings.TrimPrefix(td, "spicedb-")] = json.RawMessage(masker.Replace(raw))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep the <masks> readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	if key := run.presharedKeyValue(t); bytes.Contains(got, []byte(key)) {
		t.Fatal("golden output contains the preshared key")
	}

	if *update {
		if err := os.MkdirAll(filepath.Dir(goldenTaskDefinitions), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenTaskDefinitions, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenTaskDefinitions)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("container definitions differ from %s; if intended, run with -update and review the diff.\ngot:\n%s", goldenTaskDefinitions, got)
	}
}
