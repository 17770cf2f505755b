// Package depspin keeps the pinned dependencies in go.mod while the packages
// that use them are written. TEMPORARY: removed once every import is real.
package depspin

import (
	_ "github.com/authzed/authzed-go/v1"
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	_ "github.com/aws/aws-sdk-go-v2/service/ecs"
	_ "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	_ "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	_ "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ec2"
	_ "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ecr"
	_ "github.com/pulumi/pulumi-command/sdk/go/command/local"
	_ "github.com/pulumi/pulumi-random/sdk/v4/go/random"
	_ "github.com/pulumi/pulumi-tls/sdk/v5/go/tls"
	_ "github.com/pulumi/pulumi/sdk/v3/go/auto"
	_ "github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	_ "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	_ "github.com/pulumi/pulumi/sdk/v3/proto/go"
	_ "google.golang.org/grpc"
	_ "gopkg.in/yaml.v3"
)
