package migration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
)

// TestRunWithRealClients drives the real SDK clients against a loopback stand-in for
// the ECS and CloudWatch Logs JSON APIs: it checks the request as it goes over the wire
// and that a real ResourceNotFoundException is recognised as a missing log stream.
func TestRunWithRealClients(t *testing.T) {
	var mu sync.Mutex
	requests := map[string]map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		if err := json.Unmarshal(body, &in); err != nil {
			t.Errorf("%s: bad JSON body: %v", target, err)
		}
		mu.Lock()
		requests[target] = in
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch target {
		case "AmazonEC2ContainerServiceV20141113.RunTask":
			io.WriteString(w, `{"tasks":[{"taskArn":"`+testTaskArn+`","lastStatus":"PROVISIONING"}]}`)
		case "AmazonEC2ContainerServiceV20141113.DescribeTasks":
			io.WriteString(w, `{"tasks":[{"taskArn":"`+testTaskArn+`","lastStatus":"STOPPED","stopCode":"TaskFailedToStart",
				"stoppedReason":"ResourceInitializationError: unable to pull secrets or registry auth",
				"containers":[{"name":"spicedb-migrate","lastStatus":"STOPPED","reason":"CannotPullContainerError: access denied"}]}]}`)
		case "Logs_20140328.GetLogEvents":
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"__type":"ResourceNotFoundException","message":"The specified log stream does not exist."}`)
		default:
			t.Errorf("unexpected call %q", target)
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()

	cfg := aws.Config{Region: "eu-west-1", Credentials: aws.AnonymousCredentials{}}
	r := &Runner{
		ECS:   ecs.NewFromConfig(cfg, func(o *ecs.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		Logs:  cloudwatchlogs.NewFromConfig(cfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		Sleep: func(context.Context, time.Duration) error { return nil },
	}
	_, err := r.Run(context.Background(), validParams())
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	for _, want := range []string{"stop code: TaskFailedToStart", "container reason: CannotPullContainerError: access denied",
		"log stream migrate/spicedb-migrate/" + testTaskID + " not found"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}

	run := requests["AmazonEC2ContainerServiceV20141113.RunTask"]
	got, _ := json.Marshal(map[string]any{
		"launchType": run["launchType"], "count": run["count"], "startedBy": run["startedBy"],
		"taskDefinition": run["taskDefinition"], "cluster": run["cluster"], "networkConfiguration": run["networkConfiguration"],
	})
	want := `{"cluster":"spicedb-cluster","count":1,"launchType":"FARGATE","networkConfiguration":{"awsvpcConfiguration":` +
		`{"assignPublicIp":"DISABLED","securityGroups":["sg-migrate"],"subnets":["subnet-aaa","subnet-bbb"]}},` +
		`"startedBy":"spicedb-ecs-migrate-gate","taskDefinition":"` + testTaskDef + `"}`
	if string(got) != want {
		t.Errorf("RunTask on the wire:\n got %s\nwant %s", got, want)
	}
	if token, _ := run["clientToken"].(string); token == "" {
		t.Error("RunTask carries no clientToken, so an SDK retry could start a second migration")
	}
	logs := requests["Logs_20140328.GetLogEvents"]
	if logs["logGroupName"] != "/ecs/spicedb" || logs["logStreamName"] != "migrate/spicedb-migrate/"+testTaskID ||
		logs["startFromHead"] != false || logs["limit"] != float64(20) {
		t.Errorf("GetLogEvents on the wire: %v", logs)
	}
}
