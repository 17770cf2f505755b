package automation_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spicedb-ecs/spicedb-ecs/internal/testkit"
	"github.com/spicedb-ecs/spicedb-ecs/stack"
)

// TestEngineRejectsInvalidConfig: the stack's validation error reaches the
// caller unchanged, naming the key, and the engine creates nothing.
func TestEngineRejectsInvalidConfig(t *testing.T) {
	cases := []struct {
		name   string
		config map[string]string
		want   []string // each must appear in the error
	}{
		{
			name:   "vpc cidr without prefix length",
			config: map[string]string{"network.vpcCidr": "10.0.0.0"},
			want:   []string{`network.vpcCidr: "10.0.0.0" is not usable`},
		},
		{
			name:   "memory Fargate does not offer for the cpu",
			config: map[string]string{"spicedb.cpu": "512", "spicedb.memoryMiB": "512"},
			want:   []string{"spicedb.cpu/spicedb.memoryMiB", "cpu 512 with memory 512 MiB is not a Fargate size"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			s := h.open(t, "dev", tc.config, nil)
			_, err := s.Up(context.Background())
			if err == nil {
				t.Fatalf("up succeeded with invalid config %v", tc.config)
			}
			var invalid *stack.InvalidConfigError
			if !errors.As(err, &invalid) {
				t.Errorf("error is not a *stack.InvalidConfigError: %v", err)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if live := h.env.Cloud.Live(); len(live) != 0 {
				t.Errorf("%d resources created despite invalid config", len(live))
			}
			if ev := h.env.Cloud.Events(); len(ev) != 0 {
				t.Errorf("the cloud saw %+v despite invalid config", ev)
			}
			for _, urn := range stateResources(t, s) {
				if !strings.HasSuffix(urn, "::pulumi:pulumi:Stack::spicedb-ecs-dev") {
					t.Errorf("state holds %s; want nothing but the stack", urn)
				}
			}
		})
	}
}

// TestEngineProdWithOverrides deploys prod with an ACM certificate for a
// domain and extra preshared keys given as a secret override.
func TestEngineProdWithOverrides(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t)
	extraKeys := []string{
		"rotation-key-one-0123456789abcdefghijklmnop",
		"rotation-key-two-0123456789abcdefghijklmnop",
	}
	s := h.open(t, "prod",
		map[string]string{"tls.domainName": "spicedb.example.com", "tls.hostedZoneId": "Z0123456789ABCDEFGHIJ"},
		map[string]string{"additionalPresharedKeys": strings.Join(extraKeys, ",")})
	if _, err := s.Up(ctx); err != nil {
		t.Fatalf("up prod: %v", err)
	}
	out, err := s.Outputs(ctx)
	if err != nil {
		t.Fatalf("outputs: %v", err)
	}
	if out.Endpoint != "spicedb.example.com:443" {
		t.Errorf("endpoint = %q, want the domain name on 443", out.Endpoint)
	}
	if out.CACertificate != "" {
		t.Errorf("caCertificate is set; an ACM certificate needs no private CA")
	}
	if out.PresharedKey.Reveal() == "" {
		t.Errorf("presharedKey is empty")
	}
	for _, typ := range []string{"aws:acm/certificate:Certificate", "aws:acm/certificateValidation:CertificateValidation"} {
		if n := len(h.env.Cloud.LiveOfType(typ)); n != 1 {
			t.Errorf("%d live %s, want 1", n, typ)
		}
	}
	if n := len(h.env.Cloud.LiveOfType("aws:ec2/subnet:Subnet")); n != 6 {
		t.Errorf("%d subnets, want 6 (prod: 3 AZs, public and private)", n)
	}

	stackFile, err := os.ReadFile(filepath.Join(h.env.ProjectDir, "Pulumi.prod.yaml"))
	if err != nil {
		t.Fatalf("read stack file: %v", err)
	}
	if !strings.Contains(string(stackFile), "spicedb-ecs:additionalPresharedKeys:\n    secure: ") {
		t.Errorf("Pulumi.prod.yaml does not hold additionalPresharedKeys encrypted:\n%s", stackFile)
	}
	live := h.env.LiveSecrets()
	// The override reached the program intact (it goes in on stdin).
	if !slices.ContainsFunc(live, func(s string) bool {
		return strings.Contains(s, extraKeys[0]) && strings.Contains(s, extraKeys[1])
	}) {
		t.Errorf("no live secret value holds the additional preshared keys")
	}
	secrets := append(live, extraKeys...)
	minSecrets(t, secrets, 6) // 2 passwords, 2 secret values, 2 extra keys
	testkit.AssertFilesHoldNoSecret(t, h.env.ProjectDir, secrets)
	testkit.AssertFilesHoldNoSecret(t, h.env.StateDir, secrets)
	testkit.AssertNoSecret(t, "progress output", h.progress.String(), secrets)
	testkit.AssertNoSecret(t, "engine events", h.eventsJSON(t), secrets)
}
