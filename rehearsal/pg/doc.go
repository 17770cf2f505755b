// Package pg runs a throwaway PostgreSQL server for rehearsals: a fresh data
// directory, a free loopback port, ssl on with a self-signed certificate (so
// the production URI's sslmode=require works unchanged) and
// track_commit_timestamp=on (as the RDS parameter group sets it, for SpiceDB's
// Watch API). Stop removes every trace.
//
// PostgreSQL refuses to run as root, so when this process is root the server
// and its tools run as the operating-system user "postgres" (the Debian
// package creates it); the data directory is created under a parent that user
// can traverse (os.TempDir by default) and handed over to it.
package pg
