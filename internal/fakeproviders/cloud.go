// Package fakeproviders serves in-process fake Pulumi resource providers (aws, awsx,
// random, tls, command) over gRPC so the real Pulumi engine can deploy a program offline.
//
// The fakes behave like a small cloud rather than an echo: Check rejects inputs the real
// schema requires, Diff reports the replacements the real providers force, Create returns
// realistic ids and ARNs (unknown during preview), secret inputs stay secret, and every
// create/update/delete is recorded so tests can assert what the engine did.
//
// Run the engine against the fakes in the environment Cloud.EngineEnv returns (its
// PULUMI_DEBUG_PROVIDERS=Cloud.DebugProvidersEnv() points the engine at them).
package fakeproviders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// Account is the AWS account id every fake ARN uses.
const Account = "123456789012"

// DefaultRegion is used when the aws provider has no region configured.
const DefaultRegion = "us-east-1"

// Op is an operation the engine asked a fake provider to perform for real (not a preview).
type Op string

// Operations recorded in the ledger.
const (
	OpCreate  Op = "create"
	OpUpdate  Op = "update"
	OpDelete  Op = "delete"
	OpReplace Op = "replace" // a create that replaced an existing resource with the same URN
)

// Event is one recorded operation.
type Event struct {
	Op   Op
	URN  string
	Type string
	ID   string
}

// CommandRun records that a command:local:Command "ran" (nothing is executed).
type CommandRun struct {
	URN     string
	Op      Op     // OpCreate, OpUpdate or OpDelete
	Command string // the command text, or "[secret]" when it arrived as a secret
}

// LiveResource is a resource that currently exists in the fake cloud.
type LiveResource struct {
	URN     string
	Type    string
	ID      string
	Inputs  resource.PropertyMap
	Outputs resource.PropertyMap

	gen int
}

// Cloud is the shared state behind all fake providers of one Start call.
type Cloud struct {
	mu             sync.Mutex
	live           map[string]LiveResource
	events         []Event
	commands       []CommandRun
	pendingReplace map[string]bool
	revisions      map[string]int
	generations    map[string]int
	// replaced holds resources superseded by a create-before-delete replacement until
	// the engine deletes them (ids may repeat, e.g. a task definition's family).
	replaced map[string][]LiveResource

	providers []*fakeProvider
	ports     map[string]int
	cancels   []chan bool
	dones     []<-chan error
}

// Start serves the five fake providers on free loopback ports. Stop them with Stop.
func Start(ctx context.Context) (*Cloud, error) {
	c := &Cloud{
		live:           map[string]LiveResource{},
		pendingReplace: map[string]bool{},
		revisions:      map[string]int{},
		generations:    map[string]int{},
		replaced:       map[string][]LiveResource{},
		ports:          map[string]int{},
	}
	for _, p := range []*fakeProvider{
		newAWS(c), newAWSX(c), newRandom(c), newTLS(c), newCommand(c),
	} {
		if err := ctx.Err(); err != nil {
			c.Stop()
			return nil, fmt.Errorf("fakeproviders: start: %w", err)
		}
		cancel := make(chan bool)
		handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
			Cancel: cancel,
			Init: func(s *grpc.Server) error {
				pulumirpc.RegisterResourceProviderServer(s, p)
				return nil
			},
		})
		if err != nil {
			close(cancel)
			c.Stop()
			return nil, fmt.Errorf("fakeproviders: serve %s: %w", p.pkg, err)
		}
		c.providers = append(c.providers, p)
		c.ports[p.pkg] = handle.Port
		c.cancels = append(c.cancels, cancel)
		c.dones = append(c.dones, handle.Done)
	}
	return c, nil
}

// Stop shuts every provider server down gracefully and waits for them.
func (c *Cloud) Stop() {
	c.mu.Lock()
	cancels, dones := c.cancels, c.dones
	c.cancels, c.dones = nil, nil
	c.mu.Unlock()
	for _, cancel := range cancels {
		close(cancel)
	}
	for _, done := range dones {
		<-done
	}
}

// DebugProvidersEnv is the value for PULUMI_DEBUG_PROVIDERS, e.g. "aws:4000,awsx:4001,...".
func (c *Cloud) DebugProvidersEnv() string {
	parts := make([]string, 0, len(c.ports))
	for _, pkg := range []string{"aws", "awsx", "random", "tls", "command"} {
		if port, ok := c.ports[pkg]; ok {
			parts = append(parts, fmt.Sprintf("%s:%d", pkg, port))
		}
	}
	return strings.Join(parts, ",")
}

// Events returns every recorded operation in order.
func (c *Cloud) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

// nextGeneration counts real creates per URN so replacements get fresh ids.
func (c *Cloud) nextGeneration(urn string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.generations[urn]++
	return c.generations[urn]
}

// generation is the creation generation of the live resource, or -1 if the cloud does
// not know it (state created by another Cloud).
func (c *Cloud) generation(urn, id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.live[urn]; ok && r.ID == id {
		return r.gen
	}
	return -1
}

// Count is how often op happened to the resource with this URN.
func (c *Cloud) Count(op Op, urn string) int {
	return c.count(func(e Event) bool { return e.Op == op && e.URN == urn })
}

// CountType is how often op happened to resources of this type token.
func (c *Cloud) CountType(op Op, typ string) int {
	return c.count(func(e Event) bool { return e.Op == op && e.Type == typ })
}

func (c *Cloud) count(match func(Event) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, e := range c.events {
		if match(e) {
			n++
		}
	}
	return n
}

// CommandRuns returns every command:local:Command create/update/delete in order.
func (c *Cloud) CommandRuns() []CommandRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]CommandRun(nil), c.commands...)
}

// Live returns the resources that currently exist, keyed by URN.
func (c *Cloud) Live() map[string]LiveResource {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]LiveResource, len(c.live))
	for k, v := range c.live {
		out[k] = v
	}
	return out
}

// LiveOfType returns the live resources of one type token.
func (c *Cloud) LiveOfType(typ string) []LiveResource {
	var out []LiveResource
	for _, r := range c.Live() {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// RPCCalls reports how often the engine called each RPC of the package's fake provider;
// it documents the protocol the engine actually speaks.
func (c *Cloud) RPCCalls(pkg string) map[string]int {
	for _, p := range c.providers {
		if p.pkg == pkg {
			p.mu.Lock()
			defer p.mu.Unlock()
			out := make(map[string]int, len(p.calls))
			for k, v := range p.calls {
				out[k] = v
			}
			return out
		}
	}
	return nil
}

// ResetLedger forgets recorded events and command runs but keeps the live resources,
// so a test can assert on one deployment at a time.
func (c *Cloud) ResetLedger() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events, c.commands = nil, nil
}

func (c *Cloud) markReplace(urn string, replace bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pendingReplace[urn] = replace
}

// recordCreate stores the new resource; a create whose URN already lives, or that follows
// a Diff asking for replacement, counts as a replacement too.
func (c *Cloud) recordCreate(r LiveResource) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, exists := c.live[r.URN]
	if exists {
		c.replaced[r.URN] = append(c.replaced[r.URN], old)
	}
	c.events = append(c.events, Event{Op: OpCreate, URN: r.URN, Type: r.Type, ID: r.ID})
	if exists || c.pendingReplace[r.URN] {
		c.events = append(c.events, Event{Op: OpReplace, URN: r.URN, Type: r.Type, ID: r.ID})
	}
	delete(c.pendingReplace, r.URN)
	c.live[r.URN] = r
}

func (c *Cloud) recordUpdate(r LiveResource) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, Event{Op: OpUpdate, URN: r.URN, Type: r.Type, ID: r.ID})
	c.live[r.URN] = r
}

// recordDelete removes a superseded resource of a create-before-delete replacement if
// there is one, otherwise the live resource.
func (c *Cloud) recordDelete(urn, typ, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.events = append(c.events, Event{Op: OpDelete, URN: urn, Type: typ, ID: id})
	if olds := c.replaced[urn]; len(olds) > 0 {
		c.replaced[urn] = olds[1:]
		return
	}
	delete(c.live, urn)
}

func (c *Cloud) lookup(urn string) (LiveResource, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.live[urn]
	return r, ok
}

// nameTaken reports whether a live resource of typ already uses this name, which the real
// API rejects — notably when an explicitly named resource is replaced create-before-delete
// (the old one still holds the name).
func (c *Cloud) nameTaken(typ, prop, name string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.live {
		if r.Type == typ && str(r.Outputs, prop) == name {
			return true
		}
	}
	return false
}

func (c *Cloud) recordCommand(run CommandRun) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commands = append(c.commands, run)
}

// nextRevision hands out ECS task definition revisions per family, as ECS does.
func (c *Cloud) nextRevision(family string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.revisions[family]++
	return c.revisions[family]
}

var errUnsupported = errors.New("unsupported by the fake provider")
