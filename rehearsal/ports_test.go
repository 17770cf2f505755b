package rehearsal

import (
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestBindToTaskIPKeepsRenderedPorts(t *testing.T) {
	p := dispatchPlan(t)
	env, err := ResolveEnv(p.Serve, p.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	listeners, err := taskListeners(p.Serve, env)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := listenerPorts(listeners), []int{8443, 9090, 50051, 50053}; !slices.Equal(got, want) {
		t.Errorf("served ports %v, want %v", got, want)
	}
	bindToTaskIP(env, listeners, "127.9.8.7")
	for v, want := range map[string]string{
		"SPICEDB_GRPC_ADDR":             "127.9.8.7:50051",
		"SPICEDB_HTTP_ADDR":             "127.9.8.7:8443",
		"SPICEDB_METRICS_ADDR":          "127.9.8.7:9090",
		"SPICEDB_DISPATCH_CLUSTER_ADDR": "127.9.8.7:50053",
	} {
		if got, _ := env.Get(v); got != want {
			t.Errorf("%s = %q, want %q", v, got, want)
		}
	}
}

func TestPickTaskIPsGivesDistinctFreeLoopbackAddresses(t *testing.T) {
	ports := []int{8443, 9090, 50051, 50053}
	a, err := pickTaskIPs(3, ports)
	if err != nil {
		t.Fatal(err)
	}
	b, err := pickTaskIPs(3, ports)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ip := range append(a, b...) {
		parsed := net.ParseIP(ip)
		if parsed == nil || !parsed.IsLoopback() || ip == "127.0.0.1" {
			t.Errorf("%s is not a private loopback address", ip)
		}
		seen[ip] = true
	}
	if len(seen) != 6 {
		t.Errorf("addresses repeat: %v %v", a, b)
	}
	if err := allBindable(a, ports); err != nil {
		t.Errorf("picked addresses are not free: %v", err)
	}
	// A port in use on one address of a block rules that block out.
	ln, err := net.Listen("tcp", a[1]+":50051")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := allBindable(a, ports); err == nil {
		t.Error("allBindable ignores a port in use")
	}
	if _, err := pickTaskIPs(0, ports); err == nil {
		t.Error("0 replicas accepted")
	}
}

func TestTaskListenersFailLoudly(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*types.ContainerDefinition)
		want   string
	}{
		{"mapped port set by nothing", func(d *types.ContainerDefinition) {
			d.PortMappings = append(d.PortMappings, types.PortMapping{ContainerPort: aws.Int32(50099)})
		}, "port mapping 50099 is not set"},
		{"http disabled but mapped", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_HTTP_ENABLED", "false") }, "port mapping 8443"},
		{"listener on built-in default", func(d *types.ContainerDefinition) { dropEnv(d, "SPICEDB_METRICS_ADDR") }, "SPICEDB_METRICS_ADDR is unset"},
		{"dispatch enabled without address", func(d *types.ContainerDefinition) { dropEnv(d, "SPICEDB_DISPATCH_CLUSTER_ADDR") },
			"SPICEDB_DISPATCH_CLUSTER_ADDR is unset"},
		{"bad boolean", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_HTTP_ENABLED", "yes please") }, "not a boolean"},
		{"two listeners one port", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_METRICS_ADDR", ":8443") }, "two listen-address"},
		{"no fixed port", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_GRPC_ADDR", ":grpc") }, "not a fixed port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := dispatchPlan(t)
			c.mutate(&p.Serve)
			env, err := ResolveEnv(p.Serve, p.SecretValues)
			if err != nil {
				t.Fatal(err)
			}
			_, err = taskListeners(p.Serve, env)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
		})
	}
}

func setEnv(d *types.ContainerDefinition, name, value string) {
	for i := range d.Environment {
		if *d.Environment[i].Name == name {
			d.Environment[i].Value = aws.String(value)
		}
	}
}

func dropEnv(d *types.ContainerDefinition, name string) {
	var kept []types.KeyValuePair
	for _, kv := range d.Environment {
		if *kv.Name != name {
			kept = append(kept, kv)
		}
	}
	d.Environment = kept
}
