package service

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// secretSource is one Secrets Manager secret a container reads.
type secretSource struct {
	Arn pulumi.StringOutput
	// VersionID is the version of the secret's current value; Secrets
	// Manager issues a new one whenever the value changes.
	VersionID pulumi.StringOutput
}

// secretSources maps each secret environment variable to the secret ECS
// reads it from. Container `secrets` entries, their SECRETS_VERSION
// fingerprint and each task definition's execution role GetSecretValue
// grant are all derived from it and from the per-container name lists
// (serveSecretNames, migrateSecretNames), so the three cannot drift apart.
type secretSources map[string]secretSource

// arns resolves the sources to env var name → secret ARN.
func (s secretSources) arns() pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for name, src := range s {
		m[name] = src.Arn
	}
	return m.ToStringMapOutput()
}

// versionIDs resolves the sources to env var name → current version id.
func (s secretSources) versionIDs() pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for name, src := range s {
		m[name] = src.VersionID
	}
	return m.ToStringMapOutput()
}

// secretRefsFor returns the `secrets` entries for the named variables, in
// the order given.
func secretRefsFor(arns map[string]string, names []string) ([]secretRef, error) {
	refs := make([]secretRef, 0, len(names))
	for _, name := range names {
		arn, ok := arns[name]
		if !ok || arn == "" {
			return nil, fmt.Errorf("service: no secret ARN for %s", name)
		}
		refs = append(refs, secretRef{Name: name, ValueFrom: arn})
	}
	return refs, nil
}

// secretsFingerprint is the SECRETS_VERSION value of a container reading
// the named secrets: their version ids, comma-separated in the order of its
// `secrets` entries. ECS resolves `secrets` only when a task starts and the
// ARNs do not change with the values, so without this a new value would
// leave the task definition, and thus the running tasks, as they were.
// Version ids are opaque and say nothing about the values.
func secretsFingerprint(versionIDs map[string]string, names []string) (string, error) {
	ids := make([]string, 0, len(names))
	for _, name := range names {
		id, ok := versionIDs[name]
		if !ok || id == "" {
			return "", fmt.Errorf("service: no secret version id for %s", name)
		}
		ids = append(ids, id)
	}
	return strings.Join(ids, ","), nil
}

// referencedSecretArns is the sorted, de-duplicated set of ARNs that a
// container with the named secrets points its `secrets` entries at: what
// that container's execution role may read.
func referencedSecretArns(arns map[string]string, names []string) ([]string, error) {
	refs, err := secretRefsFor(arns, names)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(refs))
	for _, ref := range refs {
		out = append(out, ref.ValueFrom)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
