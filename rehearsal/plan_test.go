package rehearsal

import (
	"fmt"
	"strings"
	"testing"
)

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
			p := devPlan(t)
			c.mutate(&p)
			err := p.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Validate() = %v, want containing %q", err, c.want)
			}
		})
	}
	// All problems are reported at once.
	p := devPlan(t)
	p.Listener.Protocol, p.TargetGroup.Protocol = "", ""
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "listener") || !strings.Contains(err.Error(), "target group") {
		t.Errorf("Validate() = %v, want both problems", err)
	}
}

func TestTargetPorts(t *testing.T) {
	served := []int{8443, 9090, 50051}
	cases := []struct {
		name                    string
		tg                      TargetGroupSpec
		wantTraffic, wantHealth int
		wantErr                 string
	}{
		{"health port override", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "8443"}}, 50051, 8443, ""},
		{"traffic-port", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "traffic-port"}}, 50051, 50051, ""},
		{"service container port wins", TargetGroupSpec{Port: 80, ContainerPort: 50051, HealthCheck: HealthCheckSpec{Port: "traffic-port"}}, 50051, 50051, ""},
		{"target port not in container", TargetGroupSpec{Port: 50052, HealthCheck: HealthCheckSpec{Port: "8443"}}, 0, 0, "target port 50052"},
		{"health port not in container", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "8080"}}, 0, 0, "health check port 8080"},
		{"health port garbage", TargetGroupSpec{Port: 50051, HealthCheck: HealthCheckSpec{Port: "http"}}, 0, 0, "neither traffic-port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			traffic, health, err := c.tg.targetPorts(served)
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
