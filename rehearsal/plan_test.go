package rehearsal

import (
	"fmt"
	"strings"
	"testing"
)

func TestTestPlanDecodesLikeTheTaskDefinition(t *testing.T) {
	p := testPlan(t)
	if err := p.Validate(); err != nil {
		t.Fatalf("test plan invalid: %v", err)
	}
	if got := *p.Serve.Name; got != "spicedb" {
		t.Errorf("serve name %q", got)
	}
	if len(p.Serve.PortMappings) != 3 || *p.Serve.PortMappings[1].ContainerPort != 8443 {
		t.Errorf("port mappings not decoded: %+v", p.Serve.PortMappings)
	}
	if len(p.Serve.Secrets) != 2 || *p.Serve.Secrets[0].ValueFrom != testKeyARN {
		t.Errorf("secrets not decoded: %+v", p.Serve.Secrets)
	}
	if p.Serve.StopTimeout == nil || *p.Serve.StopTimeout != 30 {
		t.Errorf("stopTimeout not decoded")
	}
}

func TestPlanValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Plan)
		want   string
	}{
		{"listener not TLS", func(p *Plan) { p.Listener.Protocol = "TCP" }, "TLS listeners only"},
		{"target group not TCP", func(p *Plan) { p.TargetGroup.Protocol = "TLS" }, "TCP target groups only"},
		{"interval too short", func(p *Plan) { p.TargetGroup.HealthCheck.IntervalSeconds = 1 }, "interval 1"},
		{"threshold too low", func(p *Plan) { p.TargetGroup.HealthCheck.HealthyThreshold = 1 }, "healthy threshold 1"},
		{"no health port", func(p *Plan) { p.TargetGroup.HealthCheck.Port = "" }, "port is empty"},
		{"unnamed container", func(p *Plan) { p.Migrate.Name = nil }, "migrate container has no name"},
		{"API default ssl policy", func(p *Plan) { p.Listener.SslPolicy = "ELBSecurityPolicy-2016-08" }, "not emulated"},
		{"unknown alpn policy", func(p *Plan) { p.Listener.AlpnPolicy = "h2" }, "alpn policy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := testPlan(t)
			c.mutate(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Validate() = %v, want containing %q", err, c.want)
			}
		})
	}
	// All problems are reported at once.
	p := testPlan(t)
	p.Listener.Protocol, p.TargetGroup.Protocol = "", ""
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "listener") || !strings.Contains(err.Error(), "target group") {
		t.Errorf("Validate() = %v, want both problems", err)
	}
}

func TestLocalTargetPorts(t *testing.T) {
	ports := PortMap{50051: 41000, 8443: 41001, 9090: 41002}
	cases := []struct {
		name                    string
		tg                      TargetGroupSpec
		wantTraffic, wantHealth int
		wantErr                 string
	}{
		{"health port override", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "8443"}}, 41000, 41001, ""},
		{"traffic-port", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "traffic-port"}}, 41000, 41000, ""},
		{"service container port wins", TargetGroupSpec{Port: 80, ContainerPort: 50051, HealthCheck: HealthCheckSpec{Port: "traffic-port"}}, 41000, 41000, ""},
		{"target port not in container", TargetGroupSpec{Port: 50052, HealthCheck: HealthCheckSpec{Port: "8443"}}, 0, 0, "target port 50052"},
		{"health port not in container", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "8080"}}, 0, 0, "health check port 8080"},
		{"health port garbage", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "http"}}, 0, 0, "neither traffic-port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			traffic, health, err := c.tg.localTargetPorts(ports)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil || traffic != c.wantTraffic || health != c.wantHealth {
				t.Errorf("got %d, %d, %v; want %d, %d", traffic, health, err, c.wantTraffic, c.wantHealth)
			}
		})
	}
}

func TestEndpointFormattingMasksKey(t *testing.T) {
	ep := Endpoint{Addr: "127.0.0.1:1", CAFile: "/x/ca.pem", PresharedKey: "psk-very-secret"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, ep); strings.Contains(got, ep.PresharedKey) {
			t.Errorf("%s leaks the key: %s", verb, got)
		}
	}
}
