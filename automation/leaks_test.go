package automation_test

import "testing"

// minSecrets guards the leak checks against passing vacuously.
func minSecrets(t *testing.T, secrets []string, want int) {
	t.Helper()
	if len(secrets) < want {
		t.Fatalf("found %d live secret values in the fake cloud, want at least %d", len(secrets), want)
	}
	for i, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("secret #%d is only %d characters: too short to search for meaningfully", i+1, len(s))
		}
	}
}
