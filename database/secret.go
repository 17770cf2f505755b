package database

import (
	"fmt"
	"net"
	"net/url"
	"strconv"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Secrets Manager recovery windows: an unprotected (dev) stack can be torn
// down and recreated at once; a protected one keeps a deleted secret
// restorable for the longest window.
const (
	recoveryWindowUnprotectedDays = 0
	recoveryWindowProtectedDays   = 30
)

// newPassword generates the master password: letters and digits only, so it
// needs no escaping in a URI, in psql or in the RDS API (which refuses
// / @ " and spaces); 40 of 62 symbols is ~238 bits.
func newPassword(ctx *pulumi.Context, name string, parent pulumi.Resource) (*random.RandomPassword, error) {
	password, err := random.NewRandomPassword(ctx, name+"-password", &random.RandomPasswordArgs{
		Length:  pulumi.Int(PasswordLength),
		Special: pulumi.Bool(false),
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("database: password: %w", err)
	}
	return password, nil
}

// datastoreURI is SpiceDB's connection string, a Pulumi secret because it
// embeds the password. sslmode=require encrypts without verifying the
// server certificate: verify-full needs the RDS CA bundle, which the SpiceDB
// image does not carry.
func datastoreURI(username, dbName string, password, host pulumi.StringOutput, port pulumi.IntOutput) pulumi.StringOutput {
	uri := pulumi.All(password, host, port).ApplyT(func(v []any) (string, error) {
		password, okPassword := v[0].(string)
		host, okHost := v[1].(string)
		port, okPort := v[2].(int)
		if !okPassword || !okHost || !okPort {
			return "", fmt.Errorf("database: datastore uri: unexpected value types %T, %T, %T", v[0], v[1], v[2])
		}
		u := url.URL{
			Scheme:   "postgres",
			User:     url.UserPassword(username, password),
			Host:     net.JoinHostPort(host, strconv.Itoa(port)),
			Path:     "/" + dbName,
			RawQuery: "sslmode=require",
		}
		return u.String(), nil
	}).(pulumi.StringOutput)
	return pulumi.ToSecret(uri).(pulumi.StringOutput)
}

// connectionSecret is where the datastore URI lives.
type connectionSecret struct {
	// Arn resolves only after the value is stored, so that nothing reads an
	// empty secret.
	Arn pulumi.StringOutput
	// VersionID is the stored value's version: Secrets Manager issues a new
	// one whenever the value changes, so it can stand for the value where
	// the value itself must not appear.
	VersionID pulumi.StringOutput
}

// newConnectionSecret stores the datastore URI in Secrets Manager.
func (d *Database) newConnectionSecret(ctx *pulumi.Context, name string, a Args, uri pulumi.StringOutput) (connectionSecret, error) {
	recoveryDays := recoveryWindowUnprotectedDays
	if a.DeletionProtection {
		recoveryDays = recoveryWindowProtectedDays
	}
	secret, err := secretsmanager.NewSecret(ctx, name+"-connection", &secretsmanager.SecretArgs{
		Description:          pulumi.String("SpiceDB datastore URI (SPICEDB_DATASTORE_CONN_URI)"),
		KmsKeyId:             optional(a.KmsKeyArn),
		RecoveryWindowInDays: pulumi.Int(recoveryDays),
		Tags:                 pulumi.ToStringMap(a.Tags),
	}, pulumi.Parent(d))
	if err != nil {
		return connectionSecret{}, fmt.Errorf("database: connection secret: %w", err)
	}
	version, err := secretsmanager.NewSecretVersion(ctx, name+"-connection", &secretsmanager.SecretVersionArgs{
		SecretId:     secret.ID().ToStringOutput(),
		SecretString: uri,
	}, pulumi.Parent(d))
	if err != nil {
		return connectionSecret{}, fmt.Errorf("database: connection secret value: %w", err)
	}
	arn := pulumi.All(secret.Arn, version.VersionId).ApplyT(func(v []any) string {
		arn, _ := v[0].(string)
		return arn
	}).(pulumi.StringOutput)
	return connectionSecret{Arn: arn, VersionID: version.VersionId}, nil
}
