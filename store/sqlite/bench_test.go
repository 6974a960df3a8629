package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
)

// BenchmarkReplyTransaction measures the writer's part of a reply: the post
// with its search terms, the thread's counters, the author's count and the
// change sequence, in one transaction committed with synchronous=FULL (on
// the disk of the machine that runs it).
//
//	go test -run '^$' -bench ReplyTransaction ./store/sqlite/
func BenchmarkReplyTransaction(b *testing.B) { benchmarkReplies(b, false) }

// benchmarkReplies runs b.N replies to one thread, in parallel or not.
func benchmarkReplies(b *testing.B, parallel bool) {
	ctx := context.Background()
	s, err := Open(ctx, Config{DataDir: b.TempDir()}, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close(ctx)
	now := time.Now().UTC().Truncate(time.Millisecond)
	m := &forum.Member{ID: forum.NewID(), Email: "a@ville.fr", DisplayName: "A", Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: now}
	if err := s.InsertMember(ctx, m); err != nil {
		b.Fatal(err)
	}
	th := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", AuthorityTypes: []string{"commune", "region"}, Title: "Un fil",
		Status: forum.ThreadPublished, CreatedAt: now, LastActivityAt: now}
	if err := s.InsertThread(ctx, th); err != nil {
		b.Fatal(err)
	}
	html := "<p>" + strings.Repeat("Migration de la messagerie vers un nouveau prestataire. ", 10) + "</p>"
	terms := forum.PostSearchTerms(html)
	reply := func() {
		p := &forum.Post{ID: forum.NewID(), ThreadID: th.ID, Author: m.Ref(), Source: "x", HTML: html, Status: forum.PostPublished,
			CreatedAt: time.Now().UTC(), Terms: terms}
		err := s.Atomically(ctx, func(ctx context.Context) error {
			if err := s.InsertPost(ctx, p); err != nil {
				return err
			}
			if err := s.RecordThreadPost(ctx, th.ID, 1, p); err != nil {
				return err
			}
			if err := s.IncMemberApprovedPosts(ctx, m.ID, 1); err != nil {
				return err
			}
			return s.PublishChanges(ctx, "bench", []string{"thread:" + th.ID, "listing:home"}, p.CreatedAt)
		})
		if err != nil {
			b.Error(err)
		}
	}
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				reply()
			}
		})
		return
	}
	for range b.N {
		reply()
	}
}
