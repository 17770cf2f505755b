package database

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newSecurityGroup creates the database's group with no rules at all:
// ingress comes only through AllowFrom, and no egress is needed because the
// database only answers connections (security groups are stateful).
func (d *Database) newSecurityGroup(ctx *pulumi.Context, name string, a Args) (*ec2.SecurityGroup, error) {
	sg, err := ec2.NewSecurityGroup(ctx, name+"-sg", &ec2.SecurityGroupArgs{
		VpcId:       a.VpcID,
		Description: pulumi.String("SpiceDB PostgreSQL: ingress only from client security groups"),
		Tags:        pulumi.ToStringMap(a.Tags),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, fmt.Errorf("database: security group: %w", err)
	}
	return sg, nil
}

// AllowFrom opens the PostgreSQL port on the database's security group to
// one client security group. The rule is a separate resource parented to the
// Database, so a client created after the database (the service's task
// group, a migration task's group) can be admitted without a dependency
// cycle. name is the rule's logical name; derive it from the caller's own
// component name so two callers never collide.
func (d *Database) AllowFrom(ctx *pulumi.Context, name string, clientSecurityGroupID pulumi.IDInput) (pulumi.Resource, error) {
	if name == "" {
		return nil, errors.New("database: allow from: name is required")
	}
	if clientSecurityGroupID == nil {
		return nil, fmt.Errorf("database: allow from %s: client security group id is required", name)
	}
	rule, err := vpc.NewSecurityGroupIngressRule(ctx, name, &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           d.SecurityGroupID.ToStringOutput(),
		ReferencedSecurityGroupId: clientSecurityGroupID.ToIDOutput().ToStringOutput(),
		Description:               pulumi.String("PostgreSQL from " + name),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(Port),
		ToPort:                    pulumi.Int(Port),
		Tags:                      pulumi.ToStringMap(d.tags),
	}, pulumi.Parent(d))
	if err != nil {
		return nil, fmt.Errorf("database: allow from %s: %w", name, err)
	}
	return rule, nil
}
