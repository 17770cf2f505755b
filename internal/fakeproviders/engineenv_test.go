package fakeproviders

import (
	"context"
	"maps"
	"regexp"
	"testing"
)

func TestEngineEnv(t *testing.T) {
	cloud, err := Start(context.Background())
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(cloud.Stop)
	got := cloud.EngineEnv("/tmp/state", "/tmp/home")
	providers := got["PULUMI_DEBUG_PROVIDERS"]
	if !regexp.MustCompile(`^aws:\d+,awsx:\d+,random:\d+,tls:\d+,command:\d+$`).MatchString(providers) {
		t.Errorf("PULUMI_DEBUG_PROVIDERS = %q, want every fake provider with its port", providers)
	}
	want := map[string]string{
		"PULUMI_BACKEND_URL":                          "file:///tmp/state",
		"PULUMI_HOME":                                 "/tmp/home",
		"PULUMI_CONFIG_PASSPHRASE":                    Passphrase,
		"PULUMI_DEBUG_PROVIDERS":                      providers,
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
	}
	if !maps.Equal(got, want) {
		t.Errorf("EngineEnv = %v\nwant %v", got, want)
	}
}
