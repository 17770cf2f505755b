package rehearsal

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
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

// taskListener is an enabled server of a container and the port it declares.
type taskListener struct {
	addrVar string
	port    int
}

// taskListeners finds every enabled server of a serve container and the port
// its address variable declares. Every port mapping must be one of them, so
// what the task definition exposes is what runs. A server left on SpiceDB's
// built-in default address (all interfaces) cannot be bound to a task IP
// and is an error.
func taskListeners(def types.ContainerDefinition, env Env) ([]taskListener, error) {
	name := containerName(def)
	var out []taskListener
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
		if !enabled {
			continue
		}
		addr, set := env.Get(l.addrVar)
		if !set {
			return nil, fmt.Errorf("rehearsal: container %s: %s is unset, so SpiceDB would listen on its built-in default; set it explicitly", name, l.addrVar)
		}
		port, err := portOf(addr)
		if err != nil {
			return nil, fmt.Errorf("rehearsal: container %s: %s=%q: %w", name, l.addrVar, addr, err)
		}
		if slices.Contains(listenerPorts(out), port) {
			return nil, fmt.Errorf("rehearsal: container %s: port %d is set by two listen-address variables", name, port)
		}
		out = append(out, taskListener{addrVar: l.addrVar, port: port})
	}
	for _, pm := range def.PortMappings {
		if pm.ContainerPort == nil {
			return nil, fmt.Errorf("rehearsal: container %s: port mapping without containerPort", name)
		}
		if !slices.Contains(listenerPorts(out), int(*pm.ContainerPort)) {
			return nil, fmt.Errorf("rehearsal: container %s: port mapping %d is not set by any enabled listen-address variable (%s)",
				name, *pm.ContainerPort, listenerVarNames())
		}
	}
	return out, nil
}

// bindToTaskIP points every listener at ip, keeping its port: awsvpc gives
// each Fargate task its own address, and the rehearsal gives each replica
// its own loopback address, so ports stay as rendered.
func bindToTaskIP(env Env, listeners []taskListener, ip string) {
	for _, l := range listeners {
		env.set(l.addrVar, net.JoinHostPort(ip, strconv.Itoa(l.port)))
	}
}

// listenerPorts lists the ports, sorted.
func listenerPorts(ls []taskListener) []int {
	out := make([]int, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.port)
	}
	slices.Sort(out)
	return out
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
