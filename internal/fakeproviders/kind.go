package fakeproviders

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// kind describes one fake resource type: what Check demands, what forces replacement,
// and how the "cloud" computes outputs. Keep each table entry small and cite the real
// provider's behaviour in a comment where it is not obvious.
type kind struct {
	// required inputs (schema Required); a missing one fails Check, an unknown one passes.
	required []string
	// validate adds schema-level Check failures; it must tolerate unknown values.
	validate func(in resource.PropertyMap) []*pulumirpc.CheckFailure
	// autoname is the input the real provider fills with "<logical name>-<7 hex>" when unset.
	autoname string
	// autonameMax truncates the logical name so the autoname fits the service limit.
	autonameMax int
	// autonameLower lowercases autonames for services that only accept lowercase.
	autonameLower bool
	// uniqueName makes Create fail when a live resource of the type already has the name.
	uniqueName bool
	// replaceOn lists top-level inputs whose change forces replacement (ForceNew).
	replaceOn []string
	// replaceAllBut forces replacement for every input except these (nil: disabled).
	replaceAllBut []string
	// replaceIf adds replacement keys that depend on old and new values together.
	replaceIf func(olds, news resource.PropertyMap) []string
	// secretOutputs are outputs the real provider marks sensitive.
	secretOutputs []string
	// apply rejects what the cloud API (not the schema) rejects; it runs only when a
	// create or update really happens, never in preview.
	apply func(in resource.PropertyMap) error
	// outputs computes the id and the computed outputs from checked inputs.
	outputs func(c *call) (string, resource.PropertyMap, error)
	// afterWrite observes a successful real create/update (e.g. command runs).
	afterWrite func(c *call, op Op)
	// afterDelete observes a real delete.
	afterDelete func(urn string, olds resource.PropertyMap)
}

// call is the context an outputs function sees.
type call struct {
	urn     string
	name    string
	typ     string
	in      resource.PropertyMap
	region  string
	preview bool
	oldID   string               // empty on create
	gen     int                  // creation generation of this URN; -1: unknown to this cloud
	old     resource.PropertyMap // previous outputs on update, nil on create
	cloud   *Cloud
}

func (c *call) arn(service, rest string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, c.region, Account, rest)
}

// hex returns n hex characters derived from the URN, its creation generation and salt:
// stable across updates, new for every replacement (as real ids are).
func (c *call) hex(n int, salt string) string {
	return hashOf(c.urn, strconv.Itoa(c.gen), salt)[:n]
}

func (k *kind) replaces(key string) bool {
	if k.replaceAllBut != nil {
		for _, s := range k.replaceAllBut {
			if s == key {
				return false
			}
		}
		return true
	}
	for _, s := range k.replaceOn {
		if s == key {
			return true
		}
	}
	return false
}

func missing(prop string) *pulumirpc.CheckFailure {
	return &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf("Missing required property '%s'", prop)}
}

func invalid(prop, format string, args ...any) *pulumirpc.CheckFailure {
	return &pulumirpc.CheckFailure{Property: prop, Reason: fmt.Sprintf("invalid value for '%s': %s", prop, fmt.Sprintf(format, args...))}
}

// requireUnless fails prop as missing unless it is set, unknown, or any of the
// alternatives is set or unknown.
func requireUnless(in resource.PropertyMap, prop string, alternatives ...string) *pulumirpc.CheckFailure {
	if !absent(in, prop) || unknown(in, prop) {
		return nil
	}
	for _, alt := range alternatives {
		if !absent(in, alt) || unknown(in, alt) {
			return nil
		}
	}
	f := missing(prop)
	if len(alternatives) > 0 {
		f.Reason += " (or one of: " + strings.Join(alternatives, ", ") + ")"
	}
	return f
}

// autonameFor builds "<logical>-<7 hex>" from the engine's random seed, like pulumi-aws.
func (k *kind) autonameFor(logical string, seed []byte) string {
	base := logical
	if k.autonameMax > 8 && len(base) > k.autonameMax-8 {
		base = base[:k.autonameMax-8]
	}
	if k.autonameLower {
		base = strings.ToLower(base)
	}
	return base + "-" + hashOf(string(seed), logical)[:7]
}

func nonNil(fs ...*pulumirpc.CheckFailure) []*pulumirpc.CheckFailure {
	var out []*pulumirpc.CheckFailure
	for _, f := range fs {
		if f != nil {
			out = append(out, f)
		}
	}
	return out
}
