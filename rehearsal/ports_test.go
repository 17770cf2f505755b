package rehearsal

import (
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

func TestRemapPortsIsConsistentAndDistinctPerReplica(t *testing.T) {
	p := testPlan(t)
	seen := map[int]bool{}
	for range 2 {
		env, err := ResolveEnv(p.Serve, p.SecretValues)
		if err != nil {
			t.Fatal(err)
		}
		ports, err := remapPorts(p.Serve, env)
		if err != nil {
			t.Fatal(err)
		}
		for containerPort, v := range map[int]string{50051: "SPICEDB_GRPC_ADDR", 8443: "SPICEDB_HTTP_ADDR", 9090: "SPICEDB_METRICS_ADDR"} {
			local, ok := ports[containerPort]
			if !ok {
				t.Fatalf("container port %d not mapped: %v", containerPort, ports)
			}
			if got, _ := env.Get(v); got != "127.0.0.1:"+strconv.Itoa(local) {
				t.Errorf("%s = %q, want 127.0.0.1:%d", v, got, local)
			}
			if seen[local] {
				t.Errorf("local port %d handed out twice", local)
			}
			seen[local] = true
		}
	}
}

func TestRemapPortsFailsLoudly(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*types.ContainerDefinition)
		want   string
	}{
		{"mapped port set by nothing", func(d *types.ContainerDefinition) {
			d.PortMappings = append(d.PortMappings, types.PortMapping{ContainerPort: aws.Int32(50053)})
		}, "port mapping 50053 is not set"},
		{"http disabled but mapped", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_HTTP_ENABLED", "false") }, "port mapping 8443"},
		{"listener on built-in default", func(d *types.ContainerDefinition) { dropEnv(d, "SPICEDB_METRICS_ADDR") }, "SPICEDB_METRICS_ADDR is unset"},
		{"dispatch enabled without address", func(d *types.ContainerDefinition) {
			d.Environment = append(d.Environment, types.KeyValuePair{Name: aws.String("SPICEDB_DISPATCH_CLUSTER_ENABLED"), Value: aws.String("true")})
		}, "SPICEDB_DISPATCH_CLUSTER_ADDR is unset"},
		{"bad boolean", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_HTTP_ENABLED", "yes please") }, "not a boolean"},
		{"two listeners one port", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_METRICS_ADDR", ":8443") }, "two listen-address"},
		{"no fixed port", func(d *types.ContainerDefinition) { setEnv(d, "SPICEDB_GRPC_ADDR", ":grpc") }, "not a fixed port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testPlan(t)
			c.mutate(&p.Serve)
			env, err := ResolveEnv(p.Serve, p.SecretValues)
			if err != nil {
				t.Fatal(err)
			}
			_, err = remapPorts(p.Serve, env)
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
