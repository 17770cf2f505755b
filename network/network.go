// Package network provides the VPC SpiceDB runs in: public subnets for the
// load balancer, private subnets for tasks and the database, either created
// with awsx or adopted from an existing VPC.
package network

import (
	"errors"
	"fmt"

	awsec2 "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the Pulumi type token of Network.
const ComponentType = "spicedb-ecs:network:Network"

// Network is a VPC with public and private subnets across availability zones.
type Network struct {
	pulumi.ResourceState

	VpcID pulumi.StringOutput
	// CidrBlock is the VPC's primary IPv4 range: the configured one for a
	// created VPC, the looked-up one for an adopted VPC.
	CidrBlock                         pulumi.StringOutput
	PublicSubnetIDs, PrivateSubnetIDs pulumi.StringArrayOutput
}

// New creates (or adopts) the VPC and, when asked, the VPC endpoints.
// Invalid args fail before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Network, error) {
	if args == nil {
		return nil, errors.New("network: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, err
	}

	n := &Network{}
	if err := ctx.RegisterComponentResource(ComponentType, name, n, opts...); err != nil {
		return nil, fmt.Errorf("network: register component: %w", err)
	}
	if a.Existing != nil {
		n.adopt(ctx, a.Existing)
	} else if err := n.createVpc(ctx, name, a); err != nil {
		return nil, err
	}
	if a.VpcEndpoints {
		if err := n.createEndpoints(ctx, name, a.Existing != nil, a.Tags); err != nil {
			return nil, err
		}
	}

	if err := ctx.RegisterResourceOutputs(n, pulumi.Map{
		"vpcId":            n.VpcID,
		"cidrBlock":        n.CidrBlock,
		"publicSubnetIds":  n.PublicSubnetIDs,
		"privateSubnetIds": n.PrivateSubnetIDs,
	}); err != nil {
		return nil, fmt.Errorf("network: register outputs: %w", err)
	}
	return n, nil
}

// createVpc builds the VPC with awsx: one public and one private subnet per
// zone, sized by awsx's Auto strategy, and the chosen NAT layout.
func (n *Network) createVpc(ctx *pulumi.Context, name string, a Args) error {
	subnetStrategy := ec2.SubnetAllocationStrategyAuto
	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock:                 pulumi.StringRef(a.CidrBlock),
		NumberOfAvailabilityZones: pulumi.IntRef(a.AvailabilityZones),
		SubnetStrategy:            &subnetStrategy,
		SubnetSpecs: []ec2.SubnetSpecArgs{
			{Type: ec2.SubnetTypePublic},
			{Type: ec2.SubnetTypePrivate},
		},
		NatGateways: &ec2.NatGatewayConfigurationArgs{Strategy: natStrategies[a.NatGateways]},
		// Interface endpoints with private DNS need both; tasks resolve AWS
		// API names to the endpoints' addresses through them.
		EnableDnsHostnames: pulumi.Bool(true),
		EnableDnsSupport:   pulumi.Bool(true),
		Tags:               pulumi.ToStringMap(a.Tags),
	}, pulumi.Parent(n))
	if err != nil {
		return fmt.Errorf("network: vpc: %w", err)
	}
	n.VpcID = vpc.VpcId
	n.CidrBlock = pulumi.String(a.CidrBlock).ToStringOutput()
	n.PublicSubnetIDs = vpc.PublicSubnetIds
	n.PrivateSubnetIDs = vpc.PrivateSubnetIds
	return nil
}

// adopt uses an existing VPC. It registers nothing; the CIDR block comes from
// a lookup, which also fails the preview early if the VPC does not exist.
func (n *Network) adopt(ctx *pulumi.Context, e *ExistingVpc) {
	found := awsec2.LookupVpcOutput(ctx, awsec2.LookupVpcOutputArgs{Id: pulumi.String(e.VpcID)}, pulumi.Parent(n))
	n.VpcID = pulumi.String(e.VpcID).ToStringOutput()
	n.CidrBlock = found.CidrBlock()
	n.PublicSubnetIDs = pulumi.ToStringArray(e.PublicSubnetIDs).ToStringArrayOutput()
	n.PrivateSubnetIDs = pulumi.ToStringArray(e.PrivateSubnetIDs).ToStringArrayOutput()
}
