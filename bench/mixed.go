package main

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"strconv"
	"sync"
)

// readerMix is what the mixed measure's readers open, each request drawn
// at random: a thread page (60 %: among the hot thread, the threads being
// posted to and 500 others), a theme listing (25 %: page 1 of a theme, or
// page 2 or 3), home (10 %), an authority-type listing (5 %).
type readerMix struct {
	threads, themes, types []string
}

// path draws the next page.
func (m readerMix) path(r *mrand.Rand) string {
	switch x := r.IntN(100); {
	case x < 60:
		return "/threads/" + m.threads[r.IntN(len(m.threads))]
	case x < 85:
		p := "/themes/" + m.themes[r.IntN(len(m.themes))]
		if r.IntN(4) == 0 {
			p += "?page=" + strconv.Itoa(2+r.IntN(2))
		}
		return p
	case x < 95:
		return "/"
	}
	return "/authority-types/" + m.types[r.IntN(len(m.types))]
}

// mixedGetter returns a doFunc where connection i GETs the pages its own
// generator draws from the mix, as an anonymous visitor.
func mixedGetter(client *http.Client, base string, mix readerMix, conns int, seed uint64, gzip bool) doFunc {
	rngs := make([]*mrand.Rand, conns)
	for i := range rngs {
		rngs[i] = mrand.New(mrand.NewPCG(seed, uint64(i)))
	}
	return func(ctx context.Context, conn int) (int, int64, string, error) {
		return getter(client, base+mix.path(rngs[conn]), gzip)(ctx, conn)
	}
}

// mixedResult is the mixed measure: readers and posters at the same time.
type mixedResult struct {
	Readers, Posters *loadResult
}

// runMixed runs the readers (o.conns connections over the mix) and the
// posters (one session each) at the same time, warm-up then window: the
// readers' pages are invalidated by the replies while they read them.
func runMixed(ctx context.Context, o options, pid int, base string, sd *seeded, sessions []*apiSession) (*mixedResult, error) {
	if len(sessions) == 0 {
		return nil, errors.New("aucun membre connecté pour la mesure mixte")
	}
	mix := readerMix{threads: sd.ReadThreads, themes: sd.Themes, types: sd.Types}
	readers := mixedGetter(newClient(o.conns), base, mix, o.conns, o.ds.Seed+2000, o.gzip)
	posters := poster(newClient(len(sessions)), base, sessions, sd.PostThreads, o.ds.Seed+3000)
	run := func(name string, d bool) *mixedResult {
		window := o.warmup
		if d {
			window = o.window
		}
		var res mixedResult
		var wg sync.WaitGroup
		c0 := takeCPU(pid)
		wg.Go(func() { res.Readers = runLoad(ctx, name+" readers", o.conns, window, o.timeout, readers) })
		wg.Go(func() { res.Posters = runLoad(ctx, name+" posters", len(sessions), window, o.timeout, posters) })
		wg.Wait()
		res.Readers.CPU = takeCPU(pid).since(c0)
		res.Posters.CPU = res.Readers.CPU
		return &res
	}
	progress("mixte : échauffement %s (%d lecteurs, %d membres qui publient)…", o.warmup, o.conns, len(sessions))
	run("mixed warm-up", false)
	progress("mixte : mesure %s…", o.window)
	res := run("mixed", true)
	progress("mixte : lecteurs %.0f req/s, p50 %s, p99 %s, %d erreur(s) ; %.0f messages/s, p99 %s, %d erreur(s) ; %s",
		res.Readers.RPS(), ms(res.Readers.P(50)), ms(res.Readers.P(99)), res.Readers.Errors,
		res.Posters.OKRPS(), ms(res.Posters.P(99)), res.Posters.Errors, cpuLine(res.Readers.CPU))
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return res, nil
}

// loginAll opens n API sessions among the posters.
func loginAll(ctx context.Context, base string, posters []string, n int) ([]*apiSession, error) {
	if len(posters) == 0 {
		return nil, errors.New("aucun membre publiant sans modération")
	}
	client := newClient(1)
	sessions := make([]*apiSession, n)
	for i := range sessions {
		s, err := login(ctx, client, base, posters[i%len(posters)], benchPassword)
		if err != nil {
			return nil, fmt.Errorf("connexion : %w", err)
		}
		sessions[i] = s
	}
	return sessions, nil
}
