package service

// LoadBalancerArgs configures the TLS Network Load Balancer in front of the tasks.
type LoadBalancerArgs struct {
	// Internal places the NLB in the private subnets instead of the public ones.
	Internal bool
	// ListenerPort is the TLS listener port (default 443).
	ListenerPort int
	// SslPolicy is the listener's TLS policy (default "ELBSecurityPolicy-TLS13-1-2-2021-06").
	SslPolicy string
	// AllowedCidrs may reach the listener; empty means 0.0.0.0/0 when
	// internet-facing and the VPC CIDR when internal.
	AllowedCidrs []string
	// DeregistrationDelaySeconds lets in-flight gRPC calls finish on a
	// draining task (default 60).
	DeregistrationDelaySeconds int
}

// TLSArgs selects the certificate mode: CertificateArn (bring your own),
// DomainName+HostedZoneID (ACM with DNS validation), or neither (in-stack
// private CA, dev only).
type TLSArgs struct {
	CertificateArn string
	DomainName     string
	HostedZoneID   string
}

// AutoscalingArgs configures CPU target-tracking of the ECS service.
type AutoscalingArgs struct {
	MinCount         int // default 2
	MaxCount         int // default 4
	TargetCPUPercent int // default 50
}
