package service

import (
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// tcpRule is one single-port TCP rule of a security group, a separate
// resource (never inline). The peer is exactly one of cidrIpv4, cidrIpv6
// and peerGroup.
type tcpRule struct {
	resourceName, description string
	egress                    bool
	port                      int
	cidrIpv4, cidrIpv6        pulumi.StringInput
	peerGroup                 pulumi.StringInput
}

// newTCPRule registers r on sg.
func newTCPRule(ctx *pulumi.Context, sg *ec2.SecurityGroup, r tcpRule, tags pulumi.StringMap, opts []pulumi.ResourceOption) error {
	args := vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId:           sg.ID().ToStringOutput(),
		Description:               pulumi.String(r.description),
		IpProtocol:                pulumi.String("tcp"),
		FromPort:                  pulumi.Int(r.port),
		ToPort:                    pulumi.Int(r.port),
		CidrIpv4:                  r.cidrIpv4,
		CidrIpv6:                  r.cidrIpv6,
		ReferencedSecurityGroupId: r.peerGroup,
		Tags:                      tags,
	}
	if r.egress {
		// The two Args structs have the same fields; the conversion stops
		// compiling if the SDK ever lets them differ.
		egress := vpc.SecurityGroupEgressRuleArgs(args)
		_, err := vpc.NewSecurityGroupEgressRule(ctx, r.resourceName, &egress, opts...)
		return err
	}
	_, err := vpc.NewSecurityGroupIngressRule(ctx, r.resourceName, &args, opts...)
	return err
}
