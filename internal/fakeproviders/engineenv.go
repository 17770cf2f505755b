package fakeproviders

// Passphrase encrypts the secrets of stacks run with EngineEnv.
const Passphrase = "fake-cloud-passphrase"

// EngineEnv is the environment in which the Pulumi engine deploys to this
// cloud offline: a file backend in stateDir, a private PULUMI_HOME, the
// passphrase secrets provider, every provider resolved to the fakes, and no
// plugin download or update check.
func (c *Cloud) EngineEnv(stateDir, home string) map[string]string {
	return map[string]string{
		"PULUMI_BACKEND_URL":                          "file://" + stateDir,
		"PULUMI_HOME":                                 home,
		"PULUMI_CONFIG_PASSPHRASE":                    Passphrase,
		"PULUMI_DEBUG_PROVIDERS":                      c.DebugProvidersEnv(),
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
	}
}
