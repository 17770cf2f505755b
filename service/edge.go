package service

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// edgeMaxDeregistrationDelay is the ELBv2 limit for deregistration_delay.timeout_seconds.
const edgeMaxDeregistrationDelay = 3600

// edgeArgs is what the TLS edge (NLB, listener, target group, certificate)
// needs. LoadBalancer arrives with Args.withDefaults applied (listener port,
// TLS policy, deregistration delay); the edge adds no defaults of its own.
type edgeArgs struct {
	VpcID, VpcCidr pulumi.StringInput
	// SubnetIDs the NLB lives in: public subnets when internet-facing, private when internal.
	SubnetIDs    pulumi.StringArrayInput
	LoadBalancer LoadBalancerArgs
	TLS          TLSArgs
	Tags         map[string]string
}

// edge is the TLS entry point in front of the SpiceDB tasks.
type edge struct {
	LoadBalancer *lb.LoadBalancer
	Listener     *lb.Listener
	TargetGroup  *lb.TargetGroup
	// SecurityGroup is the NLB's; the task security group admits 50051/8443 from it.
	SecurityGroup *ec2.SecurityGroup
	// Endpoint is host:port of the TLS listener; Host is what the certificate names.
	Endpoint pulumi.StringOutput
	Host     pulumi.StringOutput
	// CACertificatePem is the private CA clients must trust (private-CA mode only, else "").
	CACertificatePem pulumi.StringOutput
}

// newEdge registers the NLB, its security group, the target group the ECS
// service attaches to, the server certificate and the TLS listener, all
// parented to parent. Bad args fail before anything is registered.
func newEdge(ctx *pulumi.Context, name string, args edgeArgs, parent pulumi.Resource) (*edge, error) {
	if err := args.validate(); err != nil {
		return nil, fmt.Errorf("edge: %w", err)
	}
	opts := []pulumi.ResourceOption{pulumi.Parent(parent)}
	tags := pulumi.ToStringMap(args.Tags)

	sg, err := newEdgeSecurityGroup(ctx, name, args, opts)
	if err != nil {
		return nil, err
	}
	nlb, err := lb.NewLoadBalancer(ctx, name+"-nlb", &lb.LoadBalancerArgs{
		LoadBalancerType: pulumi.String("network"),
		Internal:         pulumi.Bool(args.LoadBalancer.Internal),
		Subnets:          args.SubnetIDs,
		// Cross-zone is off by default on NLBs: each zone's node would then
		// send only to tasks in its own zone, overloading a zone that has
		// fewer tasks (or none, mid-rollout) than the others.
		EnableCrossZoneLoadBalancing: pulumi.Bool(true),
		// Security groups can only be attached when an NLB is created, so
		// the group is always there, even when it allows the whole world.
		SecurityGroups: pulumi.StringArray{sg.ID().ToStringOutput()},
		// Keep the CIDR allowlist binding even if someone later exposes this
		// NLB through a PrivateLink endpoint service.
		EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: pulumi.String("on"),
		// No access logs: they need an S3 bucket with a log-delivery bucket
		// policy, which this stack does not create (left for a later change).
		Tags: tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("edge: load balancer: %w", err)
	}
	tg, err := newEdgeTargetGroup(ctx, name, args, opts)
	if err != nil {
		return nil, err
	}
	cert, err := newServerCertificate(ctx, name, args.TLS, nlb, args.Tags, opts)
	if err != nil {
		return nil, err
	}
	listener, err := lb.NewListener(ctx, name+"-tls", &lb.ListenerArgs{
		LoadBalancerArn: nlb.Arn,
		Protocol:        pulumi.String("TLS"),
		Port:            pulumi.Int(args.LoadBalancer.ListenerPort),
		// The API default policy dates from 2016; always pin a TLS 1.3 one.
		SslPolicy:      pulumi.String(args.LoadBalancer.SslPolicy),
		CertificateArn: cert.Arn,
		// grpc-go refuses TLS without a negotiated "h2"; the API default is no ALPN.
		AlpnPolicy: pulumi.String("HTTP2Only"),
		DefaultActions: lb.ListenerDefaultActionArray{lb.ListenerDefaultActionArgs{
			Type:           pulumi.String("forward"),
			TargetGroupArn: tg.Arn,
		}},
		Tags: tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("edge: listener: %w", err)
	}
	return &edge{
		LoadBalancer:     nlb,
		Listener:         listener,
		TargetGroup:      tg,
		SecurityGroup:    sg,
		Host:             cert.Host,
		Endpoint:         pulumi.Sprintf("%s:%d", cert.Host, args.LoadBalancer.ListenerPort),
		CACertificatePem: cert.CACertificatePem,
	}, nil
}

// validate is a last guard; the stack's config validation reports the same
// problems earlier, naming the config keys.
func (a edgeArgs) validate() error {
	if a.VpcID == nil || a.VpcCidr == nil || a.SubnetIDs == nil {
		return errors.New("VPC id, VPC CIDR and subnet ids are required")
	}
	lbArgs := a.LoadBalancer
	if lbArgs.SslPolicy == "" {
		// Never fall back to the API's default policy, which dates from 2016.
		return errors.New("TLS security policy is required")
	}
	if lbArgs.ListenerPort < 1 || lbArgs.ListenerPort > 65535 {
		return fmt.Errorf("listener port %d is not in 1-65535", lbArgs.ListenerPort)
	}
	if lbArgs.DeregistrationDelaySeconds < 0 || lbArgs.DeregistrationDelaySeconds > edgeMaxDeregistrationDelay {
		return fmt.Errorf("deregistration delay %ds is not in 0-%d", lbArgs.DeregistrationDelaySeconds, edgeMaxDeregistrationDelay)
	}
	if _, err := parseAllowedCidrs(lbArgs.AllowedCidrs); err != nil {
		return err
	}
	if _, err := certificateModeOf(a.TLS); err != nil {
		return err
	}
	return nil
}
