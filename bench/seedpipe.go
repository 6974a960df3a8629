package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"

	"coterforum/forum"
	"coterforum/store"
)

// seedBatch is how many posts go through the pipeline (and into one
// ImportPosts call) at a time.
const seedBatch = 2000

// pipelineStats says where the seeding's time went.
type pipelineStats struct {
	Workers    int
	Posts      int
	Took       time.Duration // generating, rendering and writing the posts
	RenderBusy time.Duration // RenderMarkdown and search terms, summed over the workers
	WriteBusy  time.Duration // in ImportPosts
	GenBusy    time.Duration // generating the posts' text and dates
	PeakRSS    int64         // the bench process's VmHWM after the posts
}

// postBatch is a batch of posts on its way to the store: generated in
// order, rendered by any worker, written in order.
type postBatch struct {
	posts  []forum.Post
	done   chan struct{}
	err    error
	render time.Duration
}

// writePosts streams the posts next returns (in time order) to the store:
// one goroutine generates them, runtime.NumCPU() workers render their
// Markdown (forum.RenderMarkdown) and compute their search terms, and the
// batches are imported in order (ImportPosts). At most a few batches are
// in memory at a time.
func writePosts(ctx context.Context, st store.Store, total int, next func() (forum.Post, bool)) (pipelineStats, error) {
	stats := pipelineStats{Workers: runtime.NumCPU()}
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *postBatch, stats.Workers)
	ordered := make(chan *postBatch, stats.Workers+2)

	var workers sync.WaitGroup
	for range stats.Workers {
		workers.Go(func() {
			for b := range jobs {
				t0 := time.Now()
				for i := range b.posts {
					p := &b.posts[i]
					html, err := forum.RenderMarkdown(p.Source)
					if err != nil && b.err == nil {
						b.err = err
					}
					p.HTML, p.Terms = html, forum.PostSearchTerms(html)
				}
				b.render = time.Since(t0)
				close(b.done)
			}
		})
	}

	writeErr := make(chan error, 1)
	go func() {
		var err error
		defer func() { writeErr <- err }()
		lastReport := time.Now()
		for b := range ordered {
			if err != nil {
				continue // drain
			}
			<-b.done
			stats.RenderBusy += b.render
			if b.err != nil {
				err = fmt.Errorf("rendu Markdown : %w", b.err)
				cancel()
				continue
			}
			t0 := time.Now()
			if err = st.ImportPosts(ctx, b.posts); err != nil {
				err = fmt.Errorf("messages : %w", err)
				cancel()
				continue
			}
			stats.WriteBusy += time.Since(t0)
			stats.Posts += len(b.posts)
			if time.Since(lastReport) >= 5*time.Second || stats.Posts == total {
				lastReport = time.Now()
				el := time.Since(start)
				rate := float64(stats.Posts) / el.Seconds()
				left := time.Duration(float64(total-stats.Posts)/rate) * time.Second
				progress("messages : %d / %d (%.0f %%), %.0f messages/s, reste ~%s ; RSS du banc %s",
					stats.Posts, total, 100*float64(stats.Posts)/float64(total), rate, left.Round(time.Second), selfRSS())
			}
		}
	}()

	// The generator: this goroutine.
	var genErr error
	var genBusy time.Duration
	for done := false; !done; {
		t0 := time.Now()
		b := &postBatch{posts: make([]forum.Post, 0, seedBatch), done: make(chan struct{})}
		for len(b.posts) < seedBatch {
			p, ok := next()
			if !ok {
				done = true
				break
			}
			b.posts = append(b.posts, p)
		}
		genBusy += time.Since(t0)
		if len(b.posts) == 0 {
			break
		}
		select {
		case ordered <- b:
		case <-ctx.Done():
			genErr, done = ctx.Err(), true
			close(b.done)
			continue
		}
		jobs <- b
	}
	close(jobs)
	close(ordered)
	workers.Wait()
	err := <-writeErr
	if err == nil {
		err = genErr
	}
	stats.GenBusy = genBusy
	stats.Took = time.Since(start)
	stats.PeakRSS, _, _ = memStats(os.Getpid())
	return stats, err
}

// selfRSS is the bench process's resident set, for the progress lines.
func selfRSS() string {
	_, cur, err := memStats(os.Getpid())
	if err != nil {
		return "?"
	}
	return mb(cur)
}
