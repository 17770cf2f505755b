package rehearsal

import (
	"fmt"
	"net"
	"net/url"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// EnvVar is one variable of a container's process environment.
type EnvVar struct {
	Name, Value string
	Secret      bool // came from the container's secrets (or is derived from one)
}

// Env is a container's process environment in definition order:
// environment entries first, then secrets, as ECS injects them.
type Env []EnvVar

// Get returns the value of name.
func (e Env) Get(name string) (string, bool) {
	for _, v := range e {
		if v.Name == name {
			return v.Value, true
		}
	}
	return "", false
}

// set replaces the value of an existing variable, keeping its secrecy.
func (e Env) set(name, value string) {
	for i := range e {
		if e[i].Name == name {
			e[i].Value = value
			return
		}
	}
}

// Strings renders NAME=value pairs for exec. Contains secrets: never log it.
func (e Env) Strings() []string {
	out := make([]string, 0, len(e))
	for _, v := range e {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// Masked renders NAME=value pairs with secret values replaced: safe to log.
func (e Env) Masked() []string {
	out := make([]string, 0, len(e))
	for _, v := range e {
		val := v.Value
		if v.Secret {
			val = mask
		}
		out = append(out, v.Name+"="+val)
	}
	return out
}

// ResolveEnv builds a container's environment the way the ECS agent does:
// every environment entry, then every secret with its value looked up by
// valueFrom. Unknown secrets, duplicate names and environment files (which
// the rehearsal cannot read) are errors.
func ResolveEnv(def types.ContainerDefinition, secretValues map[string]string) (Env, error) {
	name := containerName(def)
	if len(def.EnvironmentFiles) > 0 {
		return nil, fmt.Errorf("rehearsal: container %s: environmentFiles are not supported", name)
	}
	var env Env
	seen := map[string]bool{}
	addVar := func(v EnvVar) error {
		if v.Name == "" {
			return fmt.Errorf("rehearsal: container %s: variable without a name", name)
		}
		if seen[v.Name] {
			return fmt.Errorf("rehearsal: container %s: variable %s defined twice", name, v.Name)
		}
		seen[v.Name] = true
		env = append(env, v)
		return nil
	}
	for _, kv := range def.Environment {
		if err := addVar(EnvVar{Name: deref(kv.Name), Value: deref(kv.Value)}); err != nil {
			return nil, err
		}
	}
	for _, s := range def.Secrets {
		from := deref(s.ValueFrom)
		value, ok := secretValues[from]
		if !ok {
			// ARNs are not secret; naming the missing one is what makes this fixable.
			return nil, fmt.Errorf("rehearsal: container %s: secret %s: valueFrom %q has no value in the plan", name, deref(s.Name), from)
		}
		if err := addVar(EnvVar{Name: deref(s.Name), Value: value, Secret: true}); err != nil {
			return nil, err
		}
	}
	return env, nil
}

// datastoreURIVars are the variables holding PostgreSQL connection URIs.
var datastoreURIVars = []string{"SPICEDB_DATASTORE_CONN_URI", "SPICEDB_DATASTORE_READ_REPLICA_CONN_URI"}

// DatastoreLogin is the role and database a container's URI logs into.
type DatastoreLogin struct {
	User, Password, Database string
}

// pointDatastoreAt rewrites the host:port of every datastore URI in env to
// addr, keeping user, password, database and query (sslmode=require stays).
// It returns the logins the URIs use and registers every secret-bearing
// string with red.
func pointDatastoreAt(env Env, addr string, red *redactor) ([]DatastoreLogin, error) {
	if engine, _ := env.Get("SPICEDB_DATASTORE_ENGINE"); engine != "postgres" {
		return nil, fmt.Errorf("rehearsal: SPICEDB_DATASTORE_ENGINE is %q: the rehearsal runs postgres only", engine)
	}
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("rehearsal: datastore address %q: %w", addr, err)
	}
	var logins []DatastoreLogin
	for _, name := range datastoreURIVars {
		raw, ok := env.Get(name)
		if !ok {
			if name == "SPICEDB_DATASTORE_CONN_URI" {
				return nil, fmt.Errorf("rehearsal: %s is not set", name)
			}
			continue
		}
		red.add(raw)
		u, err := url.Parse(raw)
		if err != nil {
			// url errors quote the input, which holds the password.
			return nil, fmt.Errorf("rehearsal: %s is not a valid URI", name)
		}
		if u.Scheme != "postgres" && u.Scheme != "postgresql" {
			return nil, fmt.Errorf("rehearsal: %s: scheme %q, want postgres", name, u.Scheme)
		}
		password, _ := u.User.Password()
		red.add(password, url.QueryEscape(password), url.PathEscape(password))
		login := DatastoreLogin{User: u.User.Username(), Password: password, Database: trimSlash(u.Path)}
		if login.User == "" || login.Database == "" {
			return nil, fmt.Errorf("rehearsal: %s names no user or no database", name)
		}
		if !slices.Contains(logins, login) {
			logins = append(logins, login)
		}
		u.Host = addr
		rewritten := u.String()
		red.add(rewritten)
		env.set(name, rewritten)
	}
	return logins, nil
}

func trimSlash(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p[1:]
	}
	return p
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func containerName(def types.ContainerDefinition) string {
	if def.Name == nil {
		return "(unnamed)"
	}
	return *def.Name
}
