package service

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// presharedKeyLength is in alphanumeric characters (~285 bits). Letters and
// digits only: SpiceDB splits the setting on commas and rejects quotes.
const presharedKeyLength = 48

// presharedKey is the generated key and the secret holding every accepted key.
type presharedKey struct {
	Key       pulumi.StringOutput // secret
	SecretArn pulumi.StringOutput
	// SecretVersionID changes whenever the stored keys do (a regenerated
	// key, a changed AdditionalPresharedKeys).
	SecretVersionID pulumi.StringOutput
}

// newPresharedKey generates the key and stores it, followed by any
// additional keys (for rotation), comma-separated in one secret: SpiceDB
// accepts any key listed in SPICEDB_GRPC_PRESHARED_KEY.
func newPresharedKey(ctx *pulumi.Context, name string, args Args, opts []pulumi.ResourceOption) (*presharedKey, error) {
	password, err := random.NewRandomPassword(ctx, name+"-preshared-key", &random.RandomPasswordArgs{
		Length:  pulumi.Int(presharedKeyLength),
		Special: pulumi.Bool(false),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: preshared key: %w", err)
	}
	secretArgs := &secretsmanager.SecretArgs{
		Description: pulumi.String("SpiceDB gRPC preshared keys (comma-separated; any listed key is accepted)"),
		Tags:        pulumi.ToStringMap(args.Tags),
	}
	if args.SecretsKmsKeyArn != "" {
		secretArgs.KmsKeyId = pulumi.String(args.SecretsKmsKeyArn)
	}
	secret, err := secretsmanager.NewSecret(ctx, name+"-preshared-key", secretArgs, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: preshared key secret: %w", err)
	}
	var additional pulumi.StringInput = pulumi.String("")
	if args.AdditionalPresharedKeys != nil {
		additional = args.AdditionalPresharedKeys
	}
	value := pulumi.All(password.Result, additional).ApplyT(func(v []any) (string, error) {
		return joinPresharedKeys(v[0].(string), v[1].(string))
	}).(pulumi.StringOutput)
	version, err := secretsmanager.NewSecretVersion(ctx, name+"-preshared-key", &secretsmanager.SecretVersionArgs{
		SecretId:     secret.ID(),
		SecretString: pulumi.ToSecret(value).(pulumi.StringOutput),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("service: preshared key secret version: %w", err)
	}
	return &presharedKey{
		Key:             pulumi.ToSecret(password.Result).(pulumi.StringOutput),
		SecretArn:       secret.Arn,
		SecretVersionID: version.VersionId,
	}, nil
}

// joinPresharedKeys puts the generated key first, then the additional ones.
// Errors name positions only, never a key.
func joinPresharedKeys(generated, additional string) (string, error) {
	keys := []string{generated}
	if strings.TrimSpace(additional) != "" {
		for i, key := range strings.Split(additional, ",") {
			key = strings.TrimSpace(key)
			switch {
			case key == "":
				return "", fmt.Errorf("service: AdditionalPresharedKeys (additionalPresharedKeys): entry %d is empty (SpiceDB refuses to start); accepted: comma-separated keys without quotes", i+1)
			case strings.ContainsAny(key, `"'`):
				return "", fmt.Errorf("service: AdditionalPresharedKeys (additionalPresharedKeys): entry %d contains a quote; accepted: comma-separated keys without quotes", i+1)
			}
			keys = append(keys, key)
		}
	}
	return strings.Join(keys, ","), nil
}
