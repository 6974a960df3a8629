package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// writeTargets prints every target of issue 10 next to its measure.
func (r *report) writeTargets(w io.Writer) {
	fmt.Fprintln(w, "| measure (issue 10) | target | measured | |")
	fmt.Fprintln(w, "| --- | --- | --- | --- |")
	row := func(name, target, measured string, ok bool, ran bool) {
		v := verdict(ok)
		if !ran {
			measured, v = "not run", ""
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", name, target, measured, v)
	}
	u, c := r.StartUncached, r.StartCached
	row("start to healthy: first 200 of `/healthz` (cache off / on)", "≤ 2 s",
		fmt.Sprintf("%s / %s", ms(u.Healthy), ms(c.Healthy)), max(u.Healthy, c.Healthy) <= targetStart, c.Healthy > 0)
	row("start to ready: first 200 of `/readyz`, the store answers (cache off / on)", "≤ 2 s",
		fmt.Sprintf("%s / %s (idle again %s / %s later, after its start-up jobs: the measures wait for it)", ms(u.Ready), ms(c.Ready), ms(u.Settle), ms(c.Settle)),
		max(u.Ready, c.Ready) <= targetStart, c.Ready > 0)
	for i, a := range r.Uncached {
		if i > 2 {
			break // home and the others: in the table below
		}
		target := targetUncachedListing
		if i == 0 {
			target = targetUncachedThread
		}
		row(fmt.Sprintf("uncached %s alone (median of %d)", a.Name, len(a.Lat)), "≤ "+ms(target), ms(a.Median()), a.Median() <= target, true)
	}
	if s := r.Search; s != nil {
		row(fmt.Sprintf("uncached search p99 (%d requests, %d queries, one at a time)", len(s.All), len(s.Queries)), "≤ 50 ms",
			fmt.Sprintf("p99 %s (p50 %s)", ms(percentile(s.All, 99)), ms(percentile(s.All, 50))), percentile(s.All, 99) <= targetSearchP99, true)
	}
	if r.Thread != nil && r.Static != nil && r.Static.RPS() > 0 {
		share := r.Thread.OKRPS() / r.Static.RPS()
		row("cached thread page under load / static-bytes limit", "≥ 50 %",
			fmt.Sprintf("%.1f %% (%.0f of %.0f req/s)", 100*share, r.Thread.OKRPS(), r.Static.RPS()), share >= targetStaticShare, true)
		row(fmt.Sprintf("cached thread page p99 under load (%d connections)", r.Conns), "≤ 50 ms",
			ms(r.Thread.P(99)), r.Thread.Errors == 0 && r.Thread.P(99) <= targetThreadP99, true)
	}
	if m := r.Mixed; m != nil {
		row(fmt.Sprintf("mixed: readers' p99 (%d readers) while %d members post", m.Readers.Conns, m.Posters.Conns), "≤ 50 ms",
			fmt.Sprintf("p99 %s (p50 %s, %.0f req/s; %.0f posts/s)", ms(m.Readers.P(99)), ms(m.Readers.P(50)), m.Readers.RPS(), m.Posters.OKRPS()),
			m.Readers.Errors == 0 && m.Readers.P(99) <= targetMixedP99, true)
	} else {
		row("mixed: readers' p99 while members post", "≤ 50 ms", "", false, false)
	}
	if p := r.Posting; p != nil {
		row(fmt.Sprintf("posting alone, %d members", r.Posters), "≥ 500 posts/s",
			fmt.Sprintf("%.0f posts/s (p99 %s)", p.OKRPS(), ms(p.P(99))), p.OKRPS() >= targetPostsPerSec, true)
	} else {
		row("posting alone", "≥ 500 posts/s", "", false, false)
	}
	peak := max(r.RSSPeakEnd, r.RSSUncached)
	row("server peak RSS (VmHWM) over the whole run", "≤ 170 MB",
		fmt.Sprintf("%s (%s before the members' logins)", mb(peak), mb(max(r.RSSPeakReads, r.RSSUncached))), peak <= targetRSS, peak > 0)
	fmt.Fprintln(w)
}

// writeUncached prints the pages alone and the searches.
func (r *report) writeUncached(w io.Writer) {
	if len(r.Uncached) > 0 {
		fmt.Fprintf(w, "Cache off (`FORUM_CACHE_BYTES=0`), one request at a time (%d each, after one not counted):\n\n", r.Alone)
		fmt.Fprintln(w, "| page alone, uncached | median | min | max | bytes |")
		fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
		for _, a := range r.Uncached {
			fmt.Fprintf(w, "| %s (`%s`) | %s | %s | %s | %d |\n", a.Name, a.Path, ms(a.Median()), ms(a.Lat[0]), ms(a.Lat[len(a.Lat)-1]), a.Bytes)
		}
		fmt.Fprintln(w)
	}
	if s := r.Search; s != nil {
		fmt.Fprintf(w, "Search, cache off, through `/search?q=` (the results page), %d rounds of the %d queries one at a time:\n\n", s.Rounds, len(s.Queries))
		fmt.Fprintln(w, "| query | kind | results on page 1 | p50 | p99 | max |")
		fmt.Fprintln(w, "| --- | --- | ---: | ---: | ---: | ---: |")
		for _, q := range s.Queries {
			filters := []string{}
			if q.Query.Theme != "" {
				filters = append(filters, "theme="+q.Query.Theme)
			}
			if q.Query.AuthorityType != "" {
				filters = append(filters, "authority_type="+q.Query.AuthorityType)
			}
			name := "`" + q.Query.Q + "`"
			if len(filters) > 0 {
				name += " " + strings.Join(filters, " ")
			}
			more := ""
			if q.More {
				more = "+"
			}
			fmt.Fprintf(w, "| %s | %s | %d%s | %s | %s | %s |\n", name, q.Query.Kind, q.Results, more,
				ms(percentile(q.Lat, 50)), ms(percentile(q.Lat, 99)), ms(percentile(q.Lat, 100)))
		}
		fmt.Fprintf(w, "| all | | | %s | %s | %s |\n\n", ms(percentile(s.All, 50)), ms(percentile(s.All, 99)), ms(percentile(s.All, 100)))
		fmt.Fprintf(w, "Server CPU per search: %s; the machine's other processes used %.2f cores meanwhile.\n\n",
			ms(s.CPU.Server/time.Duration(len(s.All)+len(s.Queries))), s.CPU.cores(s.CPU.Others))
	}
}

// writeLoad prints the measures under load, rendering and memory.
func (r *report) writeLoad(w io.Writer) {
	fmt.Fprintln(w, "Cache on (the default), under load:")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| measure | req/s | p50 | p99 | errors | bytes/response | alone | server CPU/request | CPU cores: server / load generator / others / idle |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	row := func(name string, l *loadResult) {
		if l == nil {
			fmt.Fprintf(w, "| %s | not run | | | | | | | |\n", name)
			return
		}
		perReq := "–"
		if l.OK > 0 {
			perReq = ms(l.CPU.Server / time.Duration(l.OK+l.Errors))
		}
		u := l.CPU
		cores := "–"
		if u.Wall > 0 {
			cores = fmt.Sprintf("%.2f / %.2f / %.2f / %.2f", u.cores(u.Server), u.cores(u.Bench), u.cores(u.Others), u.cores(u.Idle))
		} else {
			perReq = "–"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name, rateCell(l), ms(l.P(50)), ms(l.P(99)),
			errCell(l), bytesCell(l), ms(l.Alone), perReq, cores)
	}
	row(fmt.Sprintf("thread page, %d replies (`/threads/{id}`, 20 posts)", r.Dataset.HotReplies), r.Thread)
	row("theme listing (`/themes/{slug}`)", r.Theme)
	row("home (`/`)", r.Home)
	row("thread JSON (`/api/v1/threads/{id}`)", r.JSON)
	row("static-bytes limit (same thread page bytes from memory, Echo)", r.Static)
	if m := r.Mixed; m != nil {
		row(fmt.Sprintf("mixed: %d readers (thread pages 60 %%, theme listings 25 %%, home 10 %%, authority types 5 %%; %d threads)",
			m.Readers.Conns, len(r.Seed.ReadThreads)), m.Readers)
		posters := *m.Posters
		posters.CPU = cpuUse{} // the window's CPU is on the readers' row
		row(fmt.Sprintf("mixed: %d members posting at the same time, posts/s", m.Posters.Conns), &posters)
	}
	if r.Posting != nil {
		row(fmt.Sprintf("posting alone, %d members (`POST /api/v1/threads/{id}/posts`), posts/s", r.Posters), r.Posting)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "req/s counts the responses completed inside the window (2xx or not; “ok” = 2xx only); p50/p99 cover every request started in it, waited for up to the timeout; “alone” is the median of three requests made one at a time before the load. Server CPU/request is the server process's CPU time over the window divided by the requests (for the mixed run: by the readers' requests, the posts' CPU included); the CPU cores columns say how the machine's cores were used during the window (“others”: processes other than the server and the bench — a busy machine).")
	fmt.Fprintln(w)
	if r.RenderPosts > 0 {
		fmt.Fprintf(w, "- Markdown rendering (forum.RenderMarkdown, %d posts, in-process, one at a time): mean %.0f µs/post (%.0f posts/s on one core), median %.0f µs, p99 %.0f µs\n",
			r.RenderPosts, micro(r.RenderMean), float64(time.Second)/float64(r.RenderMean), micro(r.RenderP50), micro(r.RenderP99))
	}
	fmt.Fprintf(w, "- server RSS (VmHWM = peak): cache off %s at its end; cache on: %s at start, peak %s after the page runs (%s current), %s after the %d logins (argon2id, 19 MiB each), %s after the mixed run, %s at the end\n",
		mb(r.RSSUncached), mb(r.RSSReady), mb(r.RSSPeakReads), mb(r.RSSCurReads), mb(r.RSSPeakLogins), r.Posters, mb(r.RSSPeakMixed), mb(r.RSSPeakEnd))
	if r.StaticRSS > 0 {
		fmt.Fprintf(w, "- static-bytes server peak RSS: %s\n", mb(r.StaticRSS))
	}
	for _, l := range []*loadResult{r.Thread, r.Theme, r.Home, r.JSON, r.Static, r.Posting} {
		if l != nil && l.Errors > 0 {
			fmt.Fprintf(w, "- %s errors: %s\n", l.Name, l.FirstErr)
		}
	}
	if m := r.Mixed; m != nil {
		for _, l := range []*loadResult{m.Readers, m.Posters} {
			if l.Errors > 0 {
				fmt.Fprintf(w, "- %s errors: %s\n", l.Name, l.FirstErr)
			}
		}
	}
}
