package deploy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose loads ../docker-compose.yml as `docker compose` would, with
// env as the only environment (no .env file, not the test's environment).
func loadCompose(t *testing.T, env ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions([]string{filepath.Join("..", "docker-compose.yml")},
		cli.WithWorkingDirectory(".."), cli.WithEnv(env), cli.WithName("coterforum"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("docker-compose.yml is not valid: %v", err)
	}
	return p
}

// envOf is a service's environment variable ("" when unset).
func envOf(s types.ServiceConfig, name string) string {
	if v := s.Environment[name]; v != nil {
		return *v
	}
	return ""
}

// TestCompose checks docker-compose.yml as far as it can be checked
// without a Docker engine: valid, every service healthchecked, two
// replicas built from the Dockerfile with one database and one address, a
// one-shot replica set initialisation before them, Caddy in front.
func TestCompose(t *testing.T) {
	p := loadCompose(t)
	want := []string{"caddy", "forum-1", "forum-2", "mailpit", "mongo", "mongo-init"}
	if got := p.ServiceNames(); !slices.Equal(sorted(got), want) {
		t.Fatalf("services %v, want %v", got, want)
	}
	for name, s := range p.Services {
		if s.HealthCheck == nil || s.HealthCheck.Disable || len(s.HealthCheck.Test) == 0 {
			t.Errorf("%s has no healthcheck", name)
		}
	}

	f1, f2 := p.Services["forum-1"], p.Services["forum-2"]
	for _, s := range []types.ServiceConfig{f1, f2} {
		if s.Build == nil || s.Build.Dockerfile != "Dockerfile" || filepath.Clean(s.Build.Context) != filepath.Clean(p.WorkingDir) {
			t.Errorf("%s is not built from the repository's Dockerfile: %+v", s.Name, s.Build)
		}
		if test := strings.Join(s.HealthCheck.Test, " "); test != "CMD /coterforum healthcheck" {
			t.Errorf("%s healthcheck %q, want the binary's (GET /readyz)", s.Name, test)
		}
		if d, ok := s.DependsOn["mongo-init"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s does not wait for the replica set: %+v", s.Name, s.DependsOn)
		}
		if len(s.Ports) != 0 {
			t.Errorf("%s publishes %v: only Caddy should face the network", s.Name, s.Ports)
		}
		if s.StopGracePeriod == nil || *s.StopGracePeriod < types.Duration(15e9) {
			t.Errorf("%s stop_grace_period %v, shorter than the server's graceful stop", s.Name, s.StopGracePeriod)
		}
	}
	for _, v := range []string{"MONGODB_URI", "FORUM_BASE_URL", "FORUM_SMTP_URL", "FORUM_TRUSTED_PROXIES"} {
		if envOf(f1, v) == "" || envOf(f1, v) != envOf(f2, v) {
			t.Errorf("%s: forum-1 %q, forum-2 %q; the replicas must share it", v, envOf(f1, v), envOf(f2, v))
		}
	}
	if uri := envOf(f1, "MONGODB_URI"); uri != "mongodb://mongo:27017/coterforum?replicaSet=rs0" {
		t.Errorf("MONGODB_URI %q", uri)
	}
	if u := envOf(f1, "FORUM_BASE_URL"); u != "https://localhost" {
		t.Errorf("FORUM_BASE_URL %q without FORUM_DOMAIN, want https://localhost", u)
	}
	if u := envOf(f1, "FORUM_SMTP_URL"); u != "smtp://mailpit:1025" {
		t.Errorf("FORUM_SMTP_URL %q, want Mailpit", u)
	}
	// The trusted proxies are the compose network, where Caddy is.
	net := p.Networks["forum"]
	if net.Ipam.Config == nil || len(net.Ipam.Config) != 1 || net.Ipam.Config[0].Subnet != envOf(f1, "FORUM_TRUSTED_PROXIES") {
		t.Errorf("FORUM_TRUSTED_PROXIES %q is not the subnet of the network %+v", envOf(f1, "FORUM_TRUSTED_PROXIES"), net.Ipam)
	}

	mongo := p.Services["mongo"]
	if mongo.Image != "mongo:8" || !slices.Contains(mongo.Command, "--replSet") || !slices.Contains(mongo.Command, "--bind_ip_all") {
		t.Errorf("mongo: %s %v", mongo.Image, mongo.Command)
	}
	if !slices.ContainsFunc(mongo.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == "/data/db"
	}) {
		t.Errorf("mongo keeps its data in no named volume: %+v", mongo.Volumes)
	}
	init := p.Services["mongo-init"]
	script := strings.Join(init.Command, " ")
	if init.Image != mongo.Image || init.Restart != "no" || !strings.Contains(script, "rs.initiate") ||
		!strings.Contains(script, "NotYetInitialized") || !strings.Contains(script, `host: "mongo:27017"`) {
		t.Errorf("mongo-init is not the one-shot, idempotent initialisation: %s restart %q %q", init.Image, init.Restart, script)
	}
	if d, ok := init.DependsOn["mongo"]; !ok || d.Condition != types.ServiceConditionHealthy {
		t.Errorf("mongo-init does not wait for a healthy mongo: %+v", init.DependsOn)
	}

	caddy := p.Services["caddy"]
	published := map[uint32]bool{}
	for _, port := range caddy.Ports {
		if port.Published == "" || port.Published == "0" {
			continue
		}
		published[port.Target] = true
	}
	if !published[80] || !published[443] {
		t.Errorf("caddy publishes %+v, want 80 and 443", caddy.Ports)
	}
	for _, r := range []string{"forum-1", "forum-2"} {
		if d, ok := caddy.DependsOn[r]; !ok || d.Condition != types.ServiceConditionHealthy {
			t.Errorf("caddy does not wait for a healthy %s: %+v", r, caddy.DependsOn)
		}
	}
	if !slices.ContainsFunc(caddy.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Target == "/etc/caddy/Caddyfile" && strings.HasSuffix(v.Source, filepath.Join("deploy", "Caddyfile"))
	}) {
		t.Errorf("caddy does not mount deploy/Caddyfile: %+v", caddy.Volumes)
	}
	if !slices.ContainsFunc(caddy.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == "/data"
	}) {
		t.Error("caddy keeps its certificates in no named volume")
	}
	if envOf(caddy, "FORUM_DOMAIN") != "localhost" {
		t.Errorf("caddy FORUM_DOMAIN %q, want localhost by default", envOf(caddy, "FORUM_DOMAIN"))
	}

	mp := p.Services["mailpit"]
	if !strings.HasPrefix(mp.Image, "axllent/mailpit") || !slices.ContainsFunc(mp.Ports, func(p types.ServicePortConfig) bool {
		return p.Target == 8025 && p.HostIP == "127.0.0.1"
	}) {
		t.Errorf("mailpit %s %+v: want its UI on 8025, on the host's loopback only", mp.Image, mp.Ports)
	}
}

// TestComposeDomain: the one variable gives Caddy its site and the forum
// its public address.
func TestComposeDomain(t *testing.T) {
	p := loadCompose(t, "FORUM_DOMAIN=forum.example.fr")
	for _, r := range []string{"forum-1", "forum-2"} {
		if u := envOf(p.Services[r], "FORUM_BASE_URL"); u != "https://forum.example.fr" {
			t.Errorf("%s FORUM_BASE_URL %q", r, u)
		}
	}
	if d := envOf(p.Services["caddy"], "FORUM_DOMAIN"); d != "forum.example.fr" {
		t.Errorf("caddy FORUM_DOMAIN %q", d)
	}
}

// TestCaddyfile checks the Caddyfile that compose mounts: the site is
// FORUM_DOMAIN, both replicas are behind it, with active health checks on
// /readyz.
func TestCaddyfile(t *testing.T) {
	data, err := os.ReadFile("Caddyfile")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 || lines[0] != "{$FORUM_DOMAIN:localhost} {" {
		t.Fatalf("the site address is not FORUM_DOMAIN (default localhost): %q", lines)
	}
	for _, want := range []string{"reverse_proxy forum-1:8080 forum-2:8080 {", "health_uri /readyz", "lb_try_duration 10s"} {
		if !slices.Contains(lines, want) {
			t.Errorf("Caddyfile has no %q", want)
		}
	}
	if strings.Count(string(data), "{") != strings.Count(string(data), "}") {
		t.Errorf("unbalanced braces in the Caddyfile")
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// TestComposeGoStaysOutOfTheBinary: compose-go is a test dependency only.
func TestComposeGoStaysOutOfTheBinary(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gobin, "list", "-deps", "coterforum").Output()
	if err != nil {
		t.Fatalf("go list -deps coterforum: %v", err)
	}
	if strings.Contains(string(out), "compose-spec/compose-go") {
		t.Fatal("the coterforum binary depends on compose-go")
	}
}
