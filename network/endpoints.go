package network

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awsec2 "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/vpc"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// InterfaceEndpointServices are what a Fargate task needs without NAT: ECR's
// API and registry to pull the image, Secrets Manager for the `secrets` of
// its task definition, CloudWatch Logs for awslogs. S3 (image layers) gets a
// gateway endpoint instead, which is free.
var InterfaceEndpointServices = []string{"ecr.api", "ecr.dkr", "secretsmanager", "logs"}

// httpsPort is where interface endpoints listen.
const httpsPort = 443

// createEndpoints adds the interface endpoints (private DNS on, in the
// private subnets, behind their own security group that admits HTTPS from the
// VPC only) and the S3 gateway endpoint on the private subnets' route tables.
func (n *Network) createEndpoints(ctx *pulumi.Context, name string, adopted bool, tags map[string]string) error {
	parent := pulumi.Parent(n)
	region := aws.GetRegionOutput(ctx, aws.GetRegionOutputArgs{}, parent).Name()
	serviceName := func(service string) pulumi.StringOutput {
		return pulumi.Sprintf("com.amazonaws.%s.%s", region, service)
	}

	// No egress rule: the endpoints only answer connections, and security
	// groups are stateful.
	sg, err := awsec2.NewSecurityGroup(ctx, name+"-endpoints-sg", &awsec2.SecurityGroupArgs{
		VpcId:       n.VpcID,
		Description: pulumi.String("HTTPS from inside the VPC to the AWS API interface endpoints"),
		Tags:        pulumi.ToStringMap(tags),
	}, parent)
	if err != nil {
		return fmt.Errorf("network: endpoint security group: %w", err)
	}
	if _, err := vpc.NewSecurityGroupIngressRule(ctx, name+"-endpoints-https", &vpc.SecurityGroupIngressRuleArgs{
		SecurityGroupId: sg.ID(),
		Description:     pulumi.String("HTTPS from the VPC"),
		IpProtocol:      pulumi.String("tcp"),
		FromPort:        pulumi.Int(httpsPort),
		ToPort:          pulumi.Int(httpsPort),
		CidrIpv4:        n.CidrBlock,
		Tags:            pulumi.ToStringMap(tags),
	}, parent); err != nil {
		return fmt.Errorf("network: endpoint security group rule: %w", err)
	}

	for _, service := range InterfaceEndpointServices {
		if _, err := awsec2.NewVpcEndpoint(ctx, name+"-"+strings.ReplaceAll(service, ".", "-"), &awsec2.VpcEndpointArgs{
			VpcId:             n.VpcID,
			ServiceName:       serviceName(service),
			VpcEndpointType:   pulumi.String("Interface"),
			PrivateDnsEnabled: pulumi.Bool(true),
			SubnetIds:         n.PrivateSubnetIDs,
			SecurityGroupIds:  pulumi.StringArray{sg.ID().ToStringOutput()},
			Tags:              pulumi.ToStringMap(tags),
		}, parent); err != nil {
			return fmt.Errorf("network: %s endpoint: %w", service, err)
		}
	}

	// A gateway endpoint works through routes, so it needs the route tables
	// of the private subnets. awsx exposes its route tables only as resource
	// references (and an adopted VPC not at all), so both modes look them up
	// by subnet association; awsx associates every subnet explicitly.
	lookup := func(filter string, values pulumi.StringArrayInput) pulumi.StringArrayOutput {
		return awsec2.GetRouteTablesOutput(ctx, awsec2.GetRouteTablesOutputArgs{
			VpcId:   n.VpcID,
			Filters: awsec2.GetRouteTablesFilterArray{awsec2.GetRouteTablesFilterArgs{Name: pulumi.String(filter), Values: values}},
		}, parent).Ids()
	}
	routeTableIDs := lookup("association.subnet-id", n.PrivateSubnetIDs)
	if adopted {
		// Subnets of an adopted VPC often use the main route table without
		// an explicit association, which the lookup above cannot see; the
		// S3 route in the main table is harmless for the subnets it serves.
		main := lookup("association.main", pulumi.StringArray{pulumi.String("true")})
		routeTableIDs = pulumi.All(routeTableIDs, main).ApplyT(func(v []any) []string {
			ids := append(append([]string{}, v[0].([]string)...), v[1].([]string)...)
			slices.Sort(ids)
			return slices.Compact(ids)
		}).(pulumi.StringArrayOutput)
	}
	if _, err := awsec2.NewVpcEndpoint(ctx, name+"-s3", &awsec2.VpcEndpointArgs{
		VpcId:           n.VpcID,
		ServiceName:     serviceName("s3"),
		VpcEndpointType: pulumi.String("Gateway"),
		RouteTableIds:   routeTableIDs,
		Tags:            pulumi.ToStringMap(tags),
	}, parent); err != nil {
		return fmt.Errorf("network: s3 endpoint: %w", err)
	}
	return nil
}
