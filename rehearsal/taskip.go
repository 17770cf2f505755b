package rehearsal

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"strconv"
)

// blockAttempts bounds the search for a free block of task addresses.
const blockAttempts = 20

// pickTaskIPs returns n loopback addresses (127.a.b.1 … 127.a.b.n) on which
// every port is free: one address per serve task, as awsvpc gives each task
// its own. The block is random, so rehearsals running at the same time
// (tests in parallel packages) do not collide. Linux routes all of
// 127.0.0.0/8 to the loopback interface without configuration.
func pickTaskIPs(n int, ports []int) ([]string, error) {
	if n < 1 || n > 254 {
		return nil, fmt.Errorf("rehearsal: %d replicas: one loopback block holds 1 to 254", n)
	}
	var lastErr error
	for range blockAttempts {
		a, err := rand.Int(rand.Reader, big.NewInt(254))
		if err != nil {
			return nil, fmt.Errorf("rehearsal: random: %w", err)
		}
		b, err := rand.Int(rand.Reader, big.NewInt(256))
		if err != nil {
			return nil, fmt.Errorf("rehearsal: random: %w", err)
		}
		// 127.0.x.x is left alone: 127.0.0.1 is everybody's.
		prefix := fmt.Sprintf("127.%d.%d.", a.Int64()+1, b.Int64())
		ips := make([]string, 0, n)
		for i := range n {
			ips = append(ips, prefix+strconv.Itoa(i+1))
		}
		if lastErr = allBindable(ips, ports); lastErr == nil {
			return ips, nil
		}
	}
	return nil, fmt.Errorf("rehearsal: no loopback block with ports %v free after %d tries (is something listening on all interfaces?): %w",
		ports, blockAttempts, lastErr)
}

// allBindable checks that every ip:port can be listened on now.
func allBindable(ips []string, ports []int) error {
	for _, ip := range ips {
		for _, port := range ports {
			ln, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
			if err != nil {
				return err
			}
			ln.Close()
		}
	}
	return nil
}
