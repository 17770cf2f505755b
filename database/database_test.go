package database

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"

	"github.com/spicedb-ecs/spicedb-ecs/internal/componenttest"
	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

const (
	instanceType       = "aws:rds/instance:Instance"
	subnetGroupType    = "aws:rds/subnetGroup:SubnetGroup"
	parameterGroupType = "aws:rds/parameterGroup:ParameterGroup"
	sgType             = "aws:ec2/securityGroup:SecurityGroup"
	ingressRuleType    = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	egressRuleType     = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
	passwordType       = "random:index/randomPassword:RandomPassword"
	secretType         = "aws:secretsmanager/secret:Secret"
	secretVersionType  = "aws:secretsmanager/secretVersion:SecretVersion"

	clientSG = "sg-0c11e47000000000a"
	kmsArn   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

var (
	testTags       = map[string]string{"project": "spicedb-ecs", "stack": "test", "team": "authz"}
	privateSubnets = []string{"subnet-0aaa", "subnet-0bbb"}
)

func devArgs() *Args {
	return &Args{
		VpcID:                  pulumi.String("vpc-0123456789abcdef0"),
		SubnetIDs:              pulumi.ToStringArray(privateSubnets),
		InstanceClass:          "db.t4g.micro",
		AllocatedStorageGiB:    20,
		MaxAllocatedStorageGiB: 100,
		PostgresVersion:        17,
		BackupRetentionDays:    1,
		Tags:                   testTags,
	}
}

func prodArgs() *Args {
	a := devArgs()
	a.InstanceClass = "db.r6g.large"
	a.MultiAz = true
	a.DeletionProtection = true
	a.BackupRetentionDays = 14
	a.PerformanceInsights = true
	a.KmsKeyArn = kmsArn
	return a
}

// awaited is one resolved output value.
type awaited struct {
	Value  any
	Secret bool
}

// run is what one mock run produced.
type run struct {
	m *pulumimock.Mocks
	// outputs are the values of the map the component registers as outputs.
	outputs map[string]awaited
}

// runDatabase runs New (and AllowFrom when allow) under mocks on the stack
// named stack. The error is New's own when New fails, else the run's.
func runDatabase(t *testing.T, stack string, args *Args, allow bool) (run, error) {
	t.Helper()
	r := run{outputs: map[string]awaited{}}
	var newErr error
	m, err := pulumimock.Run(func(ctx *pulumi.Context) error {
		d, err := New(ctx, "spicedb-db", args)
		if err != nil {
			newErr = err
			return err
		}
		if allow {
			if _, err := d.AllowFrom(ctx, "spicedb-tasks-to-db", pulumi.ID(clientSG)); err != nil {
				return err
			}
		}
		for key, out := range d.outputs() {
			v, err := internals.UnsafeAwaitOutput(ctx.Context(), out.(pulumi.Output))
			if err != nil {
				return err
			}
			r.outputs[key] = awaited{Value: v.Value, Secret: v.Secret}
		}
		return nil
	}, pulumimock.Options{Project: "spicedb-ecs", Stack: stack, Region: "us-east-1"})
	r.m = m
	if newErr != nil {
		return r, newErr
	}
	return r, err
}

func mustRun(t *testing.T, args *Args, allow bool) run {
	t.Helper()
	r, err := runDatabase(t, "test", args, allow)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	component := componenttest.Component(t, r.m, ComponentType)
	for _, res := range r.m.Resources() {
		if res.URN != component.URN && res.Parent != component.URN {
			t.Errorf("%s %q: parent %q, want the Database %q", res.Type, res.Name, res.Parent, component.URN)
		}
	}
	componenttest.AssertDescendFrom(t, r.m, component)
	componenttest.AssertTagged(t, r.m, testTags)
	return r
}

func one(t *testing.T, m *pulumimock.Mocks, typ string) (pulumimock.Resource, map[string]any) {
	t.Helper()
	r, err := m.One(typ)
	if err != nil {
		t.Fatal(err)
	}
	return r, pulumimock.PlainMap(r.Inputs)
}

// expect compares plain inputs with want, treating ints as JSON numbers.
func expect(t *testing.T, what string, in, want map[string]any) {
	t.Helper()
	for key, w := range want {
		if i, ok := w.(int); ok {
			w = float64(i)
		}
		if fmt.Sprint(in[key]) != fmt.Sprint(w) {
			t.Errorf("%s %s = %v, want %v", what, key, in[key], w)
		}
	}
}

func TestInstanceIsPrivateEncryptedAndInTheSubnetGroup(t *testing.T) {
	r := mustRun(t, devArgs(), true)
	instance, in := one(t, r.m, instanceType)
	subnets, subnetsIn := one(t, r.m, subnetGroupType)
	params, _ := one(t, r.m, parameterGroupType)
	sg, _ := one(t, r.m, sgType)

	expect(t, "subnet group", subnetsIn, map[string]any{"subnetIds": []any{"subnet-0aaa", "subnet-0bbb"}})
	expect(t, "instance", in, map[string]any{
		"engine":                       "postgres",
		"engineVersion":                "17",
		"autoMinorVersionUpgrade":      true,
		"instanceClass":                "db.t4g.micro",
		"storageType":                  "gp3",
		"allocatedStorage":             20,
		"maxAllocatedStorage":          100,
		"storageEncrypted":             true,
		"publiclyAccessible":           false,
		"port":                         Port,
		"dbSubnetGroupName":            subnets.Outputs["name"].StringValue(),
		"parameterGroupName":           params.Outputs["name"].StringValue(),
		"vpcSecurityGroupIds":          []any{sg.ID},
		"caCertIdentifier":             "rds-ca-rsa2048-g1",
		"enabledCloudwatchLogsExports": []any{"postgresql", "upgrade"},
		"copyTagsToSnapshot":           true,
		"applyImmediately":             false,
		"backupWindow":                 BackupWindow,
		"maintenanceWindow":            MaintenanceWindow,
		"dbName":                       "spicedb",
		"username":                     "spicedb",
	})
	if !instance.Inputs["password"].IsSecret() {
		t.Errorf("instance password input is not a Pulumi secret")
	}
	if fmt.Sprint(in["vpcSecurityGroupIds"]) == fmt.Sprint([]any{clientSG}) {
		t.Errorf("instance uses the client's security group")
	}

	wantOutputs := map[string]any{
		"endpoint":            instance.Outputs["address"].StringValue(),
		"port":                Port,
		"databaseName":        "spicedb",
		"securityGroupId":     sg.ID,
		"connectionSecretArn": mustOne(t, r.m, secretType).Outputs["arn"].StringValue(),
		// The service rolls its tasks when this changes; it must be the
		// version of the stored URI, not some other id.
		"connectionSecretVersionId": mustOne(t, r.m, secretVersionType).Outputs["versionId"].StringValue(),
	}
	for key, want := range wantOutputs {
		got, ok := r.outputs[key]
		if !ok || fmt.Sprint(got.Value) != fmt.Sprint(want) {
			t.Errorf("output %s = %v, want %v", key, got.Value, want)
		}
	}
	if len(r.outputs) != len(wantOutputs) {
		t.Errorf("outputs %v, want exactly %v", r.outputs, wantOutputs)
	}
}

func mustOne(t *testing.T, m *pulumimock.Mocks, typ string) pulumimock.Resource {
	t.Helper()
	r, _ := one(t, m, typ)
	return r
}

func TestParameterGroupPerMajorVersion(t *testing.T) {
	for _, version := range SupportedPostgresVersions {
		t.Run(fmt.Sprint(version), func(t *testing.T) {
			args := devArgs()
			args.PostgresVersion = version
			r := mustRun(t, args, false)
			_, in := one(t, r.m, parameterGroupType)
			if in["family"] != fmt.Sprintf("postgres%d", version) {
				t.Errorf("family = %v, want postgres%d", in["family"], version)
			}
			_, instance := one(t, r.m, instanceType)
			if instance["engineVersion"] != fmt.Sprint(version) {
				t.Errorf("engineVersion = %v, want %d (major only)", instance["engineVersion"], version)
			}
			got := map[string]string{}
			params, _ := in["parameters"].([]any)
			for _, p := range params {
				p, _ := p.(map[string]any)
				got[fmt.Sprint(p["name"])] = fmt.Sprintf("%v/%v", p["value"], p["applyMethod"])
			}
			want := map[string]string{"track_commit_timestamp": "1/pending-reboot", "rds.force_ssl": "1/immediate"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("parameters = %v, want %v", got, want)
			}
		})
	}
}

func TestProdAndDevLikeArgs(t *testing.T) {
	tests := []struct {
		name              string
		args              *Args
		protected         bool
		wantRecoveryDays  int
		wantKms           any
		wantPerfInsights  bool
		wantPerfRetention any
		wantBackupDays    int
		wantMultiAz       bool
		wantInstanceClass string
		wantFinalSnapshot any
	}{
		{
			name: "dev", args: devArgs(), wantRecoveryDays: 0, wantKms: nil, wantBackupDays: 1,
			wantInstanceClass: "db.t4g.micro", wantFinalSnapshot: nil, wantPerfRetention: nil,
		},
		{
			name: "prod", args: prodArgs(), protected: true, wantRecoveryDays: 30, wantKms: kmsArn, wantBackupDays: 14,
			wantPerfInsights: true, wantPerfRetention: 7.0, wantMultiAz: true, wantInstanceClass: "db.r6g.large",
			wantFinalSnapshot: "spicedb-db-test-final",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustRun(t, tt.args, true)
			_, in := one(t, r.m, instanceType)
			expect(t, "instance", in, map[string]any{
				"deletionProtection":                 tt.protected,
				"skipFinalSnapshot":                  !tt.protected,
				"finalSnapshotIdentifier":            tt.wantFinalSnapshot,
				"multiAz":                            tt.wantMultiAz,
				"backupRetentionPeriod":              tt.wantBackupDays,
				"instanceClass":                      tt.wantInstanceClass,
				"kmsKeyId":                           tt.wantKms,
				"performanceInsightsEnabled":         tt.wantPerfInsights,
				"performanceInsightsKmsKeyId":        tt.wantKms,
				"performanceInsightsRetentionPeriod": tt.wantPerfRetention,
			})
			_, secret := one(t, r.m, secretType)
			expect(t, "secret", secret, map[string]any{"recoveryWindowInDays": tt.wantRecoveryDays, "kmsKeyId": tt.wantKms})
		})
	}
}

func TestStorageAutoscaling(t *testing.T) {
	tests := []struct {
		allocated, max int
		want           any
	}{
		{20, 100, 100.0},
		{50, 50, nil},
		{20, 0, nil},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d-%d", tt.allocated, tt.max), func(t *testing.T) {
			args := devArgs()
			args.AllocatedStorageGiB, args.MaxAllocatedStorageGiB = tt.allocated, tt.max
			r := mustRun(t, args, false)
			_, in := one(t, r.m, instanceType)
			if in["maxAllocatedStorage"] != tt.want {
				t.Errorf("maxAllocatedStorage = %v, want %v", in["maxAllocatedStorage"], tt.want)
			}
		})
	}
}

func TestSecurityGroupOnlyAdmitsAllowedGroups(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("allowFrom=%v", allow), func(t *testing.T) {
			r := mustRun(t, devArgs(), allow)
			sg, in := one(t, r.m, sgType)
			if in["vpcId"] != "vpc-0123456789abcdef0" {
				t.Errorf("security group in VPC %v", in["vpcId"])
			}
			for _, inline := range []string{"ingress", "egress"} {
				if v, ok := sg.Inputs[resource.PropertyKey(inline)]; ok && !v.IsNull() {
					t.Errorf("security group has inline %s rules %v", inline, v)
				}
			}
			if n := len(r.m.OfType(egressRuleType)); n != 0 {
				t.Errorf("%d egress rules, want none", n)
			}
			rules := r.m.OfType(ingressRuleType)
			if !allow {
				if len(rules) != 0 {
					t.Errorf("%d ingress rules without AllowFrom, want 0", len(rules))
				}
				return
			}
			if len(rules) != 1 {
				t.Fatalf("%d ingress rules, want exactly the AllowFrom one", len(rules))
			}
			rule := pulumimock.PlainMap(rules[0].Inputs)
			expect(t, "ingress rule", rule, map[string]any{
				"securityGroupId":           sg.ID,
				"referencedSecurityGroupId": clientSG,
				"ipProtocol":                "tcp",
				"fromPort":                  Port,
				"toPort":                    Port,
			})
			for _, source := range []string{"cidrIpv4", "cidrIpv6", "prefixListId"} {
				if rule[source] != nil {
					t.Errorf("ingress rule has %s %v; only a security group may be the source", source, rule[source])
				}
			}
		})
	}
}

var uriPattern = regexp.MustCompile(`^postgres://spicedb:([A-Za-z0-9]+)@([a-z0-9.-]+):5432/spicedb\?sslmode=require$`)

func TestConnectionSecretHoldsTheURIAsASecret(t *testing.T) {
	r := mustRun(t, prodArgs(), true)
	password := generatedPassword(t, r.m)
	if len(password) != PasswordLength || !regexp.MustCompile(`^[A-Za-z0-9]+$`).MatchString(password) {
		t.Errorf("password %d characters of [A-Za-z0-9]? want %d URL-safe characters", len(password), PasswordLength)
	}
	_, pwInputs := one(t, r.m, passwordType)
	if pwInputs["special"] != false || pwInputs["length"] != float64(PasswordLength) {
		t.Errorf("password inputs %v, want special=false length=%d", pwInputs, PasswordLength)
	}

	version, in := one(t, r.m, secretVersionType)
	secret := mustOne(t, r.m, secretType)
	if in["secretId"] != secret.ID {
		t.Errorf("secret version secretId = %v, want %s", in["secretId"], secret.ID)
	}
	if !version.Inputs["secretString"].IsSecret() {
		t.Fatal("secretString is not a Pulumi secret")
	}
	uri := fmt.Sprint(in["secretString"])
	match := uriPattern.FindStringSubmatch(uri)
	if match == nil {
		t.Fatalf("secretString does not look like postgres://spicedb:PASSWORD@HOST:5432/spicedb?sslmode=require")
	}
	if match[1] != password {
		t.Errorf("the URI's password is not the generated password")
	}
	if address := mustOne(t, r.m, instanceType).Outputs["address"].StringValue(); match[2] != address {
		t.Errorf("URI host %q, want the instance address %q", match[2], address)
	}
}

func TestPasswordNeverInPlaintext(t *testing.T) {
	for name, args := range map[string]*Args{"dev": devArgs(), "prod": prodArgs()} {
		t.Run(name, func(t *testing.T) {
			r := mustRun(t, args, true)
			password := generatedPassword(t, r.m)
			if leaks := componenttest.PlaintextLeaks(t, r.m, password); len(leaks) > 0 {
				t.Errorf("password in plaintext at %v", leaks)
			}
			for key, out := range r.outputs {
				if strings.Contains(fmt.Sprint(out.Value), password) {
					t.Errorf("component output %s contains the password", key)
				}
				if out.Secret {
					t.Errorf("component output %s is a secret; outputs should only say where secrets are", key)
				}
			}
		})
	}
}

func generatedPassword(t *testing.T, m *pulumimock.Mocks) string {
	t.Helper()
	pw := mustOne(t, m, passwordType)
	result := pw.Outputs["result"]
	if !result.IsSecret() {
		t.Fatal("mock password result is not a secret")
	}
	s, _ := pulumimock.Plain(result).(string)
	if s == "" {
		t.Fatal("no generated password")
	}
	return s
}

func TestInvalidArgsRegisterNothing(t *testing.T) {
	with := func(change func(*Args)) *Args {
		a := devArgs()
		change(a)
		return a
	}
	tests := []struct {
		name string
		args *Args
		want string
	}{
		{"nil args", nil, "args are required"},
		{"PostgreSQL 13", with(func(a *Args) { a.PostgresVersion = 13 }), "PostgresVersion 13: accepted: 14 15 16 17"},
		{"PostgreSQL 18", with(func(a *Args) { a.PostgresVersion = 18 }), "PostgresVersion 18"},
		{"no VPC", with(func(a *Args) { a.VpcID = nil }), "VpcID is required"},
		{"no subnets", with(func(a *Args) { a.SubnetIDs = nil }), "SubnetIDs is required"},
		{"instance class", with(func(a *Args) { a.InstanceClass = "t4g.micro" }), `InstanceClass "t4g.micro"`},
		{"storage too small", with(func(a *Args) { a.AllocatedStorageGiB = 10 }), "AllocatedStorageGiB 10"},
		{"negative max storage", with(func(a *Args) { a.MaxAllocatedStorageGiB = -1 }), "MaxAllocatedStorageGiB -1"},
		{"backups too long", with(func(a *Args) { a.BackupRetentionDays = 36 }), "BackupRetentionDays 36"},
		{"protected without backups", with(func(a *Args) { a.DeletionProtection, a.BackupRetentionDays = true, 0 }), "BackupRetentionDays 0 turns backups off"},
		{"KMS alias", with(func(a *Args) { a.KmsKeyArn = "alias/rds" }), `KmsKeyArn "alias/rds"`},
		{"database name", with(func(a *Args) { a.DatabaseName = "Spice-DB" }), `DatabaseName "Spice-DB"`},
		{"reserved user", with(func(a *Args) { a.Username = "rdsadmin" }), `Username "rdsadmin"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := runDatabase(t, "test", tt.args, false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "database: ") {
				t.Errorf("err = %q, want the database: prefix", err)
			}
			if rs := r.m.Resources(); len(rs) != 0 {
				t.Errorf("%d resources registered before the error, want 0", len(rs))
			}
		})
	}
}

func TestInvalidArgsReportedTogether(t *testing.T) {
	a := devArgs()
	a.PostgresVersion, a.InstanceClass, a.Username = 12, "big", "Admin"
	_, err := runDatabase(t, "test", a, false)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"PostgresVersion", "InstanceClass", "Username"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to name %s", err, want)
		}
	}
}

func TestAllowFromRejectsMissingArguments(t *testing.T) {
	tests := []struct {
		name, rule string
		client     pulumi.IDInput
		want       string
	}{
		{"no name", "", pulumi.ID(clientSG), "name is required"},
		{"no client", "tasks", nil, "client security group id is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var allowErr error
			_, err := pulumimock.Run(func(ctx *pulumi.Context) error {
				d, err := New(ctx, "spicedb-db", devArgs())
				if err != nil {
					return err
				}
				_, allowErr = d.AllowFrom(ctx, tt.rule, tt.client)
				return nil
			}, pulumimock.Options{Project: "spicedb-ecs", Stack: "test", Region: "us-east-1"})
			if err != nil {
				t.Fatal(err)
			}
			if allowErr == nil || !strings.Contains(allowErr.Error(), tt.want) {
				t.Errorf("AllowFrom error = %v, want %q", allowErr, tt.want)
			}
		})
	}
}

func TestFinalSnapshotIdentifier(t *testing.T) {
	tests := []struct{ name, stack, want string }{
		{"spicedb-db", "prod", "spicedb-db-prod-final"},
		{"spicedb-db", "My_Org/prod.eu", "spicedb-db-my-org-prod-eu-final"},
		{"9db", "dev", "db-9db-dev-final"},
		{"db--x", "-a-", "db-x-a-final"},
		{"--", "__", "db-final"},
	}
	for _, tt := range tests {
		if got := finalSnapshotIdentifier(tt.name, tt.stack); got != tt.want {
			t.Errorf("finalSnapshotIdentifier(%q, %q) = %q, want %q", tt.name, tt.stack, got, tt.want)
		}
	}
}
