// Package database provides SpiceDB's datastore: a private, encrypted RDS
// PostgreSQL instance tuned for SpiceDB, its own security group, and a
// Secrets Manager secret holding the full datastore URI.
package database

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// ComponentType is the Pulumi type token of Database.
const ComponentType = "spicedb-ecs:database:Database"

// Database is an RDS PostgreSQL instance reachable only from the security
// groups passed to AllowFrom.
type Database struct {
	pulumi.ResourceState

	// Endpoint is the instance's host name.
	Endpoint     pulumi.StringOutput
	Port         pulumi.IntOutput
	DatabaseName pulumi.StringOutput
	// SecurityGroupID is the database's own group; open it with AllowFrom.
	SecurityGroupID pulumi.IDOutput
	// ConnectionSecretArn names the Secrets Manager secret whose value is
	// the datastore URI (postgres://USER:PASSWORD@HOST:5432/DBNAME?sslmode=require).
	// It resolves only once the secret holds that value.
	ConnectionSecretArn pulumi.StringOutput
	// ConnectionSecretVersionID is the version of the secret's current
	// value; it changes whenever the URI does (a new password or host). ECS
	// reads a secret only when a task starts, so the service puts this id
	// into its task definitions to roll its tasks onto a new value.
	ConnectionSecretVersionID pulumi.StringOutput

	tags map[string]string
}

// New creates the database and its connection secret. Invalid args fail
// before anything is registered.
func New(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, errors.New("database: args are required")
	}
	a := args.withDefaults()
	if err := a.validate(); err != nil {
		return nil, err
	}

	d := &Database{tags: a.Tags}
	if err := ctx.RegisterComponentResource(ComponentType, name, d, opts...); err != nil {
		return nil, fmt.Errorf("database: register component: %w", err)
	}
	sg, err := d.newSecurityGroup(ctx, name, a)
	if err != nil {
		return nil, err
	}
	password, err := newPassword(ctx, name, d)
	if err != nil {
		return nil, err
	}
	instance, err := d.newInstance(ctx, name, a, sg, password)
	if err != nil {
		return nil, err
	}
	d.Endpoint = instance.Address
	d.Port = instance.Port
	d.DatabaseName = instance.DbName
	d.SecurityGroupID = sg.ID()

	uri := datastoreURI(a.Username, a.DatabaseName, password.Result, instance.Address, instance.Port)
	connection, err := d.newConnectionSecret(ctx, name, a, uri)
	if err != nil {
		return nil, err
	}
	d.ConnectionSecretArn = connection.Arn
	d.ConnectionSecretVersionID = connection.VersionID

	if err := ctx.RegisterResourceOutputs(d, d.outputs()); err != nil {
		return nil, fmt.Errorf("database: register outputs: %w", err)
	}
	return d, nil
}

// outputs are what the component registers as its outputs: no password, no
// URI, only where to find them.
func (d *Database) outputs() pulumi.Map {
	return pulumi.Map{
		"endpoint":            d.Endpoint,
		"port":                d.Port,
		"databaseName":        d.DatabaseName,
		"securityGroupId":     d.SecurityGroupID,
		"connectionSecretArn": d.ConnectionSecretArn,
		// The version id says nothing about the value; it is what makes a
		// new value reach running tasks.
		"connectionSecretVersionId": d.ConnectionSecretVersionID,
	}
}
