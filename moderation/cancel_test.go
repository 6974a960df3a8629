package moderation_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"coterforum/forum"
)

// TestCancelledWritesLeaveNothingToRepair has 20 writers (10 members
// replying, 10 moderators approving) whose requests are cancelled at random
// points: half run under a deadline of 0–30 ms, the others are cancelled
// after a random 0–5 ms. Afterwards the reconciler finds nothing to fix, and
// every acknowledged write is there: each acknowledged reply is stored with
// its text, and each acknowledged approval left its post published.
func TestCancelledWritesLeaveNothingToRepair(t *testing.T) {
	e := newEnv(t)
	threads := make([]*forum.Thread, 3)
	for i := range threads {
		th, p := e.newThread(t, e.moderator, "reseaux", fmt.Sprintf("Fil sous annulations %d", i))
		if p.Status != forum.PostPublished {
			e.approve(t, p.ID)
		}
		threads[i] = th
	}
	const writers, rounds = 10, 12
	members := make([]*forum.Member, writers)
	mods := make([]*forum.Member, writers)
	for i := range members {
		if i%2 == 0 {
			members[i] = e.member(t, fmt.Sprintf("Membre %02d", i), forum.RoleMember, trusted) // published at once
		} else {
			members[i] = e.member(t, fmt.Sprintf("Membre %02d", i), forum.RoleMember) // queued
		}
		mods[i] = e.member(t, fmt.Sprintf("Modératrice %02d", i), forum.RoleModerator)
	}

	// request gives a context cancelled at a random point.
	request := func(r *rand.Rand) (context.Context, context.CancelFunc) {
		if r.IntN(2) == 0 {
			return context.WithTimeout(e.ctx, time.Duration(r.IntN(30_001))*time.Microsecond)
		}
		ctx, cancel := context.WithCancel(e.ctx)
		time.AfterFunc(time.Duration(r.IntN(5_001))*time.Microsecond, cancel)
		return ctx, cancel
	}

	var (
		mu                  sync.Mutex
		replies             = map[string]string{} // acknowledged post id → body
		approved            []string              // acknowledged approvals
		pending             = make(chan string, writers*rounds)
		ackCount, cancelled int
	)
	var repliers, approvers sync.WaitGroup
	for i, m := range members {
		repliers.Add(1)
		go func() {
			defer repliers.Done()
			r := rand.New(rand.NewPCG(uint64(i), 1))
			for n := range rounds {
				body := fmt.Sprintf("Réponse %d de %s.", n, m.DisplayName)
				ctx, cancel := request(r)
				p, err := e.forum.ReplyKeyed(ctx, m, threads[r.IntN(len(threads))].ID, body, fmt.Sprintf("k-%d-%d", i, n))
				cancel()
				mu.Lock()
				if err == nil {
					ackCount++
					replies[p.ID] = body
					if p.Status == forum.PostPending {
						pending <- p.ID
					}
				} else {
					cancelled++
				}
				mu.Unlock()
			}
		}()
	}
	done := make(chan struct{})
	for i, m := range mods {
		approvers.Add(1)
		go func() {
			defer approvers.Done()
			r := rand.New(rand.NewPCG(uint64(i), 2))
			for {
				select {
				case id := <-pending:
					ctx, cancel := request(r)
					err := e.mod.Approve(ctx, m, id, nil)
					cancel()
					switch {
					case err == nil:
						mu.Lock()
						approved = append(approved, id)
						mu.Unlock()
					case ctx.Err() != nil:
						pending <- id // cut short: another moderator tries again
					}
				case <-done:
					return
				}
			}
		}()
	}
	repliers.Wait()
	// Let the moderators drain what is left, without deadlines.
	for len(pending) > 0 {
		time.Sleep(5 * time.Millisecond)
	}
	close(done)
	approvers.Wait()
	t.Logf("%d replies acknowledged, %d cut short; %d approvals acknowledged", ackCount, cancelled, len(approved))
	if ackCount == 0 || cancelled == 0 || len(approved) == 0 {
		t.Fatalf("the run did not mix acknowledged and cancelled writes: %d acknowledged, %d cut short, %d approvals", ackCount, cancelled, len(approved))
	}

	for id, body := range replies {
		p := e.post(t, id)
		if p.Source != body {
			t.Errorf("acknowledged reply %s lost its text: %q", id, p.Source)
		}
	}
	for _, id := range approved {
		if p := e.post(t, id); p.Status != forum.PostPublished {
			t.Errorf("acknowledged approval of %s: post is %s", id, p.Status)
		}
	}
	report, err := e.forum.Reconcile(e.ctx, forum.ReconcileScope{}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(report.Discrepancies) != 0 {
		for _, d := range report.Discrepancies {
			t.Error(d.String())
		}
		t.Fatalf("the reconciler found %d discrepancies after cancelled writes", len(report.Discrepancies))
	}
	if report.Threads < len(threads) {
		t.Fatalf("the reconciler checked %d threads, want at least %d", report.Threads, len(threads))
	}
}
