package service

import (
	"fmt"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NLB target-group health check. An NLB cannot speak gRPC health, so it asks
// SpiceDB's HTTP gateway, whose /healthz answers 200 only once the datastore
// is at this binary's head migration. Values are within the ELBv2 limits for
// NLB HTTP checks (interval 5-300 s, timeout 2-120 s, thresholds 2-10,
// matcher codes 200-599): a new task turns healthy after 2 x 10 s, a dead
// one leaves rotation after 2 x 10 s.
const (
	edgeHealthCheckPath               = "/healthz"
	edgeHealthCheckMatcher            = "200"
	edgeHealthCheckIntervalSeconds    = 10
	edgeHealthCheckTimeoutSeconds     = 5
	edgeHealthCheckHealthyThreshold   = 2
	edgeHealthCheckUnhealthyThreshold = 2
)

// newEdgeTargetGroup creates the TCP target group the ECS service registers
// task IPs in. TLS ends at the NLB; cleartext HTTP/2 goes on to gRPC :50051.
func newEdgeTargetGroup(ctx *pulumi.Context, name string, args edgeArgs, opts []pulumi.ResourceOption) (*lb.TargetGroup, error) {
	tg, err := lb.NewTargetGroup(ctx, name+"-tg", &lb.TargetGroupArgs{
		Protocol:   pulumi.String("TCP"),
		Port:       pulumi.Int(grpcPort),
		TargetType: pulumi.String("ip"), // Fargate awsvpc tasks
		VpcId:      args.VpcID,
		// Off is already the default for TCP ip targets; pinned because the
		// task security group trusts the NLB's group, which only holds while
		// the NLB, not the client, is the source address.
		PreserveClientIp: pulumi.String("false"),
		// SpiceDB closes gRPC connections after 30 s, so the default 60 s
		// drain lets clients move on; connection termination then cuts the rest.
		DeregistrationDelay:   pulumi.Int(args.LoadBalancer.DeregistrationDelaySeconds),
		ConnectionTermination: pulumi.Bool(true),
		HealthCheck: &lb.TargetGroupHealthCheckArgs{
			Enabled:            pulumi.Bool(true),
			Protocol:           pulumi.String("HTTP"),
			Port:               pulumi.String(strconv.Itoa(httpPort)),
			Path:               pulumi.String(edgeHealthCheckPath),
			Matcher:            pulumi.String(edgeHealthCheckMatcher),
			Interval:           pulumi.Int(edgeHealthCheckIntervalSeconds),
			Timeout:            pulumi.Int(edgeHealthCheckTimeoutSeconds),
			HealthyThreshold:   pulumi.Int(edgeHealthCheckHealthyThreshold),
			UnhealthyThreshold: pulumi.Int(edgeHealthCheckUnhealthyThreshold),
		},
		Tags: pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("edge: target group: %w", err)
	}
	return tg, nil
}
