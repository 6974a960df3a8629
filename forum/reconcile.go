package forum

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"coterforum/internal/periodic"
)

// Reconciliation. A thread's status, published post count, last activity
// and last post, and a member's approved post count, are copies of what
// the posts say. Every write that changes the posts recomputes the copies
// from the posts (RecountThread) rather than adding to them, so that doing
// it again is harmless; on SQLite it commits with the change. On MongoDB,
// without transactions, a process that dies between the deciding write and
// the recount leaves a copy behind: Reconcile finds and repairs those, for
// the recently touched threads (the hourly job, and once at start) or for
// all of them (coterforum repair).

// ThreadTally is what a thread's posts say its counters are:
//   - Status is its first post's status (a thread mirrors its first post);
//   - PostCount counts its published posts;
//   - LastActivityAt, LastPostID and LastAuthor are those of its most
//     recently published post (PublishedAt, then the id), or, without any,
//     the thread's creation and its first post.
type ThreadTally struct {
	Status         string
	PostCount      int
	LastActivityAt time.Time
	LastPostID     string
	LastAuthor     string
}

// PublishedAt is when a post became public: its approval for an approved
// post, else its creation (as the stores' published_at).
func PublishedAt(p *Post) time.Time {
	if p.Decision != nil && p.Decision.Action == DecisionApproved {
		return p.Decision.At
	}
	return p.CreatedAt
}

// TallyOf is the tally of a thread as stored.
func TallyOf(th *Thread) ThreadTally {
	return ThreadTally{Status: th.Status, PostCount: th.PostCount, LastActivityAt: th.LastActivityAt,
		LastPostID: th.LastPostID, LastAuthor: th.LastAuthor}
}

// Same reports whether two tallies agree (times to the millisecond, the
// stores' resolution).
func (t ThreadTally) Same(o ThreadTally) bool {
	return t.Status == o.Status && t.PostCount == o.PostCount && t.LastActivityAt.UnixMilli() == o.LastActivityAt.UnixMilli() &&
		t.LastPostID == o.LastPostID && t.LastAuthor == o.LastAuthor
}

// Diff describes the fields where the stored tally (t) differs from the
// one the posts give (want).
func (t ThreadTally) Diff(want ThreadTally) []string {
	var out []string
	if t.Status != want.Status {
		out = append(out, fmt.Sprintf("status %s≠%s", t.Status, want.Status))
	}
	if t.PostCount != want.PostCount {
		out = append(out, fmt.Sprintf("post_count %d≠%d", t.PostCount, want.PostCount))
	}
	if t.LastActivityAt.UnixMilli() != want.LastActivityAt.UnixMilli() {
		out = append(out, fmt.Sprintf("last_activity_at %s≠%s", t.LastActivityAt.UTC().Format(time.RFC3339Nano), want.LastActivityAt.UTC().Format(time.RFC3339Nano)))
	}
	if t.LastPostID != want.LastPostID {
		out = append(out, fmt.Sprintf("last_post_id %s≠%s", t.LastPostID, want.LastPostID))
	}
	if t.LastAuthor != want.LastAuthor {
		out = append(out, fmt.Sprintf("last_author %q≠%q", t.LastAuthor, want.LastAuthor))
	}
	return out
}

// RecountThread recomputes the thread's tally from its posts and writes it
// if it differs. It is repeatable: run it again, nothing changes. Inside an
// SQLite Atomically it is exact; on MongoDB a concurrent change may write an
// older tally after ours, so the thread is read again after the write and
// counted again (up to three times) until it agrees with its posts.
func (s *Service) RecountThread(ctx context.Context, threadID string) (*Thread, error) {
	exclusive := false
	if tx := TxFrom(ctx); tx != nil {
		exclusive = tx.Exclusive()
	}
	var th *Thread
	for range 3 {
		var err error
		if th, err = s.store.ThreadByID(ctx, threadID); err != nil {
			return nil, err
		}
		want, err := s.store.ThreadTally(ctx, th)
		if err != nil {
			return nil, err
		}
		if TallyOf(th).Same(want) {
			return th, nil
		}
		if err := s.store.SetThreadTally(ctx, th.ID, want); err != nil {
			return nil, err
		}
		th.Status, th.PostCount, th.LastActivityAt, th.LastPostID, th.LastAuthor =
			want.Status, want.PostCount, want.LastActivityAt, want.LastPostID, want.LastAuthor
		if exclusive {
			return th, nil
		}
	}
	return th, nil
}

// Discrepancy is one record whose copies disagree with the posts.
type Discrepancy struct {
	Kind   string // "thread" or "member"
	ID     string
	Detail string
}

// String is the line `coterforum repair` prints.
func (d Discrepancy) String() string { return d.Kind + " " + d.ID + " : " + d.Detail }

// ReconcileReport is what a Reconcile found (and repaired, with fix).
type ReconcileReport struct {
	Threads       int // threads checked
	Members       int // members checked
	Discrepancies []Discrepancy
	Fixed         int
}

// ReconcileScope says which records Reconcile checks.
type ReconcileScope struct {
	// Since, when not zero, limits the check to the threads whose posts
	// were created or decided since then, and to their authors; zero
	// checks every thread and every member.
	Since time.Time
	// Limit bounds the posts read to find the touched threads (default 10 000).
	Limit int
}

// reconcilePage is how many ids Reconcile reads at a time.
const reconcilePage = 500

// Reconcile compares each thread's tally and each member's approved count
// with what the posts say, and with fix writes what the posts say. Each
// repair is one store call, on the thread's or member's own record, and
// publishes the change (caches follow).
func (s *Service) Reconcile(ctx context.Context, scope ReconcileScope, fix bool) (*ReconcileReport, error) {
	r := &ReconcileReport{}
	var members map[string]bool // the authors to check (recent threads only)
	check := func(ids []string) error {
		for _, id := range ids {
			if err := s.reconcileThread(ctx, id, fix, r, members); err != nil {
				return err
			}
		}
		return nil
	}
	if !scope.Since.IsZero() {
		limit := scope.Limit
		if limit <= 0 {
			limit = 10000
		}
		members = map[string]bool{}
		ids, err := s.store.ThreadIDsTouchedSince(ctx, scope.Since, limit)
		if err != nil {
			return nil, err
		}
		if err := check(ids); err != nil {
			return nil, err
		}
		for id := range members {
			if err := s.reconcileMember(ctx, id, fix, r); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	for after := ""; ; {
		ids, err := s.store.ThreadIDsAfter(ctx, after, reconcilePage)
		if err != nil {
			return nil, err
		}
		if err := check(ids); err != nil {
			return nil, err
		}
		if len(ids) < reconcilePage {
			break
		}
		after = ids[len(ids)-1]
	}
	for after := ""; ; {
		ids, err := s.store.MemberIDsAfter(ctx, after, reconcilePage)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if err := s.reconcileMember(ctx, id, fix, r); err != nil {
				return nil, err
			}
		}
		if len(ids) < reconcilePage {
			break
		}
		after = ids[len(ids)-1]
	}
	return r, nil
}

func (s *Service) reconcileThread(ctx context.Context, id string, fix bool, r *ReconcileReport, members map[string]bool) error {
	th, err := s.store.ThreadByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	r.Threads++
	want, err := s.store.ThreadTally(ctx, th)
	if err != nil {
		return err
	}
	if members != nil {
		// The authors of its posts, for the members' counts.
		posts, err := s.store.ListPosts(ctx, PostFilter{ThreadID: id, AllStatuses: true})
		if err != nil {
			return err
		}
		for i := range posts {
			members[posts[i].Author.ID] = true
		}
	}
	have := TallyOf(th)
	if have.Same(want) {
		return nil
	}
	d := Discrepancy{Kind: "thread", ID: id}
	for i, f := range have.Diff(want) {
		if i > 0 {
			d.Detail += ", "
		}
		d.Detail += f
	}
	r.Discrepancies = append(r.Discrepancies, d)
	if !fix {
		return nil
	}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		before, err := s.store.ThreadByID(ctx, id)
		if err != nil {
			return err
		}
		after, err := s.RecountThread(ctx, id)
		if err != nil {
			return err
		}
		s.Invalidate(ctx, append(ThreadKeys(before), ThreadKeys(after)...)...)
		return nil
	})
	if err != nil {
		return err
	}
	r.Fixed++
	return nil
}

func (s *Service) reconcileMember(ctx context.Context, id string, fix bool, r *ReconcileReport) error {
	m, err := s.store.MemberByID(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	r.Members++
	n, err := s.store.CountApprovedPosts(ctx, id)
	if err != nil {
		return err
	}
	if n == m.ApprovedPosts {
		return nil
	}
	r.Discrepancies = append(r.Discrepancies, Discrepancy{Kind: "member", ID: id,
		Detail: fmt.Sprintf("approved_posts %d≠%d", m.ApprovedPosts, n)})
	if !fix {
		return nil
	}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		n, err := s.store.CountApprovedPosts(ctx, id)
		if err != nil {
			return err
		}
		if err := s.store.SetMemberApprovedPosts(ctx, id, n); err != nil {
			return err
		}
		s.Invalidate(ctx, MemberKey(id))
		return nil
	})
	if err != nil {
		return err
	}
	r.Fixed++
	return nil
}

// Reconciler is the background job that reconciles the recently touched
// threads: at start (covering a crash: on MongoDB a change cut short by
// the end of the process is at most that recent) and then every Every.
type Reconciler struct {
	Service *Service
	Log     *slog.Logger
	// Every is the time between two runs (default one hour).
	Every time.Duration
	// Window is how far back the first run looks (default two hours).
	Window time.Duration
}

// Run reconciles until ctx is cancelled. Each run covers the threads
// touched since the previous one began, with a minute's overlap.
func (j *Reconciler) Run(ctx context.Context) error {
	every, window := j.Every, j.Window
	if every <= 0 {
		every = time.Hour
	}
	if window <= 0 {
		window = 2 * time.Hour
	}
	since := j.Service.Now().Add(-window)
	return periodic.Run(ctx, every, j.Log, "réconciliation", func(ctx context.Context) error {
		started := j.Service.Now()
		r, err := j.Service.Reconcile(ctx, ReconcileScope{Since: since}, true)
		if err != nil {
			return err
		}
		since = started.Add(-time.Minute)
		for _, d := range r.Discrepancies {
			j.Log.Warn("réconciliation : compteur réparé", "what", d.String())
		}
		if len(r.Discrepancies) > 0 || j.Log.Enabled(ctx, slog.LevelDebug) {
			j.Log.Info("réconciliation", "threads", r.Threads, "members", r.Members, "fixed", r.Fixed)
		}
		return nil
	})
}
