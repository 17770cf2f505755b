// Package pulumimock runs Pulumi programs under the SDK's mock monitor and
// records every registered resource, so tests (and the rehearsal) can assert
// on exactly what the program would send to the engine.
package pulumimock

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Resource is one registration the program made.
type Resource struct {
	URN, Type, Name, ID string
	// Parent is the parent's URN; Provider the provider reference, if any.
	Parent, Provider string
	// Custom is false for component resources; Remote marks multi-language
	// components (awsx), whose children the mock never sees.
	Custom, Remote bool
	// DependsOn lists the URNs of explicit and implicit dependencies.
	DependsOn []string
	Inputs    resource.PropertyMap
	Outputs   resource.PropertyMap
}

// Mocks implements pulumi.MockResourceMonitor and remembers what it saw.
type Mocks struct {
	Project, Stack, Region, AccountID string

	mu        sync.Mutex
	resources []Resource
	invokes   []string
}

// New returns mocks for one stack of a project in a region.
func New(project, stack, region string) *Mocks {
	return &Mocks{Project: project, Stack: stack, Region: region, AccountID: "123456789012"}
}

// NewResource records the registration and answers with the outputs the real
// provider would compute (ids, ARNs, endpoints, generated passwords).
func (m *Mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	r := Resource{
		URN:      m.urn(rpc.GetParent(), args.TypeToken, args.Name),
		Type:     args.TypeToken,
		Name:     args.Name,
		Parent:   rpc.GetParent(),
		Provider: args.Provider,
		Custom:   args.Custom,
		Remote:   rpc.GetRemote(),
		Inputs:   args.Inputs,
	}
	r.DependsOn = append(r.DependsOn, rpc.GetDependencies()...)
	for _, deps := range rpc.GetPropertyDependencies() {
		r.DependsOn = append(r.DependsOn, deps.GetUrns()...)
	}
	slices.Sort(r.DependsOn)
	r.DependsOn = slices.Compact(r.DependsOn)

	id, outputs, err := m.computeOutputs(r)
	if err != nil {
		return "", nil, fmt.Errorf("pulumimock: %s %q: %w", r.Type, r.Name, err)
	}
	r.ID, r.Outputs = id, outputs
	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	return id, outputs, nil
}

// urn mirrors the mock monitor's own URN scheme so Parent fields match.
func (m *Mocks) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.Stack), tokens.PackageName(m.Project), parentType, tokens.Type(typ), name))
}

// Resources returns every registration so far, in order.
func (m *Mocks) Resources() []Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.resources)
}

// OfType returns the registrations of one type token.
func (m *Mocks) OfType(typ string) []Resource {
	var out []Resource
	for _, r := range m.Resources() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// One returns the single registration of a type, or an error naming how many there were.
func (m *Mocks) One(typ string) (Resource, error) {
	found := m.OfType(typ)
	if len(found) != 1 {
		return Resource{}, fmt.Errorf("pulumimock: want exactly one %s, found %d", typ, len(found))
	}
	return found[0], nil
}

// Named returns the registration of a type with a name.
func (m *Mocks) Named(typ, name string) (Resource, bool) {
	for _, r := range m.OfType(typ) {
		if r.Name == name {
			return r, true
		}
	}
	return Resource{}, false
}

// ByURN returns the registration with a URN.
func (m *Mocks) ByURN(urn string) (Resource, bool) {
	for _, r := range m.Resources() {
		if r.URN == urn {
			return r, true
		}
	}
	return Resource{}, false
}

// Invokes lists the invoke tokens the program called.
func (m *Mocks) Invokes() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.invokes)
}

// Call answers the data-source invokes the program uses; any other invoke is
// an error so a new, unmocked dependency shows up in tests.
func (m *Mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	m.mu.Lock()
	m.invokes = append(m.invokes, args.Token)
	m.mu.Unlock()
	switch args.Token {
	case "aws:index/getRegion:getRegion":
		return props(map[string]any{"name": m.Region, "region": m.Region, "id": m.Region, "description": m.Region}), nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return props(map[string]any{"accountId": m.AccountID, "arn": "arn:aws:iam::" + m.AccountID + ":user/test", "userId": "AIDATEST", "id": m.AccountID}), nil
	case "aws:index/getPartition:getPartition":
		return props(map[string]any{"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}), nil
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		names := []any{m.Region + "a", m.Region + "b", m.Region + "c"}
		return props(map[string]any{"names": names, "zoneIds": names, "id": m.Region}), nil
	case "aws:ec2/getRouteTables:getRouteTables":
		// One route table per subnet named in an association.subnet-id
		// filter, as awsx creates them (one per subnet); the main route
		// table for an association.main filter.
		ids := []any{}
		if filters := args.Args["filters"]; filters.IsArray() {
			for _, f := range filters.ArrayValue() {
				if f.IsObject() && f.ObjectValue()["name"].StringValue() == "association.main" {
					ids = append(ids, "rtb-main")
				}
				if !f.IsObject() || f.ObjectValue()["name"].StringValue() != "association.subnet-id" {
					continue
				}
				for _, v := range f.ObjectValue()["values"].ArrayValue() {
					ids = append(ids, "rtb-"+strings.TrimPrefix(v.StringValue(), "subnet-"))
				}
			}
		}
		return props(map[string]any{"id": m.Region, "ids": ids}), nil
	case "aws:ec2/getVpc:getVpc":
		id := "vpc-0a1b2c3d4e5f60718"
		if v, ok := args.Args["id"]; ok && v.IsString() {
			id = v.StringValue()
		}
		return props(map[string]any{"id": id, "cidrBlock": ExistingVpcCidr, "arn": m.arn("ec2", "vpc/"+id)}), nil
	}
	return nil, fmt.Errorf("pulumimock: unexpected invoke %s", args.Token)
}

// ExistingVpcCidr is the CIDR block getVpc answers for an adopted VPC.
const ExistingVpcCidr = "10.20.0.0/16"

func (m *Mocks) arn(service, resourcePart string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, m.Region, m.AccountID, resourcePart)
}

func props(values map[string]any) resource.PropertyMap {
	return resource.NewPropertyMapFromMap(values)
}

// module returns the service part of a type token: aws:ecs/service:Service → ecs.
func module(typ string) string {
	parts := strings.Split(typ, ":")
	if len(parts) < 2 {
		return ""
	}
	return strings.SplitN(parts[1], "/", 2)[0]
}
