package service

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	awsxecr "github.com/pulumi/pulumi-awsx/sdk/v2/go/awsx/ecr"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// dockerfileVersionArg is the build argument the repository's Dockerfile
// takes (`FROM authzed/spicedb:${SPICEDB_VERSION}`).
const dockerfileVersionArg = "SPICEDB_VERSION"

// newImage returns the image URI the tasks run. With Args.ImageURI it is
// used as is and nothing is created; otherwise an ECR repository is created
// and the repository's Dockerfile is built for the task's CPU architecture
// and pushed. The URI is digest-pinned, so a new build yields a new task
// definition revision (and so a new migration and rollout).
func newImage(ctx *pulumi.Context, name string, args Args, plat platform, buildContext string, opts []pulumi.ResourceOption) (pulumi.StringOutput, error) {
	if args.ImageURI != "" {
		return pulumi.String(args.ImageURI).ToStringOutput(), nil
	}
	repo, err := ecr.NewRepository(ctx, name+"-repo", &ecr.RepositoryArgs{
		// Tags are never moved: a task definition always names what it ran.
		ImageTagMutability:         pulumi.String("IMMUTABLE"),
		ImageScanningConfiguration: ecr.RepositoryImageScanningConfigurationArgs{ScanOnPush: pulumi.Bool(true)},
		EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{
			ecr.RepositoryEncryptionConfigurationArgs{EncryptionType: pulumi.String("AES256")},
		},
		// Every image in it is a rebuild of a public one; don't block a
		// stack's destroy on them.
		ForceDelete: pulumi.Bool(true),
		Tags:        pulumi.ToStringMap(args.Tags),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("service: ecr repository: %w", err)
	}
	policy, err := keepLastImagesPolicy(args.KeepImages)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	_, err = ecr.NewLifecyclePolicy(ctx, name+"-repo-lifecycle", &ecr.LifecyclePolicyArgs{
		Repository: repo.Name,
		Policy:     pulumi.String(policy),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("service: ecr lifecycle policy: %w", err)
	}
	image, err := awsxecr.NewImage(ctx, name+"-image", &awsxecr.ImageArgs{
		RepositoryUrl: repo.RepositoryUrl,
		Context:       pulumi.String(buildContext),
		Platform:      pulumi.String(plat.docker),
		Args:          pulumi.StringMap{dockerfileVersionArg: pulumi.String(args.SpiceDBVersion)},
		// awsx's own tag is a hash of context, Dockerfile and build args but
		// not the platform, so switching architecture would push a different
		// image under an existing tag, which the immutable repository
		// refuses. Version and architecture name what was built; tasks use
		// the digest anyway.
		ImageTag: pulumi.String(imageTag(args.SpiceDBVersion, plat)),
	}, opts...)
	if err != nil {
		return pulumi.StringOutput{}, fmt.Errorf("service: image: %w", err)
	}
	return image.ImageUri, nil
}

// imageTag is what the stack's ECR repository calls one build.
func imageTag(version string, plat platform) string {
	return version + "-" + strings.ToLower(plat.cpuArchitecture)
}

// lifecycleRule is one ECR lifecycle rule.
type lifecycleRule struct {
	RulePriority int    `json:"rulePriority"`
	Description  string `json:"description"`
	Selection    struct {
		TagStatus   string `json:"tagStatus"`
		CountType   string `json:"countType"`
		CountNumber int    `json:"countNumber"`
	} `json:"selection"`
	Action struct {
		Type string `json:"type"`
	} `json:"action"`
}

// keepLastImagesPolicy expires all but the newest keep images.
func keepLastImagesPolicy(keep int) (string, error) {
	rule := lifecycleRule{RulePriority: 1, Description: fmt.Sprintf("keep the last %d images", keep)}
	rule.Selection.TagStatus = "any"
	rule.Selection.CountType = "imageCountMoreThan"
	rule.Selection.CountNumber = keep
	rule.Action.Type = "expire"
	b, err := json.Marshal(struct {
		Rules []lifecycleRule `json:"rules"`
	}{[]lifecycleRule{rule}})
	if err != nil {
		return "", fmt.Errorf("service: ecr lifecycle policy: %w", err)
	}
	return string(b), nil
}
