package moderation_test

import (
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/moderation"
)

func ids(items []moderation.QueueItem) string {
	var out []string
	for _, it := range items {
		out = append(out, it.Post.ID)
	}
	return strings.Join(out, ",")
}

func TestQueue(t *testing.T) {
	e := newEnv(t)
	alice := e.member(t, "Alice Ancienne", forum.RoleMember)
	bruno := e.member(t, "Bruno Bleu", forum.RoleMember)
	chloe := e.member(t, "Chloé Contexte", forum.RoleMember, approved(1))

	// Alice's history: one approved, two rejected.
	_, h1 := e.newThread(t, alice, "reseaux", "Historique approuvé")
	_, h2 := e.newThread(t, alice, "reseaux", "Historique refusé un")
	_, h3 := e.newThread(t, alice, "reseaux", "Historique refusé deux")
	e.approve(t, h1.ID)
	for _, p := range []string{h2.ID, h3.ID} {
		if err := e.mod.Reject(e.ctx, e.moderator, p, "Doublon."); err != nil {
			t.Fatal(err)
		}
	}

	// A moderator's thread with four published posts, for context.
	ctxTh, _ := e.newThread(t, e.moderator, "portails", "Portail citoyen : retours d'expérience", "intercommunalite")
	var published []*forum.Post
	for _, body := range []string{"Contexte un", "Contexte deux", "Contexte trois"} {
		e.clock.Advance(time.Minute)
		published = append(published, e.reply(t, e.moderator, ctxTh.ID, body))
	}

	// The queue, written in this order (oldest first).
	e.clock.Advance(time.Hour)
	aTh, aPost := e.newThread(t, e.reload(t, alice), "reseaux", "Supervision réseau multi-sites", "commune")
	e.clock.Advance(time.Hour)
	bTh, bPost := e.newThread(t, bruno, "sig", "Orthophotographie départementale", "departement", "region")
	e.clock.Advance(time.Hour)
	cReply := e.reply(t, chloe, ctxTh.ID, "Une réponse en attente, avec du contexte.")
	e.clock.Advance(time.Hour)
	after := e.reply(t, e.moderator, ctxTh.ID, "Publié après la réponse en attente")

	items := e.queue(t, moderation.QueueFilter{})
	if got, want := ids(items), strings.Join([]string{aPost.ID, bPost.ID, cReply.ID}, ","); got != want {
		t.Fatalf("queue order = %s, want %s", got, want)
	}
	a, b, c := items[0], items[1], items[2]
	for i, it := range items {
		if it.Kind != moderation.ItemPending || it.Post.Status != forum.PostPending || len(it.Reports) != 0 || !it.Since.Equal(it.Post.CreatedAt) {
			t.Fatalf("item %d: %+v", i, it)
		}
	}
	if !a.IsFirst || a.Thread.ID != aTh.ID || a.Thread.Title != "Supervision réseau multi-sites" || len(a.Context) != 0 {
		t.Fatalf("Alice's item: %+v", a)
	}
	if a.AuthorApproved != 1 || a.AuthorRejected != 2 || a.AuthorStatus != "active" {
		t.Fatalf("Alice's history: approved %d, rejected %d, status %q", a.AuthorApproved, a.AuthorRejected, a.AuthorStatus)
	}
	if !b.IsFirst || b.Thread.ID != bTh.ID || b.AuthorApproved != 0 || b.AuthorRejected != 0 {
		t.Fatalf("Bruno's item: %+v", b)
	}
	if c.IsFirst || c.Thread.ID != ctxTh.ID || c.AuthorApproved != 1 {
		t.Fatalf("Chloé's item: %+v", c)
	}
	if len(c.Context) != 3 {
		t.Fatalf("context of the reply: %d posts", len(c.Context))
	}
	for i, p := range c.Context {
		if p.ID != published[i].ID {
			t.Fatalf("context[%d] = %q, want %q (the three published posts before the reply; %s comes after)", i, p.Source, published[i].Source, after.ID)
		}
	}

	// Filters.
	filters := []struct {
		name string
		f    moderation.QueueFilter
		want []string
	}{
		{"theme reseaux", moderation.QueueFilter{Theme: "reseaux"}, []string{aPost.ID}},
		{"theme sig", moderation.QueueFilter{Theme: "sig"}, []string{bPost.ID}},
		{"theme portails", moderation.QueueFilter{Theme: "portails"}, []string{cReply.ID}},
		{"theme without items", moderation.QueueFilter{Theme: "etat-civil-elections"}, nil},
		{"type commune", moderation.QueueFilter{AuthorityType: "commune"}, []string{aPost.ID}},
		{"type region", moderation.QueueFilter{AuthorityType: "region"}, []string{bPost.ID}},
		{"type departement", moderation.QueueFilter{AuthorityType: "departement"}, []string{bPost.ID}},
		{"type intercommunalite", moderation.QueueFilter{AuthorityType: "intercommunalite"}, []string{cReply.ID}},
		{"theme and type", moderation.QueueFilter{Theme: "sig", AuthorityType: "region"}, []string{bPost.ID}},
		{"theme and other type", moderation.QueueFilter{Theme: "sig", AuthorityType: "commune"}, nil},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(e.queue(t, tt.f)); got != strings.Join(tt.want, ",") {
				t.Fatalf("queue = %s, want %v", got, tt.want)
			}
		})
	}

	// PendingCount, as moderators see it on every page.
	if n := e.pendingCount(t); n != 3 {
		t.Fatalf("PendingCount = %d, want 3", n)
	}
	if n, err := e.mod.PendingCount(e.ctx, e.admin); err != nil || n != 3 {
		t.Fatalf("PendingCount for the admin = %d, %v", n, err)
	}
	e.approve(t, bPost.ID)
	if err := e.mod.Reject(e.ctx, e.moderator, aPost.ID, "Hors sujet."); err != nil {
		t.Fatal(err)
	}
	if n := e.pendingCount(t); n != 1 {
		t.Fatalf("PendingCount after two decisions = %d, want 1", n)
	}
	// A report adds the reported post; several reports of one post count once.
	for _, name := range []string{"Rapporteur un", "Rapporteur deux"} {
		if err := e.mod.Report(e.ctx, e.member(t, name, forum.RoleMember), published[0].ID, "À vérifier."); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.pendingCount(t); n != 2 {
		t.Fatalf("PendingCount with a reported post = %d, want 2", n)
	}
	items = e.queue(t, moderation.QueueFilter{})
	if len(items) != 2 || items[0].Post.ID != cReply.ID || items[1].Post.ID != published[0].ID || items[1].Kind != moderation.ItemReported ||
		len(items[1].Reports) != 2 || items[1].IsFirst {
		t.Fatalf("queue with a report: %+v", items)
	}
	if got := ids(e.queue(t, moderation.QueueFilter{Theme: "reseaux"})); got != "" {
		t.Fatalf("filtered queue: %s", got)
	}
	// The reported item's context is the published posts before it: the first post.
	if len(items[1].Context) != 1 || items[1].Context[0].ID != ctxTh.FirstPostID {
		t.Fatalf("reported item context: %+v", items[1].Context)
	}
}

// TestQueueAuthorStatus shows a suspended author in the queue.
func TestQueueAuthorStatus(t *testing.T) {
	e := newEnv(t)
	author := e.member(t, "Sarah Suivie", forum.RoleMember, alwaysModerate, approved(8))
	_, p := e.newThread(t, author, "reseaux", "Un fil toujours modéré")
	if _, err := e.mod.UpdateMember(e.ctx, e.moderator, author.ID, moderation.MemberInput{Suspend: "3d", Reason: "Calmez-vous."}); err != nil {
		t.Fatal(err)
	}
	items := e.queue(t, moderation.QueueFilter{})
	if len(items) != 1 || items[0].Post.ID != p.ID {
		t.Fatalf("queue: %+v", items)
	}
	if s := moderation.DescribeState(i18n.FR, items[0].AuthorStatus); !strings.Contains(s, "suspendu") || !strings.Contains(s, "toujours modéré") || items[0].AuthorApproved != 8 {
		t.Fatalf("author status %q, approved %d", s, items[0].AuthorApproved)
	}
}

// TestQueueContextShortThread checks the context of replies in threads with
// fewer than three earlier published posts: never the post itself, never a later one.
func TestQueueContextShortThread(t *testing.T) {
	e := newEnv(t)
	newbie := e.member(t, "Norbert Nouveau", forum.RoleMember)
	th, first := e.newThread(t, e.moderator, "reseaux", "Un fil court pour le contexte")
	e.clock.Advance(time.Minute)
	pending := e.reply(t, newbie, th.ID, "Réponse en attente")
	e.clock.Advance(time.Minute)
	e.reply(t, e.moderator, th.ID, "Réponse publiée après")

	items := e.queue(t, moderation.QueueFilter{})
	if len(items) != 1 || items[0].Post.ID != pending.ID {
		t.Fatalf("queue: %+v", items)
	}
	if c := items[0].Context; len(c) != 1 || c[0].ID != first.ID {
		t.Fatalf("context = %d posts, want only the first post", len(c))
	}

	// With the first post hidden, nothing published comes before the reply.
	if err := e.mod.Hide(e.ctx, e.moderator, first.ID, "Fil masqué."); err != nil {
		t.Fatal(err)
	}
	items = e.queue(t, moderation.QueueFilter{})
	if len(items) != 1 || len(items[0].Context) != 0 {
		t.Fatalf("context with the first post hidden: %+v", items[0].Context)
	}
}
