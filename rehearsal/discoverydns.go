package rehearsal

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/net/dns/dnsmessage"
)

// discoveryTTL is short: members change when a task dies.
const discoveryTTL = 1

// discoveryMember is one registered task: its address and whether it still
// runs (ECS deregisters a stopped task from Cloud Map).
type discoveryMember struct {
	ip    netip.Addr
	alive func() bool
}

// discoveryDNS stands in for Cloud Map service discovery: a UDP DNS server
// on loopback that answers A queries for one name with the addresses of
// the registered tasks that are still running, AAAA with no records, and
// every other name with NXDOMAIN. Container health filtering is not
// emulated, like the container health check itself.
type discoveryDNS struct {
	name    string // lower case, fully qualified
	conn    net.PacketConn
	done    chan struct{}
	queries atomic.Int64

	mu      sync.Mutex
	members []discoveryMember
}

func startDiscoveryDNS(name string) (*discoveryDNS, error) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("rehearsal: discovery DNS: %w", err)
	}
	d := &discoveryDNS{name: strings.ToLower(strings.TrimSuffix(name, ".")) + ".", conn: conn, done: make(chan struct{})}
	go d.serve()
	return d, nil
}

// Addr is the server's host:port.
func (d *discoveryDNS) Addr() string { return d.conn.LocalAddr().String() }

// Queries counts the A queries answered for the service name.
func (d *discoveryDNS) Queries() int64 { return d.queries.Load() }

// register adds a task to the answers while alive reports true.
func (d *discoveryDNS) register(ip string, alive func() bool) error {
	addr, err := netip.ParseAddr(ip)
	if err != nil || !addr.Is4() {
		return fmt.Errorf("rehearsal: discovery DNS: %q is not an IPv4 address", ip)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.members = append(d.members, discoveryMember{ip: addr, alive: alive})
	return nil
}

func (d *discoveryDNS) liveMembers() []netip.Addr {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []netip.Addr
	for _, m := range d.members {
		if m.alive() {
			out = append(out, m.ip)
		}
	}
	return out
}

func (d *discoveryDNS) close() error {
	err := d.conn.Close()
	<-d.done
	return err
}

func (d *discoveryDNS) serve() {
	defer close(d.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		resp, err := d.answer(buf[:n])
		if err != nil {
			continue // not a DNS query: drop it, as a server would
		}
		_, _ = d.conn.WriteTo(resp, from)
	}
}

// answer builds the response to one query message.
func (d *discoveryDNS) answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	resp := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired}
	known := strings.EqualFold(q.Name.String(), d.name)
	if !known {
		resp.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, resp)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if err := b.StartAnswers(); err != nil {
		return nil, err
	}
	if known && q.Type == dnsmessage.TypeA && q.Class == dnsmessage.ClassINET {
		d.queries.Add(1)
		for _, ip := range d.liveMembers() {
			rh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: discoveryTTL}
			if err := b.AResource(rh, dnsmessage.AResource{A: ip.As4()}); err != nil {
				return nil, err
			}
		}
	}
	return b.Finish()
}
