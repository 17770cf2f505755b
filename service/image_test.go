package service

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestArchitectureAgreesBetweenImageAndTasks(t *testing.T) {
	for _, tc := range []struct {
		arch, docker, ecs, tag string
	}{
		{"", "linux/arm64", "ARM64", "v1.56.2-arm64"}, // the default
		{ArchitectureARM64, "linux/arm64", "ARM64", "v1.56.2-arm64"},
		{ArchitectureX8664, "linux/amd64", "X86_64", "v1.56.2-x86_64"},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			run := mustRunService(t, svcTestArgs(func(a *Args) { a.Architecture = tc.arch }))
			image := run.one(t, "awsx:ecr:Image")
			if got := svcInput(image, "platform"); got != tc.docker {
				t.Errorf("image platform %v, want %s", got, tc.docker)
			}
			// Each architecture gets its own tag in the immutable repository.
			if got := svcInput(image, "imageTag"); got != tc.tag {
				t.Errorf("image tag %v, want %s", got, tc.tag)
			}
			for _, td := range run.mocks.OfType(svcTestTaskDefType) {
				rp, _ := svcInput(td, "runtimePlatform").(map[string]any)
				if rp["cpuArchitecture"] != tc.ecs || rp["operatingSystemFamily"] != "LINUX" {
					t.Errorf("%s runtime platform %v, want %s/LINUX", td.Name, rp, tc.ecs)
				}
			}
		})
	}
}

func TestImageBuiltIntoItsOwnRepository(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.SpiceDBVersion = "v1.55.0"; a.KeepImages = 5 }))
	repo := run.one(t, "aws:ecr/repository:Repository")
	image := run.one(t, "awsx:ecr:Image")
	if svcInput(repo, "imageTagMutability") != "IMMUTABLE" {
		t.Error("repository tags are mutable")
	}
	if scan, _ := svcInput(repo, "imageScanningConfiguration").(map[string]any); scan["scanOnPush"] != true {
		t.Error("no scan on push")
	}
	if enc, _ := svcInput(repo, "encryptionConfigurations").([]any); len(enc) != 1 {
		t.Error("no explicit encryption")
	}
	if svcInput(image, "repositoryUrl") != svcOutput(repo, "repositoryUrl") {
		t.Errorf("image pushed to %v", svcInput(image, "repositoryUrl"))
	}
	if args, _ := svcInput(image, "args").(map[string]any); args["SPICEDB_VERSION"] != "v1.55.0" {
		t.Errorf("build args %v", args)
	}
	if ctxDir, _ := svcInput(image, "context").(string); ctxDir == "" {
		t.Error("no build context")
	}
	_, defs := run.containerDefinitions(t, "spicedb-serve")
	if uri := svcOutput(image, "imageUri").(string); defs[0].Image != uri || !strings.Contains(uri, "@sha256:") {
		t.Errorf("serve image %q, want the digest-pinned build %q", defs[0].Image, uri)
	}

	var policy struct {
		Rules []lifecycleRule `json:"rules"`
	}
	lc := run.one(t, "aws:ecr/lifecyclePolicy:LifecyclePolicy")
	if err := json.Unmarshal([]byte(svcInput(lc, "policy").(string)), &policy); err != nil {
		t.Fatal(err)
	}
	if len(policy.Rules) != 1 || policy.Rules[0].Selection.CountNumber != 5 ||
		policy.Rules[0].Selection.CountType != "imageCountMoreThan" || policy.Rules[0].Action.Type != "expire" {
		t.Errorf("lifecycle policy %+v", policy)
	}
	if svcInput(lc, "repository") != svcOutput(repo, "name") {
		t.Errorf("lifecycle policy on %v", svcInput(lc, "repository"))
	}
}

func TestImageURIOverrideSkipsRepositoryAndBuild(t *testing.T) {
	const uri = "mirror.example.internal/spicedb@sha256:0123456789abcdef"
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.ImageURI = uri }))
	for _, typ := range []string{"aws:ecr/repository:Repository", "aws:ecr/lifecyclePolicy:LifecyclePolicy", "awsx:ecr:Image"} {
		if n := len(run.mocks.OfType(typ)); n != 0 {
			t.Errorf("image override still registers %d %s", n, typ)
		}
	}
	for _, td := range []string{"spicedb-serve", "spicedb-migrate"} {
		if _, defs := run.containerDefinitions(t, td); defs[0].Image != uri {
			t.Errorf("%s image %q, want %q", td, defs[0].Image, uri)
		}
	}
}
