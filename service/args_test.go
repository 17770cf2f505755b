package service

import (
	"strings"
	"testing"
	"time"
)

func TestValidateFargateSize(t *testing.T) {
	valid := [][2]int{
		{256, 512}, {256, 1024}, {256, 2048},
		{512, 1024}, {512, 4096},
		{1024, 2048}, {1024, 5120}, {1024, 8192},
		{2048, 4096}, {2048, 16384},
		{4096, 8192}, {4096, 30720},
		{8192, 16384}, {8192, 20480}, {8192, 61440},
		{16384, 32768}, {16384, 40960}, {16384, 122880},
	}
	for _, v := range valid {
		if err := ValidateFargateSize(v[0], v[1]); err != nil {
			t.Errorf("cpu %d memory %d: %v", v[0], v[1], err)
		}
	}
	invalid := [][2]int{
		{256, 256}, {256, 768}, {256, 3072},
		{512, 512}, {512, 1536}, {512, 5120},
		{1024, 1024}, {1024, 9216},
		{2048, 2048}, {2048, 17408},
		{4096, 4096}, {4096, 31744},
		{8192, 17408}, {8192, 65536},
		{16384, 36864}, {16384, 131072},
		{128, 512}, {3072, 8192}, {0, 0},
	}
	for _, v := range invalid {
		if err := ValidateFargateSize(v[0], v[1]); err == nil {
			t.Errorf("cpu %d memory %d accepted", v[0], v[1])
		}
	}
}

func TestNewRejectsBadArgsBeforeRegistering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Args)
		want   []string
	}{
		{"fargate size", func(a *Args) { a.CPU, a.MemoryMiB = 512, 512 }, []string{"spicedb.cpu/spicedb.memoryMiB", "cpu 512 with memory 512 MiB"}},
		{"fargate cpu", func(a *Args) { a.CPU = 300 }, []string{"spicedb.cpu/spicedb.memoryMiB", "cpu 300 is not a Fargate size"}},
		{"architecture", func(a *Args) { a.Architecture = "amd64" }, []string{"spicedb.architecture", `"amd64"`}},
		{"gate", func(a *Args) { a.MigrationGate = "initContainer" }, []string{"migrations.gate", "initContainer"}},
		{"log level", func(a *Args) { a.LogLevel = "verbose" }, []string{"spicedb.logLevel"}},
		{"desired above max", func(a *Args) { a.DesiredCount = 5 }, []string{"spicedb.desiredCount", "5"}},
		{"min above max", func(a *Args) { a.Autoscaling = AutoscalingArgs{MinCount: 3, MaxCount: 2} }, []string{"autoscaling.minCount/maxCount"}},
		{"target cpu", func(a *Args) { a.Autoscaling.TargetCPUPercent = 120 }, []string{"autoscaling.targetCpuPercent"}},
		{"tls mixed", func(a *Args) {
			a.TLS = TLSArgs{CertificateArn: "arn:x", DomainName: "a.example.com", HostedZoneID: "Z1"}
		}, []string{"tls"}},
		{"tls domain without zone", func(a *Args) { a.TLS.DomainName = "a.example.com" }, []string{"tls"}},
		{"cidr", func(a *Args) { a.LoadBalancer.AllowedCidrs = []string{"10.0.0.1/8"} }, []string{"loadBalancer.allowedCidrs"}},
		{"listener port", func(a *Args) { a.LoadBalancer.ListenerPort = 70000 }, []string{"loadBalancer.listenerPort"}},
		{"timeout", func(a *Args) { a.MigrationTimeout = time.Second }, []string{"migrations.timeoutMinutes"}},
		{"keep images", func(a *Args) { a.KeepImages = -1 }, []string{"image.keepImages"}},
		{"required", func(a *Args) { a.Datastore = nil; a.DatastoreURISecretArn = nil; a.DatastoreURISecretVersionID = nil },
			[]string{"Datastore is required", "DatastoreURISecretArn is required", "DatastoreURISecretVersionID is required"}},
		{"all at once", func(a *Args) { a.CPU = 300; a.LogLevel = "x"; a.MigrationGate = "y" }, []string{"spicedb.cpu", "spicedb.logLevel", "migrations.gate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run, err := runService(t, svcTestArgs(tc.mutate))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if n := len(run.mocks.Resources()); n != 0 {
				t.Errorf("%d resources registered before the error", n)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	tags := map[string]string{"a": "b"}
	a := Args{Tags: tags}.withDefaults()
	if a.SpiceDBVersion != "v1.56.2" || a.Architecture != "arm64" || a.KeepImages != 10 || a.DesiredCount != 2 ||
		a.CPU != 512 || a.MemoryMiB != 1024 || a.LogLevel != "info" || a.Autoscaling != (AutoscalingArgs{2, 4, 50}) ||
		a.LoadBalancer.ListenerPort != 443 || a.LoadBalancer.SslPolicy != "ELBSecurityPolicy-TLS13-1-2-2021-06" ||
		a.LoadBalancer.DeregistrationDelaySeconds != 60 || a.MigrationGate != "ecsTask" ||
		a.MigrationTimeout != 30*time.Minute || a.LogRetentionDays != 30 {
		t.Errorf("defaults %+v", a)
	}
	a.Tags["c"] = "d"
	if len(tags) != 1 {
		t.Error("withDefaults shares the caller's tag map")
	}
	explicit := Args{CPU: 1024, MemoryMiB: 4096, MigrationGate: "none"}.withDefaults()
	if explicit.CPU != 1024 || explicit.MemoryMiB != 4096 || explicit.MigrationGate != "none" {
		t.Errorf("explicit values overridden: %+v", explicit)
	}
}

func TestNilArgs(t *testing.T) {
	if _, err := runService(t, nil); err == nil || !strings.Contains(err.Error(), "args are required") {
		t.Errorf("err %v", err)
	}
}
