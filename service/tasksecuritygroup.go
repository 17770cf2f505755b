package service

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newTaskSecurityGroup creates the group of the serve and migration tasks:
// gRPC and the health endpoint only from the NLB; out only to HTTPS (ECR,
// Secrets Manager, CloudWatch Logs through the NAT gateway or VPC
// endpoints) and to PostgreSQL on the database's group. With dispatch on,
// the tasks also reach each other (and only each other) on the dispatch
// port. Metrics (9090) stay closed: a scraper would need its own rule. The
// group's description is left as it was: changing it replaces the group.
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
	nlb := nlbSecurityGroupID.ToStringOutput()
	rules := []tcpRule{
		{resourceName: name + "-tasks-in-grpc", description: "gRPC from the NLB", port: grpcPort, peerGroup: nlb},
		{resourceName: name + "-tasks-in-health", description: "/healthz checks from the NLB", port: httpPort, peerGroup: nlb},
		{resourceName: name + "-tasks-out-https", description: "HTTPS to ECR, Secrets Manager and CloudWatch Logs",
			egress: true, port: 443, cidrIpv4: pulumi.String("0.0.0.0/0")},
		{resourceName: name + "-tasks-out-postgres", description: "PostgreSQL to the database",
			egress: true, port: postgresPort, peerGroup: args.DatabaseSecurityGroupID.ToIDOutput().ToStringOutput()},
	}
	if args.Dispatch {
		rules = append(rules, dispatchRules(name, sg)...)
	}
	for _, rule := range rules {
		if err := newTCPRule(ctx, sg, rule, tags, opts); err != nil {
			return nil, fmt.Errorf("service: task security group rule %s: %w", rule.resourceName, err)
		}
	}
	return sg, nil
}
