package fakeproviders

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// computeKinds: ECR, ECS, CloudWatch Logs, IAM, Application Auto Scaling. ForceNew facts
// from terraform-provider-aws (a task definition is immutable: every argument except tags,
// skip_destroy and track_latest forces a new revision).
func computeKinds() map[string]*kind {
	return map[string]*kind{
		"aws:ecr/repository:Repository": {
			autoname:      "name",
			autonameMax:   256,
			autonameLower: true,
			uniqueName:    true,
			replaceOn:     []string{"name", "encryptionConfigurations"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name := str(c.in, "name")
				return name, resource.PropertyMap{
					"arn":           strProp(c.arn("ecr", "repository/"+name)),
					"registryId":    strProp(Account),
					"repositoryUrl": strProp(ecrHost(c.region) + "/" + name),
				}, nil
			},
		},
		"aws:ecr/lifecyclePolicy:LifecyclePolicy": {
			required:  []string{"repository", "policy"},
			replaceOn: []string{"repository"},
			validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
				return nonNil(jsonCheck(in, "policy", false))
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				return str(c.in, "repository"), resource.PropertyMap{"registryId": strProp(Account)}, nil
			},
		},
		"aws:ecs/cluster:Cluster": {
			autoname:  "name",
			replaceOn: []string{"name"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				arn := c.arn("ecs", "cluster/"+str(c.in, "name"))
				return arn, resource.PropertyMap{"arn": strProp(arn)}, nil
			},
		},
		"aws:cloudwatch/logGroup:LogGroup": {
			autoname:    "name",
			autonameMax: 512,
			replaceOn:   []string{"name", "namePrefix"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name := str(c.in, "name")
				return name, resource.PropertyMap{
					"arn":             strProp(c.arn("logs", "log-group:"+name)),
					"retentionInDays": numProp(0),
					"logGroupClass":   strProp("STANDARD"),
				}, nil
			},
		},
		"aws:iam/role:Role": {
			required:    []string{"assumeRolePolicy"},
			autoname:    "name",
			autonameMax: 64,
			replaceOn:   []string{"name", "namePrefix", "path"},
			validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
				return nonNil(jsonCheck(in, "assumeRolePolicy", false))
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name, path := str(c.in, "name"), str(c.in, "path")
				if path == "" {
					path = "/"
				}
				return name, resource.PropertyMap{
					"arn":                strProp("arn:aws:iam::" + Account + ":role" + path + name),
					"uniqueId":           strProp("AROA" + strings.ToUpper(c.hex(17, "role"))),
					"path":               strProp("/"),
					"maxSessionDuration": numProp(3600),
					"createDate":         strProp("2025-01-01T00:00:00Z"),
				}, nil
			},
		},
		"aws:iam/rolePolicy:RolePolicy": {
			required:  []string{"role", "policy"},
			autoname:  "name",
			replaceOn: []string{"role", "name", "namePrefix"},
			validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
				return nonNil(jsonCheck(in, "policy", false))
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				return str(c.in, "role") + ":" + str(c.in, "name"), nil, nil
			},
		},
		"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
			required:  []string{"role", "policyArn"},
			replaceOn: []string{"role", "policyArn"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				return str(c.in, "role") + "-" + c.hex(26, "attachment"), nil, nil
			},
		},
		"aws:ecs/taskDefinition:TaskDefinition": taskDefinition(),
		"aws:ecs/service:Service": {
			autoname:  "name",
			replaceOn: []string{"name", "cluster", "launchType", "schedulingStrategy", "iamRole"},
			apply: func(in resource.PropertyMap) error {
				if absent(in, "taskDefinition") {
					return errors.New("InvalidParameterException: TaskDefinition can not be blank")
				}
				return nil
			},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				cluster := str(c.in, "cluster")
				if cluster == "" {
					cluster = c.arn("ecs", "cluster/default")
				}
				clusterName := cluster[strings.LastIndex(cluster, "/")+1:]
				arn := c.arn("ecs", "service/"+clusterName+"/"+str(c.in, "name"))
				return arn, resource.PropertyMap{
					"cluster":            strProp(cluster),
					"desiredCount":       numProp(0),
					"schedulingStrategy": strProp("REPLICA"),
					"platformVersion":    strProp("LATEST"),
				}, nil
			},
		},
		"aws:appautoscaling/target:Target": {
			required:  []string{"maxCapacity", "minCapacity", "resourceId", "scalableDimension", "serviceNamespace"},
			replaceOn: []string{"resourceId", "scalableDimension", "serviceNamespace"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				return str(c.in, "resourceId"), resource.PropertyMap{
					"arn":     strProp(c.arn("application-autoscaling", "scalable-target/"+c.hex(32, "target"))),
					"roleArn": strProp("arn:aws:iam::" + Account + ":role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"),
				}, nil
			},
		},
		"aws:appautoscaling/policy:Policy": {
			required:  []string{"resourceId", "scalableDimension", "serviceNamespace"},
			autoname:  "name",
			replaceOn: []string{"name", "resourceId", "scalableDimension", "serviceNamespace"},
			outputs: func(c *call) (string, resource.PropertyMap, error) {
				name := str(c.in, "name")
				return name, resource.PropertyMap{
					"arn": strProp(c.arn("autoscaling", fmt.Sprintf("scalingPolicy:%s:resource/%s:policyName/%s",
						uuidFrom(c.hex(32, "policy")), str(c.in, "resourceId"), name))),
					"alarmArns":  strArray(),
					"policyType": strProp("StepScaling"),
				}, nil
			},
		},
	}
}

func ecrHost(region string) string {
	return strings.Join([]string{Account, "dkr", "ecr", region, "amazonaws", "com"}, ".")
}

func taskDefinition() *kind {
	return &kind{
		required:      []string{"family", "containerDefinitions"},
		replaceAllBut: []string{"tags", "tagsAll", "skipDestroy", "trackLatest"},
		validate: func(in resource.PropertyMap) []*pulumirpc.CheckFailure {
			return nonNil(jsonCheck(in, "containerDefinitions", true))
		},
		apply: validateTaskDefinition,
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			family := str(c.in, "family")
			rev := 0
			if !c.preview && c.old == nil {
				rev = c.cloud.nextRevision(family)
			} else if c.old != nil {
				rev = int(num(c.old, "revision", 0))
			}
			base := c.arn("ecs", "task-definition/"+family)
			return family, resource.PropertyMap{
				"arn":                     strProp(fmt.Sprintf("%s:%d", base, rev)),
				"arnWithoutRevision":      strProp(base),
				"revision":                numProp(float64(rev)),
				"networkMode":             strProp("bridge"),
				"trackLatest":             resource.NewBoolProperty(false),
				"skipDestroy":             resource.NewBoolProperty(false),
				"requiresCompatibilities": strArray(),
			}, nil
		},
	}
}

// validateTaskDefinition mirrors RegisterTaskDefinition's checks: every container has a
// name and image, and Fargate needs awsvpc plus task-level cpu and memory.
func validateTaskDefinition(in resource.PropertyMap) error {
	var containers []map[string]any
	if err := json.Unmarshal([]byte(str(in, "containerDefinitions")), &containers); err != nil {
		return fmt.Errorf("ClientException: containerDefinitions: %w", err)
	}
	if len(containers) == 0 {
		return errors.New("ClientException: Container list cannot be empty")
	}
	for i, ct := range containers {
		if name, _ := ct["name"].(string); name == "" {
			return fmt.Errorf("ClientException: Container.name should not be null or empty (container %d)", i)
		}
		if image, _ := ct["image"].(string); image == "" {
			return fmt.Errorf("ClientException: Container.image should not be null or empty (container %d)", i)
		}
	}
	for _, compat := range strs(in, "requiresCompatibilities") {
		if compat != "FARGATE" {
			continue
		}
		if str(in, "networkMode") != "awsvpc" {
			return errors.New("ClientException: Fargate requires the awsvpc network mode")
		}
		if absent(in, "cpu") || absent(in, "memory") {
			return errors.New("ClientException: Fargate requires task definition to have cpu and memory values")
		}
	}
	return nil
}
