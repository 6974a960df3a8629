// Package deploy holds what runs coterforum in production beside the
// binary: the Caddyfile of docker-compose.yml (at the repository root) and
// the tests that check both files, since Docker is not on the build
// machine. Nothing imports it; it has no code of its own.
package deploy
