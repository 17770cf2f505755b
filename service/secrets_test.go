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
		{"empty entry", "k2,,k3", "", "additional preshared key 2 is empty"},
		{"trailing comma", "k2,", "", "additional preshared key 2 is empty"},
		{"quote", `k"2`, "", "additional preshared key 1 contains a quote"},
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
// and the execution role may read exactly the union of them.
func TestSecretsWiringIsExact(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	pskArn := svcOutput(run.one(t, "aws:secretsmanager/secret:Secret"), "arn").(string)
	if run.outputs["presharedKeySecretArn"] != pskArn {
		t.Errorf("PresharedKeySecretArn %q, want %q", run.outputs["presharedKeySecretArn"], pskArn)
	}

	_, serve := run.containerDefinitions(t, "spicedb-serve")
	wantServe := []secretRef{{envPresharedKey, pskArn}, {envDatastoreURI, svcTestDatastoreArn}}
	if !slices.Equal(serve[0].Secrets, wantServe) {
		t.Errorf("serve secrets %+v, want %+v", serve[0].Secrets, wantServe)
	}
	_, migrate := run.containerDefinitions(t, "spicedb-migrate")
	wantMigrate := []secretRef{{envDatastoreURI, svcTestDatastoreArn}}
	if !slices.Equal(migrate[0].Secrets, wantMigrate) {
		t.Errorf("migrate secrets %+v, want %+v (no preshared key: it only talks to the database)", migrate[0].Secrets, wantMigrate)
	}

	doc := executionSecretsPolicy(t, run)
	want := []string{pskArn, svcTestDatastoreArn}
	slices.Sort(want)
	if len(doc.Statement) != 1 {
		t.Fatalf("statements %+v, want only the GetSecretValue one (no KMS key given)", doc.Statement)
	}
	st := doc.Statement[0]
	if st.Effect != "Allow" || !slices.Equal(st.Action, []string{"secretsmanager:GetSecretValue"}) || !slices.Equal(st.Resource, want) {
		t.Errorf("policy statement %+v, want GetSecretValue on exactly %v", st, want)
	}
	roles := run.mocks.OfType("aws:iam/rolePolicy:RolePolicy")
	if len(roles) != 1 || svcInput(roles[0], "role") != svcOutput(run.named(t, "aws:iam/role:Role", "spicedb-execution"), "name") {
		t.Error("the secrets policy must be the execution role's only inline policy")
	}
}

func TestSecretsKmsKeyGrantsDecryptViaSecretsManagerOnly(t *testing.T) {
	const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.SecretsKmsKeyArn = key }))
	doc := executionSecretsPolicy(t, run)
	if len(doc.Statement) != 2 {
		t.Fatalf("statements %+v, want GetSecretValue and kms:Decrypt", doc.Statement)
	}
	kms := doc.Statement[1]
	if !slices.Equal(kms.Action, []string{"kms:Decrypt"}) || !slices.Equal(kms.Resource, []string{key}) ||
		kms.Condition["StringEquals"]["kms:ViaService"] != "secretsmanager.us-east-1.amazonaws.com" {
		t.Errorf("kms statement %+v", kms)
	}
	if got := svcInput(run.one(t, "aws:secretsmanager/secret:Secret"), "kmsKeyId"); got != key {
		t.Errorf("preshared key secret kmsKeyId %v, want %s", got, key)
	}
}

func executionSecretsPolicy(t *testing.T, run *svcRun) policyDocument {
	t.Helper()
	p := run.named(t, "aws:iam/rolePolicy:RolePolicy", "spicedb-execution-secrets")
	var doc policyDocument
	if err := json.Unmarshal([]byte(svcInput(p, "policy").(string)), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestRolesTrustOnlyThisAccountsECSTasks(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	for _, name := range []string{"spicedb-execution", "spicedb-task"} {
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
	if len(attachments) != 1 ||
		svcInput(attachments[0], "policyArn") != "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy" ||
		svcInput(attachments[0], "role") != svcOutput(run.named(t, "aws:iam/role:Role", "spicedb-execution"), "name") {
		t.Errorf("managed policy attachments %+v", attachments)
	}
	// The task role has no permissions at all.
	taskRoleName := svcOutput(run.named(t, "aws:iam/role:Role", "spicedb-task"), "name")
	for _, typ := range []string{"aws:iam/rolePolicy:RolePolicy", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"} {
		for _, r := range run.mocks.OfType(typ) {
			if svcInput(r, "role") == taskRoleName {
				t.Errorf("task role gets %s %q", typ, r.Name)
			}
		}
	}
	for _, td := range run.mocks.OfType(svcTestTaskDefType) {
		if svcInput(td, "executionRoleArn") != svcOutput(run.named(t, "aws:iam/role:Role", "spicedb-execution"), "arn") ||
			svcInput(td, "taskRoleArn") != svcOutput(run.named(t, "aws:iam/role:Role", "spicedb-task"), "arn") {
			t.Errorf("%s roles %v / %v", td.Name, svcInput(td, "executionRoleArn"), svcInput(td, "taskRoleArn"))
		}
	}
}
