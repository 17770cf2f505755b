package freeport

import (
	"net"
	"strconv"
	"testing"
)

func TestGetReturnsDistinctBindablePorts(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		p, err := Get()
		if err != nil {
			t.Fatal(err)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			t.Fatalf("port %d not bindable: %v", p, err)
		}
		l.Close()
	}
}
