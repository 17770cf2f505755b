package rehearsal

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseDispatchReadsTheRendering(t *testing.T) {
	if got, err := parseDispatch(mustResolveEnv(t, devPlan(t))); err != nil || got != nil {
		t.Fatalf("dev renders dispatch off, yet parseDispatch = %+v, %v", got, err)
	}
	p := dispatchPlan(t)
	env, err := ResolveEnv(p.Serve, p.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseDispatch(env)
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Port != 50053 || !strings.HasPrefix(got.Name, "dispatch.") {
		t.Fatalf("dispatch target %+v, want dispatch.<namespace> on 50053", got)
	}
	pointDispatchAt(env, *got, "127.0.0.1:5353")
	if v, _ := env.Get(dispatchUpstreamVar); v != "dns://127.0.0.1:5353/"+got.Name+":50053" {
		t.Errorf("upstream rewritten to %q", v)
	}
}

func TestParseDispatchRefusesWhatItCannotStandIn(t *testing.T) {
	cases := []struct {
		name    string
		env     Env
		want    string
		wantNil bool
	}{
		{"no dispatch", Env{{Name: dispatchEnabledVar, Value: "false"}}, "", true},
		{"server without upstream", Env{{Name: dispatchEnabledVar, Value: "true"}, {Name: dispatchAddrVar, Value: ":50053"}}, "", true},
		{"external dispatch cluster", Env{{Name: dispatchUpstreamVar, Value: "dns:///d.example.internal:50053"}}, "external dispatch cluster", false},
		{"kubernetes resolver", Env{{Name: dispatchEnabledVar, Value: "true"}, {Name: dispatchAddrVar, Value: ":50053"},
			{Name: dispatchUpstreamVar, Value: "kubernetes:///spicedb.default:dispatch"}}, "only dns:///", false},
		{"own DNS server", Env{{Name: dispatchEnabledVar, Value: "true"}, {Name: dispatchAddrVar, Value: ":50053"},
			{Name: dispatchUpstreamVar, Value: "dns://10.0.0.2/d.internal:50053"}}, "only dns:///", false},
		{"no port", Env{{Name: dispatchEnabledVar, Value: "true"}, {Name: dispatchAddrVar, Value: ":50053"},
			{Name: dispatchUpstreamVar, Value: "dns:///d.internal"}}, "want dns:///<name>:<port>", false},
		{"peers dial another port", Env{{Name: dispatchEnabledVar, Value: "true"}, {Name: dispatchAddrVar, Value: ":50053"},
			{Name: dispatchUpstreamVar, Value: "dns:///d.internal:50054"}}, "would not reach each other", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseDispatch(c.env)
			if c.wantNil {
				if got != nil || err != nil {
					t.Fatalf("got %+v, %v; want nothing", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want containing %q", err, c.want)
			}
		})
	}
}

// TestDiscoveryDNSAnswersLikeCloudMap asks the server the way gRPC's dns
// resolver does (Go's resolver, dialling the given authority).
func TestDiscoveryDNSAnswersLikeCloudMap(t *testing.T) {
	const name = "dispatch.spicedb.dev.internal"
	d, err := startDiscoveryDNS(name)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	var secondAlive atomic.Bool
	secondAlive.Store(true)
	for ip, alive := range map[string]func() bool{
		"127.10.0.1": func() bool { return true },
		"127.10.0.2": secondAlive.Load,
	} {
		if err := d.register(ip, alive); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.register("::1", nil); err == nil {
		t.Error("an IPv6 member was accepted for an A-record service")
	}
	resolver := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var dialer net.Dialer
		return dialer.DialContext(ctx, network, d.Addr())
	}}
	lookup := func(host string) ([]string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		addrs, err := resolver.LookupHost(ctx, host)
		slices.Sort(addrs)
		return addrs, err
	}

	got, err := lookup(name)
	if err != nil || !slices.Equal(got, []string{"127.10.0.1", "127.10.0.2"}) {
		t.Errorf("members: %v, %v", got, err)
	}
	secondAlive.Store(false)
	if got, err := lookup(strings.ToUpper(name)); err != nil || !slices.Equal(got, []string{"127.10.0.1"}) {
		t.Errorf("after a task stopped: %v, %v (want only the running one; names are case-insensitive)", got, err)
	}
	var dnsErr *net.DNSError
	if _, err := lookup("other.spicedb.dev.internal"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Errorf("unknown name: %v, want not found", err)
	}
	if d.Queries() < 2 {
		t.Errorf("%d A queries counted, want at least 2", d.Queries())
	}
	if _, err := d.answer([]byte("not dns")); err == nil {
		t.Error("garbage parsed as a query")
	}
}

func mustResolveEnv(t *testing.T, p Plan) Env {
	t.Helper()
	env, err := ResolveEnv(p.Serve, p.SecretValues)
	if err != nil {
		t.Fatal(err)
	}
	return env
}
