package digest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"coterforum/forum"
	"coterforum/mail"
)

// maxBackoff caps the wait between two attempts.
const maxBackoff = 6 * time.Hour

// claimBatch is how many due messages are claimed at once.
const claimBatch = 50

// Deliver sends every message that is due now (new ones, and retries whose
// backoff has passed). Each batch is claimed first by one conditional update
// per message, so several processes never send the same message. It returns
// how many messages were sent.
func (s *Service) Deliver(ctx context.Context) (int, error) {
	sent := 0
	for {
		ids, err := s.store.DueMessages(ctx, s.now(), claimBatch)
		if err != nil || len(ids) == 0 {
			return sent, err
		}
		n, claimed, err := s.deliverIDs(ctx, ids)
		sent += n
		if err != nil || claimed == 0 {
			return sent, err
		}
	}
}

// Drain delivers due messages, then waits for the backoff of the messages
// still pending and delivers them, until none is pending or wait has passed.
// It suits a one-shot command (`coterforum digest run`) without a server
// running the Scheduler. It returns how many were sent and how many remain.
func (s *Service) Drain(ctx context.Context, wait time.Duration) (sent, pending int, err error) {
	deadline := s.now().Add(wait)
	for {
		n, err := s.Deliver(ctx)
		sent += n
		if err != nil {
			return sent, 0, err
		}
		msgs, err := s.store.OutboxMessages(ctx, 1000)
		if err != nil {
			return sent, 0, err
		}
		var next time.Time
		pending = 0
		for _, m := range msgs {
			if m.Status == StatusPending {
				pending++
				if next.IsZero() || m.NextAttemptAt.Before(next) {
					next = m.NextAttemptAt
				}
			}
		}
		now := s.now()
		if pending == 0 || next.After(deadline) {
			return sent, pending, nil
		}
		if err := s.cfg.Clock.Sleep(ctx, max(next.Sub(now), time.Millisecond)); err != nil {
			return sent, pending, err
		}
	}
}

// backoff is the wait before the attempt after the given number of attempts.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.cfg.Backoff
	for i := 1; i < attempts && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// deliverIDs claims the messages among ids that are due and sends them. It
// returns how many were sent and how many were claimed.
func (s *Service) deliverIDs(ctx context.Context, ids []string) (sent, claimed int, err error) {
	if len(ids) == 0 {
		return 0, 0, nil
	}
	now := s.now()
	claimID := randomID()
	s.claims.take(claimID)
	msgs, err := s.store.ClaimMessages(ctx, ids, claimID, now, now.Add(s.cfg.ClaimTTL))
	if err != nil || len(msgs) == 0 {
		s.claims.done(claimID, err == nil)
		return 0, 0, err
	}
	sent, err = s.sendClaimed(ctx, claimID, msgs)
	return sent, len(msgs), err
}

// sendClaimed sends messages claimed by claimID and records the outcome:
// sent or failed in the log, or back to pending for a retry. The claim
// stays in s.claims unless every message was settled so.
func (s *Service) sendClaimed(ctx context.Context, claimID string, msgs []OutboxMessage) (sent int, err error) {
	settled := false
	defer func() { s.claims.done(claimID, settled && err == nil) }()
	// A message claimed before may have been sent by a process that stopped
	// before recording it: the delivery log says so.
	var again []string
	for _, m := range msgs {
		if m.Attempts > 1 {
			again = append(again, m.ID)
		}
	}
	logged, err := s.store.LoggedIDs(ctx, again)
	if err != nil {
		return 0, err
	}
	errs := make([]error, len(msgs))
	started := make([]bool, len(msgs))
	// An erasure of a subscriber waits until the outcome of a message to
	// it is recorded (FinishMessages, below).
	defer func() {
		for i, ok := range started {
			if ok {
				s.inflight.done(msgs[i].SubscriberID)
			}
		}
	}()
	var wg sync.WaitGroup
	var failing atomic.Int32 // consecutive temporary failures: the server is down
	slots := make(chan struct{}, s.cfg.Workers)
	for i := range msgs {
		if logged[msgs[i].ID] {
			continue
		}
		wg.Add(1)
		slots <- struct{}{}
		go func(i int) {
			defer func() { <-slots; wg.Done() }()
			if failing.Load() >= maxConsecutiveFailures {
				errs[i] = errServerDown
				return
			}
			started[i], errs[i] = s.sendUnlessErased(ctx, &msgs[i])
			if errs[i] != nil && mail.IsTemporary(errs[i]) {
				failing.Add(1)
			} else {
				failing.Store(0)
			}
		}(i)
	}
	wg.Wait()
	var done []LogEntry
	unsettled := false
	for i := range msgs {
		m := &msgs[i]
		switch err := errs[i]; {
		case logged[m.ID]:
			// Already recorded: FinishMessages only removes it from the outbox.
			done = append(done, m.Finished(StatusSent, "", s.now()))
		case errors.Is(err, errErased):
			// Never sent, and the log keeps no address.
			e := m.Finished(StatusCancelled, "", s.now())
			e.To = forum.TombstoneEmail(m.SubscriberID)
			done = append(done, e)
		case err == nil:
			sent++
			s.cfg.Observer.MessageFinished("sent")
			done = append(done, m.Finished(StatusSent, "", s.now()))
		case ctx.Err() != nil:
			// Interrupted: ReleaseClaims gives it back when the process
			// stops, else the claim expires; another attempt follows.
			unsettled = true
		case (err == errServerDown || mail.IsTemporary(err)) && m.Attempts < s.cfg.MaxAttempts:
			next := s.now().Add(s.backoff(m.Attempts))
			if rerr := s.store.RetryMessage(ctx, m.ID, claimID, next, err.Error()); rerr != nil {
				s.log.Error("digest: retry not recorded", "message", m.ID, "err", rerr)
				unsettled = true
			}
			s.cfg.Observer.MessageFinished("retry")
			s.log.Warn("digest: temporary delivery failure", "message", m.ID, "attempt", m.Attempts, "next", next, "err", err)
		default:
			s.cfg.Observer.MessageFinished("failed")
			s.log.Error("digest: delivery failed", "message", m.ID, "attempts", m.Attempts, "err", err)
			done = append(done, m.Finished(StatusFailed, err.Error(), s.now()))
		}
	}
	if len(done) > 0 {
		if err := s.store.FinishMessages(context.WithoutCancel(ctx), done, claimID); err != nil {
			return sent, err
		}
	}
	settled = !unsettled
	return sent, nil
}

// errNoBody marks a message whose body is missing (it cannot be sent).
var errNoBody = errors.New("corps du message introuvable")

// After maxConsecutiveFailures temporary failures in a row, the rest of a
// batch is not tried (errServerDown) but retried later like them: a server
// that times out would otherwise hold the batch past its claim.
const maxConsecutiveFailures = 10

var errServerDown = errors.New("envoi reporté : le serveur SMTP refuse ou ne répond pas")

func (s *Service) send(ctx context.Context, m *OutboxMessage) error {
	if m.Body == nil {
		return errNoBody
	}
	return s.sender.Send(ctx, mail.Message{To: m.To, Subject: m.Subject, Text: m.Body.Text, HTML: m.Body.HTML,
		Headers: m.Body.Headers, MessageID: m.Body.MessageID})
}

// enqueue queues messages (each at most once ever) and sends those queued
// now. They are inserted already claimed by this process, so that no other
// sends them meanwhile and no claim update is needed; if the process stops,
// the claim expires and Deliver sends them. Failed deliveries are left to
// the retries.
func (s *Service) enqueue(ctx context.Context, msgs []OutboxMessage, recover bool) (sent int, err error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	claimID := randomID()
	until := s.now().Add(s.cfg.ClaimTTL)
	for i := range msgs {
		msgs[i].Status, msgs[i].ClaimID, msgs[i].ClaimUntil, msgs[i].Attempts = StatusSending, claimID, &until, 1
	}
	s.claims.take(claimID)
	ids, err := s.store.EnqueueMessages(ctx, msgs, recover)
	if err != nil || len(ids) == 0 {
		s.claims.done(claimID, err == nil)
		return 0, err
	}
	queued := make(map[string]bool, len(ids))
	for _, id := range ids {
		queued[id] = true
	}
	mine := msgs[:0]
	for _, m := range msgs {
		if queued[m.ID] {
			mine = append(mine, m)
		}
	}
	return s.sendClaimed(ctx, claimID, mine)
}

// newMessage returns an outbox message due now.
func (s *Service) newMessage(id, kind string, sub *Subscriber, subject string, body MessageBody) OutboxMessage {
	now := s.now()
	body.ID = id
	if body.MessageID == "" {
		body.MessageID = id + "@" + s.msgDomain
	}
	return OutboxMessage{ID: id, Kind: kind, SubscriberID: sub.ID, To: sub.Email, Subject: subject,
		Status: StatusPending, NextAttemptAt: now, CreatedAt: now, Body: &body}
}

// Outbox lists the messages waiting to be sent, oldest first (admin page).
func (s *Service) Outbox(ctx context.Context, limit int) ([]OutboxMessage, error) {
	return s.store.OutboxMessages(ctx, limit)
}

// Deliveries lists the latest finished messages, newest first: sent,
// failed (with the error) or cancelled (admin page).
func (s *Service) Deliveries(ctx context.Context, limit int) ([]LogEntry, error) {
	return s.store.DeliveryLog(ctx, limit)
}
