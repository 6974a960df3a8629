package main

import (
	"container/heap"
	"context"
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
	Size    string // the preset it comes from (-size)
	Members int
	Threads int
	Posts   int // first posts included
	// HotReplies is the number of replies of the measured thread.
	HotReplies int
	// Years is the span of the threads' creation dates, back from now.
	Years int
	Seed  uint64
}

// presets are the datasets of -size.
var presets = map[string]dataset{
	"small": {Size: "small", Threads: 500, Posts: 5000, Members: 20},
	"100k":  {Size: "100k", Threads: 5000, Posts: 100_000, Members: 300},
	"1m":    {Size: "1m", Threads: 50_000, Posts: 1_000_000, Members: 300},
}

// seeded is what the measurements need to know about the seeded forum. It
// is saved next to the data (-datadir) so that a later run can reuse it.
type seeded struct {
	HotThread   string   // the thread of HotReplies replies
	HotTheme    string   // its theme
	ThemePages  int      // pages of the hot theme's listing
	Themes      []string // every theme's slug
	Types       []string // every authority type's slug
	ReadThreads []string // threads the mixed measure's readers open
	PostThreads []string // threads the posting runs reply to (not the hot one)
	Posters     []string // emails of members whose posts are published at once
	Threads     int
	Posts       int
	Members     int
	Took        time.Duration
	Pipeline    pipelineStats
	// Reused says the data dir was seeded by an earlier run.
	Reused bool `json:"-"`
}

// seedMember is one seeded account.
type seedMember struct {
	authority, authType string
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

// makeID returns an identifier of the form forum.NewID makes: 8 bytes of
// nanoseconds then 4 bytes, here a number that makes it unique.
func makeID(ns uint64, n uint32) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], ns)
	binary.BigEndian.PutUint32(b[8:], n)
	return hex.EncodeToString(b[:])
}

// postIDs makes the posts' ids in the order they are written (time order):
// strictly increasing nanoseconds, so that ids sort as the posts do.
type postIDs struct {
	last uint64
	n    uint32
}

func (g *postIDs) at(t time.Time) string {
	ns := max(uint64(t.UnixNano()), g.last+1)
	g.last = ns
	g.n++
	return makeID(ns, g.n)
}

// seedForum fills a fresh database with ds. Members go through the forum
// service (validation, argon2id); threads and posts are written by the
// store's bulk import (ImportPosts, ImportThreads) with exactly what
// forum.Service would have written: HTML from forum.RenderMarkdown (on
// every core), search terms, ids of forum.NewID's form dated at the post's
// time, counters, first and last post, last activity. Posts are generated
// in time order and streamed in batches: memory grows with the threads,
// not with the posts.
func seedForum(ctx context.Context, cfg store.Config, ds dataset, log *slog.Logger) (*seeded, error) {
	start := time.Now()
	if ds.Threads < 2 || ds.Posts < ds.Threads+ds.HotReplies || ds.Members < 4 {
		return nil, fmt.Errorf("jeu de données incohérent : %d fils, %d messages, %d membres", ds.Threads, ds.Posts, ds.Members)
	}
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
	members, err := seedMembers(ctx, svc, st, ds.Members)
	if err != nil {
		return nil, err
	}
	out := &seeded{Members: ds.Members}
	for _, t := range themes {
		out.Themes = append(out.Themes, t.Slug)
	}
	for _, t := range types {
		out.Types = append(out.Types, t.Slug)
	}

	rng := mrand.New(mrand.NewPCG(ds.Seed, 1))
	gen := newTextGen(ds.Seed)
	now := time.Now().UTC().Truncate(time.Millisecond)
	plans := planThreads(ds, rng, gen, themes, types, members, now)
	progress("plan : %d fils sur %d ans, %d messages", len(plans), ds.Years, ds.Posts)

	// Posts in time order, through the render pool to the store.
	approved := make([]int, len(members))
	h := &planHeap{plans: plans, idx: make([]int32, len(plans))}
	for i := range plans {
		h.idx[i] = int32(i)
	}
	heap.Init(h)
	var ids postIDs
	next := func() (forum.Post, bool) {
		if h.Len() == 0 {
			return forum.Post{}, false
		}
		i := h.idx[0]
		tp := &plans[i]
		at := tp.next
		ai := rng.IntN(len(members))
		if tp.th.PostCount == 0 {
			ai = tp.author
		}
		author := members[ai]
		p := forum.Post{ID: ids.at(at), ThreadID: tp.th.ID, Author: author.Ref(), Source: forum.NormalizeSource(gen.Post()),
			Status: forum.PostPublished, CreatedAt: at}
		if tp.th.PostCount == 0 {
			tp.th.FirstPostID = p.ID
		}
		tp.th.PostCount++
		tp.th.LastPostID, tp.th.LastAuthor, tp.th.LastActivityAt = p.ID, author.DisplayName, at
		approved[ai]++
		if tp.left > 0 {
			tp.left--
			tp.next = nextPostTime(rng, tp)
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
		return p, true
	}
	stats, err := writePosts(ctx, st, ds.Posts, next)
	if err != nil {
		return nil, err
	}
	out.Pipeline = stats

	// Then the threads, oldest first, as they stand after their posts.
	slices.SortFunc(plans, func(a, b threadPlan) int { return a.th.CreatedAt.Compare(b.th.CreatedAt) })
	batch := make([]forum.Thread, 0, 2000)
	for i := range plans {
		batch = append(batch, plans[i].th)
		if len(batch) == cap(batch) || i == len(plans)-1 {
			if err := st.ImportThreads(ctx, batch); err != nil {
				return nil, fmt.Errorf("fils : %w", err)
			}
			out.Threads += len(batch)
			batch = batch[:0]
		}
		out.Posts += plans[i].th.PostCount
	}
	for i, m := range members {
		if approved[i] > 0 {
			if err := st.IncMemberApprovedPosts(ctx, m.ID, approved[i]); err != nil {
				return nil, err
			}
		}
		// Posters: plain members whose posts are published without review
		// (moderation.Service.InitialStatus: approved posts >= TrustAfter).
		if m.Role == forum.RoleMember && approved[i] >= 10 {
			out.Posters = append(out.Posters, m.Email)
		}
	}
	pickThreads(out, plans, themes, ds.Seed)
	out.Took = time.Since(start)
	return out, nil
}

// seedMembers creates n members: the first twenty through
// forum.Service.CreateMember (each hashes the password with argon2id), the
// others, as valid, with the first one's hash (same password), through the
// store, to spare minutes of hashing.
func seedMembers(ctx context.Context, svc *forum.Service, st store.Store, n int) ([]*forum.Member, error) {
	members := make([]*forum.Member, 0, n)
	for i := range n {
		a := authorities[i%len(authorities)]
		role := forum.RoleMember
		switch {
		case i == 0:
			role = forum.RoleAdmin
		case i <= 2:
			role = forum.RoleModerator
		}
		in := forum.NewMember{
			Email:       fmt.Sprintf("membre%03d@banc.coterforum.fr", i),
			DisplayName: firstNames[i%len(firstNames)] + " " + lastNames[(i*7+i/len(lastNames))%len(lastNames)],
			Authority:   a.authority, AuthorityType: a.authType, Role: role, Password: benchPassword,
		}
		if i < 20 {
			m, err := svc.CreateMember(ctx, in)
			if err != nil {
				return nil, fmt.Errorf("membre %d : %w", i, err)
			}
			members = append(members, m)
			continue
		}
		m := &forum.Member{ID: forum.NewID(), Email: in.Email, DisplayName: in.DisplayName, Authority: in.Authority,
			AuthorityType: in.AuthorityType, Role: in.Role, Status: forum.MemberActive,
			PasswordHash: members[0].PasswordHash, CreatedAt: members[0].CreatedAt}
		if err := st.InsertMember(ctx, m); err != nil {
			return nil, fmt.Errorf("membre %d : %w", i, err)
		}
		members = append(members, m)
	}
	return members, nil
}
