package rehearsal

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// imageEntrypoint is the official SpiceDB image's ENTRYPOINT.
var imageEntrypoint = []string{"spicedb"}

// Container is a container definition resolved for running locally.
type Container struct {
	Name string
	Args []string // the container command, appended to the entrypoint
	Env  Env
	// IP is the replica's own loopback address and Ports the container
	// ports it serves there (serve containers only).
	IP     string
	Ports  []int
	Logins []DatastoreLogin
	red    *redactor
}

// PrepareContainer resolves def for a local run against the PostgreSQL at
// datastoreAddr: environment + secrets as ECS builds them, datastore URIs
// pointed at datastoreAddr. Secret values are registered for redaction.
func PrepareContainer(def types.ContainerDefinition, secretValues map[string]string, datastoreAddr string) (*Container, error) {
	if len(def.EntryPoint) > 0 && !slices.Equal(def.EntryPoint, imageEntrypoint) {
		return nil, fmt.Errorf("rehearsal: container %s: entryPoint %q: only the image's own (%q) is supported",
			containerName(def), def.EntryPoint, imageEntrypoint)
	}
	if len(def.Command) == 0 {
		return nil, fmt.Errorf("rehearsal: container %s has no command", containerName(def))
	}
	env, err := ResolveEnv(def, secretValues)
	if err != nil {
		return nil, err
	}
	red := &redactor{}
	for _, v := range env {
		if v.Secret {
			red.add(v.Value)
		}
	}
	logins, err := pointDatastoreAt(env, datastoreAddr, red)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: container %s: %w", containerName(def), err)
	}
	return &Container{Name: containerName(def), Args: slices.Clone(def.Command), Env: env, Logins: logins, red: red}, nil
}

// Redact masks every secret of this container in s.
func (c *Container) Redact(s string) string { return c.red.redact(s) }

// describe is a log line for the container: command and masked environment.
func (c *Container) describe() string {
	return fmt.Sprintf("%s: spicedb %q env %q", c.Name, c.Args, c.Env.Masked())
}

func (c *Container) logPath(dir, suffix string) string {
	return filepath.Join(dir, c.Name+suffix+".log")
}
