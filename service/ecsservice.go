package service

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Rollout and scaling timings.
const (
	// Tasks get this long after start before failing NLB health checks count;
	// the container health check's own start period is shorter.
	healthCheckGracePeriodSeconds = 60
	// Scale out fast, scale in slowly: a SpiceDB node that just joined has
	// cold caches, so flapping costs more than an idle task.
	scaleOutCooldownSeconds = 60
	scaleInCooldownSeconds  = 300
)

// ecsServiceInputs are the pieces the ECS service is wired to.
type ecsServiceInputs struct {
	Cluster        pulumi.StringOutput // ARN
	ClusterName    pulumi.StringOutput
	TaskDefinition pulumi.StringOutput // ARN of the serve task definition
	Subnets        pulumi.StringArrayInput
	SecurityGroup  pulumi.IDOutput
	TargetGroupArn pulumi.StringOutput
	// DispatchRegistryArn is the Cloud Map service the tasks register in;
	// nil when dispatch is off.
	DispatchRegistryArn pulumi.StringInput
	// DependsOn must be in place before a rollout: the listener, the
	// database's ingress rule and (when enabled) the migration gate.
	DependsOn []pulumi.Resource
}

// newECSService runs the serve task behind the target group with a rolling,
// self-reverting deployment, and scales it on CPU.
func newECSService(ctx *pulumi.Context, name string, args Args, in ecsServiceInputs, opts []pulumi.ResourceOption) (*ecs.Service, error) {
	tags := pulumi.ToStringMap(args.Tags)
	svcOpts := append(append([]pulumi.ResourceOption{}, opts...),
		pulumi.DependsOn(in.DependsOn),
		// After creation the autoscaler owns the task count; re-applying the
		// configured count on every `up` would undo its work.
		pulumi.IgnoreChanges([]string{"desiredCount"}),
	)
	var registries ecs.ServiceServiceRegistriesPtrInput
	if in.DispatchRegistryArn != nil {
		// An A record per task (awsvpc), health reported by ECS.
		registries = ecs.ServiceServiceRegistriesArgs{RegistryArn: in.DispatchRegistryArn}
	}
	svc, err := ecs.NewService(ctx, name+"-svc", &ecs.ServiceArgs{
		Cluster:        in.Cluster,
		TaskDefinition: in.TaskDefinition,
		DesiredCount:   pulumi.Int(args.DesiredCount),
		LaunchType:     pulumi.String("FARGATE"),
		NetworkConfiguration: ecs.ServiceNetworkConfigurationArgs{
			Subnets:        in.Subnets,
			SecurityGroups: pulumi.StringArray{in.SecurityGroup.ToStringOutput()},
			AssignPublicIp: pulumi.Bool(false),
		},
		LoadBalancers: ecs.ServiceLoadBalancerArray{ecs.ServiceLoadBalancerArgs{
			TargetGroupArn: in.TargetGroupArn,
			ContainerName:  pulumi.String(serveContainerName),
			ContainerPort:  pulumi.Int(grpcPort),
		}},
		// Never below the desired count during a rollout (maxUnavailable 0);
		// a rollout whose tasks never get healthy is rolled back, and
		// waitForSteadyState makes `pulumi up` fail in that case.
		DeploymentMinimumHealthyPercent: pulumi.Int(100),
		DeploymentMaximumPercent:        pulumi.Int(200),
		DeploymentCircuitBreaker: ecs.ServiceDeploymentCircuitBreakerArgs{
			Enable:   pulumi.Bool(true),
			Rollback: pulumi.Bool(true),
		},
		ServiceRegistries:             registries,
		HealthCheckGracePeriodSeconds: pulumi.Int(healthCheckGracePeriodSeconds),
		WaitForSteadyState:            pulumi.Bool(true),
		PropagateTags:                 pulumi.String("SERVICE"),
		EnableEcsManagedTags:          pulumi.Bool(true),
		// No shell in the image and no reason to get one into a task.
		EnableExecuteCommand: pulumi.Bool(false),
		Tags:                 tags,
	}, svcOpts...)
	if err != nil {
		return nil, fmt.Errorf("service: ecs service: %w", err)
	}

	target, err := appautoscaling.NewTarget(ctx, name+"-scaling", &appautoscaling.TargetArgs{
		ServiceNamespace:  pulumi.String("ecs"),
		ScalableDimension: pulumi.String("ecs:service:DesiredCount"),
		ResourceId:        pulumi.Sprintf("service/%s/%s", in.ClusterName, svc.Name),
		MinCapacity:       pulumi.Int(args.Autoscaling.MinCount),
		MaxCapacity:       pulumi.Int(args.Autoscaling.MaxCount),
		Tags:              tags,
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: autoscaling target: %w", err)
	}
	_, err = appautoscaling.NewPolicy(ctx, name+"-scaling-cpu", &appautoscaling.PolicyArgs{
		PolicyType:        pulumi.String("TargetTrackingScaling"),
		ServiceNamespace:  target.ServiceNamespace,
		ScalableDimension: target.ScalableDimension,
		ResourceId:        target.ResourceId,
		TargetTrackingScalingPolicyConfiguration: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs{
			PredefinedMetricSpecification: appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs{
				PredefinedMetricType: pulumi.String("ECSServiceAverageCPUUtilization"),
			},
			TargetValue:      pulumi.Float64(float64(args.Autoscaling.TargetCPUPercent)),
			ScaleOutCooldown: pulumi.Int(scaleOutCooldownSeconds),
			ScaleInCooldown:  pulumi.Int(scaleInCooldownSeconds),
		},
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: autoscaling policy: %w", err)
	}
	return svc, nil
}
