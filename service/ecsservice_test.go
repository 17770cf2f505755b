package service

import (
	"slices"
	"testing"
)

func TestTaskSecurityGroupAdmitsOnlyTheNLB(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	taskSG := run.named(t, "aws:ec2/securityGroup:SecurityGroup", "spicedb-tasks-sg").ID
	nlbSG := run.named(t, "aws:ec2/securityGroup:SecurityGroup", "spicedb-nlb-sg").ID

	var ingressPorts []float64
	for _, r := range run.mocks.OfType(svcTestIngressRuleType) {
		if svcInput(r, "securityGroupId") != taskSG {
			continue
		}
		if svcInput(r, "referencedSecurityGroupId") != nlbSG || svcInput(r, "cidrIpv4") != nil || svcInput(r, "cidrIpv6") != nil {
			t.Errorf("task ingress %q must come from the NLB SG only: %v", r.Name, r.Inputs)
		}
		if svcInput(r, "fromPort") != svcInput(r, "toPort") || svcInput(r, "ipProtocol") != "tcp" {
			t.Errorf("task ingress %q is not a single tcp port", r.Name)
		}
		ingressPorts = append(ingressPorts, svcInput(r, "fromPort").(float64))
	}
	slices.Sort(ingressPorts)
	if !slices.Equal(ingressPorts, []float64{8443, 50051}) {
		t.Errorf("task ingress ports %v, want 8443 and 50051", ingressPorts)
	}

	egress := map[float64]map[string]any{}
	for _, r := range run.mocks.OfType(svcTestEgressRuleType) {
		if svcInput(r, "securityGroupId") == taskSG {
			egress[svcInput(r, "fromPort").(float64)] = r.Inputs.Mappable()
		}
	}
	if len(egress) != 2 || egress[443]["cidrIpv4"] != "0.0.0.0/0" ||
		egress[5432]["referencedSecurityGroupId"] != svcTestDatabaseSG || egress[5432]["cidrIpv4"] != nil {
		t.Errorf("task egress %v, want 443 to 0.0.0.0/0 and 5432 to the database SG", egress)
	}

	// The database admits the task SG (through Datastore.AllowFrom).
	dbRule := run.named(t, svcTestIngressRuleType, "spicedb-tasks")
	if svcInput(dbRule, "securityGroupId") != svcTestDatabaseSG || svcInput(dbRule, "referencedSecurityGroupId") != taskSG {
		t.Errorf("database rule %v", dbRule.Inputs)
	}
	if run.outputs["taskSecurityGroupId"] != taskSG {
		t.Errorf("TaskSecurityGroupID %q, want %q", run.outputs["taskSecurityGroupId"], taskSG)
	}
}

func TestECSServiceRollout(t *testing.T) {
	run := mustRunService(t, svcTestArgs(nil))
	svc := run.one(t, "aws:ecs/service:Service")
	in := svc.Inputs.Mappable()
	taskSG := run.named(t, "aws:ec2/securityGroup:SecurityGroup", "spicedb-tasks-sg").ID
	expect := map[string]any{
		"cluster":                         svcOutput(run.one(t, "aws:ecs/cluster:Cluster"), "arn"),
		"taskDefinition":                  svcOutput(run.named(t, svcTestTaskDefType, "spicedb-serve"), "arn"),
		"desiredCount":                    2.0,
		"launchType":                      "FARGATE",
		"deploymentMinimumHealthyPercent": 100.0,
		"deploymentMaximumPercent":        200.0,
		"healthCheckGracePeriodSeconds":   60.0,
		"waitForSteadyState":              true,
		"propagateTags":                   "SERVICE",
		"enableExecuteCommand":            false,
	}
	for k, v := range expect {
		if in[k] != v {
			t.Errorf("%s = %v, want %v", k, in[k], v)
		}
	}
	cb, _ := in["deploymentCircuitBreaker"].(map[string]any)
	if cb["enable"] != true || cb["rollback"] != true {
		t.Errorf("circuit breaker %v", cb)
	}
	net, _ := in["networkConfiguration"].(map[string]any)
	if net["assignPublicIp"] != false || !slices.Equal(net["subnets"].([]any), []any{"subnet-0prv0", "subnet-0prv1"}) ||
		!slices.Equal(net["securityGroups"].([]any), []any{taskSG}) {
		t.Errorf("network configuration %v", net)
	}
	lbs, _ := in["loadBalancers"].([]any)
	tg := svcOutput(run.one(t, "aws:lb/targetGroup:TargetGroup"), "arn")
	if len(lbs) != 1 || lbs[0].(map[string]any)["targetGroupArn"] != tg ||
		lbs[0].(map[string]any)["containerName"] != "spicedb" || lbs[0].(map[string]any)["containerPort"] != 50051.0 {
		t.Errorf("load balancers %v", lbs)
	}

	td := run.named(t, svcTestTaskDefType, "spicedb-serve").Inputs.Mappable()
	if td["cpu"] != "512" || td["memory"] != "1024" || td["networkMode"] != "awsvpc" ||
		!slices.Equal(td["requiresCompatibilities"].([]any), []any{"FARGATE"}) {
		t.Errorf("serve task definition %v", td)
	}
	mtd := run.named(t, svcTestTaskDefType, "spicedb-migrate").Inputs.Mappable()
	if mtd["cpu"] != "256" || mtd["memory"] != "512" || mtd["family"] == td["family"] {
		t.Errorf("migration task definition cpu %v memory %v family %v", mtd["cpu"], mtd["memory"], mtd["family"])
	}
}

func TestAutoscalingTracksCPU(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) {
		a.DesiredCount = 3
		a.Autoscaling = AutoscalingArgs{MinCount: 3, MaxCount: 6, TargetCPUPercent: 60}
	}))
	target := run.one(t, "aws:appautoscaling/target:Target").Inputs.Mappable()
	wantResource := "service/" + svcOutput(run.one(t, "aws:ecs/cluster:Cluster"), "name").(string) + "/" +
		svcOutput(run.one(t, "aws:ecs/service:Service"), "name").(string)
	if target["minCapacity"] != 3.0 || target["maxCapacity"] != 6.0 || target["resourceId"] != wantResource ||
		target["scalableDimension"] != "ecs:service:DesiredCount" || target["serviceNamespace"] != "ecs" {
		t.Errorf("scaling target %v (want resource %s)", target, wantResource)
	}
	policy := run.one(t, "aws:appautoscaling/policy:Policy").Inputs.Mappable()
	cfg, _ := policy["targetTrackingScalingPolicyConfiguration"].(map[string]any)
	metric, _ := cfg["predefinedMetricSpecification"].(map[string]any)
	if policy["policyType"] != "TargetTrackingScaling" || cfg["targetValue"] != 60.0 ||
		metric["predefinedMetricType"] != "ECSServiceAverageCPUUtilization" ||
		cfg["scaleInCooldown"] == nil || cfg["scaleOutCooldown"] == nil || policy["resourceId"] != wantResource {
		t.Errorf("scaling policy %v", policy)
	}
}

func TestClusterAndLogs(t *testing.T) {
	run := mustRunService(t, svcTestArgs(func(a *Args) { a.LogRetentionDays = 90 }))
	settings, _ := svcInput(run.one(t, "aws:ecs/cluster:Cluster"), "settings").([]any)
	if len(settings) != 1 || settings[0].(map[string]any)["name"] != "containerInsights" || settings[0].(map[string]any)["value"] != "enabled" {
		t.Errorf("cluster settings %v", settings)
	}
	if got := svcInput(run.one(t, "aws:cloudwatch/logGroup:LogGroup"), "retentionInDays"); got != 90.0 {
		t.Errorf("retention %v", got)
	}
}
