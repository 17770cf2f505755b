package service

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// The migration task is small and fixed: `datastore migrate head` is a
// short, single-connection job whose cost does not grow with the serve
// task's size. 256 CPU units / 512 MiB is the smallest Fargate size.
const (
	migrateCPU       = 256
	migrateMemoryMiB = 512
)

// taskDefinitionInputs are the outputs every task definition is built from.
type taskDefinitionInputs struct {
	Image, LogGroup, Region pulumi.StringOutput
	SecretArns              pulumi.StringMapOutput // env var name → secret ARN
	SecretVersionIDs        pulumi.StringMapOutput // env var name → version id of the secret's value
	// Roles give each task definition its own execution role and the
	// shared task role.
	Roles    *roles
	Platform platform
	LogLevel string
	// DispatchUpstreamAddr is empty unless dispatch is on; only the serve
	// container uses it.
	DispatchUpstreamAddr string
	Tags                 pulumi.StringMap
}

// taskDefinitionSpec is what differs between the serve and migration tasks.
type taskDefinitionSpec struct {
	family         string
	cpu, memoryMiB int
	secretNames    []string
	container      func(containerInputs) containerDefinition
}

// newTaskDefinition renders the spec's container (with `secrets` for
// exactly spec.secretNames, fingerprinted by their versions) and registers a
// Fargate task definition. A new value in any of those secrets therefore
// makes a new revision. The task definition gets its own execution role,
// which may read exactly the secrets of spec.secretNames: the migration
// task's role cannot read the serve task's preshared key.
func newTaskDefinition(ctx *pulumi.Context, resourceName string, spec taskDefinitionSpec, in taskDefinitionInputs, opts []pulumi.ResourceOption) (*ecs.TaskDefinition, error) {
	readable := in.SecretArns.ApplyT(func(arns map[string]string) ([]string, error) {
		return referencedSecretArns(arns, spec.secretNames)
	}).(pulumi.StringArrayOutput)
	execution, err := in.Roles.newExecutionRole(ctx, resourceName+"-execution", readable, opts)
	if err != nil {
		return nil, err
	}

	containers := pulumi.All(in.Image, in.LogGroup, in.Region, in.SecretArns, in.SecretVersionIDs).ApplyT(func(v []any) (string, error) {
		refs, err := secretRefsFor(v[3].(map[string]string), spec.secretNames)
		if err != nil {
			return "", err
		}
		fingerprint, err := secretsFingerprint(v[4].(map[string]string), spec.secretNames)
		if err != nil {
			return "", err
		}
		return renderContainerDefinitions(spec.container(containerInputs{
			Image:                v[0].(string),
			LogGroup:             v[1].(string),
			Region:               v[2].(string),
			LogLevel:             in.LogLevel,
			MemoryMiB:            spec.memoryMiB,
			Secrets:              refs,
			SecretsVersion:       fingerprint,
			DispatchUpstreamAddr: in.DispatchUpstreamAddr,
		}))
	}).(pulumi.StringOutput)

	td, err := ecs.NewTaskDefinition(ctx, resourceName, &ecs.TaskDefinitionArgs{
		Family:                  pulumi.String(spec.family),
		RequiresCompatibilities: pulumi.StringArray{pulumi.String("FARGATE")},
		NetworkMode:             pulumi.String("awsvpc"),
		Cpu:                     pulumi.String(strconv.Itoa(spec.cpu)),
		Memory:                  pulumi.String(strconv.Itoa(spec.memoryMiB)),
		RuntimePlatform: ecs.TaskDefinitionRuntimePlatformArgs{
			OperatingSystemFamily: pulumi.String("LINUX"),
			CpuArchitecture:       pulumi.String(in.Platform.cpuArchitecture),
		},
		ExecutionRoleArn:     execution.role.Arn,
		TaskRoleArn:          in.Roles.task.Arn,
		ContainerDefinitions: containers,
		Tags:                 in.Tags,
	}, append(append([]pulumi.ResourceOption{}, opts...), pulumi.DependsOn(execution.grants))...)
	if err != nil {
		return nil, fmt.Errorf("service: task definition %s: %w", resourceName, err)
	}
	return td, nil
}

// taskFamily names a task definition family. Families are not auto-named
// and are shared account-wide, so the project and stack are part of it.
func taskFamily(ctx *pulumi.Context, name, role string) string {
	family := strings.Join([]string{ctx.Project(), ctx.Stack(), name, role}, "-")
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, family)
}
