package database

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// LogExports are the PostgreSQL logs shipped to CloudWatch: the server log
// and the log of engine upgrades (which is where a failed upgrade explains
// itself).
var LogExports = []string{"postgresql", "upgrade"}

// parameters SpiceDB needs on top of the RDS defaults.
func parameters() rds.ParameterGroupParameterArray {
	return rds.ParameterGroupParameterArray{
		// SpiceDB's Watch API reads commit timestamps. The parameter is
		// static: RDS applies it only on a reboot, which the create of a new
		// instance with this group already is.
		rds.ParameterGroupParameterArgs{Name: pulumi.String("track_commit_timestamp"), Value: pulumi.String("1"), ApplyMethod: pulumi.String("pending-reboot")},
		// Refuse unencrypted connections even if a client asks for them.
		rds.ParameterGroupParameterArgs{Name: pulumi.String("rds.force_ssl"), Value: pulumi.String("1"), ApplyMethod: pulumi.String("immediate")},
	}
}

// newInstance creates the subnet group, the parameter group and the instance.
func (d *Database) newInstance(ctx *pulumi.Context, name string, a Args, sg *ec2.SecurityGroup, password *random.RandomPassword) (*rds.Instance, error) {
	parent := pulumi.Parent(d)
	tags := pulumi.ToStringMap(a.Tags)

	subnets, err := rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		SubnetIds:   a.SubnetIDs,
		Description: pulumi.String("SpiceDB PostgreSQL: private subnets"),
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("database: subnet group: %w", err)
	}
	params, err := rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(fmt.Sprintf("postgres%d", a.PostgresVersion)),
		Description: pulumi.String(fmt.Sprintf("SpiceDB on PostgreSQL %d: commit timestamps for Watch, TLS only", a.PostgresVersion)),
		Parameters:  parameters(),
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, fmt.Errorf("database: parameter group: %w", err)
	}

	args := &rds.InstanceArgs{
		Engine: pulumi.String("postgres"),
		// The major version only: RDS picks the newest minor and, with
		// AutoMinorVersionUpgrade, keeps it current in the maintenance window.
		EngineVersion:           pulumi.String(strconv.Itoa(a.PostgresVersion)),
		AutoMinorVersionUpgrade: pulumi.Bool(true),
		InstanceClass:           pulumi.String(a.InstanceClass),

		StorageType:         pulumi.String("gp3"),
		AllocatedStorage:    pulumi.Int(a.AllocatedStorageGiB),
		MaxAllocatedStorage: maxAllocatedStorage(a),
		StorageEncrypted:    pulumi.Bool(true),
		KmsKeyId:            optional(a.KmsKeyArn),

		DbSubnetGroupName:   subnets.Name,
		VpcSecurityGroupIds: pulumi.StringArray{sg.ID().ToStringOutput()},
		PubliclyAccessible:  pulumi.Bool(false),
		Port:                pulumi.Int(Port),
		CaCertIdentifier:    pulumi.String(CACertificate),
		ParameterGroupName:  params.Name,
		MultiAz:             pulumi.Bool(a.MultiAz),

		DbName:   pulumi.String(a.DatabaseName),
		Username: pulumi.String(a.Username),
		Password: password.Result,

		BackupRetentionPeriod: pulumi.Int(a.BackupRetentionDays),
		BackupWindow:          pulumi.String(BackupWindow),
		MaintenanceWindow:     pulumi.String(MaintenanceWindow),
		CopyTagsToSnapshot:    pulumi.Bool(true),
		DeletionProtection:    pulumi.Bool(a.DeletionProtection),
		SkipFinalSnapshot:     pulumi.Bool(!a.DeletionProtection),
		// Changes that restart or fail over the instance (class, storage,
		// parameter group) wait for the maintenance window instead of
		// interrupting SpiceDB in the middle of `pulumi up`.
		ApplyImmediately: pulumi.Bool(false),

		PerformanceInsightsEnabled:   pulumi.Bool(a.PerformanceInsights),
		EnabledCloudwatchLogsExports: pulumi.ToStringArray(LogExports),

		Tags: tags,
	}
	if a.DeletionProtection {
		args.FinalSnapshotIdentifier = pulumi.String(finalSnapshotIdentifier(name, ctx.Stack()))
	}
	if a.PerformanceInsights {
		args.PerformanceInsightsKmsKeyId = optional(a.KmsKeyArn)
		args.PerformanceInsightsRetentionPeriod = pulumi.IntPtr(PerformanceInsightsRetentionDays)
	}
	instance, err := rds.NewInstance(ctx, name, args, parent)
	if err != nil {
		return nil, fmt.Errorf("database: instance: %w", err)
	}
	return instance, nil
}

// maxAllocatedStorage enables storage autoscaling only with a cap above the
// allocated size; RDS treats 0 (unset) as "off".
func maxAllocatedStorage(a Args) pulumi.IntPtrInput {
	if a.MaxAllocatedStorageGiB <= a.AllocatedStorageGiB {
		return nil
	}
	return pulumi.IntPtr(a.MaxAllocatedStorageGiB)
}

var notIdentifierChars = regexp.MustCompile(`[^a-z0-9]+`)

// finalSnapshotIdentifier names the snapshot RDS takes when a protected
// instance is finally deleted (unprotected ones skip it): component and stack
// name, so stacks sharing an account never collide, reduced to what RDS
// accepts (a letter first, then letters, digits and single hyphens).
func finalSnapshotIdentifier(name, stack string) string {
	id := strings.Trim(notIdentifierChars.ReplaceAllString(strings.ToLower(name+"-"+stack), "-"), "-")
	if id == "" || id[0] < 'a' || id[0] > 'z' {
		id = strings.TrimSuffix("db-"+id, "-")
	}
	return id + "-final"
}

func optional(s string) pulumi.StringPtrInput {
	if s == "" {
		return nil
	}
	return pulumi.StringPtr(s)
}
