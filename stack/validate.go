package stack

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/spicedb-ecs/spicedb-ecs/database"
	"github.com/spicedb-ecs/spicedb-ecs/service"
)

var (
	vpcIDPattern          = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetIDPattern       = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	certificateArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-zA-Z-]+$`)
	domainNamePattern     = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	hostedZoneIDPattern   = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
	versionPattern        = regexp.MustCompile(`^v\d+\.\d+\.\d+$`)
	// imageURIPattern wants an explicit tag or digest: an implicit `latest`
	// would make every deployment's version a guess.
	imageURIPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._/:-]*[a-z0-9](:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$`)
)

// problems collects validation messages, each naming the key, the bad value
// and what is accepted.
type problems []string

func (p *problems) addf(key string, format string, args ...any) {
	*p = append(*p, key+": "+fmt.Sprintf(format, args...))
}

// Validate reports every problem with c; it is empty when c is usable.
func (c Config) Validate() []string {
	var p problems
	c.validateNetwork(&p)
	c.validateDatabase(&p)
	c.validateService(&p)
	c.validateEdge(&p)
	validateTags(&p, c.Tags)
	return p
}

func (c Config) validateNetwork(p *problems) {
	n := c.Network
	if prefix, err := netip.ParsePrefix(n.VpcCidr); err != nil || !prefix.Addr().Is4() || prefix != prefix.Masked() || prefix.Bits() < 16 || prefix.Bits() > 24 {
		p.addf("network.vpcCidr", "%q is not usable; accepted: an IPv4 network address with a prefix length from /16 to /24, e.g. 10.0.0.0/16", n.VpcCidr)
	}
	if n.AvailabilityZones < 2 || n.AvailabilityZones > 6 {
		p.addf("network.availabilityZones", "%d is out of range; accepted: 2 to 6", n.AvailabilityZones)
	}
	if !slices.Contains(NatGatewayStrategies, n.NatGateways) {
		p.addf("network.natGateways", "%q is not accepted; accepted: %s", n.NatGateways, strings.Join(NatGatewayStrategies, ", "))
	}
	if n.NatGateways == "none" && !n.ExistingVpc() && !n.VpcEndpoints {
		p.addf("network.natGateways", "\"none\" leaves tasks without a route to ECR, Secrets Manager and CloudWatch Logs; accepted with network.vpcEndpoints: true or an existing VPC (network.vpcId)")
	}
	if !n.ExistingVpc() {
		if len(n.PrivateSubnetIDs) > 0 || len(n.PublicSubnetIDs) > 0 {
			p.addf("network.vpcId", "required when network.privateSubnetIds or network.publicSubnetIds are set; accepted: an id like vpc-0123456789abcdef0")
		}
		return
	}
	if !vpcIDPattern.MatchString(n.VpcID) {
		p.addf("network.vpcId", "%q is not a VPC id; accepted: vpc- followed by 8 to 17 hex digits", n.VpcID)
	}
	validateSubnets(p, "network.privateSubnetIds", n.PrivateSubnetIDs)
	if !c.LoadBalancer.Internal || len(n.PublicSubnetIDs) > 0 {
		validateSubnets(p, "network.publicSubnetIds", n.PublicSubnetIDs)
	}
}

// validateSubnets wants two or more distinct subnet ids: the user promises
// they lie in different availability zones, which cannot be checked offline.
func validateSubnets(p *problems, key string, ids []string) {
	if len(ids) < 2 {
		p.addf(key, "%d subnet ids given; accepted: at least 2 subnet ids in different availability zones", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !subnetIDPattern.MatchString(id) {
			p.addf(key, "%q is not a subnet id; accepted: subnet- followed by 8 to 17 hex digits", id)
		}
		if seen[id] {
			p.addf(key, "%q is listed twice; accepted: distinct subnet ids", id)
		}
		seen[id] = true
	}
}

func (c Config) validateDatabase(p *problems) {
	d := c.Database
	if !database.InstanceClassPattern.MatchString(d.InstanceClass) {
		p.addf("database.instanceClass", "%q is not an RDS instance class; accepted: db.<family>.<size>, e.g. db.t4g.micro", d.InstanceClass)
	}
	if d.AllocatedStorageGiB < 20 || d.AllocatedStorageGiB > 65536 {
		p.addf("database.allocatedStorageGiB", "%d is out of range; accepted: 20 to 65536 (GiB, gp3)", d.AllocatedStorageGiB)
	}
	if d.MaxAllocatedStorageGiB < d.AllocatedStorageGiB || d.MaxAllocatedStorageGiB > 65536 {
		p.addf("database.maxAllocatedStorageGiB", "%d is out of range; accepted: database.allocatedStorageGiB (%d) to 65536", d.MaxAllocatedStorageGiB, d.AllocatedStorageGiB)
	}
	if !slices.Contains(PostgresVersions, d.PostgresVersion) {
		p.addf("database.postgresVersion", "%d is not supported; accepted: %s (SpiceDB needs PostgreSQL 14 or newer)", d.PostgresVersion, joinInts(PostgresVersions))
	}
	if d.BackupRetentionDays < 0 || d.BackupRetentionDays > 35 {
		p.addf("database.backupRetentionDays", "%d is out of range; accepted: 0 to 35 days", d.BackupRetentionDays)
	}
	if d.BackupRetentionDays == 0 && d.DeletionProtection {
		p.addf("database.backupRetentionDays", "0 turns backups off, which a deletion-protected database must not do; accepted: 1 to 35, or 0 with database.deletionProtection: false")
	}
	if d.KmsKeyArn != "" && !database.KmsKeyArnPattern.MatchString(d.KmsKeyArn) {
		p.addf("database.kmsKeyArn", "%q is not a KMS key ARN; accepted: arn:aws:kms:<region>:<account>:key/<id>, or empty for the AWS-managed key", d.KmsKeyArn)
	}
}

func (c Config) validateService(p *problems) {
	s := c.SpiceDB
	if !versionPattern.MatchString(s.Version) {
		p.addf("spicedb.version", "%q is not a release tag; accepted: vMAJOR.MINOR.PATCH, e.g. v1.56.2", s.Version)
	}
	if !slices.Contains(Architectures, s.Architecture) {
		p.addf("spicedb.architecture", "%q is not accepted; accepted: %s", s.Architecture, strings.Join(Architectures, ", "))
	}
	if !slices.Contains(LogLevels, s.LogLevel) {
		p.addf("spicedb.logLevel", "%q is not accepted; accepted: %s", s.LogLevel, strings.Join(LogLevels, ", "))
	}
	if err := service.ValidateFargateSize(s.CPU, s.MemoryMiB); err != nil {
		p.addf("spicedb.cpu/spicedb.memoryMiB", "%v", err)
	}
	a := c.Autoscaling
	if a.MinCount < 1 || a.MaxCount < a.MinCount || a.MaxCount > 100 {
		p.addf("autoscaling.minCount/autoscaling.maxCount", "%d/%d is not a range; accepted: 1 <= minCount <= maxCount <= 100", a.MinCount, a.MaxCount)
	}
	if s.DesiredCount < a.MinCount || s.DesiredCount > a.MaxCount {
		p.addf("spicedb.desiredCount", "%d is outside autoscaling.minCount..maxCount (%d..%d); accepted: a count in that range", s.DesiredCount, a.MinCount, a.MaxCount)
	}
	if a.TargetCPUPercent < 10 || a.TargetCPUPercent > 90 {
		p.addf("autoscaling.targetCpuPercent", "%d is out of range; accepted: 10 to 90", a.TargetCPUPercent)
	}
	if c.Image.URI != "" && !imageURIPattern.MatchString(c.Image.URI) {
		p.addf("image.uri", "%q is not an image reference with an explicit tag or digest; accepted: e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/spicedb:v1.56.2 or ...@sha256:<64 hex>", c.Image.URI)
	}
	if c.Image.KeepImages < 1 || c.Image.KeepImages > 1000 {
		p.addf("image.keepImages", "%d is out of range; accepted: 1 to 1000", c.Image.KeepImages)
	}
	if !slices.Contains(MigrationGates, c.Migrations.Gate) {
		p.addf("migrations.gate", "%q is not accepted; accepted: %s", c.Migrations.Gate, strings.Join(MigrationGates, ", "))
	}
	if c.Migrations.TimeoutMinutes < 5 || c.Migrations.TimeoutMinutes > 180 {
		p.addf("migrations.timeoutMinutes", "%d is out of range; accepted: 5 to 180", c.Migrations.TimeoutMinutes)
	}
	if !slices.Contains(LogRetentionDays, c.Logs.RetentionDays) {
		p.addf("logs.retentionDays", "%d is not a CloudWatch retention; accepted: %s", c.Logs.RetentionDays, joinInts(LogRetentionDays))
	}
}

func (c Config) validateEdge(p *problems) {
	lb := c.LoadBalancer
	if lb.ListenerPort < 1 || lb.ListenerPort > 65535 {
		p.addf("loadBalancer.listenerPort", "%d is not a port; accepted: 1 to 65535", lb.ListenerPort)
	}
	if !slices.Contains(SslPolicies, lb.SslPolicy) {
		p.addf("loadBalancer.sslPolicy", "%q is not accepted; accepted: %s", lb.SslPolicy, strings.Join(SslPolicies, ", "))
	}
	for _, cidr := range lb.AllowedCidrs {
		if prefix, err := netip.ParsePrefix(cidr); err != nil || !prefix.Addr().Is4() || prefix != prefix.Masked() {
			p.addf("loadBalancer.allowedCidrs", "%q is not an IPv4 CIDR; accepted: network addresses like 203.0.113.0/24 or 0.0.0.0/0", cidr)
		}
	}
	// 0 is not offered: the service component reads 0 as "unset" (60 s).
	if lb.DeregistrationDelaySeconds < 1 || lb.DeregistrationDelaySeconds > 3600 {
		p.addf("loadBalancer.deregistrationDelaySeconds", "%d is out of range; accepted: 1 to 3600", lb.DeregistrationDelaySeconds)
	}
	t := c.TLS
	if t.CertificateArn != "" && !certificateArnPattern.MatchString(t.CertificateArn) {
		p.addf("tls.certificateArn", "%q is not an ACM certificate ARN; accepted: arn:aws:acm:<region>:<account>:certificate/<id>", t.CertificateArn)
	}
	if t.CertificateArn != "" && (t.DomainName != "" || t.HostedZoneID != "") {
		p.addf("tls.certificateArn", "set together with tls.domainName/tls.hostedZoneId; accepted: either a certificate ARN, or a domain name with its hosted zone, or neither (private CA)")
	}
	if t.DomainName != "" && !domainNamePattern.MatchString(t.DomainName) {
		p.addf("tls.domainName", "%q is not a lower-case DNS name; accepted: e.g. spicedb.example.com", t.DomainName)
	}
	if (t.DomainName == "") != (t.HostedZoneID == "") {
		p.addf("tls.domainName/tls.hostedZoneId", "only one of the two is set; accepted: both (ACM certificate validated in that Route 53 zone) or neither")
	}
	if t.HostedZoneID != "" && !hostedZoneIDPattern.MatchString(t.HostedZoneID) {
		p.addf("tls.hostedZoneId", "%q is not a Route 53 hosted zone id; accepted: e.g. Z0123456789ABCDEFGHIJ", t.HostedZoneID)
	}
}

// validateTags keeps room under the AWS limit of 50 tags for the three this
// program adds itself.
func validateTags(p *problems, tags map[string]string) {
	if len(tags) > 40 {
		p.addf("tags", "%d tags given; accepted: at most 40", len(tags))
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || strings.HasPrefix(strings.ToLower(k), "aws:") {
			p.addf("tags", "key %q is not accepted; accepted: 1 to 128 characters, not starting with aws:", k)
		}
		if len(v) > 256 {
			p.addf("tags."+k, "value is %d characters long; accepted: at most 256", len(v))
		}
	}
}

// validatePresharedKeys checks the extra keys without ever echoing them.
func validatePresharedKeys(keys string) []string {
	if keys == "" {
		return nil
	}
	var p problems
	for i, key := range strings.Split(keys, ",") {
		switch {
		case len(key) < 32:
			p.addf("additionalPresharedKeys", "entry %d is %d characters long; accepted: comma-separated keys of at least 32 characters", i+1, len(key))
		case strings.ContainsAny(key, "\"' \t\n"):
			p.addf("additionalPresharedKeys", "entry %d contains a quote or white space; accepted: comma-separated keys without quotes or spaces", i+1)
		}
	}
	return p
}

func joinInts(values []int) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ", ")
}
