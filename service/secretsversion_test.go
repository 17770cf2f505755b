package service

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// secretsVersionOf is a container's SECRETS_VERSION and its definition
// without it, to compare everything else.
func secretsVersionOf(t *testing.T, run *svcRun, taskDef string) (string, containerDefinition) {
	t.Helper()
	_, defs := run.containerDefinitions(t, taskDef)
	c := defs[0]
	version, ok := envMap(t, c)[envSecretsVersion]
	if !ok {
		t.Fatalf("%s: no %s in the environment", taskDef, envSecretsVersion)
	}
	var rest []keyValue
	for _, kv := range c.Environment {
		if kv.Name != envSecretsVersion {
			rest = append(rest, kv)
		}
	}
	c.Environment = rest
	return version, c
}

// TestSecretsVersionIsExactlyTheConsumedVersions: the serve container is
// fingerprinted by both secrets it reads, the migration by the datastore
// URI only, and by nothing else (no secret material, no ARNs).
func TestSecretsVersionIsExactlyTheConsumedVersions(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) {
		a.AdditionalPresharedKeys = pulumi.ToSecret(pulumi.String(svcTestAdditionalKey)).(pulumi.StringOutput)
	}))
	pskVersion, _ := svcOutput(run.one(t, svcTestSecretVersionType), "versionId").(string)
	if pskVersion == "" {
		t.Fatal("the preshared-key secret version has no versionId")
	}
	for _, tc := range []struct {
		taskDef, want string
	}{
		{"spicedb-serve", pskVersion + "," + svcTestDatastoreVersion},
		{"spicedb-migrate", svcTestDatastoreVersion},
	} {
		got, _ := secretsVersionOf(t, run, tc.taskDef)
		if got != tc.want {
			t.Errorf("%s %s = %q, want %q (the versions of its secrets, in `secrets` order)", tc.taskDef, envSecretsVersion, got, tc.want)
		}
		for _, secret := range []string{run.presharedKeyValue(t), svcTestAdditionalKey} {
			if strings.Contains(got, secret) {
				t.Errorf("%s %s contains a preshared key", tc.taskDef, envSecretsVersion)
			}
		}
		// A secret here would hide the whole task definition diff, and
		// would mean something secret went into it.
		td := run.named(t, svcTestTaskDefType, tc.taskDef)
		if pulumimock.IsSecret(td.Inputs["containerDefinitions"]) {
			t.Errorf("%s containerDefinitions is a Pulumi secret", tc.taskDef)
		}
	}
	if strings.HasPrefix(envSecretsVersion, "SPICEDB_") {
		t.Errorf("%s is SPICEDB_-prefixed: SpiceDB would read it as a flag", envSecretsVersion)
	}
}

// TestNewSecretValueChangesTheTaskDefinitions: a new datastore URI version
// renders new container definitions for both tasks (so the migration gate
// re-runs and the service rolls), differing only in SECRETS_VERSION, and an
// unchanged one renders them byte for byte (so `up` does not roll for
// nothing).
func TestNewSecretValueChangesTheTaskDefinitions(t *testing.T) {
	base := mustRunService(t, svcTestArgs(nil))
	for _, tc := range []struct {
		name        string
		datastoreID string
		wantChange  bool
	}{
		{"same datastore URI version", svcTestDatastoreVersion, false},
		{"new datastore URI version", "datastore-uri-version-2", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := mustRunService(t, svcTestArgs(func(a *Args) { a.DatastoreURISecretVersionID = pulumi.String(tc.datastoreID) }))
			for _, td := range []string{"spicedb-serve", "spicedb-migrate"} {
				before, _ := base.containerDefinitions(t, td)
				after, _ := run.containerDefinitions(t, td)
				if changed := before != after; changed != tc.wantChange {
					t.Errorf("%s container definitions changed = %v, want %v", td, changed, tc.wantChange)
				}
				beforeVersion, beforeRest := secretsVersionOf(t, base, td)
				afterVersion, afterRest := secretsVersionOf(t, run, td)
				if !reflect.DeepEqual(beforeRest, afterRest) {
					t.Errorf("%s: more than %s changed:\nbefore %+v\nafter  %+v", td, envSecretsVersion, beforeRest, afterRest)
				}
				if tc.wantChange && !strings.Contains(afterVersion, tc.datastoreID) {
					t.Errorf("%s %s = %q (was %q), want it to name %q", td, envSecretsVersion, afterVersion, beforeVersion, tc.datastoreID)
				}
			}
		})
	}
}

func TestSecretsFingerprint(t *testing.T) {
	versions := map[string]string{envPresharedKey: "psk-2", envDatastoreURI: "uri-7"}
	for _, tc := range []struct {
		name     string
		versions map[string]string
		names    []string
		want     string
		err      string
	}{
		{"serve order", versions, serveSecretNames, "psk-2,uri-7", ""},
		{"migrate", versions, migrateSecretNames, "uri-7", ""},
		{"missing", map[string]string{envPresharedKey: "psk-2"}, serveSecretNames, "", "no secret version id for " + envDatastoreURI},
		{"empty", map[string]string{envPresharedKey: "", envDatastoreURI: "uri-7"}, serveSecretNames, "", "no secret version id for " + envPresharedKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := secretsFingerprint(tc.versions, tc.names)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
