package storetest

import (
	"context"
	"strings"
	"testing"

	"coterforum/forum"
)

// What earlier versions stored in French, and each store rewrites at start
// (SQLite migration 0003, MongoDB migration neutral_text_v1) and in
// RewriteLegacyText: nothing language-specific is stored any more.

// legacyRewriter is a store that rewrites the French text earlier versions
// stored.
type legacyRewriter interface {
	RewriteLegacyText(ctx context.Context) error
}

const (
	legacyDeletedName = "membre supprimé"
	legacyRemovedPost = "*Message supprimé à la demande de son auteur.*"
	legacyTaskList    = `<ul><li><input checked="" disabled="" type="checkbox" aria-label="tâche faite"> a</li>` +
		`<li><input disabled="" type="checkbox" aria-label="tâche à faire"> b</li></ul>`
)

// testLegacyTextRewritten writes rows as an earlier version did (a deleted
// member named « membre supprimé » everywhere, a removed post with the
// French placeholder, task-list boxes labelled in French), rewrites them,
// and checks that nothing in a language is left, that a living member who
// chose that name keeps it, and that a second run changes nothing.
func testLegacyTextRewritten(t *testing.T, e Engine) {
	s, ctx := e.Open(t, t.TempDir()), context.Background()
	rw, ok := s.(legacyRewriter)
	if !ok {
		t.Fatalf("%T has no RewriteLegacyText", s)
	}
	gone := privMember(t, s, "Gone", forum.RoleMember)
	namesake := privMember(t, s, "Namesake", forum.RoleMember)
	if err := s.BeginMemberDeletion(ctx, gone.ID, forum.DeletePostsRemove, mt0); err != nil {
		t.Fatal(err)
	}
	living := namesake.Ref()
	living.DisplayName = legacyDeletedName
	threadID := forum.NewID()
	removed := modPost(t, s, threadID, forum.PostPublished, "texte effacé", gone.Ref())
	th := &forum.Thread{ID: threadID, Theme: "reseaux", AuthorityTypes: []string{"commune"}, Title: "Un fil", Author: gone.Ref(),
		Status: forum.ThreadPublished, CreatedAt: mt0, LastActivityAt: mt0, LastPostID: removed.ID, LastAuthor: gone.DisplayName}
	if err := s.InsertThread(ctx, th); err != nil {
		t.Fatal(err)
	}
	tasks := &forum.Post{ID: forum.NewID(), ThreadID: threadID, Author: living, Status: forum.PostPublished,
		Source: "- [x] a\n- [ ] b", HTML: legacyTaskList, CreatedAt: mt0}
	if err := s.InsertPost(ctx, tasks); err != nil {
		t.Fatal(err)
	}
	// What an earlier version wrote: the placeholder, labels, the French name.
	if err := s.ErasePostBodies(ctx, gone.ID, legacyRemovedPost, "<p><em>Message supprimé à la demande de son auteur.</em></p>"); err != nil {
		t.Fatal(err)
	}
	legacyRef := forum.AuthorRef{ID: gone.ID, DisplayName: legacyDeletedName}
	if err := s.AnonymiseMember(ctx, gone.ID, legacyRef, []string{removed.ID}); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		if err := rw.RewriteLegacyText(ctx); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		p, err := s.PostByID(ctx, removed.ID)
		if err != nil || !p.Removed() || !p.Author.Erased() || len(p.Terms) != 0 {
			t.Fatalf("run %d: removed post %+v %v", run, p, err)
		}
		if found := searchIDs(t, s, "supprimé"); found[removed.ID] {
			t.Fatalf("run %d: the placeholder's words are still found", run)
		}
		got, err := s.ThreadByID(ctx, th.ID)
		if err != nil || !got.Author.Erased() || got.LastAuthor != "" {
			t.Fatalf("run %d: thread %+v %v", run, got, err)
		}
		p, err = s.PostByID(ctx, tasks.ID)
		if err != nil || strings.Contains(p.HTML, "aria-label") || !strings.Contains(p.HTML, `<input checked="" disabled="" type="checkbox"> a`) {
			t.Fatalf("run %d: task list %q %v", run, p.HTML, err)
		}
		// A living member named like the old label keeps the name.
		if p.Author.DisplayName != legacyDeletedName {
			t.Fatalf("run %d: a living member lost their name: %+v", run, p.Author)
		}
	}
}

func init() { register("LegacyTextRewritten", testLegacyTextRewritten) }
