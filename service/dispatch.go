package service

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicediscovery"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Horizontal dispatch: every serve task also runs SpiceDB's dispatch server
// and sends sub-problems to the task that owns them on a consistent hashring
// built from the A records of one Cloud Map service. ECS registers each task
// there and reports its container health, so a task that is not SERVING yet
// (e.g. its datastore is not migrated) is left out of the answers.
const (
	dispatchPort = 50053
	// dispatchServiceName is the Cloud Map service, the first label of the
	// name SpiceDB resolves.
	dispatchServiceName = "dispatch"
	// dispatchTTLSeconds bounds how long the VPC resolver serves an old
	// member list. gRPC re-resolves on every reconnect, and SpiceDB closes
	// dispatch connections after 30 s, so a new task is dialled within
	// roughly 30 to 60 s.
	dispatchTTLSeconds = 10
	// dispatchNamespaceSuffix is the top-level label of the private
	// namespace; it never leaves the VPC.
	dispatchNamespaceSuffix = "internal"
	// dnsLabelMax is the longest DNS label; labelHashLen hex digits of the
	// original text mark a label that had to be changed to be valid.
	dnsLabelMax  = 63
	labelHashLen = 6
)

// dispatchDiscovery is the Cloud Map namespace and service the serve tasks
// register in, and the address SpiceDB dispatches to.
type dispatchDiscovery struct {
	Namespace *servicediscovery.PrivateDnsNamespace
	Service   *servicediscovery.Service
	// UpstreamAddr is SPICEDB_DISPATCH_UPSTREAM_ADDR: gRPC's dns resolver
	// with the default (the VPC's Route 53) resolver, on the dispatch port.
	UpstreamAddr string
}

// newDispatchDiscovery creates the private DNS namespace (in the tasks'
// VPC) and the multivalue A-record service ECS registers the tasks in.
func newDispatchDiscovery(ctx *pulumi.Context, name string, args Args, opts []pulumi.ResourceOption) (*dispatchDiscovery, error) {
	tags := pulumi.ToStringMap(args.Tags)
	nsName := dispatchNamespaceName(name, ctx.Stack())
	ns, err := servicediscovery.NewPrivateDnsNamespace(ctx, name+"-dispatch-ns", &servicediscovery.PrivateDnsNamespaceArgs{
		Name:        pulumi.String(nsName),
		Vpc:         args.VpcID,
		Description: pulumi.String("SpiceDB dispatch: serve tasks find each other here"),
		Tags:        tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: dispatch namespace: %w", err)
	}
	svc, err := servicediscovery.NewService(ctx, name+"-dispatch", &servicediscovery.ServiceArgs{
		Name:        pulumi.String(dispatchServiceName),
		Description: pulumi.String("SpiceDB serve tasks (dispatch port " + strconv.Itoa(dispatchPort) + ")"),
		DnsConfig: servicediscovery.ServiceDnsConfigArgs{
			NamespaceId: ns.ID().ToStringOutput(),
			// Every healthy task's address in one answer (at most 8): the
			// hashring needs the members, not one random pick.
			RoutingPolicy: pulumi.String("MULTIVALUE"),
			DnsRecords: servicediscovery.ServiceDnsConfigDnsRecordArray{
				servicediscovery.ServiceDnsConfigDnsRecordArgs{Type: pulumi.String("A"), Ttl: pulumi.Int(dispatchTTLSeconds)},
			},
		},
		// ECS reports each task's health (its container health check) to
		// Cloud Map. AWS no longer reads the threshold and always reports 1;
		// setting exactly that keeps the provider from seeing drift, which
		// would replace the service.
		HealthCheckCustomConfig: servicediscovery.ServiceHealthCheckCustomConfigArgs{
			FailureThreshold: pulumi.Int(1),
		},
		// Instances belong to ECS; one it has not deregistered yet must not
		// block a teardown.
		ForceDestroy: pulumi.Bool(true),
		Tags:         tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: dispatch discovery service: %w", err)
	}
	return &dispatchDiscovery{
		Namespace:    ns,
		Service:      svc,
		UpstreamAddr: dispatchUpstreamAddr(nsName),
	}, nil
}

// dispatchUpstreamAddr is the gRPC target of the dispatch service in namespace.
func dispatchUpstreamAddr(namespace string) string {
	return "dns:///" + dispatchServiceName + "." + namespace + ":" + strconv.Itoa(dispatchPort)
}

// dispatchNamespaceName is <component>.<stack>.internal, each label made a
// valid lower-case DNS label: two stacks (or two components) sharing a VPC
// must not ask for the same private zone, which Route 53 would refuse.
func dispatchNamespaceName(component, stack string) string {
	return dnsLabel(component) + "." + dnsLabel(stack) + "." + dispatchNamespaceSuffix
}

// dnsLabel lower-cases s and replaces everything but letters, digits and
// inner hyphens. If that changed s (or s was too long), a short hash of the
// original is appended, so distinct names ("Dev" and "dev", "a_b" and "a-b")
// stay distinct labels.
func dnsLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	label := strings.Trim(b.String(), "-")
	if label == s && len(label) <= dnsLabelMax {
		return label
	}
	sum := sha256.Sum256([]byte(s))
	hash := hex.EncodeToString(sum[:])[:labelHashLen]
	if keep := dnsLabelMax - labelHashLen - 1; len(label) > keep {
		label = strings.TrimRight(label[:keep], "-")
	}
	if label == "" {
		return hash
	}
	return label + "-" + hash
}

// dispatchEnvironment turns on SpiceDB's dispatch server and points its
// dispatcher at the other tasks. Dispatch is plaintext: TLS would need
// certificate files, which the read-only, shell-less image cannot get from
// ECS secrets. The security group confines the port to this service's tasks.
func dispatchEnvironment(upstreamAddr string) []keyValue {
	return []keyValue{
		{"SPICEDB_DISPATCH_CLUSTER_ENABLED", "true"},
		{"SPICEDB_DISPATCH_CLUSTER_ADDR", ":" + strconv.Itoa(dispatchPort)},
		{"SPICEDB_DISPATCH_UPSTREAM_ADDR", upstreamAddr},
	}
}

// dispatchRules let the tasks reach each other's dispatch port, and nothing
// else reach it: the peer is the task security group itself.
func dispatchRules(name string, taskSG *ec2.SecurityGroup) []tcpRule {
	self := taskSG.ID().ToStringOutput()
	return []tcpRule{
		{resourceName: name + "-tasks-in-dispatch", description: "SpiceDB dispatch from the other tasks", port: dispatchPort, peerGroup: self},
		{resourceName: name + "-tasks-out-dispatch", description: "SpiceDB dispatch to the other tasks", egress: true, port: dispatchPort, peerGroup: self},
	}
}
