package rehearsal

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/nlb"
)

// Plan is everything a rehearsal needs from the Pulumi program's rendering:
// the two container definitions exactly as in the ECS task definitions, the
// secret values generated in the same run, and the load balancer settings.
type Plan struct {
	// Serve and Migrate are decoded from the containerDefinitions JSON of the
	// service and migration task definitions.
	Serve, Migrate types.ContainerDefinition
	// SecretValues maps a secret ARN (a container secret's valueFrom) to the
	// secret string.
	SecretValues map[string]string
	// Listener is the NLB listener in front of the service.
	Listener ListenerSpec
	// TargetGroup is the target group the service registers into.
	TargetGroup TargetGroupSpec
}

// String describes the plan without secret values; %v and %+v use it, so
// a formatted plan never shows them.
func (p Plan) String() string {
	return fmt.Sprintf("plan{serve %s, migrate %s, %d secret values %s, listener %+v, target group %+v}",
		containerName(p.Serve), containerName(p.Migrate), len(p.SecretValues), mask, p.Listener, p.TargetGroup)
}

// GoString covers %#v as well.
func (p Plan) GoString() string { return p.String() }

// ListenerSpec holds the aws:lb/listener:Listener inputs that matter.
type ListenerSpec struct {
	Port       int    // declared port (the rehearsal listens on a free one)
	Protocol   string // must be "TLS"
	SslPolicy  string // e.g. ELBSecurityPolicy-TLS13-1-2-2021-06
	AlpnPolicy string // HTTP2Only, None ("" means None, the AWS default), ...
}

// TargetGroupSpec holds the aws:lb/targetGroup:TargetGroup inputs that matter.
type TargetGroupSpec struct {
	Port     int    // traffic port, e.g. 50051
	Protocol string // must be "TCP"
	// ContainerPort is the service's loadBalancers[].containerPort, which is
	// what ECS registers (awsvpc mode). 0 means Port.
	ContainerPort              int
	HealthCheck                HealthCheckSpec
	DeregistrationDelaySeconds int // recorded; draining is not emulated
}

// HealthCheckSpec is the target group's healthCheck block.
type HealthCheckSpec struct {
	Protocol           string // HTTP, HTTPS or TCP
	Port               string // "traffic-port" or a container port number, e.g. "8443"
	Path               string // e.g. /healthz
	Matcher            string // e.g. "200"
	IntervalSeconds    int
	TimeoutSeconds     int
	HealthyThreshold   int
	UnhealthyThreshold int
}

// Validate reports every problem at once. Ranges are the AWS API's limits
// for network load balancer target groups, so a plan that passes here is not
// rejected by AWS for these fields.
func (p Plan) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if p.Serve.Name == nil || *p.Serve.Name == "" {
		add("serve container has no name")
	}
	if p.Migrate.Name == nil || *p.Migrate.Name == "" {
		add("migrate container has no name")
	}
	if p.Listener.Protocol != "TLS" {
		add("listener protocol %q: the rehearsal emulates TLS listeners only", p.Listener.Protocol)
	}
	if err := nlb.CheckListener(p.Listener.SslPolicy, p.Listener.AlpnPolicy); err != nil {
		add("listener: %w", err)
	}
	if p.TargetGroup.Protocol != "TCP" {
		add("target group protocol %q: the rehearsal emulates TCP target groups only", p.TargetGroup.Protocol)
	}
	if p.TargetGroup.Port < 1 || p.TargetGroup.Port > 65535 {
		add("target group port %d out of range", p.TargetGroup.Port)
	}
	hc := p.TargetGroup.HealthCheck
	inRange := func(name string, v, lo, hi int) {
		if v < lo || v > hi {
			add("health check %s %d outside %d..%d", name, v, lo, hi)
		}
	}
	inRange("interval", hc.IntervalSeconds, 5, 300)
	inRange("timeout", hc.TimeoutSeconds, 2, 120)
	inRange("healthy threshold", hc.HealthyThreshold, 2, 10)
	inRange("unhealthy threshold", hc.UnhealthyThreshold, 2, 10)
	if hc.Port == "" {
		add(`health check port is empty (want "traffic-port" or a port number)`)
	}
	if len(errs) > 0 {
		return fmt.Errorf("rehearsal: invalid plan: %w", errors.Join(errs...))
	}
	return nil
}

// targetPorts resolves where a replica receives traffic and health checks:
// the registered container port, and the health check port ("traffic-port"
// or a container port number); both must be ports the container serves.
func (t TargetGroupSpec) targetPorts(served []int) (traffic, health int, err error) {
	traffic = t.ContainerPort
	if traffic == 0 {
		traffic = t.Port
	}
	if !slices.Contains(served, traffic) {
		return 0, 0, fmt.Errorf("rehearsal: target port %d is not a port of the serve container (%v)", traffic, served)
	}
	if t.HealthCheck.Port == "traffic-port" {
		return traffic, traffic, nil
	}
	health, err = strconv.Atoi(t.HealthCheck.Port)
	if err != nil {
		return 0, 0, fmt.Errorf("rehearsal: health check port %q is neither traffic-port nor a number", t.HealthCheck.Port)
	}
	if !slices.Contains(served, health) {
		return 0, 0, fmt.Errorf("rehearsal: health check port %d is not a port of the serve container (%v)", health, served)
	}
	return traffic, health, nil
}
