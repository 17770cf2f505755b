package fakeproviders

import (
	"context"
	"fmt"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc/peer"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// invokeFunc answers a data-source invoke.
type invokeFunc func(c *Cloud, region string, args resource.PropertyMap) (resource.PropertyMap, error)

// fakeProvider is the gRPC server shared by every fake package; the per-package tables
// (kinds, invokes, construct) make the difference.
type fakeProvider struct {
	pulumirpc.UnimplementedResourceProviderServer

	pkg       string
	version   string
	cloud     *Cloud
	kinds     map[string]*kind
	invokes   map[string]invokeFunc
	construct func(ctx context.Context, p *fakeProvider, req *pulumirpc.ConstructRequest) (*pulumirpc.ConstructResponse, error)

	mu         sync.Mutex
	engineAddr string
	// regions holds the configured region per engine connection: every provider instance
	// (default or explicit) the engine loads dials its own connection to this server.
	regions map[string]string
	calls   map[string]int
}

func newFakeProvider(c *Cloud, pkg, version string) *fakeProvider {
	return &fakeProvider{
		pkg: pkg, version: version, cloud: c,
		kinds: map[string]*kind{}, invokes: map[string]invokeFunc{},
		regions: map[string]string{}, calls: map[string]int{},
	}
}

func (p *fakeProvider) note(rpc string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[rpc]++
}

func peerKey(ctx context.Context) string {
	if pr, ok := peer.FromContext(ctx); ok && pr.Addr != nil {
		return pr.Addr.String()
	}
	return ""
}

func (p *fakeProvider) region(ctx context.Context) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.regions[peerKey(ctx)]; ok && r != "" {
		return r
	}
	return DefaultRegion
}

func (p *fakeProvider) kindOf(typ string) (*kind, error) {
	k, ok := p.kinds[typ]
	if !ok {
		return nil, fmt.Errorf("fakeproviders: %s: resource type %q: %w", p.pkg, typ, errUnsupported)
	}
	return k, nil
}

func (p *fakeProvider) Handshake(ctx context.Context, req *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	p.note("Handshake")
	p.mu.Lock()
	p.engineAddr = req.GetEngineAddress()
	p.mu.Unlock()
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true}, nil
}

func (p *fakeProvider) Attach(ctx context.Context, req *pulumirpc.PluginAttach) (*emptypb.Empty, error) {
	p.note("Attach")
	p.mu.Lock()
	p.engineAddr = req.GetAddress()
	p.mu.Unlock()
	return &emptypb.Empty{}, nil
}

func (p *fakeProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	p.note("GetPluginInfo")
	return &pulumirpc.PluginInfo{Version: p.version}, nil
}

func (p *fakeProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	p.note("GetSchema")
	return &pulumirpc.GetSchemaResponse{
		Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, p.pkg, p.version),
	}, nil
}

func (p *fakeProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	p.note("Cancel")
	return &emptypb.Empty{}, nil
}

func (p *fakeProvider) CheckConfig(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	p.note("CheckConfig")
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

// diffInputs decodes a diff's old inputs (old state from engines that send
// none) and new inputs.
func diffInputs(req *pulumirpc.DiffRequest) (olds, news resource.PropertyMap, err error) {
	oldInputs := req.GetOldInputs()
	if oldInputs == nil {
		oldInputs = req.GetOlds()
	}
	if olds, err = unmarshal(oldInputs); err != nil {
		return nil, nil, err
	}
	news, err = unmarshal(req.GetNews())
	return olds, news, err
}

// DiffConfig reports changed provider settings as in-place updates.
func (p *fakeProvider) DiffConfig(ctx context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	p.note("DiffConfig")
	olds, news, err := diffInputs(req)
	if err != nil {
		return nil, err
	}
	return diffMaps(&kind{}, olds, news, nil), nil
}

func (p *fakeProvider) Configure(ctx context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	p.note("Configure")
	region := req.GetVariables()[p.pkg+":config:region"]
	if args, err := unmarshal(req.GetArgs()); err == nil && str(args, "region") != "" {
		region = str(args, "region")
	}
	p.mu.Lock()
	p.regions[peerKey(ctx)] = region
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true}, nil
}

func (p *fakeProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	p.note("Invoke")
	fn, ok := p.invokes[req.GetTok()]
	if !ok {
		return nil, fmt.Errorf("fakeproviders: %s: invoke %q: %w", p.pkg, req.GetTok(), errUnsupported)
	}
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	ret, err := fn(p.cloud, p.region(ctx), args)
	if err != nil {
		return nil, fmt.Errorf("fakeproviders: invoke %s: %w", req.GetTok(), err)
	}
	out, err := marshal(ret)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}

func (p *fakeProvider) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	p.note("Check")
	typ := string(resource.URN(req.GetUrn()).Type())
	k, err := p.kindOf(typ)
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	if k.autoname != "" && absent(news, k.autoname) && !unknown(news, k.autoname) {
		key := resource.PropertyKey(k.autoname)
		switch {
		case str(olds, k.autoname) != "":
			// Keep the old autoname; on replacement the engine re-checks without olds.
			news[key] = olds[key]
		case req.GetAutonaming().GetProposedName() != "":
			news[key] = strProp(req.GetAutonaming().GetProposedName())
		default:
			news[key] = strProp(k.autonameFor(resource.URN(req.GetUrn()).Name(), req.GetRandomSeed()))
		}
	}
	var failures []*pulumirpc.CheckFailure
	for _, prop := range k.required {
		if absent(news, prop) && !unknown(news, prop) {
			failures = append(failures, missing(prop))
		}
	}
	if k.validate != nil {
		failures = append(failures, k.validate(news)...)
	}
	inputs, err := marshal(news)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

func (p *fakeProvider) Diff(ctx context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	p.note("Diff")
	k, err := p.kindOf(string(resource.URN(req.GetUrn()).Type()))
	if err != nil {
		return nil, err
	}
	olds, news, err := diffInputs(req)
	if err != nil {
		return nil, err
	}
	resp := diffMaps(k, olds, news, req.GetIgnoreChanges())
	p.cloud.markReplace(req.GetUrn(), len(resp.Replaces) > 0)
	return resp, nil
}

func (p *fakeProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	p.note("Create")
	k, c, err := p.newCall(ctx, req.GetUrn(), req.GetProperties(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	in := c.in
	if !c.preview {
		c.gen = p.cloud.nextGeneration(c.urn)
		if k.apply != nil {
			if err := k.apply(in); err != nil {
				return nil, fmt.Errorf("creating %s (%s): %w", c.name, c.typ, err)
			}
		}
		if k.uniqueName && k.autoname != "" && p.cloud.nameTaken(c.typ, k.autoname, str(in, k.autoname)) {
			return nil, fmt.Errorf("creating %s (%s): %s %q already exists", c.name, c.typ, k.autoname, str(in, k.autoname))
		}
	}
	id, outs, props, err := p.outputProps(k, c)
	if err != nil {
		return nil, err
	}
	if !c.preview {
		p.cloud.recordCreate(LiveResource{URN: c.urn, Type: c.typ, ID: id, Inputs: in, Outputs: outs, gen: c.gen})
		if k.afterWrite != nil {
			k.afterWrite(c, OpCreate)
		}
	} else {
		id = ""
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

// newCall resolves the kind of a resource and decodes its new inputs: the
// start of both Create and Update.
func (p *fakeProvider) newCall(ctx context.Context, rawURN string, news *structpb.Struct, preview bool) (*kind, *call, error) {
	urn := resource.URN(rawURN)
	k, err := p.kindOf(string(urn.Type()))
	if err != nil {
		return nil, nil, err
	}
	in, err := unmarshal(news)
	if err != nil {
		return nil, nil, err
	}
	return k, &call{urn: string(urn), name: urn.Name(), typ: string(urn.Type()), in: in,
		region: p.region(ctx), preview: preview, cloud: p.cloud}, nil
}

// outputProps computes a call's id and outputs, and marshals the outputs.
func (p *fakeProvider) outputProps(k *kind, c *call) (string, resource.PropertyMap, *structpb.Struct, error) {
	id, outs, err := p.outputs(k, c)
	if err != nil {
		return "", nil, nil, err
	}
	props, err := marshal(outs)
	return id, outs, props, err
}

func (p *fakeProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	p.note("Update")
	k, c, err := p.newCall(ctx, req.GetUrn(), req.GetNews(), req.GetPreview())
	if err != nil {
		return nil, err
	}
	if c.old, err = unmarshal(req.GetOlds()); err != nil {
		return nil, err
	}
	in := c.in
	c.oldID, c.gen = req.GetId(), p.cloud.generation(c.urn, req.GetId())
	if !c.preview && k.apply != nil {
		if err := k.apply(in); err != nil {
			return nil, fmt.Errorf("updating %s (%s): %w", c.name, c.typ, err)
		}
	}
	_, outs, props, err := p.outputProps(k, c)
	if err != nil {
		return nil, err
	}
	if !c.preview {
		p.cloud.recordUpdate(LiveResource{URN: c.urn, Type: c.typ, ID: req.GetId(), Inputs: in, Outputs: outs, gen: c.gen})
		if k.afterWrite != nil {
			k.afterWrite(c, OpUpdate)
		}
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *fakeProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	p.note("Delete")
	urn := resource.URN(req.GetUrn())
	k, err := p.kindOf(string(urn.Type()))
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOldInputs())
	if err != nil {
		return nil, err
	}
	p.cloud.recordDelete(string(urn), string(urn.Type()), req.GetId())
	if k.afterDelete != nil {
		k.afterDelete(string(urn), olds)
	}
	return &emptypb.Empty{}, nil
}

// Read answers from the fake cloud's store; a resource the cloud does not know is
// returned as the engine described it (state imported from elsewhere).
func (p *fakeProvider) Read(ctx context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	p.note("Read")
	if r, ok := p.cloud.lookup(req.GetUrn()); ok && r.ID == req.GetId() {
		props, err := marshal(r.Outputs)
		if err != nil {
			return nil, err
		}
		inputs, err := marshal(r.Inputs)
		if err != nil {
			return nil, err
		}
		return &pulumirpc.ReadResponse{Id: r.ID, Properties: props, Inputs: inputs}, nil
	}
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *fakeProvider) Construct(ctx context.Context, req *pulumirpc.ConstructRequest) (*pulumirpc.ConstructResponse, error) {
	p.note("Construct")
	if p.construct == nil {
		return nil, fmt.Errorf("fakeproviders: %s: construct %q: %w", p.pkg, req.GetType(), errUnsupported)
	}
	return p.construct(ctx, p, req)
}

// outputs merges checked inputs with computed outputs. During preview, computed values
// the cloud has not produced yet are unknown; secret inputs and sensitive outputs are
// returned as secrets.
func (p *fakeProvider) outputs(k *kind, c *call) (string, resource.PropertyMap, error) {
	id, computed := "", resource.PropertyMap{}
	if k.outputs != nil {
		var err error
		id, computed, err = k.outputs(c)
		if err != nil {
			return "", nil, fmt.Errorf("fakeproviders: %s %s: %w", c.typ, c.name, err)
		}
	}
	outs := c.in.Copy()
	for key, v := range computed {
		if _, isInput := c.in[key]; isInput && !c.in[key].ContainsUnknowns() {
			continue
		}
		if old, ok := c.old[key]; ok && c.gen < 0 {
			// The cloud never saw this resource being created: keep what it reported then.
			v = old
		}
		if c.preview {
			if c.old == nil {
				v = resource.MakeComputed(resource.NewStringProperty(""))
			} else if old, ok := c.old[key]; !ok || !plain(old).DeepEquals(plain(v)) {
				v = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
		outs[key] = v
	}
	for _, key := range k.secretOutputs {
		if v, ok := outs[resource.PropertyKey(key)]; ok && !v.IsSecret() {
			outs[resource.PropertyKey(key)] = resource.MakeSecret(v)
		}
	}
	for key, v := range outs {
		if isSecret(c.in, key) && !v.IsSecret() {
			outs[key] = resource.MakeSecret(v)
		}
	}
	if id == "" && !c.preview {
		id = c.oldID
	}
	if id == "" && !c.preview {
		id = c.hex(16, "id")
	}
	return id, outs, nil
}
