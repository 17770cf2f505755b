package network

import (
	"cmp"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
)

// Defaults for the optional Args fields, applied by withDefaults.
const (
	DefaultCidrBlock         = "10.0.0.0/16"
	DefaultAvailabilityZones = 2
	DefaultNatGateways       = NatSingle
)

// NAT gateway strategies Args.NatGateways accepts.
const (
	NatSingle   = "single"   // one NAT gateway shared by all private subnets (cheap, one AZ is a single point of egress)
	NatOnePerAz = "onePerAz" // one NAT gateway per AZ (an AZ outage leaves the others' egress intact)
	NatNone     = "none"     // no NAT: tasks reach AWS APIs through VPC endpoints only
)

// natStrategies maps the accepted Args.NatGateways values to awsx's enum.
var natStrategies = map[string]ec2.NatGatewayStrategy{
	NatSingle:   ec2.NatGatewayStrategySingle,
	NatOnePerAz: ec2.NatGatewayStrategyOnePerAz,
	NatNone:     ec2.NatGatewayStrategyNone,
}

// Args configure a Network. With Existing set, CidrBlock, AvailabilityZones
// and NatGateways are ignored (they describe a VPC this component would
// create) but still validated, so a typo is never silently accepted.
type Args struct {
	// CidrBlock of the VPC to create; default DefaultCidrBlock. IPv4, /16 to /24.
	CidrBlock string
	// AvailabilityZones to spread subnets over; default 2. 2 to 6: RDS wants
	// subnets in at least two zones.
	AvailabilityZones int
	// NatGateways is NatSingle (default), NatOnePerAz or NatNone.
	NatGateways string
	// VpcEndpoints adds interface endpoints for ECR (api, dkr), Secrets
	// Manager and CloudWatch Logs in the private subnets, plus an S3 gateway
	// endpoint on the private route tables (ECR image layers live in S3), so
	// tasks need no NAT to pull images, read secrets and ship logs.
	VpcEndpoints bool
	// Existing adopts a VPC instead of creating one: no VPC, subnet, route or
	// NAT resources are created (endpoints still are when VpcEndpoints is set).
	Existing *ExistingVpc
	// Tags go on every taggable resource.
	Tags map[string]string
}

// ExistingVpc names a VPC and subnets the user already has. The private
// subnets must lie in different availability zones and have a route to the
// AWS APIs (NAT or endpoints); that cannot be checked offline.
type ExistingVpc struct {
	VpcID                             string
	PublicSubnetIDs, PrivateSubnetIDs []string
}

// withDefaults returns a copy of a with every unset optional field filled.
func (a Args) withDefaults() Args {
	a.CidrBlock = cmp.Or(a.CidrBlock, DefaultCidrBlock)
	a.AvailabilityZones = cmp.Or(a.AvailabilityZones, DefaultAvailabilityZones)
	a.NatGateways = cmp.Or(a.NatGateways, DefaultNatGateways)
	return a
}

// validate reports every problem with a (after defaults) at once.
func (a Args) validate() error {
	var errs []error
	if prefix, err := netip.ParsePrefix(a.CidrBlock); err != nil || !prefix.Addr().Is4() || prefix != prefix.Masked() || prefix.Bits() < 16 || prefix.Bits() > 24 {
		errs = append(errs, fmt.Errorf("CidrBlock %q: accepted: an IPv4 network address with a prefix length from /16 to /24", a.CidrBlock))
	}
	if a.AvailabilityZones < 2 || a.AvailabilityZones > 6 {
		errs = append(errs, fmt.Errorf("AvailabilityZones %d: accepted: 2 to 6", a.AvailabilityZones))
	}
	if _, ok := natStrategies[a.NatGateways]; !ok {
		errs = append(errs, fmt.Errorf("NatGateways %q: accepted: %s, %s, %s", a.NatGateways, NatSingle, NatOnePerAz, NatNone))
	}
	if a.NatGateways == NatNone && a.Existing == nil && !a.VpcEndpoints {
		errs = append(errs, errors.New("NatGateways \"none\" without VpcEndpoints leaves tasks in a new VPC no route to ECR, Secrets Manager and CloudWatch Logs"))
	}
	if a.Existing != nil {
		errs = append(errs, a.Existing.validate()...)
	}
	if len(errs) > 0 {
		return fmt.Errorf("network: invalid args: %w", errors.Join(errs...))
	}
	return nil
}

func (e *ExistingVpc) validate() []error {
	var errs []error
	if !strings.HasPrefix(e.VpcID, "vpc-") {
		errs = append(errs, fmt.Errorf("Existing.VpcID %q: accepted: a VPC id like vpc-0123456789abcdef0", e.VpcID))
	}
	if len(e.PrivateSubnetIDs) < 2 {
		errs = append(errs, fmt.Errorf("Existing.PrivateSubnetIDs: %d given; accepted: at least 2 subnets in different availability zones", len(e.PrivateSubnetIDs)))
	}
	errs = append(errs, validateSubnetIDs("Existing.PrivateSubnetIDs", e.PrivateSubnetIDs)...)
	return append(errs, validateSubnetIDs("Existing.PublicSubnetIDs", e.PublicSubnetIDs)...)
}

func validateSubnetIDs(field string, ids []string) []error {
	var errs []error
	for _, id := range ids {
		if !strings.HasPrefix(id, "subnet-") {
			errs = append(errs, fmt.Errorf("%s: %q: accepted: subnet ids like subnet-0123456789abcdef0", field, id))
		}
	}
	return errs
}
