package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"slices"
	"time"

	"coterforum/forum"
	"coterforum/store"
)

// benchPassword is the password of every seeded member.
const benchPassword = "mot-de-passe-du-banc-d-essai"

// dataset is the shape of the seeded forum.
type dataset struct {
	Members int
	Threads int
	Posts   int // first posts included
	// HotReplies is the number of replies of the measured thread.
	HotReplies int
	Seed       uint64
}

// seeded is what the measurements need to know about the seeded forum.
type seeded struct {
	HotThread   string   // the thread of HotReplies replies
	HotTheme    string   // its theme
	PostThreads []string // threads the posting run replies to (not the hot one)
	Posters     []string // emails of members whose posts are published at once
	Sources     []string // every post's Markdown source, for the rendering timing
	Threads     int
	Posts       int
	Members     int
	Took        time.Duration
	RenderTook  time.Duration // RenderMarkdown time spent while seeding
}

// seedMember is one seeded account.
type seedMember struct {
	name, authority, authType string
}

var (
	firstNames = []string{"Isabelle", "Karim", "Julien", "Émilie", "Philippe", "Anne-Laure", "Sophie", "Thomas",
		"Nadia", "François", "Claire", "Mehdi", "Hélène", "Olivier", "Camille", "Yann", "Sandrine", "Luc", "Amélie", "Bruno"}
	lastNames = []string{"Moreau", "Haddad", "Roussel", "Carpentier", "Mercier", "Le Gall", "Lefèvre", "Girard",
		"Benali", "Dupont", "Fabre", "Chevalier", "Roux", "Lambert", "Bonnet", "Kerjean", "Faure", "André", "Mallet", "Perrin"}
	authorities = []seedMember{
		{authority: "Ville de Villeurbanne", authType: "commune"},
		{authority: "Métropole Rouen Normandie", authType: "intercommunalite"},
		{authority: "Département de la Gironde", authType: "departement"},
		{authority: "Région Bretagne", authType: "region"},
		{authority: "Ville de Montreuil", authType: "commune"},
		{authority: "Communauté d'agglomération du Grand Annecy", authType: "intercommunalite"},
		{authority: "Département du Nord", authType: "departement"},
		{authority: "Région Occitanie", authType: "region"},
		{authority: "Ville d'Épinay-sur-Seine", authType: "commune"},
		{authority: "Communauté de communes du Pays de Gex", authType: "intercommunalite"},
	}
)

// idAt returns an identifier of the form forum.NewID makes, as it would have
// been made at t: 8 bytes of nanoseconds then 4 random bytes, so that posts
// sort by creation time as the forum expects.
func idAt(t time.Time, used map[string]bool) string {
	n := uint64(t.UnixNano())
	for {
		var b [12]byte
		binary.BigEndian.PutUint64(b[:8], n)
		_, _ = rand.Read(b[8:])
		id := hex.EncodeToString(b[:])
		if !used[id] {
			used[id] = true
			return id
		}
		n++
	}
}

// seedForum fills a fresh database with ds. Members go through the forum
// service (argon2id hashes, validation); threads and posts are written
// through the store's insert paths with the HTML from forum.RenderMarkdown,
// the counters and last-activity fields set as the service would have left
// them, which is much faster than replaying 5 000 replies through
// forum.Service.Reply (each would scan the threads collection on the
// embedded store).
func seedForum(ctx context.Context, cfg store.Config, ds dataset, log *slog.Logger) (*seeded, error) {
	start := time.Now()
	st, err := store.Open(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer st.Close(context.Background())
	svc := forum.New(st, log, nil)
	if err := svc.SeedTaxonomy(ctx); err != nil {
		return nil, fmt.Errorf("thèmes : %w", err)
	}
	themes, err := svc.Themes(ctx, false)
	if err != nil {
		return nil, err
	}
	types, err := svc.AuthorityTypes(ctx)
	if err != nil {
		return nil, err
	}
	if len(themes) == 0 || len(types) == 0 {
		return nil, fmt.Errorf("taxonomie vide")
	}

	rng := mrand.New(mrand.NewPCG(ds.Seed, 1))
	gen := newTextGen(ds.Seed)
	out := &seeded{Members: ds.Members}

	members := make([]*forum.Member, 0, ds.Members)
	for i := range ds.Members {
		a := authorities[i%len(authorities)]
		role := forum.RoleMember
		switch {
		case i == 0:
			role = forum.RoleAdmin
		case i <= 2:
			role = forum.RoleModerator
		}
		m, err := svc.CreateMember(ctx, forum.NewMember{
			Email:       fmt.Sprintf("membre%02d@banc.coterforum.fr", i),
			DisplayName: firstNames[i%len(firstNames)] + " " + lastNames[(i*7)%len(lastNames)],
			Authority:   a.authority, AuthorityType: a.authType, Role: role, Password: benchPassword,
		})
		if err != nil {
			return nil, fmt.Errorf("membre %d : %w", i, err)
		}
		members = append(members, m)
	}

	// Replies per thread: the hot thread gets HotReplies, the others share
	// the rest at random (at most 40 each, so the hot thread is the longest).
	replies := make([]int, ds.Threads)
	replies[0] = ds.HotReplies
	rest := ds.Posts - ds.Threads - ds.HotReplies
	if rest < 0 || ds.Threads < 2 {
		return nil, fmt.Errorf("jeu de données incohérent : %d fils, %d messages", ds.Threads, ds.Posts)
	}
	for rest > 0 {
		i := 1 + rng.IntN(ds.Threads-1)
		if replies[i] < 40 {
			replies[i]++
			rest--
		}
	}

	now := time.Now().UTC().Truncate(time.Millisecond)
	used := map[string]bool{}
	approved := map[string]int{}
	var renderTook time.Duration
	newPost := func(th *forum.Thread, author *forum.Member, at time.Time) (*forum.Post, error) {
		src := forum.NormalizeSource(gen.Post())
		t0 := time.Now()
		html, err := forum.RenderMarkdown(src)
		renderTook += time.Since(t0)
		if err != nil {
			return nil, err
		}
		out.Sources = append(out.Sources, src)
		approved[author.ID]++
		return &forum.Post{ID: idAt(at, used), ThreadID: th.ID, Author: author.Ref(), Source: src, HTML: html,
			Status: forum.PostPublished, CreatedAt: at}, nil
	}

	type threadPosts struct {
		th    *forum.Thread
		posts []*forum.Post
	}
	all := make([]threadPosts, 0, ds.Threads)
	for i := range ds.Threads {
		theme := themes[i%len(themes)]
		// Every theme × authority type pair occurs: the first type cycles
		// through all of them for each theme; a second one is added at random.
		tt := []string{types[(i/len(themes))%len(types)].Slug}
		if rng.IntN(3) == 0 {
			if extra := types[rng.IntN(len(types))].Slug; extra != tt[0] {
				tt = append(tt, extra)
			}
		}
		created := now.Add(-time.Duration(2*24+rng.IntN(363*24)) * time.Hour).Add(-time.Duration(rng.IntN(3600)) * time.Second)
		if i == 0 {
			// The measured thread is a lively one, on the home page.
			theme = themes[0]
			for _, t := range themes {
				if t.Slug == "reseaux" {
					theme = t
				}
			}
			created = now.Add(-38 * time.Hour)
		}
		author := members[rng.IntN(len(members))]
		th := &forum.Thread{ID: idAt(created, used), Theme: theme.Slug, AuthorityTypes: tt, Title: gen.Title(),
			Author: author.Ref(), Status: forum.ThreadPublished, CreatedAt: created}
		first, err := newPost(th, author, created)
		if err != nil {
			return nil, err
		}
		tp := threadPosts{th: th, posts: []*forum.Post{first}}
		at := created
		for range replies[i] {
			gap := time.Duration(5+rng.IntN(36*60)) * time.Minute
			if i == 0 {
				gap = time.Duration(10+rng.IntN(70)) * time.Minute
			}
			at = at.Add(gap).Add(time.Duration(rng.IntN(60_000)) * time.Millisecond)
			if at.After(now.Add(-time.Minute)) {
				at = now.Add(-time.Minute).Add(-time.Duration(replies[i]-len(tp.posts)) * time.Second)
			}
			p, err := newPost(th, members[rng.IntN(len(members))], at)
			if err != nil {
				return nil, err
			}
			tp.posts = append(tp.posts, p)
		}
		last := tp.posts[len(tp.posts)-1]
		th.FirstPostID, th.LastPostID, th.LastAuthor = first.ID, last.ID, last.Author.DisplayName
		th.PostCount, th.LastActivityAt = len(tp.posts), last.CreatedAt
		all = append(all, tp)
	}

	// Posts first, then their thread, as forum.Service.CreateThread does.
	for _, tp := range all {
		for _, p := range tp.posts {
			if err := st.InsertPost(ctx, p); err != nil {
				return nil, fmt.Errorf("message : %w", err)
			}
		}
		if err := st.InsertThread(ctx, tp.th); err != nil {
			return nil, fmt.Errorf("fil : %w", err)
		}
		out.Threads++
		out.Posts += len(tp.posts)
	}
	for _, m := range members {
		if n := approved[m.ID]; n > 0 {
			if err := st.IncMemberApprovedPosts(ctx, m.ID, n); err != nil {
				return nil, err
			}
		}
		// Posters: plain members whose posts are published without review
		// (moderation.Service.InitialStatus: approved posts >= TrustAfter).
		if m.Role == forum.RoleMember && approved[m.ID] >= 10 {
			out.Posters = append(out.Posters, m.Email)
		}
	}
	out.HotThread, out.HotTheme = all[0].th.ID, all[0].th.Theme
	// The posting run replies to the threads least recently active, away
	// from the pages measured before it.
	rest2 := all[1:]
	slices.SortFunc(rest2, func(a, b threadPosts) int { return a.th.LastActivityAt.Compare(b.th.LastActivityAt) })
	for _, tp := range rest2[:min(len(rest2), 50)] {
		if themeModeration(themes, tp.th.Theme) == forum.ModerationNewMembers {
			out.PostThreads = append(out.PostThreads, tp.th.ID)
		}
	}
	out.RenderTook = renderTook
	out.Took = time.Since(start)
	return out, nil
}

func themeModeration(themes []forum.Theme, slug string) string {
	for _, t := range themes {
		if t.Slug == slug {
			return t.Moderation
		}
	}
	return ""
}
