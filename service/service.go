// Package service runs SpiceDB on ECS Fargate behind a TLS Network Load
// Balancer, with its secrets in Secrets Manager and its datastore migrated
// by a one-off ECS task before every rollout.
package service

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/lb"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/servicediscovery"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Service is the SpiceDB deployment.
type Service struct {
	pulumi.ResourceState

	Endpoint              pulumi.StringOutput // host:port of the TLS listener
	CACertificatePem      pulumi.StringOutput // private-CA mode only, else ""
	PresharedKey          pulumi.StringOutput // the generated key (secret)
	PresharedKeySecretArn pulumi.StringOutput

	ClusterName, ClusterArn, ServiceName, LogGroupName pulumi.StringOutput
	ServeTaskDefinitionArn, MigrationTaskDefinitionArn pulumi.StringOutput
	TaskSubnetIDs                                      pulumi.StringArrayOutput
	TaskSecurityGroupID                                pulumi.IDOutput

	MigrationCommand  pulumi.StringOutput // exact `aws ecs run-task ...` to run the migration by hand
	ZedContextCommand pulumi.StringOutput // `zed context set ...` with the key left as $SPICEDB_KEY

	// The composed pieces, for callers who customise.
	LoadBalancer                                 *lb.LoadBalancer
	Listener                                     *lb.Listener
	TargetGroup                                  *lb.TargetGroup
	EcsService                                   *ecs.Service
	ServeTaskDefinition, MigrationTaskDefinition *ecs.TaskDefinition
	// DispatchNamespace and DispatchService are nil when dispatch is off.
	DispatchNamespace *servicediscovery.PrivateDnsNamespace
	DispatchService   *servicediscovery.Service
}

// New registers the SpiceDB service component. Invalid args fail before
// anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Service, error) {
	if args == nil {
		return nil, fmt.Errorf("service: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, err
	}
	edgeIn := edgeArgs{
		VpcID: a.VpcID, VpcCidr: a.VpcCidr, SubnetIDs: a.PublicSubnetIDs,
		LoadBalancer: a.LoadBalancer, TLS: a.TLS, Tags: a.Tags,
	}
	if a.LoadBalancer.Internal {
		edgeIn.SubnetIDs = a.PrivateSubnetIDs
	}
	if err := edgeIn.validate(); err != nil {
		return nil, fmt.Errorf("service: invalid arguments: %w", err)
	}
	plat, err := platformOf(a.Architecture)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	workDir, err := programDir(ctx)
	if err != nil {
		return nil, err
	}

	s := &Service{}
	if err := ctx.RegisterComponentResource("spicedb-ecs:service:Service", name, s, opts...); err != nil {
		return nil, fmt.Errorf("service: register component: %w", err)
	}
	child := []pulumi.ResourceOption{pulumi.Parent(s)}
	tags := pulumi.ToStringMap(a.Tags)
	env := lookupAWSEnv(ctx, a.Region, s)

	image, err := newImage(ctx, name, a, plat, workDir, child)
	if err != nil {
		return nil, err
	}
	key, err := newPresharedKey(ctx, name, a, child)
	if err != nil {
		return nil, err
	}
	cluster, logs, err := newCluster(ctx, name, a, child)
	if err != nil {
		return nil, err
	}
	front, err := newEdge(ctx, name, edgeIn, s)
	if err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	taskSG, err := newTaskSecurityGroup(ctx, name, a, front.SecurityGroup.ID(), child)
	if err != nil {
		return nil, err
	}
	var dispatch *dispatchDiscovery
	if a.Dispatch {
		if dispatch, err = newDispatchDiscovery(ctx, name, a, child); err != nil {
			return nil, err
		}
	}
	dbAccess, err := a.Datastore.AllowFrom(ctx, name+"-tasks", taskSG.ID())
	if err != nil {
		return nil, fmt.Errorf("service: database access for tasks: %w", err)
	}

	// One source of truth for secrets: containers' `secrets`, their version
	// fingerprint and each task definition's execution role grant are all
	// derived from it (see newTaskDefinition).
	secrets := secretSources{
		envPresharedKey: {Arn: key.SecretArn, VersionID: key.SecretVersionID},
		envDatastoreURI: {
			Arn:       a.DatastoreURISecretArn.ToStringOutput(),
			VersionID: a.DatastoreURISecretVersionID.ToStringOutput(),
		},
	}
	taskRoles, err := newRoles(ctx, name, env, a.SecretsKmsKeyArn, tags, child)
	if err != nil {
		return nil, err
	}

	tdIn := taskDefinitionInputs{
		Image: image, LogGroup: logs.Name, Region: env.Region,
		SecretArns: secrets.arns(), SecretVersionIDs: secrets.versionIDs(),
		Roles: taskRoles, Platform: plat, LogLevel: a.LogLevel, Tags: tags,
	}
	var dispatchRegistry pulumi.StringInput // nil: no service registry
	if dispatch != nil {
		tdIn.DispatchUpstreamAddr = dispatch.UpstreamAddr
		dispatchRegistry = dispatch.Service.Arn
		s.DispatchNamespace, s.DispatchService = dispatch.Namespace, dispatch.Service
	}
	serveTD, err := newTaskDefinition(ctx, name+"-serve", taskDefinitionSpec{
		family: taskFamily(ctx, name, "serve"), cpu: a.CPU, memoryMiB: a.MemoryMiB,
		secretNames: serveSecretNames, container: serveContainer,
	}, tdIn, child)
	if err != nil {
		return nil, err
	}
	migrateTD, err := newTaskDefinition(ctx, name+"-migrate", taskDefinitionSpec{
		family: taskFamily(ctx, name, "migrate"), cpu: migrateCPU, memoryMiB: migrateMemoryMiB,
		secretNames: migrateSecretNames, container: migrateContainer,
	}, tdIn, child)
	if err != nil {
		return nil, err
	}

	target := migrationTarget{
		ClusterName: cluster.Name, TaskDefinitionArn: migrateTD.Arn, LogGroup: logs.Name, Region: env.Region,
		Subnets: a.PrivateSubnetIDs, SecurityGroup: taskSG.ID(),
	}
	rolloutAfter := []pulumi.Resource{front.Listener, dbAccess}
	if a.MigrationGate == MigrationGateECSTask {
		gate, err := newMigrationGate(ctx, name, a, target, workDir, []pulumi.Resource{dbAccess}, child)
		if err != nil {
			return nil, err
		}
		rolloutAfter = append(rolloutAfter, gate)
	}

	svc, err := newECSService(ctx, name, a, ecsServiceInputs{
		Cluster: cluster.Arn, ClusterName: cluster.Name, TaskDefinition: serveTD.Arn,
		Subnets: a.PrivateSubnetIDs, SecurityGroup: taskSG.ID(), TargetGroupArn: front.TargetGroup.Arn,
		DispatchRegistryArn: dispatchRegistry, DependsOn: rolloutAfter,
	}, child)
	if err != nil {
		return nil, err
	}

	s.Endpoint = front.Endpoint
	s.CACertificatePem = front.CACertificatePem
	s.PresharedKey = key.Key
	s.PresharedKeySecretArn = key.SecretArn
	s.ClusterName = cluster.Name
	s.ClusterArn = cluster.Arn
	s.ServiceName = svc.Name
	s.LogGroupName = logs.Name
	s.ServeTaskDefinitionArn = serveTD.Arn
	s.MigrationTaskDefinitionArn = migrateTD.Arn
	s.TaskSubnetIDs = a.PrivateSubnetIDs.ToStringArrayOutput()
	s.TaskSecurityGroupID = taskSG.ID()
	s.MigrationCommand = manualMigrationCommand(a, target)
	s.ZedContextCommand = zedContextCommand(ctx, a, front.Endpoint)
	s.LoadBalancer = front.LoadBalancer
	s.Listener = front.Listener
	s.TargetGroup = front.TargetGroup
	s.EcsService = svc
	s.ServeTaskDefinition = serveTD
	s.MigrationTaskDefinition = migrateTD
	if err := ctx.RegisterResourceOutputs(s, pulumi.Map{
		"endpoint":                   s.Endpoint,
		"caCertificatePem":           s.CACertificatePem,
		"presharedKey":               s.PresharedKey, // a secret output: stays encrypted
		"presharedKeySecretArn":      s.PresharedKeySecretArn,
		"clusterName":                s.ClusterName,
		"clusterArn":                 s.ClusterArn,
		"serviceName":                s.ServiceName,
		"logGroupName":               s.LogGroupName,
		"serveTaskDefinitionArn":     s.ServeTaskDefinitionArn,
		"migrationTaskDefinitionArn": s.MigrationTaskDefinitionArn,
		"taskSubnetIds":              s.TaskSubnetIDs,
		"taskSecurityGroupId":        s.TaskSecurityGroupID,
		"migrationCommand":           s.MigrationCommand,
		"zedContextCommand":          s.ZedContextCommand,
	}); err != nil {
		return nil, fmt.Errorf("service: register outputs: %w", err)
	}
	return s, nil
}
