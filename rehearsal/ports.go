package rehearsal

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/spicedb-ecs/spicedb-ecs/rehearsal/internal/freeport"
)

// listener is a SpiceDB server that binds a port: the variable that sets its
// address, and whether (and by which variable) it is enabled by default.
type listener struct {
	addrVar    string
	enabledVar string // "" = always on
	defaultOn  bool
}

// spicedbListeners are the servers `spicedb serve` can start (pkg/cmd/serve.go).
var spicedbListeners = []listener{
	{addrVar: "SPICEDB_GRPC_ADDR", defaultOn: true},
	{addrVar: "SPICEDB_HTTP_ADDR", enabledVar: "SPICEDB_HTTP_ENABLED"},
	{addrVar: "SPICEDB_METRICS_ADDR", enabledVar: "SPICEDB_METRICS_ENABLED", defaultOn: true},
	{addrVar: "SPICEDB_DISPATCH_CLUSTER_ADDR", enabledVar: "SPICEDB_DISPATCH_CLUSTER_ENABLED"},
}

// PortMap maps a container port to the loopback port a local replica uses.
type PortMap map[int]int

// remapPorts gives one replica its own loopback ports. Every enabled server's
// address variable is rewritten to 127.0.0.1:<free>; every port mapping must
// be set by one of those variables, so the mapping from container port to
// local port is known and consistent. A server left on SpiceDB's built-in
// default address cannot be remapped and is an error.
func remapPorts(def types.ContainerDefinition, env Env) (PortMap, error) {
	name := containerName(def)
	ports := PortMap{}
	for _, l := range spicedbListeners {
		enabled := l.defaultOn
		if l.enabledVar != "" {
			if v, ok := env.Get(l.enabledVar); ok {
				b, err := strconv.ParseBool(v)
				if err != nil {
					return nil, fmt.Errorf("rehearsal: container %s: %s=%q is not a boolean", name, l.enabledVar, v)
				}
				enabled = b
			}
		}
		addr, set := env.Get(l.addrVar)
		if !enabled {
			continue
		}
		if !set {
			return nil, fmt.Errorf("rehearsal: container %s: %s is unset, so SpiceDB would listen on its built-in default; set it explicitly", name, l.addrVar)
		}
		containerPort, err := portOf(addr)
		if err != nil {
			return nil, fmt.Errorf("rehearsal: container %s: %s=%q: %w", name, l.addrVar, addr, err)
		}
		if _, dup := ports[containerPort]; dup {
			return nil, fmt.Errorf("rehearsal: container %s: port %d is set by two listen-address variables", name, containerPort)
		}
		local, err := freeport.Get()
		if err != nil {
			return nil, fmt.Errorf("rehearsal: container %s: %w", name, err)
		}
		ports[containerPort] = local
		env.set(l.addrVar, "127.0.0.1:"+strconv.Itoa(local))
	}
	for _, pm := range def.PortMappings {
		if pm.ContainerPort == nil {
			return nil, fmt.Errorf("rehearsal: container %s: port mapping without containerPort", name)
		}
		if _, ok := ports[int(*pm.ContainerPort)]; !ok {
			return nil, fmt.Errorf("rehearsal: container %s: port mapping %d is not set by any enabled listen-address variable (%s)",
				name, *pm.ContainerPort, listenerVarNames())
		}
	}
	return ports, nil
}

func portOf(addr string) (int, error) {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("port %q is not a fixed port", p)
	}
	return port, nil
}

func listenerVarNames() string {
	names := make([]string, 0, len(spicedbListeners))
	for _, l := range spicedbListeners {
		names = append(names, l.addrVar)
	}
	return strings.Join(names, ", ")
}
