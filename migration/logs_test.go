package migration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"connecting to postgres://spicedb:s3cr3t@db.internal:5432/spicedb?sslmode=require",
			"connecting to postgres://spicedb:REDACTED@db.internal:5432/spicedb?sslmode=require"},
		{`{"uri":"postgresql://u:p%40ss@h/db"}`, `{"uri":"postgresql://u:REDACTED@h/db"}`},
		{"host=db user=spicedb password=s3cr3t dbname=spicedb", "host=db user=spicedb password=REDACTED dbname=spicedb"},
		{"PASSWORD = 'two words'", "PASSWORD = REDACTED"},
		{"no user info in postgres://db:5432/spicedb", "no user info in postgres://db:5432/spicedb"},
		{"migrated to head: add-expiration-support", "migrated to head: add-expiration-support"},
	}
	for _, tt := range tests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFetchLogTail(t *testing.T) {
	logs := &fakeLogs{lines: []string{"first\n", "multi\nline event", "last\r\n"}}
	tail := fetchLogTail(context.Background(), logs, "/ecs/spicedb", "migrate", "spicedb-migrate", "abc123")
	if len(logs.inputs) != 1 {
		t.Fatalf("GetLogEvents calls = %d, want 1", len(logs.inputs))
	}
	in := logs.inputs[0]
	if aws.ToString(in.LogGroupName) != "/ecs/spicedb" || aws.ToString(in.LogStreamName) != "migrate/spicedb-migrate/abc123" ||
		aws.ToBool(in.StartFromHead) || aws.ToInt32(in.Limit) != 20 {
		t.Errorf("GetLogEvents input: group %s stream %s fromHead %v limit %d",
			aws.ToString(in.LogGroupName), aws.ToString(in.LogStreamName), aws.ToBool(in.StartFromHead), aws.ToInt32(in.Limit))
	}
	if got := strings.Join(tail.Lines, "|"); got != "first|multi|line event|last" {
		t.Errorf("lines = %q", got)
	}
	if s := tail.String(); !strings.HasPrefix(s, "  last 4 log lines of /ecs/spicedb/migrate/spicedb-migrate/abc123:\n    | first") {
		t.Errorf("String() = %q", s)
	}
}

func TestLogTailStringEmptyStream(t *testing.T) {
	tail := fetchLogTail(context.Background(), &fakeLogs{}, "/ecs/spicedb", "migrate", "spicedb-migrate", "abc123")
	if got, want := tail.String(), "  logs: /ecs/spicedb/migrate/spicedb-migrate/abc123 is empty"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
