// Package digest lets members, and readers without an account, follow a
// theme, an authority type, a theme × authority type pair or a thread, and
// mails them what was published there: a daily or weekly digest, or, for a
// thread, one mail per new reply ("immediate"). Only published posts in
// published threads are ever mailed, and only to confirmed addresses.
//
// # Use
//
//	secret, _ := st.Secret(ctx, "digest")
//	svc := digest.New(forumSvc, st, sender, digest.Config{BaseURL: baseURL, SecretKey: secret}, log)
//
//	svc.Subscribe(ctx, member, in)        // a member: active at once → 201
//	svc.SubscribeEmail(ctx, email, lang, in) // a reader: pending, one confirmation mail → 202
//	svc.Confirm(ctx, token)               // GET /subscriptions/confirm?token=…
//	svc.Resolve(ctx, token)               // what a manage or unsubscribe link allows (the GET pages)
//	svc.UnsubscribeByToken(ctx, token)    // POST /subscriptions/unsubscribe?token=… (page and RFC 8058)
//	svc.SubscriberOf(ctx, member)         // then List, Unsubscribe, UnsubscribeAll
//	svc.RunOnce(ctx, digest.Daily, now)   // `coterforum digest run --frequency daily`
//	svc.Drain(ctx, 5*time.Minute)         // the CLI waits for retries after RunOnce
//	svc.NotifyImmediate(ctx, post)        // when a reply is published
//	go svc.Scheduler().Run(ctx)           // in the server: digests at their hour, retries, immediate sweep
//
// Errors: *forum.ValidationError (French message) for bad input,
// forum.ErrUnauthenticated, an error wrapping forum.ErrNotFound for any
// forged, altered, expired or misused token (it changes nothing), ErrBusy
// when another process runs the same digests.
//
// # Links
//
// Every link is absolute from Config.BaseURL, never from a request. Tokens
// are HMAC-SHA256 signed (Config.SecretKey) for one subscriber and one
// purpose — "confirm" (expires), "manage", "unsubscribe:<subscription>",
// "unsubscribe-all" — base64url, verified in constant time. Digests carry
// List-Unsubscribe (the unsubscribe-all URL; a thread's own URL for
// immediate mails) and List-Unsubscribe-Post: List-Unsubscribe=One-Click.
//
// # Delivery
//
// Nothing relies on transactions; each invariant is one insert refused by a
// unique _id or one conditional update:
//
//   - A run covers the content published in [From, Until); runs tile time,
//     each starting at the previous Until, so every post comes in exactly
//     one digest of a subscriber, who gets what was published since their
//     last digest, or since they subscribed. RunOnce (the command) runs
//     now; RunScheduled (the Scheduler) makes at most one run per period, a
//     local day or the week from Config.WeeklyDay. Publication time is the
//     approval time for approved posts (PublishedAt), so a post written
//     before a run and approved after it comes in the next one. A run looks
//     back Config.Settle to catch publications written late, and skips the
//     posts the previous run already had (Run.Tail).
//   - Subscribers are read in pages by _id (memory does not grow with their
//     number); the run's cursor moves by a conditional update after each
//     page, so an interrupted run resumes where it stopped.
//   - Every message has a deterministic id — (subscriber, run) for
//     digests, (subscriber, post) for immediate mails — and a permanent key
//     inserted before it is queued: a message is never built twice, by a
//     resumed run or a second process.
//   - Messages are sent from an outbox: claimed by a conditional update
//     with an expiry (or inserted already claimed by their builder), sent,
//     then moved to the delivery log as sent; a temporary SMTP failure
//     (mail.IsTemporary) puts the message back with exponential backoff, up
//     to Config.MaxAttempts; a permanent one is logged as failed with the
//     error. A sender that dies mid-way leaves claims that expire: the
//     message is sent again (at least once, same Message-ID), unless the
//     log shows it was sent. A process that stops cleanly gives its
//     unfinished claims back (ReleaseClaims): due at once for the others.
//   - A lease (a store document with a holder and an expiry field) lets
//     one process at a time run the digests of a frequency; a crashed
//     holder's lease expires.
//
// # Scheduling
//
// The Scheduler runs daily digests at Config.DailyHour and weekly ones on
// Config.WeeklyDay, in Config.Location (Europe/Paris): next times are
// computed on local calendar dates (NextRun), so daylight-saving changes
// neither skip nor double a digest. At start it catches up on this
// period's digests if they were missed.
package digest
