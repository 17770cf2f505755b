// Package freeport hands out loopback TCP ports that are free at the moment
// of asking. Ports are found by binding to port 0; a port handed out once is
// never handed out again by this process, so two callers that ask before
// either has bound cannot collide with each other.
package freeport

import (
	"fmt"
	"net"
	"sync"
)

var (
	mu     sync.Mutex
	issued = map[int]bool{}
)

// Get returns a TCP port on 127.0.0.1 that nothing listened on when asked.
func Get() (int, error) {
	mu.Lock()
	defer mu.Unlock()
	// A handful of attempts covers the rare case where the kernel hands back
	// a port we issued earlier but whose owner has not bound yet.
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, fmt.Errorf("freeport: listen: %w", err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		if err := l.Close(); err != nil {
			return 0, fmt.Errorf("freeport: close probe listener: %w", err)
		}
		if !issued[port] {
			issued[port] = true
			return port, nil
		}
	}
	return 0, fmt.Errorf("freeport: no unissued port after 20 attempts")
}
