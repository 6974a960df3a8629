package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// envOf is a lookup function over fixed values.
func envOf(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

// TestConfigDefaults: with nothing set, every variable has its default.
func TestConfigDefaults(t *testing.T) {
	c, settings, err := parseConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" || c.DataDir != "./data" || c.MongoURI != "" ||
		c.MongoDB != "coterforum" || c.SMTPURL != "" || !strings.Contains(c.MailFrom, "ne-pas-repondre@") ||
		c.Moderation.TrustAfter != 3 || c.Moderation.ReportsToHide != 3 || c.Moderation.RemindAfter != 24*time.Hour ||
		c.Moderation.BaseURL != c.BaseURL || c.CacheBytes != 64<<20 || c.TrustedProxies != nil ||
		c.Privacy.DeletePostsPolicy != "choice" || c.Privacy.DPOEmail != "" || c.MetricsAddr != "" || c.LogFormat != "text" {
		t.Fatalf("defaults: %+v", c)
	}
	if len(settings) != len(configVars) {
		t.Fatalf("%d settings for %d variables", len(settings), len(configVars))
	}
	for _, s := range settings {
		if s.FromEnv {
			t.Errorf("%s from the environment", s.Name)
		}
	}
}

// TestConfigValues: good values of every variable are taken, bad ones are
// refused with one line naming the variable, the value and the form.
func TestConfigValues(t *testing.T) {
	tests := []struct {
		name, value string
		ok          bool
		check       func(c config) bool
	}{
		{"FORUM_ADDR", ":9000", true, func(c config) bool { return c.Addr == ":9000" && c.BaseURL == "http://localhost:9000" }},
		{"FORUM_ADDR", "127.0.0.1:8080", true, nil},
		{"FORUM_ADDR", "[::1]:8080", true, nil},
		{"FORUM_ADDR", " forum.internal:80 ", true, func(c config) bool { return c.Addr == "forum.internal:80" }},
		{"FORUM_ADDR", "8080", false, nil},
		{"FORUM_ADDR", ":http", false, nil},
		{"FORUM_ADDR", ":70000", false, nil},
		{"FORUM_ADDR", ":0", false, nil},
		{"FORUM_BASE_URL", "https://forum.example.org/", true, func(c config) bool {
			return c.BaseURL == "https://forum.example.org" && c.Moderation.BaseURL == c.BaseURL
		}},
		{"FORUM_BASE_URL", "https://club.example.org/forum//", true, func(c config) bool { return c.BaseURL == "https://club.example.org/forum" }},
		{"FORUM_BASE_URL", "http://localhost:8080", true, nil},
		{"FORUM_BASE_URL", "forum.example.org", false, nil},
		{"FORUM_BASE_URL", "ftp://forum.example.org", false, nil},
		{"FORUM_BASE_URL", "https://forum.example.org/?x=1", false, nil},
		{"FORUM_BASE_URL", "https://forum.example.org/#top", false, nil},
		{"FORUM_BASE_URL", "https://u:p@forum.example.org", false, nil},
		{"FORUM_BASE_URL", "https:///chemin", false, nil},
		{"FORUM_DATA_DIR", "/var/lib/coterforum", true, func(c config) bool { return c.DataDir == "/var/lib/coterforum" }},
		{"FORUM_DATA_DIR", "a\x00b", false, nil},
		{"MONGODB_URI", "mongodb://u:p@db1:27017,db2:27017/?replicaSet=rs0", true, func(c config) bool { return strings.HasPrefix(c.MongoURI, "mongodb://u:p@") }},
		{"MONGODB_URI", "mongodb+srv://u:p@cluster0.example.mongodb.net/?retryWrites=true", true, nil},
		{"MONGODB_URI", "mongodb://localhost", true, nil},
		{"MONGODB_URI", "postgres://u:p@db/x", false, nil},
		{"MONGODB_URI", "mongodb://", false, nil},
		{"MONGODB_URI", "mongodb://db1:27017,,db2", false, nil},
		{"MONGODB_URI", "mongodb+srv://cluster0.example.net:27017", false, nil},
		{"MONGODB_URI", "mongodb://db:port", false, nil},
		{"MONGODB_DATABASE", "forum_test", true, func(c config) bool { return c.MongoDB == "forum_test" }},
		{"MONGODB_DATABASE", "a.b", false, nil},
		{"MONGODB_DATABASE", strings.Repeat("x", 64), false, nil},
		{"FORUM_SMTP_URL", "smtp://relay.example.org:587?starttls=required", true, func(c config) bool { return c.SMTPURL != "" }},
		{"FORUM_SMTP_URL", "smtps://u:p@relay.example.org", true, nil},
		{"FORUM_SMTP_URL", "smtp://localhost:25", true, nil},
		{"FORUM_SMTP_URL", "http://relay:25", false, nil},
		{"FORUM_SMTP_URL", "smtp://relay:25?starttls=opportunistic", false, nil},
		{"FORUM_SMTP_URL", "smtp://relay:25?tls=1", false, nil},
		{"FORUM_SMTP_URL", "smtp://:25", false, nil},
		{"FORUM_SMTP_URL", "smtp://relay:99999", false, nil},
		{"FORUM_SMTP_URL", "smtp://relay:25/chemin", false, nil},
		{"FORUM_SMTP_URL", "smtp://:p@relay:25", false, nil},
		{"FORUM_MAIL_FROM", "Club DSI <forum@club.example.org>", true, func(c config) bool { return c.MailFrom == "Club DSI <forum@club.example.org>" }},
		{"FORUM_MAIL_FROM", "forum@club.example.org", true, nil},
		{"FORUM_MAIL_FROM", "pas une adresse", false, nil},
		{"FORUM_TRUST_AFTER", "5", true, func(c config) bool { return c.Moderation.TrustAfter == 5 }},
		{"FORUM_TRUST_AFTER", "1000", true, nil},
		{"FORUM_TRUST_AFTER", "trois", false, nil},
		{"FORUM_TRUST_AFTER", "-1", false, nil},
		{"FORUM_TRUST_AFTER", "0", false, nil},
		{"FORUM_TRUST_AFTER", "1001", false, nil},
		{"FORUM_REPORTS_TO_HIDE", "2", true, func(c config) bool { return c.Moderation.ReportsToHide == 2 }},
		{"FORUM_REPORTS_TO_HIDE", "2.5", false, nil},
		{"FORUM_REPORTS_TO_HIDE", "0", false, nil},
		{"FORUM_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.10/32,,fd00::/8", true, func(c config) bool { return len(c.TrustedProxies) == 3 }},
		{"FORUM_TRUSTED_PROXIES", "10.0.0.1", false, nil},
		{"FORUM_REMIND_AFTER", "90m", true, func(c config) bool { return c.Moderation.RemindAfter == 90*time.Minute }},
		{"FORUM_REMIND_AFTER", "1m", true, nil},
		{"FORUM_REMIND_AFTER", "24", false, nil},
		{"FORUM_REMIND_AFTER", "30s", false, nil},
		{"FORUM_REMIND_AFTER", "-1h", false, nil},
		{"FORUM_REMIND_AFTER", "721h", false, nil},
		{"FORUM_MAIL_KEEP", "720h", true, func(c config) bool { return c.MailKeep == 30*24*time.Hour }},
		{"FORUM_MAIL_KEEP", "1h", true, nil},
		{"FORUM_MAIL_KEEP", "30d", false, nil},
		{"FORUM_MAIL_KEEP", "30m", false, nil},
		{"FORUM_MAIL_KEEP", "87601h", false, nil},
		{"FORUM_CACHE_BYTES", "0", true, func(c config) bool { return c.CacheBytes == 0 }},
		{"FORUM_CACHE_BYTES", "1048576", true, func(c config) bool { return c.CacheBytes == 1<<20 }},
		{"FORUM_CACHE_BYTES", "64MiB", true, func(c config) bool { return c.CacheBytes == 64<<20 }},
		{"FORUM_CACHE_BYTES", "512 Kio", true, func(c config) bool { return c.CacheBytes == 512<<10 }},
		{"FORUM_CACHE_BYTES", "2GiB", true, func(c config) bool { return c.CacheBytes == 2<<30 }},
		{"FORUM_CACHE_BYTES", "abc", false, nil},
		{"FORUM_CACHE_BYTES", "-1", false, nil},
		{"FORUM_CACHE_BYTES", "64MB", false, nil},
		{"FORUM_CACHE_BYTES", "MiB", false, nil},
		{"FORUM_CACHE_BYTES", "2000GiB", false, nil},
		{"FORUM_CACHE_BYTES", "99999999999999999999", false, nil},
		{"FORUM_DELETE_POSTS_POLICY", "anonymise", true, func(c config) bool { return c.Privacy.DeletePostsPolicy == "anonymise" }},
		{"FORUM_DELETE_POSTS_POLICY", "anonymize", false, nil},
		{"FORUM_DPO_EMAIL", "dpo@club.example.org", true, func(c config) bool { return c.Privacy.DPOEmail == "dpo@club.example.org" }},
		{"FORUM_DPO_EMAIL", "DPO <dpo@club.example.org>", false, nil},
		{"FORUM_DPO_EMAIL", "dpo", false, nil},
		{"FORUM_METRICS_ADDR", "127.0.0.1:9090", true, func(c config) bool { return c.MetricsAddr == "127.0.0.1:9090" }},
		{"FORUM_METRICS_ADDR", "9090", false, nil},
		{"FORUM_METRICS_ADDR", ":8080", false, nil}, // the public port
		{"FORUM_LOG_FORMAT", "json", true, func(c config) bool { return c.LogFormat == "json" }},
		{"FORUM_LOG_FORMAT", "JSON", false, nil},
		{"GOMEMLIMIT", "512MiB", true, nil},
		// ProConnect: alone, each of the three is a partial configuration.
		{"FORUM_OIDC_ISSUER", "https://auth.proconnect.gouv.fr/api/v2", false, nil},
		{"FORUM_OIDC_ISSUER", "ftp://auth.example.org", false, nil},
		{"FORUM_OIDC_ISSUER", "https://auth.example.org/?x=1", false, nil},
		{"FORUM_OIDC_CLIENT_ID", "forum", false, nil},
		{"FORUM_OIDC_CLIENT_ID", "mon forum", false, nil},
		{"FORUM_OIDC_CLIENT_SECRET", "s3cret", false, nil},
		{"FORUM_OIDC_SCOPES", "openid email", true, func(c config) bool { return len(c.OIDC.Scopes) == 2 }},
		{"FORUM_OIDC_SCOPES", "email siret", false, nil},
		{"FORUM_OIDC_SIGNUP", "open", true, func(c config) bool { return c.OIDC.Signup.Mode == "open" }},
		{"FORUM_OIDC_SIGNUP", "ouvert", false, nil},
		{"FORUM_OIDC_SIGNUP_DOMAINS", "ville-exemple.fr", false, nil}, // without domain-list
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.name] = true
		c, _, err := parseConfig(envOf(map[string]string{tt.name: tt.value}))
		if tt.ok {
			if err != nil {
				t.Errorf("%s=%q refused: %v", tt.name, tt.value, err)
			} else if tt.check != nil && !tt.check(c) {
				t.Errorf("%s=%q gave %+v", tt.name, tt.value, c)
			}
			continue
		}
		var ce *configError
		if !errors.As(err, &ce) {
			t.Errorf("%s=%q accepted (%v)", tt.name, tt.value, err)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, tt.name+"=") || !strings.Contains(msg, "attendu ") || strings.ContainsAny(msg, "\n\r\x00") {
			t.Errorf("%s=%q: message %q", tt.name, tt.value, msg)
		}
		shown := tt.name + "=" + quoteIfNeeded(ce.Value) + " : "
		if !strings.HasPrefix(msg, shown) || ce.Value != displayOf(tt.name, strings.TrimSpace(tt.value)) {
			t.Errorf("%s=%q: the message does not show the value: %q", tt.name, tt.value, msg)
		}
	}
	for _, e := range configVars {
		if !tested[e.Name] {
			t.Errorf("%s has no test value", e.Name)
		}
	}
}

// displayOf is v as the variable name shows it (passwords masked).
func displayOf(name, v string) string {
	for _, e := range configVars {
		if e.Name == name {
			return e.display(v)
		}
	}
	return v
}

// TestConfigErrorLine is the line the issue asks for.
func TestConfigErrorLine(t *testing.T) {
	_, _, err := parseConfig(envOf(map[string]string{"FORUM_CACHE_BYTES": "abc"}))
	want := "FORUM_CACHE_BYTES=abc : attendu un nombre d'octets (ex. 67108864 ou 64MiB ; 0 désactive le cache)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
	// A refused URI never shows its password.
	_, _, err = parseConfig(envOf(map[string]string{"FORUM_SMTP_URL": "smtp://u:s3cr3t@relay:25?starttls=no"}))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || !strings.Contains(err.Error(), "u:xxxxx@relay") {
		t.Fatalf("SMTP: %v", err)
	}
	_, _, err = parseConfig(envOf(map[string]string{"MONGODB_URI": "mongo://u:s3cr3t@db"}))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") {
		t.Fatalf("MongoDB: %v", err)
	}
}

// TestRedactUserinfo masks the password of URIs, parsable or not.
func TestRedactUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"mongodb://u:p@db1:27017,db2:27017/x?replicaSet=rs": "mongodb://u:xxxxx@db1:27017,db2:27017/x?replicaSet=rs",
		"mongodb+srv://u:p%40ss@cluster0.example.net/":      "mongodb+srv://u:xxxxx@cluster0.example.net/",
		"smtp://me:p/a?ss@relay:587?starttls=required":      "smtp://me:xxxxx@relay:587?starttls=required",
		"smtp://me@relay:25":                                "smtp://me@relay:25",
		"mongodb://db:27017/?authSource=admin":              "mongodb://db:27017/?authSource=admin",
		"":                                                  "",
	} {
		if got := redactUserinfo(in); got != want {
			t.Errorf("redactUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (envVar{Secret: true}).display("jeton"); got != "xxxxx" {
		t.Errorf("secret shown as %q", got)
	}
}

// TestConfigCommand: `coterforum config` prints every variable with its
// origin, passwords masked, and fails like serve on a bad value.
func TestConfigCommand(t *testing.T) {
	for _, e := range configVars {
		t.Setenv(e.Name, "")
	}
	t.Setenv("MONGODB_URI", "mongodb://forum:mongo-secret@db1:27017,db2:27017/?replicaSet=rs0")
	t.Setenv("FORUM_SMTP_URL", "smtps://relay-user:smtp-secret@relay.example.org:465")
	t.Setenv("FORUM_CACHE_BYTES", "32MiB")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	if err := run(context.Background(), []string{"config"}, nil, &out, log); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if strings.Contains(got, "mongo-secret") || strings.Contains(got, "smtp-secret") {
		t.Fatalf("a password is shown:\n%s", got)
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != len(configVars) {
		t.Fatalf("%d lines for %d variables:\n%s", len(lines), len(configVars), got)
	}
	for _, want := range []string{
		"MONGODB_URI=mongodb://forum:xxxxx@db1:27017,db2:27017/?replicaSet=rs0 # environnement",
		"FORUM_SMTP_URL=smtps://relay-user:xxxxx@relay.example.org:465 # environnement",
		"FORUM_CACHE_BYTES=33554432 # environnement",
		"FORUM_ADDR=:8080 # défaut",
		`FORUM_MAIL_FROM="coterforum <ne-pas-repondre@coterforum.localhost>" # défaut`,
	} {
		found := false
		for _, l := range lines {
			found = found || strings.Join(strings.Fields(l), " ") == want
		}
		if !found {
			t.Errorf("no line %q in:\n%s", want, got)
		}
	}
	t.Setenv("FORUM_TRUST_AFTER", "beaucoup")
	err := run(context.Background(), []string{"config"}, nil, &out, log)
	if err == nil || !strings.HasPrefix(err.Error(), "FORUM_TRUST_AFTER=beaucoup : attendu un entier") {
		t.Fatalf("bad value: %v", err)
	}
	var help bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, nil, &help, log); err != nil || !strings.Contains(help.String(), "coterforum config") {
		t.Fatalf("--help: %v %q", err, help.String())
	}
}

// TestConfigUnknownVars: a FORUM_* variable that is not defined is named,
// with the closest defined one.
func TestConfigUnknownVars(t *testing.T) {
	got := unknownVars([]string{"FORUM_CACHE_BYTE=1", "FORUM_ADDR=:1", "FORUM_ZZZ_QQQ=", "PATH=/bin", "COTERFORUM_TEST_STORE=x"})
	if len(got) != 2 || !strings.Contains(got[0], "FORUM_CACHE_BYTE inconnue") || !strings.Contains(got[0], "FORUM_CACHE_BYTES ?") ||
		!strings.Contains(got[1], "FORUM_ZZZ_QQQ") || strings.Contains(got[1], "vouliez") {
		t.Fatalf("%q", got)
	}
}

// TestConfigBadCacheBytesStopsServer: `coterforum serve` with
// FORUM_CACHE_BYTES=abc exits non-zero with one line, before it listens
// or touches the data dir (the real process, as durability_test.go runs it).
func TestConfigBadCacheBytesStopsServer(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childServeEnv+"=1", "FORUM_DATA_DIR="+dir, "FORUM_ADDR="+addr, "MONGODB_URI=",
		"FORUM_CACHE_BYTES=abc")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("still running with FORUM_CACHE_BYTES=abc\n%s", stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("exit: %v", err)
	}
	want := "coterforum : FORUM_CACHE_BYTES=abc : attendu un nombre d'octets (ex. 67108864 ou 64MiB ; 0 désactive le cache)\n"
	if stderr.String() != want || stdout.Len() != 0 {
		t.Fatalf("stderr %q, stdout %q; want stderr %q", stderr.String(), stdout.String(), want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("the data dir was touched: %v", entries)
	}
	// The same through run(): the error comes before anything opens.
	t.Setenv("FORUM_DATA_DIR", dir)
	t.Setenv("FORUM_ADDR", addr)
	t.Setenv("MONGODB_URI", "")
	t.Setenv("FORUM_CACHE_BYTES", "abc")
	err = run(context.Background(), []string{"serve"}, nil, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err == nil || !strings.HasPrefix(err.Error(), "FORUM_CACHE_BYTES=abc : ") {
		t.Fatalf("run: %v", err)
	}
}
