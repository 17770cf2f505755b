package fakeproviders

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// AWSXVersion is the pulumi-awsx version the fake reports.
const AWSXVersion = "2.22.0"

// newAWSX serves awsx as the component provider it is: Construct registers the component
// and, for the VPC, real aws children (handled by the fake aws provider), so previews
// show unknown ids for new networks exactly as with the real awsx.
func newAWSX(c *Cloud) *fakeProvider {
	p := newFakeProvider(c, "awsx", AWSXVersion)
	p.construct = constructAWSX
	return p
}

func constructAWSX(ctx context.Context, p *fakeProvider, req *pulumirpc.ConstructRequest) (*pulumirpc.ConstructResponse, error) {
	p.mu.Lock()
	engineAddr := p.engineAddr
	p.mu.Unlock()
	// A fresh connection per call: the SDK closes the engine connection with the context.
	conn, err := grpc.NewClient(engineAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, fmt.Errorf("fakeproviders: awsx: dial engine: %w", err)
	}
	defer conn.Close()
	return provider.Construct(ctx, req, conn, func(pctx *pulumi.Context, typ, name string,
		inputs provider.ConstructInputs, opts pulumi.ResourceOption,
	) (*provider.ConstructResult, error) {
		switch typ {
		case "awsx:ec2:Vpc":
			return constructVpc(pctx, name, inputs, opts)
		case "awsx:ecr:Image":
			return constructImage(pctx, name, inputs, opts)
		}
		return nil, fmt.Errorf("fakeproviders: awsx: component %q: %w", typ, errUnsupported)
	})
}

type vpcComponent struct {
	pulumi.ResourceState

	VpcID             pulumi.StringOutput      `pulumi:"vpcId"`
	PublicSubnetIDs   pulumi.StringArrayOutput `pulumi:"publicSubnetIds"`
	PrivateSubnetIDs  pulumi.StringArrayOutput `pulumi:"privateSubnetIds"`
	IsolatedSubnetIDs pulumi.StringArrayOutput `pulumi:"isolatedSubnetIds"`
}

// vpcArgs is the part of awsx.ec2.VpcArgs the fake honours.
type vpcArgs struct {
	CidrBlock                 *string  `pulumi:"cidrBlock"`
	NumberOfAvailabilityZones *int     `pulumi:"numberOfAvailabilityZones"`
	AvailabilityZoneNames     []string `pulumi:"availabilityZoneNames"`
	SubnetSpecs               []struct {
		Type string `pulumi:"type"`
	} `pulumi:"subnetSpecs"`
	EnableDNSHostnames pulumi.BoolPtrInput `pulumi:"enableDnsHostnames"`
}

// awsChild is a bare custom resource so the fake needs no pulumi-aws SDK packages.
type awsChild struct {
	pulumi.CustomResourceState
}

func constructVpc(ctx *pulumi.Context, name string, inputs provider.ConstructInputs, opts pulumi.ResourceOption) (*provider.ConstructResult, error) {
	var args vpcArgs
	if err := inputs.CopyTo(&args); err != nil {
		return nil, fmt.Errorf("awsx:ec2:Vpc %s: inputs: %w", name, err)
	}
	cidr := "10.0.0.0/16"
	if args.CidrBlock != nil {
		cidr = *args.CidrBlock
	}
	azs := args.AvailabilityZoneNames
	if len(azs) == 0 {
		n := 3 // awsx's default
		if args.NumberOfAvailabilityZones != nil {
			n = *args.NumberOfAvailabilityZones
		}
		region := DefaultRegion
		if r, ok := ctx.GetConfig("aws:region"); ok {
			region = r
		}
		azs = azNames(region, n)
	}
	tiers := []string{"Private", "Public"}
	if len(args.SubnetSpecs) > 0 {
		tiers = tiers[:0]
		for _, s := range args.SubnetSpecs {
			tiers = append(tiers, s.Type)
		}
	}

	comp := &vpcComponent{}
	if err := ctx.RegisterComponentResource("awsx:ec2:Vpc", name, comp, opts); err != nil {
		return nil, err
	}
	var dnsHostnames pulumi.Input = pulumi.Bool(true)
	if args.EnableDNSHostnames != nil {
		dnsHostnames = args.EnableDNSHostnames
	}
	child := []pulumi.ResourceOption{pulumi.Parent(comp), pulumi.Version(AWSVersion)}
	vpc := &awsChild{}
	if err := ctx.RegisterResource("aws:ec2/vpc:Vpc", name, pulumi.Map{
		"cidrBlock":          pulumi.String(cidr),
		"enableDnsHostnames": dnsHostnames,
		"enableDnsSupport":   pulumi.Bool(true),
	}, vpc, child...); err != nil {
		return nil, err
	}
	ids := map[string]pulumi.StringArray{}
	block := 0
	for _, tier := range tiers {
		for ai, az := range azs {
			subnetCIDR, err := nthSubnet(cidr, block)
			if err != nil {
				return nil, fmt.Errorf("awsx:ec2:Vpc %s: %w", name, err)
			}
			block++
			subnet := &awsChild{}
			subnetName := fmt.Sprintf("%s-%s-%d", name, strings.ToLower(tier), ai+1)
			if err := ctx.RegisterResource("aws:ec2/subnet:Subnet", subnetName, pulumi.Map{
				"vpcId":               vpc.ID(),
				"cidrBlock":           pulumi.String(subnetCIDR),
				"availabilityZone":    pulumi.String(az),
				"mapPublicIpOnLaunch": pulumi.Bool(tier == "Public"),
			}, subnet, child...); err != nil {
				return nil, err
			}
			ids[tier] = append(ids[tier], subnet.ID().ToStringOutput())
		}
	}
	comp.VpcID = vpc.ID().ToStringOutput()
	comp.PublicSubnetIDs = ids["Public"].ToStringArrayOutput()
	comp.PrivateSubnetIDs = ids["Private"].ToStringArrayOutput()
	comp.IsolatedSubnetIDs = ids["Isolated"].ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"vpcId":             comp.VpcID,
		"publicSubnetIds":   comp.PublicSubnetIDs,
		"privateSubnetIds":  comp.PrivateSubnetIDs,
		"isolatedSubnetIds": comp.IsolatedSubnetIDs,
	}); err != nil {
		return nil, err
	}
	return provider.NewConstructResult(comp)
}

// nthSubnet carves the n-th subnet, four bits longer than the VPC prefix, out of cidr.
func nthSubnet(cidr string, n int) (string, error) {
	_, network, err := net.ParseCIDR(cidr)
	if err != nil {
		return "", fmt.Errorf("cidrBlock %q: %w", cidr, err)
	}
	ones, bits := network.Mask.Size()
	if n >= 16 || ones+4 > bits || bits != 32 {
		return "", fmt.Errorf("cidrBlock %q has no room for subnet %d", cidr, n)
	}
	ip := network.IP.To4()
	base := uint32(ip[0])<<24 | uint32(ip[1])<<16 | uint32(ip[2])<<8 | uint32(ip[3])
	base += uint32(n) << uint(bits-ones-4)
	return fmt.Sprintf("%d.%d.%d.%d/%d", byte(base>>24), byte(base>>16), byte(base>>8), byte(base), ones+4), nil
}

type imageComponent struct {
	pulumi.ResourceState

	ImageURI pulumi.StringOutput `pulumi:"imageUri"`
}

// constructImage "builds" nothing: the image URI is the repository URL pinned to a digest
// derived from the build inputs, so changing any of them changes the URI.
func constructImage(ctx *pulumi.Context, name string, inputs provider.ConstructInputs, opts pulumi.ResourceOption) (*provider.ConstructResult, error) {
	in, err := inputs.Map()
	if err != nil {
		return nil, fmt.Errorf("awsx:ecr:Image %s: inputs: %w", name, err)
	}
	if _, ok := in["repositoryUrl"]; !ok {
		return nil, fmt.Errorf("awsx:ecr:Image %s: missing required property 'repositoryUrl'", name)
	}
	comp := &imageComponent{}
	if err := ctx.RegisterComponentResource("awsx:ecr:Image", name, comp, opts); err != nil {
		return nil, err
	}
	comp.ImageURI = in.ToMapOutput().ApplyT(func(m map[string]any) (string, error) {
		url, _ := m["repositoryUrl"].(string)
		if url == "" {
			return "", fmt.Errorf("awsx:ecr:Image %s: repositoryUrl is empty", name)
		}
		spec, err := json.Marshal(m) // map keys marshal sorted: a stable digest
		if err != nil {
			return "", fmt.Errorf("awsx:ecr:Image %s: digest: %w", name, err)
		}
		return url + "@sha256:" + hashOf(string(spec)), nil
	}).(pulumi.StringOutput)
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{"imageUri": comp.ImageURI}); err != nil {
		return nil, err
	}
	return provider.NewConstructResult(comp)
}
