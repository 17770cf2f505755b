package fakeproviders

import (
	"crypto/rand"
	"fmt"
	"math/big"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// RandomVersion is the pulumi-random version the fake reports.
const RandomVersion = "4.19.0"

// defaultSpecial is the special-character set pulumi-random uses without overrideSpecial.
const defaultSpecial = "!@#$%&*()-_=+[]{}<>:?"

func newRandom(c *Cloud) *fakeProvider {
	p := newFakeProvider(c, "random", RandomVersion)
	p.kinds["random:index/randomPassword:RandomPassword"] = &kind{
		required:      []string{"length"},
		replaceAllBut: []string{}, // every input (keepers included) forces a new password
		secretOutputs: []string{"result", "bcryptHash"},
		validate:      validatePasswordSpec,
		outputs: func(c *call) (string, resource.PropertyMap, error) {
			if c.preview {
				return "", resource.PropertyMap{"result": strProp(""), "bcryptHash": strProp("")}, nil
			}
			pw, err := generatePassword(c.in)
			if err != nil {
				return "", nil, err
			}
			return "none", resource.PropertyMap{
				"result": strProp(pw),
				// Not a real bcrypt hash (no bcrypt dependency here); only its shape matches.
				"bcryptHash": strProp("$2a$10$" + hashOf(c.urn, pw)[:53]),
			}, nil
		},
	}
	return p
}

func validatePasswordSpec(in resource.PropertyMap) []*pulumirpc.CheckFailure {
	if unknown(in, "length") || absent(in, "length") {
		return nil
	}
	length := num(in, "length", 0)
	if length < 1 {
		return []*pulumirpc.CheckFailure{invalid("length", "must be at least 1, got %v", length)}
	}
	mins := num(in, "minUpper", 0) + num(in, "minLower", 0) + num(in, "minNumeric", 0) + num(in, "minSpecial", 0)
	if mins > length {
		return []*pulumirpc.CheckFailure{invalid("length", "%v is shorter than the sum of the min* counts (%v)", length, mins)}
	}
	return nil
}

// generatePassword honours length, the character-class switches, overrideSpecial and the
// per-class minimums.
func generatePassword(in resource.PropertyMap) (string, error) {
	type class struct {
		on    bool
		chars string
		min   int
	}
	special := defaultSpecial
	if !absent(in, "overrideSpecial") {
		special = str(in, "overrideSpecial")
	}
	classes := []class{
		{boolean(in, "upper", true), "ABCDEFGHIJKLMNOPQRSTUVWXYZ", int(num(in, "minUpper", 0))},
		{boolean(in, "lower", true), "abcdefghijklmnopqrstuvwxyz", int(num(in, "minLower", 0))},
		{boolean(in, "numeric", boolean(in, "number", true)), "0123456789", int(num(in, "minNumeric", 0))},
		{boolean(in, "special", true), special, int(num(in, "minSpecial", 0))},
	}
	var out []byte
	all := ""
	for _, cl := range classes {
		if !cl.on || cl.chars == "" {
			continue
		}
		all += cl.chars
		for i := 0; i < cl.min; i++ {
			ch, err := pick(cl.chars)
			if err != nil {
				return "", err
			}
			out = append(out, ch)
		}
	}
	if all == "" {
		return "", fmt.Errorf("random password: every character class is disabled")
	}
	for len(out) < int(num(in, "length", 0)) {
		ch, err := pick(all)
		if err != nil {
			return "", err
		}
		out = append(out, ch)
	}
	// Shuffle so the minimum-count characters are not all at the front.
	for i := len(out) - 1; i > 0; i-- {
		j, err := rand.Int(rand.Reader, big.NewInt(int64(i+1)))
		if err != nil {
			return "", fmt.Errorf("random password: shuffle: %w", err)
		}
		out[i], out[j.Int64()] = out[j.Int64()], out[i]
	}
	return string(out), nil
}

func pick(chars string) (byte, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, fmt.Errorf("random password: %w", err)
	}
	return chars[n.Int64()], nil
}
