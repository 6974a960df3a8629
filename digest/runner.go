package digest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"coterforum/forum"
)

// ErrBusy is returned by RunOnce when another process is running the digests
// of that frequency (it holds the lease).
var ErrBusy = errors.New("un autre processus envoie déjà ces résumés ; réessayez plus tard")

// errLeaseLost stops a run whose lease was taken over (it ran too long).
var errLeaseLost = errors.New("digest : bail perdu pendant l'envoi, un autre processus a repris")

// postsPage is how many posts are read at once when loading content.
const postsPage = 500

// PeriodKey returns the period a run ending at now belongs to: the local
// date for daily digests, the local date of the last Config.WeeklyDay on or
// before now for weekly ones. RunScheduled makes at most one run per period.
func (s *Service) PeriodKey(frequency string, now time.Time) string {
	y, m, d := now.In(s.cfg.Location).Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // a civil date, free of DST
	if frequency == Weekly {
		back := (int(day.Weekday()) - int(s.cfg.WeeklyDay) + 7) % 7
		day = day.AddDate(0, 0, -back)
	}
	return day.Format("2006-01-02")
}

// RunOnce builds the digests of frequency (daily or weekly) now and sends
// them (`coterforum digest run`): to every confirmed subscriber with
// subscriptions of that frequency, what was published in what they follow
// since the previous run (or since they subscribed), one mail each, none
// when nothing is new; a second call with nothing new sends nothing. It
// first finishes a run that a crash interrupted, and also sends the
// messages whose retry is due. Only one process runs a frequency at a time
// (ErrBusy otherwise). It returns how many messages were sent.
func (s *Service) RunOnce(ctx context.Context, frequency string, now time.Time) (int, error) {
	return s.run(ctx, frequency, now, false)
}

// RunScheduled is RunOnce for the Scheduler: it builds nothing when a run
// of this period (the local day, or the week from Config.WeeklyDay) already
// exists, so several processes, restarts or a daylight-saving change never
// send two scheduled digests in one period.
func (s *Service) RunScheduled(ctx context.Context, frequency string, now time.Time) (int, error) {
	return s.run(ctx, frequency, now, true)
}

func (s *Service) run(ctx context.Context, frequency string, now time.Time, scheduled bool) (sent int, err error) {
	if frequency != Daily && frequency != Weekly {
		return 0, forum.Invalid("frequency", "frequency_invalid", "Fréquence de résumé inconnue : « daily » ou « weekly ».")
	}
	start := time.Now()
	defer func() {
		result := "ok"
		switch {
		case errors.Is(err, ErrBusy):
			result = "busy"
		case err != nil:
			result = "error"
		}
		s.cfg.Observer.DigestRun(frequency, result, time.Since(start))
	}()
	lease, holder := "digest:"+frequency, randomID()
	if err := s.renewLease(ctx, lease, holder); err != nil {
		return 0, err
	}
	defer func() {
		if err := s.store.ReleaseLease(context.WithoutCancel(ctx), lease, holder); err != nil {
			s.log.Warn("digest: lease not released", "lease", lease, "err", err)
		}
	}()
	now = now.UTC().Truncate(time.Millisecond)
	for range 2 { // an interrupted run, then this one
		run, isNew, err := s.pickRun(ctx, frequency, now, scheduled)
		if err != nil || run == nil {
			if err != nil {
				return sent, err
			}
			break
		}
		n, err := s.buildRun(ctx, run, isNew, lease, holder)
		sent += n
		if err != nil {
			return sent, err
		}
		if isNew {
			break
		}
	}
	n, err := s.Deliver(ctx)
	return sent + n, err
}

func (s *Service) renewLease(ctx context.Context, lease, holder string) error {
	now := s.now()
	ok, err := s.store.AcquireLease(ctx, lease, holder, now, now.Add(s.cfg.LeaseTTL))
	switch {
	case err != nil:
		return err
	case !ok:
		return ErrBusy
	}
	return nil
}

// pickRun returns the run to process: an unfinished one, else a new run up
// to now, else nil when there is nothing to do (the last run ended at now or
// later, or, when scheduled, this period has a run).
func (s *Service) pickRun(ctx context.Context, frequency string, now time.Time, scheduled bool) (*Run, bool, error) {
	latest, err := s.store.LatestRun(ctx, frequency)
	switch {
	case errors.Is(err, forum.ErrNotFound):
		latest = nil
	case err != nil:
		return nil, false, err
	case !latest.Done:
		return latest, false, nil
	}
	// A run belongs to the period of the last scheduled slot at or before
	// now: a manual run at 6:30 belongs to yesterday's 7:00 slot, so it
	// does not stand for (and cancel) today's scheduled digest.
	key := s.PeriodKey(frequency, prevRun(now, frequency, s.cfg.DailyHour, s.cfg.WeeklyDay, s.cfg.Location))
	r := &Run{ID: frequency + ":" + now.Format("2006-01-02T15:04:05.000Z"), Frequency: frequency, Period: key,
		Until: now, StartedAt: s.now(), Tail: []string{}}
	if latest != nil {
		if !now.After(latest.Until) || (scheduled && latest.Period == key) {
			return nil, false, nil
		}
		r.From, r.Exclude = latest.Until, latest.Tail
	}
	return r, true, nil
}

// buildRun processes the subscribers of a run, page by page, from its cursor.
func (s *Service) buildRun(ctx context.Context, run *Run, isNew bool, lease, holder string) (int, error) {
	content, tail, err := s.loadContent(ctx, run)
	if err != nil {
		return 0, err
	}
	if isNew {
		run.Tail = tail
		if err := s.store.InsertRun(ctx, run); err != nil {
			return 0, fmt.Errorf("digest : création de l'envoi %s : %w", run.ID, err)
		}
	}
	from := run.From
	if !from.IsZero() {
		from = from.Add(-s.cfg.Settle) // with run.Exclude: posts written late
	}
	sent, cursor, resumed := 0, run.Cursor, !isNew
	renew := func() error {
		err := s.renewLease(ctx, lease, holder)
		if errors.Is(err, ErrBusy) {
			err = errLeaseLost
		}
		return err
	}
	for !content.Empty() {
		page, err := s.store.ConfirmedSubscribers(ctx, cursor, s.cfg.PageSize)
		if err != nil || len(page) == 0 {
			if err != nil {
				return sent, err
			}
			break
		}
		last := page[len(page)-1].ID
		subs, err := s.store.ActiveSubscriptions(ctx, cursor, last, run.Frequency)
		if err != nil {
			return sent, err
		}
		bySubscriber := map[string][]Subscription{}
		for _, sub := range subs {
			bySubscriber[sub.SubscriberID] = append(bySubscriber[sub.SubscriberID], sub)
		}
		// Messages are built, queued and sent a chunk at a time: memory
		// holds one chunk of mail bodies, however large the page.
		for i := 0; i < len(page); i += sendChunk {
			if err := renew(); err != nil {
				return sent, err
			}
			msgs := s.digests(run, content, from, page[i:min(i+sendChunk, len(page))], bySubscriber)
			// The first page of a resumed run may have been queued before the
			// interruption: keys skip what was, recover what was half queued.
			n, err := s.enqueue(ctx, msgs, resumed)
			sent += n
			if err != nil {
				return sent, err
			}
		}
		resumed = false
		if ok, err := s.store.AdvanceRun(ctx, run.ID, cursor, last); err != nil || !ok {
			if err == nil {
				err = errLeaseLost
			}
			return sent, err
		}
		cursor = last
	}
	return sent, s.store.FinishRun(ctx, run.ID, s.now())
}

// sendChunk is how many digests are built and sent at once.
const sendChunk = 100

// digests builds the digests of some subscribers.
func (s *Service) digests(run *Run, content *Content, from time.Time, page []Subscriber, bySubscriber map[string][]Subscription) []OutboxMessage {
	var msgs []OutboxMessage
	for i := range page {
		sub := &page[i]
		subs := bySubscriber[sub.ID]
		if len(subs) == 0 {
			continue
		}
		id := hashID(KindDigest, sub.ID, run.ID)
		msg, _, ok := BuildDigest(DigestInput{To: sub.Email, Frequency: run.Frequency, Subscriptions: subs,
			Content: content, From: from, Until: run.Until, Location: s.cfg.Location, BaseURL: s.cfg.BaseURL,
			ManageURL: s.ManageURL(sub.ID), UnsubscribeURL: s.UnsubscribeURL(sub.ID, ""), MessageID: id + "@" + s.msgDomain,
			Lang: subscriberLang(sub)})
		if !ok {
			continue
		}
		m := s.newMessage(id, KindDigest, sub, msg.Subject, MessageBody{Text: msg.Text, HTML: msg.HTML, Headers: msg.Headers, MessageID: msg.MessageID})
		m.Frequency, m.Period = run.Frequency, run.Period
		msgs = append(msgs, m)
	}
	return msgs
}

// loadContent reads what was published in the run's window (looking back
// Config.Settle before From, at most Config.MaxLookback) and the threads it
// belongs to. It also returns the posts of the run's tail.
func (s *Service) loadContent(ctx context.Context, run *Run) (*Content, []string, error) {
	start := run.Until.Add(-s.cfg.MaxLookback)
	if !run.From.IsZero() && run.From.Add(-s.cfg.Settle).After(start) {
		start = run.From.Add(-s.cfg.Settle)
	}
	var items []Item
	tail := []string{}
	threadIDs := map[string]bool{}
	after := ""
	for {
		posts, err := s.store.PublishedPosts(ctx, start, run.Until, after, postsPage)
		if err != nil {
			return nil, nil, err
		}
		for i := range posts {
			it := NewItem(&posts[i])
			items = append(items, it)
			threadIDs[it.ThreadID] = true
			if !it.PublishedAt.Before(run.Until.Add(-s.cfg.Settle)) {
				tail = append(tail, it.PostID)
			}
		}
		if len(posts) < postsPage {
			break
		}
		after = posts[len(posts)-1].ID
	}
	threads, err := s.threads(ctx, threadIDs)
	if err != nil {
		return nil, nil, err
	}
	nm, err := s.loadNames(ctx)
	if err != nil {
		return nil, nil, err
	}
	c := NewContent(items, threads, nil, nil, run.Exclude)
	c.names = nm
	return c, tail, nil
}

// threads loads threads by id, in batches.
func (s *Service) threads(ctx context.Context, ids map[string]bool) ([]forum.Thread, error) {
	var out, batch []forum.Thread
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	for i := 0; i < len(list); i += postsPage {
		var err error
		batch, err = s.store.ThreadsByIDs(ctx, list[i:min(i+postsPage, len(list))])
		if err != nil {
			return nil, err
		}
		out = append(out, batch...)
	}
	return out, nil
}
