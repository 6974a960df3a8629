package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// Targets of issue 6 on the 2-core reference machine.
const (
	targetThreadRPS   = 2500
	targetThreadP99   = 50 * time.Millisecond
	targetStaticShare = 0.50
	targetRSS         = 170 << 20
	targetPostsPerSec = 200
	mib               = 1 << 20
)

// machine describes where the run happened.
type machine struct {
	CPU       string
	Cores     int
	Go        string
	LoadStart string
	LoadEnd   string
}

func describeMachine() machine {
	return machine{CPU: cpuModel(), Cores: runtime.NumCPU(), Go: runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: loadAvg()}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "inconnu"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "inconnu"
}

// loadAvg returns the 1, 5 and 15-minute load averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " / ")
}

// report is everything one run measured.
type report struct {
	Started  time.Time
	Machine  machine
	Store    string
	Window   time.Duration
	Warmup   time.Duration
	Conns    int
	Posters  int
	Gzip     bool
	Timeout  time.Duration
	BuildDur time.Duration
	Seed     *seeded
	Dataset  dataset

	Thread, Theme, Home, JSON *loadResult
	Static                    *loadResult
	Posting                   *loadResult

	RenderMean, RenderP50, RenderP99 time.Duration
	RenderPosts                      int

	RSSReady, RSSPeakReads, RSSCurReads, RSSPeakEnd int64
	StaticRSS                                       int64
	Notes                                           []string
}

func verdict(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 0:
		return "> " + ms(-d)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func errCell(r *loadResult) string {
	if r.Errors == 0 {
		return "0"
	}
	return fmt.Sprintf("%d of %d", r.Errors, r.OK+r.Errors)
}

func rateCell(r *loadResult) string {
	if r.Errors > 0 {
		return fmt.Sprintf("%.0f (%.0f ok)", r.RPS(), r.OKRPS())
	}
	return fmt.Sprintf("%.0f", r.RPS())
}

func bytesCell(r *loadResult) string {
	n := r.BytesPerResponse()
	enc := r.Encoding
	if enc == "" {
		enc = "identity"
	}
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%d (%s)", n, enc)
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/mib) }

// write prints the report as Markdown.
func (r *report) write(w io.Writer) {
	fmt.Fprintf(w, "### coterforum benchmark, %s\n\n", r.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- machine: %s, %d cores (runtime.NumCPU), %s; load average (1/5/15 min) %s at start, %s at end\n",
		r.Machine.CPU, r.Machine.Cores, r.Machine.Go, r.Machine.LoadStart, r.Machine.LoadEnd)
	fmt.Fprintf(w, "- store: %s; dataset: %d themes × %d authority types, %d members, %d threads, %d posts (one thread of %d replies), seeded in %.1f s\n",
		r.Store, 6, 4, r.Seed.Members, r.Seed.Threads, r.Seed.Posts, r.Dataset.HotReplies, r.Seed.Took.Seconds())
	enc := "Accept-Encoding: gzip, deflate, br"
	if !r.Gzip {
		enc = "no Accept-Encoding"
	}
	fmt.Fprintf(w, "- load: closed loop, %d keep-alive connections, %s per measure after %s of warm-up, anonymous, %s; request timeout %s\n",
		r.Conns, r.Window, r.Warmup, enc, r.Timeout)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| measure | req/s | p50 | p99 | errors | bytes/response | alone | target | |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
	row := func(name string, l *loadResult, target, met string) {
		if l == nil {
			fmt.Fprintf(w, "| %s | not run | | | | | | %s | |\n", name, target)
			return
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, rateCell(l), ms(l.P(50)), ms(l.P(99)),
			errCell(l), bytesCell(l), ms(l.Alone), target, met)
	}
	if r.Thread != nil {
		ok := r.Thread.Errors == 0 && r.Thread.RPS() >= targetThreadRPS && r.Thread.P(99) <= targetThreadP99
		row(fmt.Sprintf("thread page, %d replies (`/threads/{id}`, 20 posts)", r.Dataset.HotReplies), r.Thread, "≥ 2 500 req/s, p99 ≤ 50 ms", verdict(ok))
	} else {
		row("thread page", nil, "≥ 2 500 req/s, p99 ≤ 50 ms", "")
	}
	row("theme listing (`/themes/reseaux`)", r.Theme, "", "")
	row("home (`/`)", r.Home, "", "")
	row("thread JSON (`/api/v1/threads/{id}`)", r.JSON, "", "")
	row("static-bytes limit (same thread page bytes from memory, Echo)", r.Static, "", "")
	if r.Thread != nil && r.Static != nil && r.Static.RPS() > 0 {
		share := r.Thread.OKRPS() / r.Static.RPS()
		fmt.Fprintf(w, "| thread page / static-bytes limit | %.1f %% | | | | | | ≥ 50 %% | %s |\n", 100*share, verdict(share >= targetStaticShare))
	}
	if r.Posting != nil {
		ok := r.Posting.OKRPS() >= targetPostsPerSec
		row(fmt.Sprintf("posting, %d members (`POST /api/v1/threads/{id}/posts`), posts/s", r.Posters), r.Posting, "≥ 200 posts/s", verdict(ok))
	}
	if r.RenderPosts > 0 {
		fmt.Fprintf(w, "| Markdown rendering (forum.RenderMarkdown, %d posts, in-process) | %.0f posts/s | %.0f µs | %.0f µs | | | | mean %.0f µs/post | |\n",
			r.RenderPosts, float64(time.Second)/float64(r.RenderMean), micro(r.RenderP50), micro(r.RenderP99), micro(r.RenderMean))
	}
	if r.RSSPeakReads > 0 {
		fmt.Fprintf(w, "| server peak RSS (VmHWM) after the page runs | %s | | | | | | ≤ 170 MB | %s |\n", mb(r.RSSPeakReads), verdict(r.RSSPeakReads <= targetRSS))
		end := "peak at the end"
		if r.Posters > 0 {
			end = fmt.Sprintf("peak at the end (after the %d logins and the posting run)", r.Posters)
		}
		fmt.Fprintf(w, "| server RSS: peak at start / current after the page runs / %s | %s / %s / %s | | | | | | | |\n",
			end, mb(r.RSSReady), mb(r.RSSCurReads), mb(r.RSSPeakEnd))
	}
	if r.StaticRSS > 0 {
		fmt.Fprintf(w, "| static-bytes server peak RSS | %s | | | | | | | |\n", mb(r.StaticRSS))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "req/s counts the responses completed inside the window (2xx or not; “ok” = 2xx only); p50/p99 cover every request started in it, waited for up to the timeout; “alone” is the median of three requests made one at a time before the load.")
	for _, n := range r.Notes {
		fmt.Fprintf(w, "\n- %s", n)
	}
	if len(r.Notes) > 0 {
		fmt.Fprintln(w)
	}
}

func micro(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
