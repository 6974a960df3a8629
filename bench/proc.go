package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a server process started by the benchmark.
type proc struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	log  string // path of its stdout+stderr
	done chan error
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// moduleRoot returns the directory of the go.mod of the current module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD : %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("lancez le banc depuis le dépôt coterforum (go.mod introuvable)")
	}
	return filepath.Dir(gomod), nil
}

// buildServer builds the forum binary into dir with the default build
// settings, so that it reuses the build cache of `go run ./bench` (the
// Makefile's CGO_ENABLED=0 -trimpath rebuilds every dependency, SQLite
// included: minutes on 2 cores; pass such a binary with -bin if wanted).
func buildServer(ctx context.Context, dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "coterforum")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build : %v\n%s", err, out)
	}
	return bin, nil
}

// cleanEnv is the environment without the forum's own settings, so that
// the benchmark never points a server at the caller's data or mail relay.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "FORUM_") || strings.HasPrefix(kv, "MONGODB_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// startProc runs bin with args and env extra, logs to logPath, and waits
// until GET readyPath answers 200.
func startProc(ctx context.Context, bin string, args, extra []string, addr, logPath, readyPath string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), extra...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	p := &proc{cmd: cmd, base: "http://" + addr, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	deadline := time.Now().Add(90 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case err := <-p.done:
			p.done <- err
			return nil, fmt.Errorf("%s s'est arrêté au démarrage (%v) ; journal : %s", filepath.Base(bin), err, logPath)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := client.Get(p.base + readyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s pas prêt après 90 s ; journal : %s", filepath.Base(bin), logPath)
		}
	}
}

// stop asks the process to shut down (SIGTERM) and kills it after 20 s.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// memStats reads the peak (VmHWM) and current (VmRSS) resident set size of
// a process, in bytes.
func memStats(pid int) (peak, cur int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		fields := strings.Fields(v) // "123456 kB"
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return 0, 0, err
		}
		if k == "VmHWM" {
			peak = n << 10
		} else {
			cur = n << 10
		}
	}
	return peak, cur, sc.Err()
}

// cpuTicks returns the user+system CPU time of a process in clock ticks
// (USER_HZ, 100 per second on Linux).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat illisible", pid)
	}
	f := strings.Fields(s[i+1:]) // f[0] is the state, field 3 of stat(5)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat illisible", pid)
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	k, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat illisible", pid)
	}
	return u + k, nil
}

// waitIdle waits until the process uses less than a tenth of a core over
// half a second, at most max: requests abandoned at a timeout may still be
// running in the server and must not weigh on the next measure.
func waitIdle(ctx context.Context, pid int, max time.Duration) time.Duration {
	start := time.Now()
	prev, err := cpuTicks(pid)
	if err != nil {
		return 0
	}
	for time.Since(start) < max && ctx.Err() == nil {
		time.Sleep(500 * time.Millisecond)
		cur, err := cpuTicks(pid)
		if err != nil {
			break
		}
		if cur-prev < 5 {
			break
		}
		prev = cur
	}
	return time.Since(start)
}
