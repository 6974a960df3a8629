package main

import (
	mrand "math/rand/v2"
	"slices"
	"time"

	"coterforum/forum"
)

// threadPlan is one thread being written: the thread (its counters and
// last post follow its posts) and when its next post comes.
type threadPlan struct {
	th     forum.Thread
	author int       // index of its author in the members
	left   int       // replies still to write
	next   time.Time // time of its next post
	limit  time.Time // its posts stay before this
	hot    bool
}

// planHeap orders threads by the time of their next post.
type planHeap struct {
	plans []threadPlan
	idx   []int32
}

func (h *planHeap) Len() int { return len(h.idx) }
func (h *planHeap) Less(i, j int) bool {
	a, b := &h.plans[h.idx[i]], &h.plans[h.idx[j]]
	if c := a.next.Compare(b.next); c != 0 {
		return c < 0
	}
	return h.idx[i] < h.idx[j]
}
func (h *planHeap) Swap(i, j int) { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *planHeap) Push(x any)    { h.idx = append(h.idx, x.(int32)) }
func (h *planHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

// planThreads draws every thread: theme, authority types (every pair
// occurs), author, title, creation date over ds.Years, replies (the hot
// thread, first, gets HotReplies and is the longest).
func planThreads(ds dataset, rng *mrand.Rand, gen *textGen, themes []forum.Theme, types []forum.AuthorityType,
	members []*forum.Member, now time.Time) []threadPlan {
	replies := make([]int, ds.Threads)
	replies[0] = ds.HotReplies
	rest := ds.Posts - ds.Threads - ds.HotReplies
	most := max(40, 2*rest/(ds.Threads-1)+1) // the others: at most 40 replies each (more if the dataset needs it)
	for rest > 0 {
		i := 1 + rng.IntN(ds.Threads-1)
		if replies[i] < most {
			replies[i]++
			rest--
		}
	}
	span := time.Duration(max(1, ds.Years)) * 365 * 24 * time.Hour
	limit := now.Add(-time.Minute)
	plans := make([]threadPlan, ds.Threads)
	for i := range plans {
		theme := themes[i%len(themes)]
		// The first type cycles through all of them for each theme; a
		// second one is added at random.
		tt := []string{types[(i/len(themes))%len(types)].Slug}
		if rng.IntN(3) == 0 {
			if extra := types[rng.IntN(len(types))].Slug; extra != tt[0] {
				tt = append(tt, extra)
			}
		}
		created := now.Add(-2*24*time.Hour - time.Duration(rng.Int64N(int64(span-2*24*time.Hour))))
		created = created.Truncate(time.Millisecond)
		hot := i == 0
		if hot {
			// The measured thread is a lively one, on the home page.
			theme = themes[0]
			for _, t := range themes {
				if t.Slug == "reseaux" {
					theme = t
				}
			}
			created = now.Add(-38 * time.Hour)
		}
		ai := rng.IntN(len(members))
		author := members[ai]
		th := forum.Thread{ID: makeID(uint64(created.UnixNano()), uint32(i)), Theme: theme.Slug, AuthorityTypes: tt,
			Title: gen.Title(), Author: author.Ref(), Status: forum.ThreadPublished, CreatedAt: created}
		plans[i] = threadPlan{th: th, author: ai, left: replies[i], next: created, limit: limit, hot: hot}
	}
	return plans
}

// nextPostTime is when the thread's next reply comes: 5 min to 36 h after
// the previous one (10 to 80 min in the hot thread), squeezed so that the
// thread's replies all stay before its limit.
func nextPostTime(rng *mrand.Rand, tp *threadPlan) time.Time {
	gap := time.Duration(5+rng.IntN(36*60))*time.Minute + time.Duration(rng.IntN(60_000))*time.Millisecond
	if tp.hot {
		gap = time.Duration(10+rng.IntN(70))*time.Minute + time.Duration(rng.IntN(60_000))*time.Millisecond
	}
	at := tp.next.Add(gap)
	// Leave a second for each reply after this one.
	if latest := tp.limit.Add(-time.Duration(tp.left) * time.Second); at.After(latest) {
		at = tp.next.Add(max(time.Millisecond, latest.Sub(tp.next)/2))
	}
	return at.Truncate(time.Millisecond)
}

// pickThreads chooses the threads the measures use: the hot one, the
// threads of the mixed readers, and those the posting runs reply to.
func pickThreads(out *seeded, plans []threadPlan, themes []forum.Theme, seed uint64) {
	var others []int
	for i := range plans {
		if plans[i].hot {
			out.HotThread, out.HotTheme = plans[i].th.ID, plans[i].th.Theme
		} else {
			others = append(others, i)
		}
	}
	perTheme := 0
	for i := range plans {
		if plans[i].th.Theme == out.HotTheme {
			perTheme++
		}
	}
	out.ThemePages = max(1, (perTheme+forum.ThreadsPerPage-1)/forum.ThreadsPerPage)
	// The posting runs reply to the threads least recently active, away
	// from the pages measured before them, in themes where a trusted
	// member's reply is published at once.
	slices.SortFunc(others, func(a, b int) int { return plans[a].th.LastActivityAt.Compare(plans[b].th.LastActivityAt) })
	for _, i := range others {
		if len(out.PostThreads) == 50 {
			break
		}
		if themeModeration(themes, plans[i].th.Theme) == forum.ModerationNewMembers {
			out.PostThreads = append(out.PostThreads, plans[i].th.ID)
		}
	}
	// The readers: the hot thread, the posted-to ones (their pages are
	// invalidated under the readers), and 500 more drawn at random.
	out.ReadThreads = append([]string{out.HotThread}, out.PostThreads...)
	rng := mrand.New(mrand.NewPCG(seed, 7))
	for _, k := range rng.Perm(len(others))[:min(500, len(others))] {
		out.ReadThreads = append(out.ReadThreads, plans[others[k]].th.ID)
	}
}

func themeModeration(themes []forum.Theme, slug string) string {
	for _, t := range themes {
		if t.Slug == slug {
			return t.Moderation
		}
	}
	return ""
}
