package digest

import (
	"context"
	"sort"
	"strings"
	"time"
	"unicode"

	"coterforum/forum"
	"coterforum/i18n"
)

// Limits of one digest. Posts beyond them are still counted and linked
// through their thread ("… et 4 autres messages").
const (
	ExcerptRunes      = 280
	MaxThreadsPerMail = 60
	MaxPostsPerThread = 10
)

// Item is one published post offered to digests: what a mail shows of it.
type Item struct {
	PostID      string
	ThreadID    string
	Author      forum.AuthorRef
	Excerpt     string
	PublishedAt time.Time
}

// NewItem returns the Item of a published post, with a plain-text excerpt.
func NewItem(p *forum.Post) Item {
	return Item{PostID: p.ID, ThreadID: p.ThreadID, Author: p.Author,
		Excerpt: forum.PlainExcerpt(p.HTML, ExcerptRunes), PublishedAt: PublishedAt(p)}
}

// names turns slugs into names, French or English.
type names struct {
	themes map[string]forum.Theme
	types  map[string]forum.AuthorityType
}

func newNames(themes []forum.Theme, types []forum.AuthorityType) names {
	n := names{themes: map[string]forum.Theme{}, types: map[string]forum.AuthorityType{}}
	for _, t := range themes {
		n.themes[t.Slug] = t
	}
	for _, a := range types {
		n.types[a.Slug] = a
	}
	return n
}

func (s *Service) loadNames(ctx context.Context) (names, error) {
	themes, err := s.store.ListThemes(ctx)
	if err != nil {
		return names{}, err
	}
	types, err := s.store.ListAuthorityTypes(ctx)
	return newNames(themes, types), err
}

// theme names a theme in lang (French when it has no English name).
func (n names) theme(slug string, lang i18n.Lang) string {
	if t, ok := n.themes[slug]; ok {
		return t.Name(string(lang))
	}
	return slug
}

// authorityType names an authority type in lang, in the plural ("Régions",
// "Regions") or not.
func (n names) authorityType(slug string, plural bool, lang i18n.Lang) string {
	a, ok := n.types[slug]
	switch {
	case !ok:
		return slug
	case plural && a.Plural != "" && (lang != i18n.EN || i18n.Has(a.Plural)):
		return i18n.T(lang, a.Plural)
	}
	return a.Name(string(lang))
}

// label describes a target in lang.
func (n names) label(t Target, threadTitle string, lang i18n.Lang) string {
	switch t.Kind {
	case TargetTheme:
		return sprintf(lang, "Thème « %s »", n.theme(t.Theme, lang))
	case TargetAuthorityType:
		return sprintf(lang, "Collectivités : %s", n.authorityType(t.AuthorityType, true, lang))
	case TargetThemeAuthority:
		return n.theme(t.Theme, lang) + " × " + n.authorityType(t.AuthorityType, true, lang)
	case TargetThread:
		if threadTitle == "" {
			return i18n.T(lang, "Un fil qui n'est plus publié")
		}
		return sprintf(lang, "Fil « %s »", oneLine(threadTitle))
	}
	return t.Kind
}

// oneLine removes control characters (CR, LF…) and collapses white space,
// so that a title can never start a new line in a header or a text body.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Content is what was published during a run, shared by all its digests.
type Content struct {
	threads  map[string]*forum.Thread
	names    names
	byThread map[string][]Item // visible items of each thread, by publication
}

// NewContent indexes the published items for selection. Items whose thread
// is missing or not published are dropped, except the first post of a
// thread still marked pending (its publication is being written); items in
// exclude (already sent by the previous run) are dropped too.
func NewContent(items []Item, threads []forum.Thread, themes []forum.Theme, types []forum.AuthorityType, exclude []string) *Content {
	c := &Content{threads: map[string]*forum.Thread{}, names: newNames(themes, types), byThread: map[string][]Item{}}
	for i := range threads {
		c.threads[threads[i].ID] = &threads[i]
	}
	skip := map[string]bool{}
	for _, id := range exclude {
		skip[id] = true
	}
	for _, it := range items {
		th := c.threads[it.ThreadID]
		if th == nil || skip[it.PostID] {
			continue
		}
		if th.Status != forum.ThreadPublished && (th.Status != forum.ThreadPending || th.FirstPostID != it.PostID) {
			continue
		}
		c.byThread[it.ThreadID] = append(c.byThread[it.ThreadID], it)
	}
	for _, its := range c.byThread {
		sort.SliceStable(its, func(i, j int) bool { return its[i].PublishedAt.Before(its[j].PublishedAt) })
	}
	return c
}

// Empty reports whether nothing at all was published.
func (c *Content) Empty() bool { return len(c.byThread) == 0 }

// matches reports whether a subscription target follows the thread.
func matches(t Target, th *forum.Thread) bool {
	hasType := func(slug string) bool {
		for _, a := range th.AuthorityTypes {
			if a == slug {
				return true
			}
		}
		return false
	}
	switch t.Kind {
	case TargetTheme:
		return th.Theme == t.Theme
	case TargetAuthorityType:
		return hasType(t.AuthorityType)
	case TargetThemeAuthority:
		return th.Theme == t.Theme && hasType(t.AuthorityType)
	case TargetThread:
		return th.ID == t.ThreadID
	}
	return false
}

// ThreadNews is one thread of a digest with its new posts.
type ThreadNews struct {
	Thread *forum.Thread
	Posts  []Item // oldest first
	// New is true when the thread itself started in the period.
	New bool
}

// ThemeNews groups the threads of a digest in one theme.
type ThemeNews struct {
	Slug    string
	Name    string
	Threads []ThreadNews
	posts   int
}

// Select returns the news a subscriber gets for the window [from, until):
// each subscription contributes the posts published from
// max(from, its creation), grouped by theme, most active first.
func (c *Content) Select(subs []Subscription, from, until time.Time) []ThemeNews {
	var out []ThemeNews
	themeIdx := map[string]int{}
	for id, items := range c.byThread {
		th := c.threads[id]
		since := time.Time{}
		found := false
		for _, sub := range subs {
			if sub.Pending || !matches(sub.Target, th) {
				continue
			}
			start := from
			if sub.CreatedAt.After(start) {
				start = sub.CreatedAt
			}
			if !found || start.Before(since) {
				since, found = start, true
			}
		}
		if !found {
			continue
		}
		tn := ThreadNews{Thread: th}
		for _, it := range items {
			if !it.PublishedAt.Before(since) && it.PublishedAt.Before(until) {
				tn.Posts = append(tn.Posts, it)
				tn.New = tn.New || it.PostID == th.FirstPostID
			}
		}
		if len(tn.Posts) == 0 {
			continue
		}
		i, ok := themeIdx[th.Theme]
		if !ok {
			i = len(out)
			themeIdx[th.Theme] = i
			out = append(out, ThemeNews{Slug: th.Theme, Name: c.names.theme(th.Theme, i18n.FR)})
		}
		out[i].Threads = append(out[i].Threads, tn)
		out[i].posts += len(tn.Posts)
	}
	for _, g := range out {
		sort.Slice(g.Threads, func(i, j int) bool {
			a, b := g.Threads[i], g.Threads[j]
			if len(a.Posts) != len(b.Posts) {
				return len(a.Posts) > len(b.Posts)
			}
			la, lb := a.Posts[len(a.Posts)-1].PublishedAt, b.Posts[len(b.Posts)-1].PublishedAt
			if !la.Equal(lb) {
				return la.After(lb)
			}
			return a.Thread.ID < b.Thread.ID
		})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].posts != out[j].posts {
			return out[i].posts > out[j].posts
		}
		pi, pj := c.names.themes[out[i].Slug].Position, c.names.themes[out[j].Slug].Position
		if pi != pj {
			return pi < pj
		}
		return out[i].Slug < out[j].Slug
	})
	return out
}
