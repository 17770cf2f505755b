package service

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newCluster creates the ECS cluster (with Container Insights, for per-task
// CPU/memory metrics) and the log group both containers write to.
func newCluster(ctx *pulumi.Context, name string, args Args, opts []pulumi.ResourceOption) (*ecs.Cluster, *cloudwatch.LogGroup, error) {
	tags := pulumi.ToStringMap(args.Tags)
	cluster, err := ecs.NewCluster(ctx, name+"-cluster", &ecs.ClusterArgs{
		Settings: ecs.ClusterSettingArray{
			ecs.ClusterSettingArgs{Name: pulumi.String("containerInsights"), Value: pulumi.String("enabled")},
		},
		Tags: tags,
	}, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("service: ecs cluster: %w", err)
	}
	logs, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
		Tags:            tags,
	}, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("service: log group: %w", err)
	}
	return cluster, logs, nil
}
