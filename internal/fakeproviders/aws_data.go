package fakeproviders

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// dataKinds: RDS and Secrets Manager. ForceNew facts from terraform-provider-aws
// (aws_db_instance, aws_db_subnet_group, aws_db_parameter_group, aws_secretsmanager_*).
func dataKinds() map[string]*kind {
	return map[string]*kind{
		"aws:rds/subnetGroup:SubnetGroup": {
			required:      []string{"subnetIds"},
			autoname:      "name",
			autonameMax:   255,
			autonameLower: true,
			uniqueName:    true,
			replaceOn:     []string{"name", "namePrefix"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name := str(c.in, "name")
				return name, resource.PropertyMap{
					"arn":                   strProp(c.arn("rds", "subgrp:"+name)),
					"description":           strProp(defaultDescription),
					"supportedNetworkTypes": strArray("IPV4"),
					"vpcId":                 strProp("vpc-" + c.hex(17, "vpc")),
				}, nil
			},
		},
		"aws:rds/parameterGroup:ParameterGroup": {
			required:      []string{"family"},
			autoname:      "name",
			autonameMax:   255,
			autonameLower: true,
			uniqueName:    true,
			replaceOn:     []string{"name", "namePrefix", "family", "description"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name := str(c.in, "name")
				return name, resource.PropertyMap{
					"arn":         strProp(c.arn("rds", "pg:"+name)),
					"description": strProp(defaultDescription),
				}, nil
			},
		},
		"aws:rds/instance:Instance": rdsInstance(),
		"aws:secretsmanager/secret:Secret": {
			autoname:    "name",
			autonameMax: 512,
			uniqueName:  true,
			replaceOn:   []string{"name", "namePrefix"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				arn := c.arn("secretsmanager", "secret:"+str(c.in, "name")+"-"+c.mixedSuffix(6))
				return arn, resource.PropertyMap{
					"arn":                  strProp(arn),
					"recoveryWindowInDays": numProp(30),
				}, nil
			},
		},
		"aws:secretsmanager/secretVersion:SecretVersion": {
			required:      []string{"secretId"},
			replaceOn:     []string{"secretId", "secretString", "secretBinary"},
			secretOutputs: []string{"secretString", "secretBinary"},
			apply: func(in resource.PropertyMap) error {
				if absent(in, "secretString") && absent(in, "secretBinary") {
					return errors.New("InvalidRequestException: You must provide either SecretString or SecretBinary")
				}
				return nil
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				version := randomUUID()
				return str(c.in, "secretId") + "|" + version, resource.PropertyMap{
					"arn":           strProp(str(c.in, "secretId")),
					"versionId":     strProp(version),
					"versionStages": strArray("AWSCURRENT"),
				}, nil
			},
		},
	}
}

// rdsInstance: identifier is autonamed; the credentials are an API-time requirement.
func rdsInstance() *kind {
	return &kind{
		required:      []string{"instanceClass"},
		autoname:      "identifier",
		autonameMax:   63,
		autonameLower: true,
		uniqueName:    true,
		replaceOn: []string{"availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName",
			"engine", "identifier", "identifierPrefix", "kmsKeyId", "ncharCharacterSetName",
			"restoreToPointInTime", "snapshotIdentifier", "storageEncrypted", "timezone", "username"},
		secretOutputs: []string{"password"},
		validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
			return nonNil(
				requireUnless(in, "engine", "replicateSourceDb", "snapshotIdentifier"),
				requireUnless(in, "allocatedStorage", "replicateSourceDb", "snapshotIdentifier"),
			)
		},
		apply: func(in resource.PropertyMap) error {
			if !absent(in, "replicateSourceDb") || !absent(in, "snapshotIdentifier") {
				return nil
			}
			if absent(in, "username") {
				return errors.New("InvalidParameterValue: MasterUsername must be provided")
			}
			if absent(in, "password") && !boolean(in, "manageMasterUserPassword", false) {
				return errors.New("InvalidParameterValue: MasterUserPassword must be provided unless manageMasterUserPassword is true")
			}
			return nil
		},
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			ident := str(c.in, "identifier")
			engine := strings.ToLower(str(c.in, "engine"))
			port := 5432.0
			if strings.Contains(engine, "mysql") || strings.Contains(engine, "mariadb") {
				port = 3306
			}
			port = num(c.in, "port", port)
			address := fmt.Sprintf("%s.c%s.%s.rds.amazonaws.com", ident, c.hex(12, "host"), c.region)
			resourceID := "db-" + strings.ToUpper(c.hex(26, "dbi"))
			version := str(c.in, "engineVersion")
			if version == "" {
				version = "16.4"
			}
			outs := resource.PropertyMap{
				"arn":                 strProp(c.arn("rds", "db:"+ident)),
				"resourceId":          strProp(resourceID),
				"address":             strProp(address),
				"endpoint":            strProp(fmt.Sprintf("%s:%d", address, int(port))),
				"port":                numProp(port),
				"hostedZoneId":        strProp("Z2R2ITUGPM61AM"),
				"status":              strProp("available"),
				"engineVersionActual": strProp(version),
				"availabilityZone":    strProp(c.region + "a"),
				"dbSubnetGroupName":   strProp("default"),
				"masterUserSecrets":   resource.NewArrayProperty(nil),
			}
			if boolean(c.in, "manageMasterUserPassword", false) {
				outs["masterUserSecrets"] = resource.NewArrayProperty([]resource.PropertyValue{
					resource.NewObjectProperty(resource.PropertyMap{
						"secretArn":    strProp(c.arn("secretsmanager", "secret:rds!"+strings.ToLower(resourceID)+"-"+c.mixedSuffix(6))),
						"kmsKeyId":     strProp(c.arn("kms", "key/"+uuidFrom(c.hex(32, "kms")))),
						"secretStatus": strProp("active"),
					}),
				})
			}
			return resourceID, outs, nil
		},
	}
}

// randomUUID is a fresh random UUID, as services hand out for new versions.
func randomUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return uuidFrom(hex.EncodeToString(b))
}

// uuidFrom formats 32 hex characters as a UUID.
func uuidFrom(h string) string {
	h = (h + strings.Repeat("0", 32))[:32]
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
