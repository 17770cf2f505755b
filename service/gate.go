package service

import (
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi-command/sdk/go/command/local"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/migration"
)

// migrateCLI runs the migration runner from the repository the program runs in.
const migrateCLI = "go run ./cmd/spicedb-ecs migrate"

// migrationTarget is where and how the migration task runs.
type migrationTarget struct {
	ClusterName, TaskDefinitionArn, LogGroup, Region pulumi.StringOutput
	Subnets                                          pulumi.StringArrayInput
	SecurityGroup                                    pulumi.IDOutput
}

// newMigrationGate runs the migration task to completion, via the CLI, each
// time the migration task definition gets a new revision (new version,
// image, datastore secret or a new value in it). The ECS service depends on
// it, so a failed migration fails `pulumi up` before the service is touched
// and the old version keeps serving.
func newMigrationGate(ctx *pulumi.Context, name string, args Args, target migrationTarget, workDir string,
	dependsOn []pulumi.Resource, opts []pulumi.ResourceOption) (*local.Command, error) {
	env := pulumi.StringMap{
		migration.EnvCluster:         target.ClusterName,
		migration.EnvTaskDefinition:  target.TaskDefinitionArn,
		migration.EnvSubnets:         joinList(target.Subnets, migration.ListSeparator),
		migration.EnvSecurityGroups:  target.SecurityGroup.ToStringOutput(),
		migration.EnvContainer:       pulumi.String(migrateContainerName),
		migration.EnvLogGroup:        target.LogGroup,
		migration.EnvLogStreamPrefix: pulumi.String(migrateLogStreamPrefix),
		migration.EnvTimeout:         pulumi.String(args.MigrationTimeout.String()),
		// The CLI talks to AWS itself, outside the provider: point it at the
		// same region and credentials profile.
		"AWS_REGION": target.Region,
	}
	if args.Profile != "" {
		env["AWS_PROFILE"] = pulumi.String(args.Profile)
	}
	gate, err := local.NewCommand(ctx, name+"-migrate-gate", &local.CommandArgs{
		Create:      pulumi.String(migrateCLI),
		Dir:         pulumi.String(workDir),
		Environment: env,
		// A new migration task definition revision replaces the command,
		// which runs the migration again; nothing else re-runs it.
		Triggers: pulumi.Array{target.TaskDefinitionArn},
	}, append(append([]pulumi.ResourceOption{}, opts...), pulumi.DependsOn(dependsOn))...)
	if err != nil {
		return nil, fmt.Errorf("service: migration gate: %w", err)
	}
	return gate, nil
}

// manualMigrationCommand is the `aws ecs run-task` an operator runs when the
// gate is off (or to re-run a migration by hand).
func manualMigrationCommand(args Args, target migrationTarget) pulumi.StringOutput {
	return pulumi.All(target.ClusterName, target.TaskDefinitionArn, joinList(target.Subnets, ","),
		target.SecurityGroup.ToStringOutput(), target.Region).ApplyT(func(v []any) string {
		cmd := fmt.Sprintf("aws ecs run-task --cluster %s --task-definition %s --launch-type FARGATE --count 1"+
			" --started-by spicedb-ecs-manual-migration"+
			" --network-configuration 'awsvpcConfiguration={subnets=[%s],securityGroups=[%s],assignPublicIp=DISABLED}'"+
			" --region %s",
			v[0], v[1], v[2], v[3], v[4])
		if args.Profile != "" {
			cmd += " --profile " + args.Profile
		}
		return cmd
	}).(pulumi.StringOutput)
}

// zedContextCommand tells a user how to point zed at the endpoint; the key
// stays in their shell ($SPICEDB_KEY), never in an output.
func zedContextCommand(ctx *pulumi.Context, args Args, endpoint pulumi.StringOutput) pulumi.StringOutput {
	caFlag := ""
	if args.privateCAMode() {
		caFlag = " --certificate-path ca.pem"
	}
	return pulumi.Sprintf(`zed context set %s %s "$SPICEDB_KEY"%s`, ctx.Stack(), endpoint, caFlag)
}

func joinList(values pulumi.StringArrayInput, sep string) pulumi.StringOutput {
	return values.ToStringArrayOutput().ApplyT(func(v []string) string {
		return strings.Join(v, sep)
	}).(pulumi.StringOutput)
}

// programDir is where the Pulumi program runs (the repository root, where
// the Dockerfile and cmd/spicedb-ecs live).
func programDir(ctx *pulumi.Context) (string, error) {
	if dir := ctx.RootDirectory(); dir != "" {
		return dir, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("service: working directory: %w", err)
	}
	return dir, nil
}
