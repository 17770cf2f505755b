package fakeproviders

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	awsxec2 "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
	awsxecr "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ecr"
	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
)

// knobs vary the inline program between deployments.
type knobs struct {
	cpu      string // task cpu: changing it must replace the task definition
	buildArg string // image build arg: changes the image digest, re-running the migration
	omitPort bool   // drop the target group port: Check must fail naming it
	drain    int    // target group deregistration delay: an in-place update
}

func program(k knobs) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		region, err := aws.GetRegion(ctx, nil)
		if err != nil {
			return err
		}
		ident, err := aws.GetCallerIdentity(ctx, nil)
		if err != nil {
			return err
		}
		net, err := awsxec2.NewVpc(ctx, "net", &awsxec2.VpcArgs{NumberOfAvailabilityZones: pulumi.IntRef(2)})
		if err != nil {
			return err
		}
		pw, err := random.NewRandomPassword(ctx, "db-password", &random.RandomPasswordArgs{
			Length: pulumi.Int(24), Special: pulumi.Bool(false),
		})
		if err != nil {
			return err
		}
		secret, err := secretsmanager.NewSecret(ctx, "db-password", nil)
		if err != nil {
			return err
		}
		if _, err := secretsmanager.NewSecretVersion(ctx, "db-password", &secretsmanager.SecretVersionArgs{
			SecretId: secret.ID(), SecretString: pw.Result,
		}); err != nil {
			return err
		}
		west, err := aws.NewProvider(ctx, "west", &aws.ProviderArgs{Region: pulumi.String("us-west-2")})
		if err != nil {
			return err
		}
		westSecret, err := secretsmanager.NewSecret(ctx, "west", nil, pulumi.Provider(west))
		if err != nil {
			return err
		}
		repo, err := ecr.NewRepository(ctx, "spicedb", nil)
		if err != nil {
			return err
		}
		image, err := awsxecr.NewImage(ctx, "spicedb", &awsxecr.ImageArgs{
			RepositoryUrl: repo.RepositoryUrl,
			Context:       pulumi.String("./app"),
			Platform:      pulumi.String("linux/arm64"),
			Args:          pulumi.StringMap{"VERSION": pulumi.String(k.buildArg)},
		})
		if err != nil {
			return err
		}
		containers := image.ImageUri.ApplyT(func(uri string) (string, error) {
			b, err := json.Marshal([]map[string]any{{"name": "spicedb", "image": uri, "essential": true}})
			return string(b), err
		}).(pulumi.StringOutput)
		task, err := ecs.NewTaskDefinition(ctx, "spicedb", &ecs.TaskDefinitionArgs{
			Family: pulumi.String("spicedb"), ContainerDefinitions: containers,
			Cpu: pulumi.String(k.cpu), Memory: pulumi.String("1024"),
			NetworkMode:             pulumi.String("awsvpc"),
			RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		})
		if err != nil {
			return err
		}
		tgArgs := &lb.TargetGroupArgs{
			Port: pulumi.Int(50051), Protocol: pulumi.String("TCP"),
			TargetType: pulumi.String("ip"), VpcId: net.VpcId,
			DeregistrationDelay: pulumi.Int(k.drain),
		}
		if k.omitPort {
			tgArgs.Port = nil
		}
		if _, err := lb.NewTargetGroup(ctx, "grpc", tgArgs); err != nil {
			return err
		}
		key, err := tls.NewPrivateKey(ctx, "ca", &tls.PrivateKeyArgs{
			Algorithm: pulumi.String("ECDSA"), EcdsaCurve: pulumi.String("P256"),
		})
		if err != nil {
			return err
		}
		cert, err := tls.NewSelfSignedCert(ctx, "ca", &tls.SelfSignedCertArgs{
			PrivateKeyPem: key.PrivateKeyPem, ValidityPeriodHours: pulumi.Int(24),
			AllowedUses:     pulumi.ToStringArray([]string{"cert_signing", "server_auth"}),
			IsCaCertificate: pulumi.Bool(true),
			Subject:         &tls.SelfSignedCertSubjectArgs{CommonName: pulumi.String("spicedb")},
			DnsNames:        pulumi.ToStringArray([]string{"spicedb.internal"}),
		})
		if err != nil {
			return err
		}
		if _, err := local.NewCommand(ctx, "migrate", &local.CommandArgs{
			Create:   pulumi.String("spicedb migrate head"),
			Triggers: pulumi.Array{image.ImageUri},
		}); err != nil {
			return err
		}
		ctx.Export("region", pulumi.String(region.Name))
		ctx.Export("account", pulumi.String(ident.AccountId))
		ctx.Export("vpcId", net.VpcId)
		ctx.Export("privateSubnetIds", net.PrivateSubnetIds)
		ctx.Export("imageUri", image.ImageUri)
		ctx.Export("taskDefinitionArn", task.Arn)
		ctx.Export("secretArn", secret.Arn)
		ctx.Export("westSecretArn", westSecret.Arn)
		ctx.Export("password", pw.Result)
		ctx.Export("certPem", cert.CertPem)
		return nil
	}
}

// newStack starts the fakes and an inline stack on a temp file backend.
func newStack(t *testing.T, k knobs) (context.Context, *Cloud, auto.Stack, string) {
	t.Helper()
	testkit.PulumiCLI(t) // fails early, saying how to build the CLI
	root := testkit.RepoRoot(t)
	ctx := context.Background()
	cloud, err := Start(ctx)
	if err != nil {
		t.Fatalf("start fakes: %v", err)
	}
	t.Cleanup(cloud.Stop)
	cli, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: root})
	if err != nil {
		t.Fatalf("pulumi command: %v", err)
	}
	state := t.TempDir()
	stack, err := auto.UpsertStackInlineSource(ctx, "test", "fakeproviders", program(k),
		auto.Pulumi(cli),
		auto.SecretsProvider("passphrase"),
		auto.EnvVars(cloud.EngineEnv(state, t.TempDir())),
	)
	if err != nil {
		t.Fatalf("create stack: %v", err)
	}
	if err := stack.SetConfig(ctx, "aws:region", auto.ConfigValue{Value: "eu-west-1"}); err != nil {
		t.Fatalf("set region: %v", err)
	}
	return ctx, cloud, stack, state
}

func setProgram(t *testing.T, stack auto.Stack, k knobs) {
	t.Helper()
	ws, ok := stack.Workspace().(*auto.LocalWorkspace)
	if !ok {
		t.Fatalf("workspace is %T, want *auto.LocalWorkspace", stack.Workspace())
	}
	ws.SetProgram(program(k))
}

func outputString(t *testing.T, outs auto.OutputMap, key string) string {
	t.Helper()
	v, ok := outs[key]
	if !ok {
		t.Fatalf("output %q missing", key)
	}
	s, ok := v.Value.(string)
	if !ok {
		t.Fatalf("output %q is %T, want string", key, v.Value)
	}
	return s
}

func TestEngineDrivesFakesThroughALifecycle(t *testing.T) {
	base := knobs{cpu: "512", buildArg: "v1", drain: 300}
	ctx, cloud, stack, stateDir := newStack(t, base)

	// 1. First deployment creates everything with cloud-like outputs.
	up, err := stack.Up(ctx)
	if err != nil {
		t.Fatalf("first up: %v", err)
	}
	outs := up.Outputs
	if got := outputString(t, outs, "region"); got != "eu-west-1" {
		t.Errorf("region = %q, want eu-west-1 (provider config must reach the invoke)", got)
	}
	if got := outputString(t, outs, "account"); got != Account {
		t.Errorf("account = %q", got)
	}
	if got := outputString(t, outs, "taskDefinitionArn"); got != "arn:aws:ecs:eu-west-1:123456789012:task-definition/spicedb:1" {
		t.Errorf("taskDefinitionArn = %q", got)
	}
	if got := outputString(t, outs, "secretArn"); !regexp.MustCompile(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-password-[0-9a-f]{7}-[A-Za-z0-9]{6}$`).MatchString(got) {
		t.Errorf("secretArn = %q", got)
	}
	if got := outputString(t, outs, "westSecretArn"); !strings.HasPrefix(got, "arn:aws:secretsmanager:us-west-2:") {
		t.Errorf("westSecretArn = %q, want the explicit provider's region", got)
	}
	imageURI := outputString(t, outs, "imageUri")
	if !regexp.MustCompile(`^123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com/spicedb-[0-9a-f]{7}@sha256:[0-9a-f]{64}$`).MatchString(imageURI) {
		t.Errorf("imageUri = %q", imageURI)
	}
	if !strings.HasPrefix(outputString(t, outs, "vpcId"), "vpc-") {
		t.Errorf("vpcId = %v", outs["vpcId"].Value)
	}
	if subnets, _ := outs["privateSubnetIds"].Value.([]any); len(subnets) != 2 {
		t.Errorf("privateSubnetIds = %v, want 2 subnets", outs["privateSubnetIds"].Value)
	}
	if pw := outs["password"]; !pw.Secret || len(fmt.Sprint(pw.Value)) != 24 {
		t.Errorf("password output: secret=%v len=%d, want a secret of 24 characters", pw.Secret, len(fmt.Sprint(pw.Value)))
	}
	block, _ := pem.Decode([]byte(outputString(t, outs, "certPem")))
	if block == nil {
		t.Fatalf("certPem is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil || cert.Subject.CommonName != "spicedb" || !cert.IsCA {
		t.Errorf("certPem: err=%v cn=%q ca=%v", err, cert.Subject.CommonName, cert.IsCA)
	}
	if runs := cloud.CommandRuns(); len(runs) != 1 || runs[0].Op != OpCreate || runs[0].Command != "spicedb migrate head" {
		t.Errorf("command runs after first up = %+v, want one create", runs)
	}
	testkit.AssertFilesHoldNoSecret(t, stateDir, []string{fmt.Sprint(outs["password"].Value)})

	// 2. Re-deploying the same program changes nothing.
	cloud.ResetLedger()
	again, err := stack.Up(ctx)
	if err != nil {
		t.Fatalf("second up: %v", err)
	}
	if changes := testkit.ChangedOps(again.Summary.ResourceChanges); len(changes) != 0 {
		t.Errorf("second up changed %v, want nothing", changes)
	}
	if ev := cloud.Events(); len(ev) != 0 {
		t.Errorf("second up reached the cloud: %+v", ev)
	}

	// 3. A replace-forcing change (task cpu) previews and deploys as a replacement.
	cloud.ResetLedger()
	bigger := base
	bigger.cpu = "1024"
	setProgram(t, stack, bigger)
	preview, err := stack.Preview(ctx, optpreview.Diff())
	if err != nil {
		t.Fatalf("preview cpu change: %v", err)
	}
	if preview.ChangeSummary[apitype.OpReplace] != 1 {
		t.Errorf("preview of cpu change = %v, want exactly one replace", preview.ChangeSummary)
	}
	up, err = stack.Up(ctx)
	if err != nil {
		t.Fatalf("up cpu change: %v", err)
	}
	if got := cloud.CountType(OpReplace, "aws:ecs/taskDefinition:TaskDefinition"); got != 1 {
		t.Errorf("task definition replacements = %d, want 1", got)
	}
	if got := outputString(t, up.Outputs, "taskDefinitionArn"); !strings.HasSuffix(got, "task-definition/spicedb:2") {
		t.Errorf("taskDefinitionArn after replace = %q, want revision 2", got)
	}
	if runs := cloud.CommandRuns(); len(runs) != 0 {
		t.Errorf("a cpu change re-ran commands: %+v", runs)
	}
	if tds := cloud.LiveOfType("aws:ecs/taskDefinition:TaskDefinition"); len(tds) != 1 || num(tds[0].Outputs, "revision", 0) != 2 {
		t.Errorf("live task definitions after replace = %+v, want only revision 2", tds)
	}

	// 4. An updatable property changes in place.
	cloud.ResetLedger()
	drain := bigger
	drain.drain = 30
	setProgram(t, stack, drain)
	if _, err := stack.Up(ctx); err != nil {
		t.Fatalf("up drain change: %v", err)
	}
	tg := "aws:lb/targetGroup:TargetGroup"
	if u, r := cloud.CountType(OpUpdate, tg), cloud.CountType(OpReplace, tg); u != 1 || r != 0 || len(cloud.Events()) != 1 {
		t.Errorf("drain change: target group updates=%d replaces=%d, events=%+v; want exactly one update", u, r, cloud.Events())
	}
	if tgs := cloud.LiveOfType(tg); len(tgs) != 1 || num(tgs[0].Outputs, "deregistrationDelay", 0) != 30 {
		t.Errorf("live target group after update = %+v", tgs)
	}

	// 5. A new image digest re-triggers the migration command exactly once.
	cloud.ResetLedger()
	newImage := drain
	newImage.buildArg = "v2"
	setProgram(t, stack, newImage)
	up, err = stack.Up(ctx)
	if err != nil {
		t.Fatalf("up new image: %v", err)
	}
	if outputString(t, up.Outputs, "imageUri") == imageURI {
		t.Errorf("imageUri did not change with the build args")
	}
	if runs := cloud.CommandRuns(); len(runs) != 1 || runs[0].Op != OpCreate {
		t.Errorf("command runs after image change = %+v, want one (re)create", runs)
	}

	// 6. A missing required input fails Check, naming the property.
	broken := newImage
	broken.omitPort = true
	setProgram(t, stack, broken)
	_, err = stack.Up(ctx)
	if err == nil || !strings.Contains(err.Error(), "Missing required property 'port'") {
		t.Errorf("up without target group port: err = %v, want a check failure naming 'port'", err)
	}
	t.Logf("check failure: %v", err)

	// 7. Destroy empties the cloud.
	setProgram(t, stack, newImage)
	if _, err := stack.Destroy(ctx); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if live := cloud.Live(); len(live) != 0 {
		t.Errorf("live resources after destroy: %d", len(live))
	}
	for _, pkg := range []string{"aws", "awsx", "random", "tls", "command"} {
		t.Logf("%s RPCs: %v", pkg, cloud.RPCCalls(pkg))
	}
}
