package database

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults for the optional Args fields, applied by withDefaults.
const (
	DefaultInstanceClass       = "db.t4g.micro"
	DefaultAllocatedStorageGiB = 20
	DefaultPostgresVersion     = 17
	DefaultDatabaseName        = "spicedb"
	DefaultUsername            = "spicedb"
)

// Fixed settings. The windows are UTC and do not overlap, as RDS requires;
// maintenance follows the backup so a maintenance reboot never interrupts it.
const (
	Port              = 5432
	BackupWindow      = "03:00-04:00"
	MaintenanceWindow = "sun:04:30-sun:05:30"
	// CACertificate signs the server certificate; sslmode=require encrypts
	// without verifying it, but a current CA avoids forced rotations.
	CACertificate = "rds-ca-rsa2048-g1"
	// PasswordLength of the generated master password (RDS allows 8 to 128).
	PasswordLength = 40
	// PerformanceInsightsRetentionDays is the free retention tier.
	PerformanceInsightsRetentionDays = 7
)

// SupportedPostgresVersions are the major versions accepted: SpiceDB needs
// 14 or newer, and these are the ones RDS offers that it is tested with.
var SupportedPostgresVersions = []int{14, 15, 16, 17}

// Args configure a Database. VpcID and SubnetIDs are required; every other
// field has the default documented on it.
type Args struct {
	// VpcID of the VPC the security group belongs to.
	VpcID pulumi.StringInput
	// SubnetIDs are the private subnets of the DB subnet group, in at least
	// two availability zones.
	SubnetIDs pulumi.StringArrayInput
	// InstanceClass, default DefaultInstanceClass.
	InstanceClass string
	// AllocatedStorageGiB of gp3 storage, default 20 (the gp3 minimum).
	AllocatedStorageGiB int
	// MaxAllocatedStorageGiB caps storage autoscaling; 0 or a value not above
	// AllocatedStorageGiB turns autoscaling off.
	MaxAllocatedStorageGiB int
	// PostgresVersion is the major version, default DefaultPostgresVersion;
	// RDS picks and upgrades the minor version.
	PostgresVersion int
	// MultiAz keeps a synchronous standby in another zone.
	MultiAz bool
	// DeletionProtection blocks deletion, keeps a final snapshot and a
	// 30-day recovery window on the connection secret.
	DeletionProtection bool
	// BackupRetentionDays, 0 to 35; 0 turns automated backups off and is
	// refused together with DeletionProtection.
	BackupRetentionDays int
	// PerformanceInsights turns on Performance Insights (7 days retention).
	PerformanceInsights bool
	// KmsKeyArn is an optional customer managed key for the storage,
	// Performance Insights and the connection secret; empty uses the
	// AWS managed keys.
	KmsKeyArn string
	// DatabaseName, default DefaultDatabaseName.
	DatabaseName string
	// Username of the master user, default DefaultUsername.
	Username string
	// Tags go on every taggable resource.
	Tags map[string]string
}

var (
	// InstanceClassPattern and KmsKeyArnPattern are shared with the stack's
	// config validation, so both layers accept the same values.
	InstanceClassPattern = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9]+$`)
	// identifierPattern is what PostgreSQL and RDS accept for the database
	// and user names without quoting; it also keeps the URI free of escapes.
	identifierPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	KmsKeyArnPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$`)
)

// withDefaults returns a copy of a with every unset optional field filled.
func (a Args) withDefaults() Args {
	a.InstanceClass = cmp.Or(a.InstanceClass, DefaultInstanceClass)
	a.AllocatedStorageGiB = cmp.Or(a.AllocatedStorageGiB, DefaultAllocatedStorageGiB)
	a.PostgresVersion = cmp.Or(a.PostgresVersion, DefaultPostgresVersion)
	a.DatabaseName = cmp.Or(a.DatabaseName, DefaultDatabaseName)
	a.Username = cmp.Or(a.Username, DefaultUsername)
	return a
}

// validate reports every problem with a (after defaults) at once.
func (a Args) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.VpcID == nil {
		add("VpcID is required")
	}
	if a.SubnetIDs == nil {
		add("SubnetIDs is required")
	}
	if !InstanceClassPattern.MatchString(a.InstanceClass) {
		add("InstanceClass %q: accepted: db.<family>.<size>, e.g. db.t4g.micro", a.InstanceClass)
	}
	if a.AllocatedStorageGiB < 20 || a.AllocatedStorageGiB > 65536 {
		add("AllocatedStorageGiB %d: accepted: 20 to 65536", a.AllocatedStorageGiB)
	}
	if a.MaxAllocatedStorageGiB < 0 || a.MaxAllocatedStorageGiB > 65536 {
		add("MaxAllocatedStorageGiB %d: accepted: 0 (no autoscaling) to 65536", a.MaxAllocatedStorageGiB)
	}
	if !slices.Contains(SupportedPostgresVersions, a.PostgresVersion) {
		add("PostgresVersion %d: accepted: %s (SpiceDB needs PostgreSQL 14 or newer)", a.PostgresVersion, strings.Trim(fmt.Sprint(SupportedPostgresVersions), "[]"))
	}
	if a.BackupRetentionDays < 0 || a.BackupRetentionDays > 35 {
		add("BackupRetentionDays %d: accepted: 0 to 35", a.BackupRetentionDays)
	}
	if a.BackupRetentionDays == 0 && a.DeletionProtection {
		add("BackupRetentionDays 0 turns backups off, which a deletion-protected database must not do; accepted: 1 to 35")
	}
	if a.KmsKeyArn != "" && !KmsKeyArnPattern.MatchString(a.KmsKeyArn) {
		add("KmsKeyArn %q: accepted: arn:aws:kms:<region>:<account>:key/<id>, or empty for the AWS managed key", a.KmsKeyArn)
	}
	if !identifierPattern.MatchString(a.DatabaseName) {
		add("DatabaseName %q: accepted: a lowercase letter, then up to 62 lowercase letters, digits or underscores", a.DatabaseName)
	}
	if !identifierPattern.MatchString(a.Username) || strings.HasPrefix(a.Username, "rds") || strings.HasPrefix(a.Username, "pg_") {
		add("Username %q: accepted: a lowercase letter, then up to 62 lowercase letters, digits or underscores, not starting with rds or pg_ (reserved)", a.Username)
	}
	if len(errs) > 0 {
		return fmt.Errorf("database: invalid args: %w", errors.Join(errs...))
	}
	return nil
}
