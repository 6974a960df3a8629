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

// Targets of issue 10 on the 2-core reference machine, load generator
// included.
const (
	targetStart           = 2 * time.Second
	targetUncachedThread  = 5 * time.Millisecond
	targetUncachedListing = 10 * time.Millisecond
	targetSearchP99       = 50 * time.Millisecond
	targetStaticShare     = 0.50
	targetThreadP99       = 50 * time.Millisecond
	targetMixedP99        = 50 * time.Millisecond
	targetPostsPerSec     = 500
	targetRSS             = 170 << 20
	mib                   = 1 << 20
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
	Took     time.Duration
	Machine  machine
	Store    string
	Window   time.Duration
	Warmup   time.Duration
	Conns    int
	Posters  int
	Alone    int
	Gzip     bool
	Timeout  time.Duration
	BuildDur time.Duration
	Seed     *seeded
	Dataset  dataset

	StartUncached, StartCached startTimes
	Uncached                   []*aloneResult
	Search                     *searchResult

	Thread, Theme, Home, JSON *loadResult
	Static                    *loadResult
	Mixed                     *mixedResult
	Posting                   *loadResult

	RenderMean, RenderP50, RenderP99 time.Duration
	RenderPosts                      int

	RSSUncached                                                                  int64
	RSSReady, RSSPeakReads, RSSCurReads, RSSPeakLogins, RSSPeakMixed, RSSPeakEnd int64
	StaticRSS                                                                    int64
	Notes                                                                        []string
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

func micro(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// write prints the report as Markdown.
func (r *report) write(w io.Writer) {
	size := r.Dataset.Size
	fmt.Fprintf(w, "### coterforum benchmark `-size %s`, %s\n\n", size, r.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "- machine: %s, %d cores (runtime.NumCPU), %s; load average (1/5/15 min) %s at start, %s at end\n",
		r.Machine.CPU, r.Machine.Cores, r.Machine.Go, r.Machine.LoadStart, r.Machine.LoadEnd)
	sd := r.Seed
	fmt.Fprintf(w, "- store: %s; dataset: %d themes × %d authority types, %d members, %d threads over %d years, %d posts (one thread of %d replies)\n",
		r.Store, len(sd.Themes), len(sd.Types), sd.Members, sd.Threads, r.Dataset.Years, sd.Posts, r.Dataset.HotReplies)
	if sd.Reused {
		fmt.Fprintf(w, "- seeding: data dir reused from an earlier run (-datadir; it also holds that run's posting-run replies)\n")
	} else {
		p := sd.Pipeline
		fmt.Fprintf(w, "- seeding: %s in all; the %d posts in %s (%.0f posts/s; RenderMarkdown and search terms %s of CPU over %d workers, ImportPosts %s), bench process peak RSS %s\n",
			sd.Took.Round(100*time.Millisecond), p.Posts, p.Took.Round(100*time.Millisecond), float64(p.Posts)/p.Took.Seconds(),
			p.RenderBusy.Round(100*time.Millisecond), p.Workers, p.WriteBusy.Round(100*time.Millisecond), mb(p.PeakRSS))
	}
	enc := "Accept-Encoding: gzip, deflate, br"
	if !r.Gzip {
		enc = "no Accept-Encoding"
	}
	fmt.Fprintf(w, "- load: closed loop, %d keep-alive connections, %s per measure after %s of warm-up, anonymous, %s; request timeout %s\n",
		r.Conns, r.Window, r.Warmup, enc, r.Timeout)
	if r.Took > 0 {
		fmt.Fprintf(w, "- the whole run took %s (build %s)\n", r.Took.Round(time.Second), r.BuildDur.Round(time.Second))
	}
	fmt.Fprintln(w)
	r.writeTargets(w)
	r.writeUncached(w)
	r.writeLoad(w)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "- %s\n", n)
	}
}
