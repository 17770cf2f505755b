package fakeproviders

import (
	"errors"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// networkKinds: VPC pieces. ForceNew facts from terraform-provider-aws (aws_vpc,
// aws_subnet, aws_vpc_endpoint, aws_security_group, aws_vpc_security_group_*_rule).
func networkKinds() map[string]*kind {
	return map[string]*kind{
		// Created as children of the fake awsx:ec2:Vpc component.
		"aws:ec2/vpc:Vpc": {
			replaceOn: []string{"cidrBlock", "instanceTenancy", "ipv4IpamPoolId"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				id := c.ec2ID("vpc")
				return id, resource.PropertyMap{
					"arn":                    strProp(c.arn("ec2", "vpc/"+id)),
					"cidrBlock":              strProp("10.0.0.0/16"),
					"defaultSecurityGroupId": strProp(c.ec2ID("sg")),
					"mainRouteTableId":       strProp(c.ec2ID("rtb")),
					"ownerId":                strProp(Account),
				}, nil
			},
		},
		"aws:ec2/subnet:Subnet": {
			required:  []string{"vpcId"},
			replaceOn: []string{"vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				id := c.ec2ID("subnet")
				return id, resource.PropertyMap{
					"arn":              strProp(c.arn("ec2", "subnet/"+id)),
					"availabilityZone": strProp(c.region + "a"),
					"ownerId":          strProp(Account),
				}, nil
			},
		},
		"aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint(),
		"aws:ec2/securityGroup:SecurityGroup": {
			autoname:    "name",
			autonameMax: 255,
			uniqueName:  true,
			replaceOn:   []string{"name", "namePrefix", "description", "vpcId"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				id := c.ec2ID("sg")
				return id, resource.PropertyMap{
					"arn":                 strProp(c.arn("ec2", "security-group/"+id)),
					"description":         strProp(defaultDescription),
					"ownerId":             strProp(Account),
					"revokeRulesOnDelete": resource.NewBoolProperty(false),
					"ingress":             resource.NewArrayProperty(nil),
					"egress":              resource.NewArrayProperty(nil),
				}, nil
			},
		},
		"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": securityGroupRule(),
		"aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule":   securityGroupRule(),
	}
}

// vpcEndpoint: Gateway (the API's default type) endpoints work through route
// tables and get the service's prefix list; Interface endpoints work through
// network interfaces in subnets and get DNS names. The API rejects subnets and
// private DNS on a gateway endpoint.
func vpcEndpoint() *kind {
	return &kind{
		required:  []string{"vpcId", "serviceName"},
		replaceOn: []string{"vpcId", "serviceName", "vpcEndpointType", "serviceRegion"},
		apply: func(in resource.PropertyMap) error {
			if endpointType(in) != "Gateway" {
				return nil
			}
			if len(strs(in, "subnetIds")) > 0 {
				return errors.New("InvalidParameter: subnets are not supported for Gateway endpoints")
			}
			if boolean(in, "privateDnsEnabled", false) {
				return errors.New("InvalidParameter: PrivateDnsEnabled is not supported for Gateway endpoints")
			}
			return nil
		},
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			id := c.ec2ID("vpce")
			outs := resource.PropertyMap{
				"arn":                 strProp(c.arn("ec2", "vpc-endpoint/"+id)),
				"vpcEndpointType":     strProp(endpointType(c.in)),
				"state":               strProp("available"),
				"ownerId":             strProp(Account),
				"requesterManaged":    resource.NewBoolProperty(false),
				"privateDnsEnabled":   resource.NewBoolProperty(false),
				"networkInterfaceIds": strArray(),
				"cidrBlocks":          strArray(),
				"dnsEntries":          resource.NewArrayProperty(nil),
			}
			if endpointType(c.in) == "Gateway" {
				outs["prefixListId"] = strProp("pl-" + hashOf(str(c.in, "serviceName"), "pl")[:8])
				return id, outs, nil
			}
			var enis []string
			for _, subnet := range strs(c.in, "subnetIds") {
				enis = append(enis, "eni-"+hashOf(id, subnet)[:17])
			}
			outs["networkInterfaceIds"] = strArray(enis...)
			outs["dnsEntries"] = resource.NewArrayProperty([]resource.PropertyValue{
				resource.NewObjectProperty(resource.PropertyMap{
					"dnsName":      strProp(id + "." + str(c.in, "serviceName") + ".vpce.amazonaws.com"),
					"hostedZoneId": strProp("Z7HUB22UULQXV"),
				}),
			})
			return id, outs, nil
		},
	}
}

// endpointType is the endpoint's type, Gateway when unset as with the API.
func endpointType(in resource.PropertyMap) string {
	if t := str(in, "vpcEndpointType"); t != "" {
		return t
	}
	return "Gateway"
}

// securityGroupRule: exactly one peer (CIDR, prefix list or group) is required by the API;
// only the group id forces replacement.
func securityGroupRule() *kind {
	return &kind{
		required:  []string{"securityGroupId", "ipProtocol"},
		replaceOn: []string{"securityGroupId"},
		validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
			peers := []string{"cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId"}
			set := 0
			for _, p := range peers {
				if unknown(in, p) {
					return nil
				}
				if !absent(in, p) {
					set++
				}
			}
			if set != 1 {
				return []*pulumirpc.CheckFailure{invalid("cidrIpv4",
					"exactly one of cidrIpv4, cidrIpv6, prefixListId, referencedSecurityGroupId must be set (got %d)", set)}
			}
			return nil
		},
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			id := c.ec2ID("sgr")
			return id, resource.PropertyMap{
				"arn":                 strProp(c.arn("ec2", "security-group-rule/"+id)),
				"securityGroupRuleId": strProp(id),
			}, nil
		},
	}
}
