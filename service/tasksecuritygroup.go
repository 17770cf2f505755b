package service

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newTaskSecurityGroup creates the group of the serve and migration tasks:
// gRPC and the health endpoint only from the NLB; out only to HTTPS (ECR,
// Secrets Manager, CloudWatch Logs through the NAT gateway or VPC
// endpoints) and to PostgreSQL on the database's group. Metrics (9090) stay
// closed: a scraper would need its own rule.
func newTaskSecurityGroup(ctx *pulumi.Context, name string, args Args, nlbSecurityGroupID pulumi.IDOutput, opts []pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	tags := pulumi.ToStringMap(args.Tags)
	sg, err := ec2.NewSecurityGroup(ctx, name+"-tasks-sg", &ec2.SecurityGroupArgs{
		VpcId:       args.VpcID,
		Description: pulumi.String("SpiceDB tasks: gRPC and /healthz from the NLB; HTTPS and PostgreSQL out"),
		Tags:        tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: task security group: %w", err)
	}
	for _, in := range []struct {
		suffix, purpose string
		port            int
	}{
		{"grpc", "gRPC from the NLB", grpcPort},
		{"health", "/healthz checks from the NLB", httpPort},
	} {
		_, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-tasks-in-"+in.suffix, &vpc.SecurityGroupIngressRuleArgs{
			SecurityGroupId:           sg.ID().ToStringOutput(),
			Description:               pulumi.String(in.purpose),
			IpProtocol:                pulumi.String("tcp"),
			FromPort:                  pulumi.Int(in.port),
			ToPort:                    pulumi.Int(in.port),
			ReferencedSecurityGroupId: nlbSecurityGroupID.ToStringOutput(),
			Tags:                      tags,
		}, opts...)
		if err != nil {
			return nil, fmt.Errorf("service: task security group ingress %s: %w", in.suffix, err)
		}
	}
	_, err = vpc.NewSecurityGroupEgressRule(ctx, name+"-tasks-out-https", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId: sg.ID().ToStringOutput(),
		Description:     pulumi.String("HTTPS to ECR, Secrets Manager and CloudWatch Logs"),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(443),
		ToPort:          pulumi.Int(443),
		CidrIpv4:        pulumi.String("0.0.0.0/0"),
		Tags:            tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: task security group egress https: %w", err)
	}
	_, err = vpc.NewSecurityGroupEgressRule(ctx, name+"-tasks-out-postgres", &vpc.SecurityGroupEgressRuleArgs{
		SecurityGroupId:           sg.ID().ToStringOutput(),
		Description:               pulumi.String("PostgreSQL to the database"),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(postgresPort),
		ToPort:                    pulumi.Int(postgresPort),
		ReferencedSecurityGroupId: args.DatabaseSecurityGroupID.ToIDOutput().ToStringOutput(),
		Tags:                      tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: task security group egress postgres: %w", err)
	}
	return sg, nil
}
