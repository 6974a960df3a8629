package main

import (
	"os"
	"strings"
	"testing"
)

// dockerInstruction is one Dockerfile instruction, continuation lines joined.
type dockerInstruction struct {
	cmd, args string
}

// parseDockerfile reads the instructions of a Dockerfile, grouped by stage
// (one slice per FROM).
func parseDockerfile(t *testing.T, path string) [][]dockerInstruction {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]dockerInstruction
	var line string
	for _, raw := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "#") || (trimmed == "" && line == "") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			line += strings.TrimSuffix(trimmed, "\\") + " "
			continue
		}
		line += trimmed
		cmd, args, _ := strings.Cut(line, " ")
		line = ""
		in := dockerInstruction{strings.ToUpper(cmd), strings.TrimSpace(args)}
		if in.cmd == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("%s: %s before FROM", path, in.cmd)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	return stages
}

// TestDockerfile checks what Docker cannot check here (no engine on the
// build machine): a static binary, a non-root user, a /data volume and a
// HEALTHCHECK that the distroless image can run (the binary itself).
func TestDockerfile(t *testing.T) {
	stages := parseDockerfile(t, "Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a runtime stage", len(stages))
	}
	var static bool
	for _, in := range stages[0] {
		if in.cmd == "RUN" && strings.Contains(in.args, "go build") {
			static = strings.Contains(in.args, "CGO_ENABLED=0") && strings.Contains(in.args, "-trimpath")
		}
	}
	if !static {
		t.Error("the build stage does not run go build with CGO_ENABLED=0 and -trimpath")
	}
	final := map[string][]string{}
	for _, in := range stages[len(stages)-1] {
		final[in.cmd] = append(final[in.cmd], in.args)
	}
	if !strings.Contains(final["FROM"][0], "distroless/static") {
		t.Errorf("runtime image %q, want distroless/static", final["FROM"][0])
	}
	users := final["USER"]
	if len(users) == 0 {
		t.Fatal("no USER: the server would run as root")
	}
	if u := strings.Split(users[len(users)-1], ":")[0]; u == "root" || u == "0" || u == "" {
		t.Errorf("USER %q is root", users[len(users)-1])
	}
	if !hasLine(final["VOLUME"], "/data") && !hasLine(final["VOLUME"], `["/data"]`) {
		t.Errorf("VOLUME %v, want /data", final["VOLUME"])
	}
	hc := final["HEALTHCHECK"]
	if len(hc) != 1 {
		t.Fatalf("HEALTHCHECK %v, want one", hc)
	}
	_, check, ok := strings.Cut(hc[0], "CMD ")
	if !ok || !strings.Contains(check, `"/coterforum"`) || !strings.Contains(check, `"healthcheck"`) || !strings.HasPrefix(strings.TrimSpace(check), "[") {
		t.Errorf("HEALTHCHECK %q, want the exec form running /coterforum healthcheck (no shell in distroless)", hc[0])
	}
	if len(final["ENTRYPOINT"]) == 0 || !strings.Contains(final["ENTRYPOINT"][0], `"/coterforum"`) {
		t.Errorf("ENTRYPOINT %v, want /coterforum", final["ENTRYPOINT"])
	}
	if env := strings.Join(final["ENV"], " "); !strings.Contains(env, "FORUM_DATA_DIR=/data") {
		t.Errorf("ENV %q does not put the data dir on the volume", env)
	}

	ignore, err := os.ReadFile(".dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(ignore), "\n")
	for _, want := range []string{".git", "data/", "node_modules/", "*.test"} {
		if !hasLine(lines, want) {
			t.Errorf(".dockerignore does not leave out %s", want)
		}
	}
}

func hasLine(list []string, s string) bool {
	for _, v := range list {
		if strings.TrimSpace(v) == s {
			return true
		}
	}
	return false
}
