package rehearsal

import (
	"sort"
	"strings"
)

// redactor masks secret strings in anything the rehearsal shows: logs,
// errors, captured output.
type redactor struct{ secrets []string }

const mask = "****"

func (r *redactor) add(secrets ...string) {
	for _, s := range secrets {
		if s != "" {
			r.secrets = append(r.secrets, s)
		}
	}
	// Longest first, so a URI is masked whole before its password is.
	sort.Slice(r.secrets, func(i, j int) bool { return len(r.secrets[i]) > len(r.secrets[j]) })
}

func (r *redactor) redact(s string) string {
	for _, secret := range r.secrets {
		s = strings.ReplaceAll(s, secret, mask)
	}
	return s
}
