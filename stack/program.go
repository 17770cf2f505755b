package stack

import (
	"maps"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/database"
	"github.com/spicedb-ecs/spicedb-ecs/network"
	"github.com/spicedb-ecs/spicedb-ecs/service"
)

// Deployment is the composed stack. Its pieces stay reachable so a caller
// embedding the program can customise them without forking.
type Deployment struct {
	Config   Config
	Network  *network.Network
	Database *database.Database
	Service  *service.Service
	// Outputs are exactly the stack outputs Program exports.
	Outputs map[string]pulumi.Input
}

// Program is the Pulumi program: main.go runs it, and the Automation API
// runs it inline.
func Program(ctx *pulumi.Context) error {
	d, err := Build(ctx)
	if err != nil {
		return err
	}
	for name, value := range d.Outputs {
		ctx.Export(name, value)
	}
	return nil
}

// Build reads the configuration and composes network → database → service.
// Invalid configuration fails here, before any resource is registered.
func Build(ctx *pulumi.Context) (*Deployment, error) {
	cfg, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	tags := resourceTags(ctx, cfg.Tags)

	net, err := network.New(ctx, "spicedb-net", networkArgs(cfg, tags))
	if err != nil {
		return nil, err
	}
	db, err := database.New(ctx, "spicedb-db", &database.Args{
		VpcID:                  net.VpcID,
		SubnetIDs:              net.PrivateSubnetIDs,
		InstanceClass:          cfg.Database.InstanceClass,
		AllocatedStorageGiB:    cfg.Database.AllocatedStorageGiB,
		MaxAllocatedStorageGiB: cfg.Database.MaxAllocatedStorageGiB,
		PostgresVersion:        cfg.Database.PostgresVersion,
		MultiAz:                cfg.Database.MultiAz,
		DeletionProtection:     cfg.Database.DeletionProtection,
		BackupRetentionDays:    cfg.Database.BackupRetentionDays,
		PerformanceInsights:    cfg.Database.PerformanceInsights,
		KmsKeyArn:              cfg.Database.KmsKeyArn,
		Tags:                   tags,
	})
	if err != nil {
		return nil, err
	}
	svc, err := service.New(ctx, "spicedb", serviceArgs(cfg, net, db, tags))
	if err != nil {
		return nil, err
	}
	return &Deployment{
		Config: cfg, Network: net, Database: db, Service: svc,
		Outputs: outputs(net, db, svc),
	}, nil
}

func networkArgs(cfg Config, tags map[string]string) *network.Args {
	args := &network.Args{
		CidrBlock:         cfg.Network.VpcCidr,
		AvailabilityZones: cfg.Network.AvailabilityZones,
		NatGateways:       cfg.Network.NatGateways,
		VpcEndpoints:      cfg.Network.VpcEndpoints,
		Tags:              tags,
	}
	if cfg.Network.ExistingVpc() {
		args.Existing = &network.ExistingVpc{
			VpcID:            cfg.Network.VpcID,
			PublicSubnetIDs:  cfg.Network.PublicSubnetIDs,
			PrivateSubnetIDs: cfg.Network.PrivateSubnetIDs,
		}
	}
	return args
}

func serviceArgs(cfg Config, net *network.Network, db *database.Database, tags map[string]string) *service.Args {
	lb := cfg.LoadBalancer
	return &service.Args{
		VpcID:                   net.VpcID,
		VpcCidr:                 net.CidrBlock,
		PublicSubnetIDs:         net.PublicSubnetIDs,
		PrivateSubnetIDs:        net.PrivateSubnetIDs,
		Datastore:               db,
		DatabaseSecurityGroupID: db.SecurityGroupID,
		DatastoreURISecretArn:   db.ConnectionSecretArn,
		// A new URI (new password or host) gets a new version id, which rolls
		// the tasks: ECS reads secrets only when a task starts.
		DatastoreURISecretVersionID: db.ConnectionSecretVersionID,
		SpiceDBVersion:              cfg.SpiceDB.Version,
		Architecture:                cfg.SpiceDB.Architecture,
		ImageURI:                    cfg.Image.URI,
		KeepImages:                  cfg.Image.KeepImages,
		DesiredCount:                cfg.SpiceDB.DesiredCount,
		CPU:                         cfg.SpiceDB.CPU,
		MemoryMiB:                   cfg.SpiceDB.MemoryMiB,
		LogLevel:                    cfg.SpiceDB.LogLevel,
		Dispatch:                    cfg.SpiceDB.Dispatch,
		Autoscaling: service.AutoscalingArgs{
			MinCount:         cfg.Autoscaling.MinCount,
			MaxCount:         cfg.Autoscaling.MaxCount,
			TargetCPUPercent: cfg.Autoscaling.TargetCPUPercent,
		},
		LoadBalancer: service.LoadBalancerArgs{
			Internal:                   lb.Internal,
			ListenerPort:               lb.ListenerPort,
			SslPolicy:                  lb.SslPolicy,
			AllowedCidrs:               lb.AllowedCidrs,
			DeregistrationDelaySeconds: lb.DeregistrationDelaySeconds,
		},
		TLS: service.TLSArgs{
			CertificateArn: cfg.TLS.CertificateArn,
			DomainName:     cfg.TLS.DomainName,
			HostedZoneID:   cfg.TLS.HostedZoneID,
		},
		MigrationGate:           cfg.Migrations.Gate,
		MigrationTimeout:        time.Duration(cfg.Migrations.TimeoutMinutes) * time.Minute,
		LogRetentionDays:        cfg.Logs.RetentionDays,
		AdditionalPresharedKeys: cfg.AdditionalPresharedKeys,
		SecretsKmsKeyArn:        cfg.Database.KmsKeyArn,
		Region:                  cfg.AWSRegion,
		Profile:                 cfg.AWSProfile,
		Tags:                    tags,
	}
}

// resourceTags are the user's tags plus the ones that tell, in the AWS
// console, which stack owns a resource; ours win on a clash so they stay true.
func resourceTags(ctx *pulumi.Context, user map[string]string) map[string]string {
	tags := maps.Clone(user)
	if tags == nil {
		tags = map[string]string{}
	}
	tags["project"] = ctx.Project()
	tags["stack"] = ctx.Stack()
	tags["managed-by"] = "pulumi"
	return tags
}

// outputs are the stack outputs. The preshared key is exported only as a
// Pulumi secret; the datastore URI and password are not exported at all.
func outputs(net *network.Network, db *database.Database, svc *service.Service) map[string]pulumi.Input {
	return map[string]pulumi.Input{
		"endpoint":                   svc.Endpoint,
		"caCertificate":              svc.CACertificatePem,
		"presharedKey":               pulumi.ToSecret(svc.PresharedKey),
		"presharedKeySecretArn":      svc.PresharedKeySecretArn,
		"datastoreSecretArn":         db.ConnectionSecretArn,
		"databaseEndpoint":           db.Endpoint,
		"clusterName":                svc.ClusterName,
		"clusterArn":                 svc.ClusterArn,
		"serviceName":                svc.ServiceName,
		"logGroup":                   svc.LogGroupName,
		"migrationTaskDefinitionArn": svc.MigrationTaskDefinitionArn,
		"taskSubnetIds":              svc.TaskSubnetIDs,
		"taskSecurityGroupId":        svc.TaskSecurityGroupID,
		"migrationCommand":           svc.MigrationCommand,
		"zedContextCommand":          svc.ZedContextCommand,
		"vpcId":                      net.VpcID,
	}
}
