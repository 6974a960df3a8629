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

// startTimes is how long a server took from its start to its first 200 on
// /healthz (it answers HTTP) and on /readyz (its store answers).
type startTimes struct {
	Healthy, Ready time.Duration
	// Settle is how long the server kept working after it was ready (its
	// background jobs at start), before the measures began.
	Settle time.Duration
}

// startTimed starts the server like startProc, polling /healthz then
// /readyz every few milliseconds from the moment the process starts.
func startTimed(ctx context.Context, bin string, args, extra []string, addr, logPath string) (*proc, startTimes, error) {
	var st startTimes
	f, err := os.Create(logPath)
	if err != nil {
		return nil, st, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(cleanEnv(), extra...)
	cmd.Stdout, cmd.Stderr = f, f
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, st, err
	}
	p := &proc{cmd: cmd, base: "http://" + addr, log: logPath, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	deadline := t0.Add(90 * time.Second)
	for _, c := range []struct {
		path string
		dst  *time.Duration
	}{{"/healthz", &st.Healthy}, {"/readyz", &st.Ready}} {
		for {
			resp, err := client.Get(p.base + c.path)
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					*c.dst = time.Since(t0)
					break
				}
			}
			select {
			case err := <-p.done:
				p.done <- err
				return nil, st, fmt.Errorf("%s s'est arrêté au démarrage (%v) ; journal : %s", filepath.Base(bin), err, logPath)
			case <-ctx.Done():
				p.stop()
				return nil, st, ctx.Err()
			case <-time.After(2 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				p.stop()
				return nil, st, fmt.Errorf("%s pas prêt après 90 s ; journal : %s", filepath.Base(bin), logPath)
			}
		}
	}
	return p, st, nil
}

// cpuSnap is a reading of the CPU time of the server, of the bench itself
// and of the whole machine.
type cpuSnap struct {
	at                   time.Time
	server, self         int64 // clock ticks
	machineBusy, machine int64 // clock ticks, all CPUs
}

// cpuUse is how the machine's CPU was used between two snapshots.
type cpuUse struct {
	Wall   time.Duration
	Server time.Duration // CPU time of the server process
	Bench  time.Duration // CPU time of this process (the load generator)
	Others time.Duration // CPU time of everything else on the machine
	Idle   time.Duration // CPU time left idle (all cores)
}

func takeCPU(pid int) cpuSnap {
	s := cpuSnap{at: time.Now()}
	s.server, _ = cpuTicks(pid)
	s.self, _ = cpuTicks(os.Getpid())
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal …
		for i := 1; i < len(f) && i <= 8; i++ {
			n, _ := strconv.ParseInt(f[i], 10, 64)
			s.machine += n
			if i != 4 && i != 5 {
				s.machineBusy += n
			}
		}
	}
	return s
}

// since returns the use of the CPU from s0 to s.
func (s cpuSnap) since(s0 cpuSnap) cpuUse {
	tick := func(n int64) time.Duration { return time.Duration(n) * 10 * time.Millisecond }
	u := cpuUse{Wall: s.at.Sub(s0.at), Server: tick(s.server - s0.server), Bench: tick(s.self - s0.self)}
	busy := tick(s.machineBusy - s0.machineBusy)
	u.Others = max(0, busy-u.Server-u.Bench)
	u.Idle = max(0, tick(s.machine-s0.machine)-busy)
	return u
}

// cores returns d as a number of cores busy over the wall time.
func (u cpuUse) cores(d time.Duration) float64 {
	if u.Wall <= 0 {
		return 0
	}
	return d.Seconds() / u.Wall.Seconds()
}
