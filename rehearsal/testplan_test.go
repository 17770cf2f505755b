package rehearsal

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

const (
	testKeyARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spicedb/preshared-key-AbCdEf"
	testURIARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:spicedb/datastore-uri-GhIjKl"
	testRDS    = "spicedb.abcdefghijkl.eu-west-1.rds.amazonaws.com:5432"
)

// containerDefinitionsJSON is shaped like the task definitions our Pulumi
// program renders (camelCase, as in the ECS API). The real plan extraction
// will replace testPlan's use of it.
const containerDefinitionsJSON = `[
 {
  "name": "spicedb",
  "image": "authzed/spicedb:v1.56.2",
  "essential": true,
  "command": ["serve"],
  "environment": [
   {"name": "SPICEDB_DATASTORE_ENGINE", "value": "postgres"},
   {"name": "SPICEDB_GRPC_ADDR", "value": ":50051"},
   {"name": "SPICEDB_HTTP_ENABLED", "value": "true"},
   {"name": "SPICEDB_HTTP_ADDR", "value": ":8443"},
   {"name": "SPICEDB_METRICS_ADDR", "value": ":9090"},
   {"name": "SPICEDB_LOG_FORMAT", "value": "json"},
   {"name": "SPICEDB_TELEMETRY_ENDPOINT", "value": ""},
   {"name": "SPICEDB_SKIP_RELEASE_CHECK", "value": "true"},
   {"name": "GOMEMLIMIT", "value": "800MiB"}
  ],
  "secrets": [
   {"name": "SPICEDB_GRPC_PRESHARED_KEY", "valueFrom": "` + testKeyARN + `"},
   {"name": "SPICEDB_DATASTORE_CONN_URI", "valueFrom": "` + testURIARN + `"}
  ],
  "portMappings": [
   {"containerPort": 50051, "protocol": "tcp", "name": "grpc"},
   {"containerPort": 8443, "protocol": "tcp", "name": "http"},
   {"containerPort": 9090, "protocol": "tcp", "name": "metrics"}
  ],
  "healthCheck": {"command": ["CMD", "grpc_health_probe", "-addr=127.0.0.1:50051"], "interval": 10, "timeout": 5, "retries": 3, "startPeriod": 30},
  "stopTimeout": 30
 },
 {
  "name": "spicedb-migrate",
  "image": "authzed/spicedb:v1.56.2",
  "essential": true,
  "command": ["datastore", "migrate", "head"],
  "environment": [
   {"name": "SPICEDB_DATASTORE_ENGINE", "value": "postgres"},
   {"name": "SPICEDB_LOG_FORMAT", "value": "json"},
   {"name": "SPICEDB_TELEMETRY_ENDPOINT", "value": ""},
   {"name": "SPICEDB_SKIP_RELEASE_CHECK", "value": "true"}
  ],
  "secrets": [
   {"name": "SPICEDB_DATASTORE_CONN_URI", "valueFrom": "` + testURIARN + `"}
  ]
 }
]`

// testPlan builds a Plan by hand, shaped like the one the Pulumi program's
// mock run will yield, with freshly generated secrets. Timings are the ones
// the program declares for its target group (interval 5 s, thresholds 2).
func testPlan(t *testing.T) Plan {
	t.Helper()
	var defs []types.ContainerDefinition
	if err := json.Unmarshal([]byte(containerDefinitionsJSON), &defs); err != nil {
		t.Fatalf("decode container definitions: %v", err)
	}
	if len(defs) != 2 {
		t.Fatalf("want 2 container definitions, got %d", len(defs))
	}
	password := "pw-" + randomHex(t, 12) + "_~."
	return Plan{
		Serve:   defs[0],
		Migrate: defs[1],
		SecretValues: map[string]string{
			testKeyARN: "psk-" + randomHex(t, 16),
			testURIARN: fmt.Sprintf("postgres://spicedb:%s@%s/spicedb?sslmode=require", password, testRDS),
		},
		Listener: ListenerSpec{Port: 443, Protocol: "TLS", SslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", AlpnPolicy: "HTTP2Only"},
		TargetGroup: TargetGroupSpec{
			Port: 50051, Protocol: "TCP", DeregistrationDelaySeconds: 45,
			HealthCheck: HealthCheckSpec{
				Protocol: "HTTP", Port: "8443", Path: "/healthz", Matcher: "200",
				IntervalSeconds: 5, TimeoutSeconds: 3, HealthyThreshold: 2, UnhealthyThreshold: 2,
			},
		},
	}
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// secretsOf lists the strings that must never appear in any output.
func secretsOf(p Plan) []string {
	var out []string
	for _, v := range p.SecretValues {
		out = append(out, v)
	}
	return out
}
