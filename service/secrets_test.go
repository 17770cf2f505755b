package service

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/internal/componenttest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// TestNoSecretValueInPlaintext scans every recorded input and output (container
// definitions, gate environment, policies, ...) and every Service output
// for the generated key and an additional key.
func TestNoSecretValueInPlaintext(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) {
		a.AdditionalPresharedKeys = pulumi.ToSecret(pulumi.String(svcTestAdditionalKey)).(pulumi.StringOutput)
	}))
	key := run.presharedKeyValue(t)
	for _, secret := range []string{key, svcTestAdditionalKey} {
		for _, leak := range componenttest.PlaintextLeaks(t, run.mocks, secret) {
			t.Errorf("a secret value in plaintext at %s", leak)
		}
		for name, value := range run.outputs {
			if strings.Contains(value, secret) && !run.secret[name] {
				t.Errorf("output %s carries a secret value in plaintext", name)
			}
		}
	}
	if !run.secret["presharedKey"] || run.outputs["presharedKey"] != key {
		t.Errorf("PresharedKey output must be the generated key as a secret (secret=%v)", run.secret["presharedKey"])
	}

	version := run.one(t, "aws:secretsmanager/secretVersion:SecretVersion")
	stored := version.Inputs["secretString"]
	if !pulumimock.IsSecret(stored) {
		t.Error("secret version value is not a Pulumi secret")
	}
	if got := pulumimock.Plain(stored); got != key+","+svcTestAdditionalKey {
		t.Errorf("secret version holds %d chars, want the generated key then the additional one, comma-separated", len(got.(string)))
	}
	secret := run.one(t, "aws:secretsmanager/secret:Secret")
	if svcInput(version, "secretId") != svcOutput(secret, "id") {
		t.Errorf("secret version belongs to %v, want %v", svcInput(version, "secretId"), svcOutput(secret, "id"))
	}
}

func TestPresharedKeyAlphabetAndLength(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	pw := run.one(t, "random:index/randomPassword:RandomPassword")
	if n, _ := svcInput(pw, "length").(float64); n < 32 {
		t.Errorf("key length %v, want >= 32", n)
	}
	if svcInput(pw, "special") != false {
		t.Error("special characters may include commas or quotes; SpiceDB splits keys on commas")
	}
	if key := run.presharedKeyValue(t); strings.ContainsAny(key, `,"'`) {
		t.Error("generated key contains a comma or quote")
	}
	version := run.one(t, "aws:secretsmanager/secretVersion:SecretVersion")
	if got := pulumimock.Plain(version.Inputs["secretString"]); got != run.presharedKeyValue(t) {
		t.Error("without additional keys the secret holds exactly the generated key")
	}
}

func TestJoinPresharedKeys(t *testing.T) {
	for _, tc := range []struct {
		name, additional, want, err string
	}{
		{"none", "", "gen", ""},
		{"blank", "  ", "gen", ""},
		{"one", "k2", "gen,k2", ""},
		{"two trimmed", "k2, k3", "gen,k2,k3", ""},
		{"empty entry", "k2,,k3", "", "additionalPresharedKeys): entry 2 is empty"},
		{"trailing comma", "k2,", "", "additionalPresharedKeys): entry 2 is empty"},
		{"quote", `k"2`, "", "additionalPresharedKeys): entry 1 contains a quote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := joinPresharedKeys("gen", tc.additional)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "k2") {
					t.Errorf("error quotes a key: %v", err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// TestSecretsWiringIsExact: each container references exactly its secrets,
// and each task definition's own execution role may read exactly those: the
// migration task's role cannot read the preshared key.
func TestSecretsWiringIsExact(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	pskArn := svcOutput(run.one(t, "aws:secretsmanager/secret:Secret"), "arn").(string)
	if run.outputs["presharedKeySecretArn"] != pskArn {
		t.Errorf("PresharedKeySecretArn %q, want %q", run.outputs["presharedKeySecretArn"], pskArn)
	}
	for _, tc := range []struct {
		taskDef     string
		wantSecrets []secretRef
		why         string
	}{
		{"spicedb-serve", []secretRef{{envPresharedKey, pskArn}, {envDatastoreURI, svcTestDatastoreArn}}, ""},
		{"spicedb-migrate", []secretRef{{envDatastoreURI, svcTestDatastoreArn}}, " (no preshared key: it only talks to the database)"},
	} {
		t.Run(tc.taskDef, func(t *testing.T) {
			_, defs := run.containerDefinitions(t, tc.taskDef)
			if !slices.Equal(defs[0].Secrets, tc.wantSecrets) {
				t.Errorf("secrets %+v, want %+v%s", defs[0].Secrets, tc.wantSecrets, tc.why)
			}
			var want []string
			for _, ref := range tc.wantSecrets {
				want = append(want, ref.ValueFrom)
			}
			slices.Sort(want)
			doc := executionSecretsPolicy(t, run, tc.taskDef)
			if len(doc.Statement) != 1 {
				t.Fatalf("statements %+v, want only the GetSecretValue one (no KMS key given)", doc.Statement)
			}
			st := doc.Statement[0]
			if st.Effect != "Allow" || !slices.Equal(st.Action, []string{"secretsmanager:GetSecretValue"}) || !slices.Equal(st.Resource, want) {
				t.Errorf("policy statement %+v, want GetSecretValue on exactly %v", st, want)
			}
		})
	}
	// Each execution role has exactly one inline policy: its secrets policy.
	policies := run.mocks.OfType("aws:iam/rolePolicy:RolePolicy")
	if len(policies) != 2 {
		t.Fatalf("%d inline policies, want one per execution role", len(policies))
	}
	for _, taskDef := range []string{"spicedb-serve", "spicedb-migrate"} {
		p := run.named(t, "aws:iam/rolePolicy:RolePolicy", taskDef+"-execution-secrets")
		if svcInput(p, "role") != svcOutput(run.named(t, "aws:iam/role:Role", taskDef+"-execution"), "name") {
			t.Errorf("%s secrets policy is attached to %v, not to its own execution role", taskDef, svcInput(p, "role"))
		}
	}
}

func TestSecretsKmsKeyGrantsDecryptViaSecretsManagerOnly(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.SecretsKmsKeyArn = key }))
	for _, taskDef := range []string{"spicedb-serve", "spicedb-migrate"} {
		doc := executionSecretsPolicy(t, run, taskDef)
		if len(doc.Statement) != 2 {
			t.Fatalf("%s statements %+v, want GetSecretValue and kms:Decrypt", taskDef, doc.Statement)
		}
		kms := doc.Statement[1]
		if !slices.Equal(kms.Action, []string{"kms:Decrypt"}) || !slices.Equal(kms.Resource, []string{key}) ||
			kms.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.us-east-1.amazonaws.com" {
			t.Errorf("%s kms statement %+v", taskDef, kms)
		}
	}
	if got := svcInput(run.one(t, "aws:secretsmanager/secret:Secret"), "kmsKeyId"); got != key {
		t.Errorf("preshared key secret kmsKeyId %v, want %s", got, key)
	}
}

// executionSecretsPolicy decodes the secrets policy of the named task
// definition's execution role.
func executionSecretsPolicy(t *testing.T, run *svcRun, taskDef string) policyDocument {
	t.Helper()
	p := run.named(t, "aws:iam/rolePolicy:RolePolicy", taskDef+"-execution-secrets")
	var doc policyDocument
	if err := json.Unmarshal([]byte(svcInput(p, "policy").(string)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRolesTrustOnlyThisAccountsECSTasks(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	roles := run.mocks.OfType("aws:iam/role:Role")
	if len(roles) != 3 {
		t.Errorf("%d roles, want an execution role per task definition and one task role", len(roles))
	}
	for _, name := range []string{"spicedb-serve-execution", "spicedb-migrate-execution", "spicedb-task"} {
		role := run.named(t, "aws:iam/role:Role", name)
		var doc policyDocument
		if err := json.Unmarshal([]byte(svcInput(role, "assumeRolePolicy").(string)), &doc); err != nil {
			t.Fatal(err)
		}
		st := doc.Statement[0]
		if len(doc.Statement) != 1 || st.Principal["Service"] != "ecs-tasks.amazonaws.com" ||
			st.Condition["StringEquals"]["aws:SourceAccount"] != "123456789012" {
			t.Errorf("%s trust %+v", name, doc)
		}
	}
	attachments := run.mocks.OfType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
	if len(attachments) != 2 {
		t.Errorf("%d managed policy attachments, want one per execution role", len(attachments))
	}
	taskRole := run.named(t, "aws:iam/role:Role", "spicedb-task")
	for _, taskDef := range []string{"spicedb-serve", "spicedb-migrate"} {
		execution := run.named(t, "aws:iam/role:Role", taskDef+"-execution")
		managed := run.named(t, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", taskDef+"-execution-managed")
		if svcInput(managed, "policyArn") != "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" ||
			svcInput(managed, "role") != svcOutput(execution, "name") {
			t.Errorf("%s managed policy attachment %v on %v", taskDef, svcInput(managed, "policyArn"), svcInput(managed, "role"))
		}
		td := run.named(t, svcTestTaskDefType, taskDef)
		if svcInput(td, "executionRoleArn") != svcOutput(execution, "arn") ||
			svcInput(td, "taskRoleArn") != svcOutput(taskRole, "arn") {
			t.Errorf("%s roles %v / %v, want its own execution role and the task role",
				taskDef, svcInput(td, "executionRoleArn"), svcInput(td, "taskRoleArn"))
		}
	}
	// The task role has no permissions at all.
	for _, typ := range []string{"aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"} {
		for _, r := range run.mocks.OfType(typ) {
			if svcInput(r, "role") == svcOutput(taskRole, "name") {
				t.Errorf("task role gets %s %q", typ, r.Name)
			}
		}
	}
}

func TestReferencedSecretArns(t *testing.T) {
	arns := map[string]string{envPresharedKey: "arn:psk", envDatastoreURI: "arn:uri"}
	for _, tc := range []struct {
		name  string
		arns  map[string]string
		names []string
		want  []string
		err   string
	}{
		{"serve, sorted", arns, serveSecretNames, []string{"arn:psk", "arn:uri"}, ""},
		{"migrate", arns, migrateSecretNames, []string{"arn:uri"}, ""},
		{"one secret under two names", map[string]string{envPresharedKey: "arn:same", envDatastoreURI: "arn:same"},
			serveSecretNames, []string{"arn:same"}, ""},
		{"missing", map[string]string{envDatastoreURI: "arn:uri"}, serveSecretNames, nil, "no secret ARN for " + envPresharedKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := referencedSecretArns(tc.arns, tc.names)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}
