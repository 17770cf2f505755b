package service

import (
	"encoding/json"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// policyDocument is an IAM policy, rendered from structs like the container
// definitions.
type policyDocument struct {
	Version   string            `json:"Version"`
	Statement []policyStatement `json:"Statement"`
}

type policyStatement struct {
	Sid       string                       `json:"Sid,omitempty"`
	Effect    string                       `json:"Effect"`
	Principal map[string]string            `json:"Principal,omitempty"`
	Action    []string                     `json:"Action"`
	Resource  []string                     `json:"Resource,omitempty"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

func (d policyDocument) render() (string, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("service: render policy: %w", err)
	}
	return string(b), nil
}

// ecsTasksTrust lets ECS tasks of this account (only) assume a role; the
// SourceAccount condition stops a confused deputy in another account.
func ecsTasksTrust(accountID string) (string, error) {
	return policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{
			Effect:    "Allow",
			Principal: map[string]string{"Service": "ecs-tasks.amazonaws.com"},
			Action:    []string{"sts:AssumeRole"},
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceAccount": accountID}},
		}},
	}.render()
}

// secretsReadPolicy allows reading exactly the given secrets and, when they
// are encrypted with a customer key, decrypting with that key through
// Secrets Manager only.
func secretsReadPolicy(secretArns []string, kmsKeyArn, region string) (string, error) {
	doc := policyDocument{
		Version: "2012-10-17",
		Statement: []policyStatement{{
			Sid:      "ReadContainerSecrets",
			Effect:   "Allow",
			Action:   []string{"secretsmanager:GetSecretValue"},
			Resource: secretArns,
		}},
	}
	if kmsKeyArn != "" {
		doc.Statement = append(doc.Statement, policyStatement{
			Sid:       "DecryptContainerSecrets",
			Effect:    "Allow",
			Action:    []string{"kms:Decrypt"},
			Resource:  []string{kmsKeyArn},
			Condition: map[string]map[string]string{"StringEquals": {"kms:ViaService": "secretsmanager." + region + ".amazonaws.com"}},
		})
	}
	return doc.render()
}

// roles make the task definitions' IAM roles: one execution role per task
// definition, so each may read only the secrets its own container is
// injected with, and one shared task role.
type roles struct {
	// task is the role SpiceDB runs as: no permissions, it calls no AWS API.
	task *iam.Role

	trust     pulumi.StringOutput // ecsTasksTrust of this account
	env       awsEnv
	kmsKeyArn string // "" unless the secrets use a customer managed key
	tags      pulumi.StringMap
}

// executionRole is the role ECS uses to start one task definition's tasks.
type executionRole struct {
	role *iam.Role
	// grants are the role's policies: a task definition that depends on
	// them starts no task (the migration!) before ECS may read its secrets.
	grants []pulumi.Resource
}

// newRoles creates the shared task role; execution roles come from
// newExecutionRole, one per task definition.
func newRoles(ctx *pulumi.Context, name string, env awsEnv, kmsKeyArn string, tags pulumi.StringMap,
	opts []pulumi.ResourceOption) (*roles, error) {
	trust := env.AccountID.ApplyT(ecsTasksTrust).(pulumi.StringOutput)
	task, err := iam.NewRole(ctx, name+"-task", &iam.RoleArgs{
		Description:      pulumi.String("SpiceDB task role: no permissions, SpiceDB calls no AWS API"),
		AssumeRolePolicy: trust,
		Tags:             tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: task role: %w", err)
	}
	return &roles{task: task, trust: trust, env: env, kmsKeyArn: kmsKeyArn, tags: tags}, nil
}

// newExecutionRole creates an execution role allowed to pull the image,
// write logs and read exactly secretArns: the secrets one task definition's
// container references, and no other task's.
func (r *roles) newExecutionRole(ctx *pulumi.Context, resourceName string, secretArns pulumi.StringArrayOutput,
	opts []pulumi.ResourceOption) (*executionRole, error) {
	role, err := iam.NewRole(ctx, resourceName, &iam.RoleArgs{
		Description:      pulumi.String("ECS pulls the SpiceDB image, writes its logs and injects this task's secrets"),
		AssumeRolePolicy: r.trust,
		Tags:             r.tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: execution role %s: %w", resourceName, err)
	}
	// The AWS managed policy covers ECR pull and CloudWatch Logs and nothing else.
	managed, err := iam.NewRolePolicyAttachment(ctx, resourceName+"-managed", &iam.RolePolicyAttachmentArgs{
		Role:      role.Name,
		PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", r.env.Partition),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: execution role %s policy attachment: %w", resourceName, err)
	}
	kmsKeyArn := r.kmsKeyArn
	secretsPolicy := pulumi.All(secretArns, r.env.Region).ApplyT(func(args []any) (string, error) {
		return secretsReadPolicy(args[0].([]string), kmsKeyArn, args[1].(string))
	}).(pulumi.StringOutput)
	secretsGrant, err := iam.NewRolePolicy(ctx, resourceName+"-secrets", &iam.RolePolicyArgs{
		Role:   role.Name,
		Policy: secretsPolicy,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: execution role %s secrets policy: %w", resourceName, err)
	}
	return &executionRole{role: role, grants: []pulumi.Resource{managed, secretsGrant}}, nil
}

// awsEnv is where the stack deploys: looked up once through the (inherited) provider.
type awsEnv struct {
	AccountID, Partition, Region pulumi.StringOutput
}

func lookupAWSEnv(ctx *pulumi.Context, region string, parent pulumi.Resource) awsEnv {
	opt := pulumi.Parent(parent)
	env := awsEnv{
		AccountID: aws.GetCallerIdentityOutput(ctx, aws.GetCallerIdentityOutputArgs{}, opt).AccountId(),
		Partition: aws.GetPartitionOutput(ctx, aws.GetPartitionOutputArgs{}, opt).Partition(),
	}
	if region != "" {
		env.Region = pulumi.String(region).ToStringOutput()
	} else {
		env.Region = aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, opt).Name()
	}
	return env
}
