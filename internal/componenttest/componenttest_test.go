package componenttest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/acm"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/appautoscaling"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecs"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/route53"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/spicedb-ecs/spicedb-ecs/internal/pulumimock"
)

// TestUntaggableMatchesTheSDK keeps Untaggable honest: each listed type's
// Args struct must really lack Tags, or AssertTagged would skip a resource
// that should carry them.
func TestUntaggableMatchesTheSDK(t *testing.T) {
	args := map[string]any{
		"aws:secretsmanager/secretVersion:SecretVersion":                            secretsmanager.SecretVersionArgs{},
		"aws:iam/rolePolicy:RolePolicy":                                             iam.RolePolicyArgs{},
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                         iam.RolePolicyAttachmentArgs{},
		"aws:appautoscaling/policy:Policy":                                          appautoscaling.PolicyArgs{},
		"aws:route53/record:Record":                                                 route53.RecordArgs{},
		"aws:ecr/lifecyclePolicy:LifecyclePolicy":                                   ecr.LifecyclePolicyArgs{},
		"aws:acm/certificateValidation:CertificateValidation":                       acm.CertificateValidationArgs{},
		"aws:ecs/clusterCapacityProviders:ClusterCapacityProviders":                 ecs.ClusterCapacityProvidersArgs{},
		"aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": ec2.VpcEndpointRouteTableAssociationArgs{},
	}
	for typ := range Untaggable {
		a, ok := args[typ]
		if !ok {
			t.Errorf("%s is listed as untaggable but this test does not know its Args type", typ)
			continue
		}
		if _, hasTags := reflect.TypeOf(a).FieldByName("Tags"); hasTags {
			t.Errorf("%s is listed as untaggable but %T has Tags", typ, a)
		}
	}
	// A taggable control, so the reflection itself is known to work.
	if _, hasTags := reflect.TypeOf(ec2.SecurityGroupArgs{}).FieldByName("Tags"); !hasTags {
		t.Error("ec2.SecurityGroupArgs has no Tags field; the check above proves nothing")
	}
}

// recorder is a testing.TB that collects Errorf calls instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

type fakeComponent struct{ pulumi.ResourceState }

// program registers a component with a tagged child, an untagged child, a
// child with an extra tag, a grandchild, an untaggable child and one
// resource outside the component.
func program(ctx *pulumi.Context) error {
	c := &fakeComponent{}
	if err := ctx.RegisterComponentResource("spicedb-ecs:test:Thing", "thing", c); err != nil {
		return err
	}
	tagged, err := ec2.NewSecurityGroup(ctx, "tagged", &ec2.SecurityGroupArgs{Tags: pulumi.StringMap{"stack": pulumi.String("test")}}, pulumi.Parent(c))
	if err != nil {
		return err
	}
	if _, err := ec2.NewSecurityGroup(ctx, "grandchild", &ec2.SecurityGroupArgs{Tags: pulumi.StringMap{"stack": pulumi.String("test")}}, pulumi.Parent(tagged)); err != nil {
		return err
	}
	if _, err := ec2.NewSecurityGroup(ctx, "untagged", &ec2.SecurityGroupArgs{}, pulumi.Parent(c)); err != nil {
		return err
	}
	if _, err := ec2.NewSecurityGroup(ctx, "extra", &ec2.SecurityGroupArgs{
		Tags: pulumi.StringMap{"stack": pulumi.String("test"), "team": pulumi.String("authz")},
	}, pulumi.Parent(c)); err != nil {
		return err
	}
	if _, err := secretsmanager.NewSecretVersion(ctx, "version", &secretsmanager.SecretVersionArgs{
		SecretId: pulumi.String("arn:aws:secretsmanager:us-east-1:123456789012:secret:x"), SecretString: pulumi.String("hunter2-secret"),
	}, pulumi.Parent(c)); err != nil {
		return err
	}
	_, err = ec2.NewSecurityGroup(ctx, "orphan", &ec2.SecurityGroupArgs{
		Tags: pulumi.StringMap{"stack": pulumi.String("test")}, Description: pulumi.String("leaks hunter2-plain"),
	})
	return err
}

func TestAssertions(t *testing.T) {
	m, err := pulumimock.Run(program, pulumimock.Options{Project: "spicedb-ecs", Stack: "test", Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	root := Component(t, m, "spicedb-ecs:test:Thing")

	parents := &recorder{TB: t}
	AssertDescendFrom(parents, m, root)
	if len(parents.errors) != 1 || !strings.Contains(parents.errors[0], `"orphan"`) {
		t.Errorf("AssertDescendFrom reported %q, want only the orphan", parents.errors)
	}

	orphan, ok := m.Named("aws:ec2/securityGroup:SecurityGroup", "orphan")
	if !ok {
		t.Fatal("no orphan registered")
	}
	elsewhere := &recorder{TB: t}
	AssertDescendFrom(elsewhere, m, root, orphan)
	if len(elsewhere.errors) != 0 {
		t.Errorf("AssertDescendFrom with the orphan owned elsewhere reported %q, want nothing", elsewhere.errors)
	}

	tags := &recorder{TB: t}
	AssertTagged(tags, m, map[string]string{"stack": "test"})
	if len(tags.errors) != 1 || !strings.Contains(tags.errors[0], `"untagged"`) {
		t.Errorf("AssertTagged reported %q, want only the untagged group", tags.errors)
	}

	exact := &recorder{TB: t}
	AssertTaggedExactly(exact, m, map[string]string{"stack": "test"})
	// Registration order under mocks varies; the report follows it.
	slices.Sort(exact.errors)
	if len(exact.errors) != 2 || !strings.Contains(exact.errors[0], `"extra": unexpected tag team=authz`) ||
		!strings.Contains(exact.errors[1], `"untagged": missing tag stack="test"`) {
		t.Errorf("AssertTaggedExactly reported %q, want the untagged group and the extra tag", exact.errors)
	}

	// The SDK marks secretString secret, so only the description leaks.
	leaks := PlaintextLeaks(t, m, "hunter2")
	want := []string{`aws:ec2/securityGroup:SecurityGroup "orphan" inputs.description`, `aws:ec2/securityGroup:SecurityGroup "orphan" outputs.description`}
	if !slices.Equal(leaks, want) {
		t.Errorf("PlaintextLeaks = %q, want %q", leaks, want)
	}
}

func TestFindPlain(t *testing.T) {
	secret := resource.MakeSecret(resource.NewProperty("pw=abc"))
	output := resource.NewProperty(resource.Output{Element: resource.NewProperty("pw=abc"), Known: true, Secret: true})
	plainOutput := resource.NewProperty(resource.Output{Element: resource.NewProperty("pw=abc"), Known: true})
	value := resource.NewProperty(resource.PropertyMap{
		"wrapped":     secret,
		"output":      output,
		"plainOutput": plainOutput,
		"list":        resource.NewProperty([]resource.PropertyValue{resource.NewProperty("x"), resource.NewProperty("has abc")}),
	})
	got := findPlain(value, "abc", "r")
	want := []string{"r.list[1]", "r.plainOutput"}
	if !slices.Equal(got, want) {
		t.Errorf("findPlain = %q, want %q", got, want)
	}
}
