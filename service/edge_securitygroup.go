package service

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newEdgeSecurityGroup creates the NLB's security group: the listener port
// from the allowed CIDRs in, the task ports to the VPC out. Nothing else —
// the provider removes AWS's default allow-all egress rule on creation.
func newEdgeSecurityGroup(ctx *pulumi.Context, name string, args edgeArgs, opts []pulumi.ResourceOption) (*ec2.SecurityGroup, error) {
	tags := pulumi.ToStringMap(args.Tags)
	sg, err := ec2.NewSecurityGroup(ctx, name+"-nlb-sg", &ec2.SecurityGroupArgs{
		VpcId:       args.VpcID,
		Description: pulumi.String("SpiceDB NLB: TLS listener from allowed CIDRs, gRPC and health checks to tasks"),
		Tags:        tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("edge: security group: %w", err)
	}

	sources, err := edgeIngressSources(args)
	if err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	for _, src := range sources {
		rule := tcpRule{
			resourceName: name + "-nlb-in-" + src.suffix,
			description:  "TLS listener from " + src.label,
			port:         args.LoadBalancer.ListenerPort,
		}
		if src.ipv6 {
			rule.cidrIpv6 = src.cidr
		} else {
			rule.cidrIpv4 = src.cidr
		}
		if err := newTCPRule(ctx, sg, rule, tags, opts); err != nil {
			return nil, fmt.Errorf("edge: security group ingress from %s: %w", src.label, err)
		}
	}

	// Targets are registered by IP in the VPC's private subnets; the task
	// security group narrows this further to traffic from this group.
	for _, target := range []struct {
		suffix, purpose string
		port            int
	}{
		{"grpc", "gRPC to tasks", grpcPort},
		{"health", "/healthz checks to tasks", httpPort},
	} {
		err := newTCPRule(ctx, sg, tcpRule{
			resourceName: name + "-nlb-out-" + target.suffix,
			description:  target.purpose,
			egress:       true,
			port:         target.port,
			cidrIpv4:     args.VpcCidr,
		}, tags, opts)
		if err != nil {
			return nil, fmt.Errorf("edge: security group egress %s: %w", target.suffix, err)
		}
	}
	return sg, nil
}

// edgeIngressSource is one CIDR allowed to reach the listener.
type edgeIngressSource struct {
	cidr pulumi.StringInput
	ipv6 bool
	// label is for descriptions and errors; suffix names the rule resource.
	label, suffix string
}

// edgeIngressSources lists the allowed CIDRs, or the documented default:
// the whole IPv4 internet when internet-facing, the VPC when internal.
// Rule names derive from the CIDR, so reordering the list changes nothing.
func edgeIngressSources(args edgeArgs) ([]edgeIngressSource, error) {
	if len(args.LoadBalancer.AllowedCidrs) == 0 {
		if args.LoadBalancer.Internal {
			return []edgeIngressSource{{cidr: args.VpcCidr, label: "the VPC", suffix: "vpc"}}, nil
		}
		return []edgeIngressSource{{cidr: pulumi.String("0.0.0.0/0"), label: "0.0.0.0/0", suffix: "0-0-0-0-0"}}, nil
	}
	prefixes, err := parseAllowedCidrs(args.LoadBalancer.AllowedCidrs)
	if err != nil {
		return nil, err
	}
	var out []edgeIngressSource
	for _, prefix := range prefixes {
		out = append(out, edgeIngressSource{
			cidr:   pulumi.String(prefix.String()),
			ipv6:   prefix.Addr().Is6(),
			label:  prefix.String(),
			suffix: strings.NewReplacer(".", "-", ":", "-", "/", "-").Replace(prefix.String()),
		})
	}
	return out, nil
}

// parseAllowedCidrs parses the allowlist strictly: no host bits, no duplicates
// (a duplicate would register two rules with the same name).
func parseAllowedCidrs(cidrs []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	seen := map[netip.Prefix]bool{}
	for _, cidr := range cidrs {
		prefix, err := netip.ParsePrefix(cidr)
		if err != nil {
			return nil, fmt.Errorf("allowed CIDR %q: %w", cidr, err)
		}
		if prefix != prefix.Masked() {
			return nil, fmt.Errorf("allowed CIDR %q has host bits set (did you mean %s?)", cidr, prefix.Masked())
		}
		if seen[prefix] {
			return nil, fmt.Errorf("allowed CIDR %s is listed twice", cidr)
		}
		seen[prefix] = true
		out = append(out, prefix)
	}
	return out, nil
}
