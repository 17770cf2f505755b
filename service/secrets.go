package service

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// secretSources maps each secret environment variable to the Secrets Manager
// secret ECS reads it from. Container `secrets` entries and the execution
// role's GetSecretValue grant are both derived from it and from the
// per-container name lists (serveSecretNames, migrateSecretNames), so the
// role can read exactly what the containers reference.
type secretSources map[string]pulumi.StringOutput

// resolved turns the sources into one output of env var name → ARN.
func (s secretSources) resolved() pulumi.StringMapOutput {
	m := pulumi.StringMap{}
	for name, arn := range s {
		m[name] = arn
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

// referencedSecretArns is the sorted, de-duplicated set of ARNs that any of
// the given containers' `secrets` entries point at.
func referencedSecretArns(arns map[string]string, containers ...[]string) ([]string, error) {
	var out []string
	for _, names := range containers {
		refs, err := secretRefsFor(arns, names)
		if err != nil {
			return nil, err
		}
		for _, ref := range refs {
			out = append(out, ref.ValueFrom)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
