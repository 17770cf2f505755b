package rehearsal

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Dispatch between serve tasks. The program turns on SpiceDB's dispatch
// server in every serve task and points SPICEDB_DISPATCH_UPSTREAM_ADDR at
// dns:///<name>:<port>, a Cloud Map name whose A records are the tasks'
// addresses. The rehearsal answers that name itself (discoveryDNS) with the
// task IPs of the running replicas, and points the upstream at that server:
// dns://<server>/<name>:<port>, the form gRPC's resolver offers for asking a
// given DNS server. Name and port stay as rendered.

const (
	dispatchEnabledVar  = "SPICEDB_DISPATCH_CLUSTER_ENABLED"
	dispatchAddrVar     = "SPICEDB_DISPATCH_CLUSTER_ADDR"
	dispatchUpstreamVar = "SPICEDB_DISPATCH_UPSTREAM_ADDR"
	dnsScheme           = "dns:///"
)

// dispatchTarget is the rendered upstream: the name the tasks resolve and
// the port they dial.
type dispatchTarget struct {
	Name string
	Port int
}

// parseDispatch reads a serve container's dispatch settings. It returns nil
// when the container dispatches nowhere. An upstream the rehearsal cannot
// stand in for, or one that dials a port the tasks do not serve dispatch
// on, is an error.
func parseDispatch(env Env) (*dispatchTarget, error) {
	upstream, set := env.Get(dispatchUpstreamVar)
	if !set || upstream == "" {
		return nil, nil
	}
	enabled, _ := env.Get(dispatchEnabledVar)
	if on, err := strconv.ParseBool(enabled); err != nil || !on {
		return nil, fmt.Errorf("rehearsal: %s is set but the tasks serve no dispatch (%s=%q): an external dispatch cluster is not emulated",
			dispatchUpstreamVar, dispatchEnabledVar, enabled)
	}
	rest, ok := strings.CutPrefix(upstream, dnsScheme)
	if !ok {
		return nil, fmt.Errorf("rehearsal: %s=%q: only %s<name>:<port> (resolved by the platform DNS) is emulated", dispatchUpstreamVar, upstream, dnsScheme)
	}
	host, portText, err := net.SplitHostPort(rest)
	if err != nil || host == "" {
		return nil, fmt.Errorf("rehearsal: %s=%q: want %s<name>:<port>", dispatchUpstreamVar, upstream, dnsScheme)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("rehearsal: %s=%q: port is not a number", dispatchUpstreamVar, upstream)
	}
	served, _ := env.Get(dispatchAddrVar)
	if servedPort, err := portOf(served); err != nil || servedPort != port {
		return nil, fmt.Errorf("rehearsal: %s dials port %d but %s=%q: the tasks would not reach each other",
			dispatchUpstreamVar, port, dispatchAddrVar, served)
	}
	return &dispatchTarget{Name: host, Port: port}, nil
}

// pointDispatchAt makes a container resolve its dispatch upstream at the
// DNS server dnsAddr.
func pointDispatchAt(env Env, t dispatchTarget, dnsAddr string) {
	env.set(dispatchUpstreamVar, "dns://"+dnsAddr+"/"+net.JoinHostPort(t.Name, strconv.Itoa(t.Port)))
}
