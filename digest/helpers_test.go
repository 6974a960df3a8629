package digest_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/internal/testclock"
	"coterforum/mail"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
	"coterforum/store"
	"coterforum/store/storetest"
)

const baseURL = "https://forum.example.org"

// t0 is Wednesday 11 March 2026, 9:00 in Paris.
var t0 = time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// env is a moderated forum on a real embedded store with the digest service,
// a fake clock and a real SMTP server.
type env struct {
	ctx    context.Context
	st     store.Store
	forum  *forum.Service
	mod    *moderation.Service
	svc    *digest.Service
	clock  *testclock.Clock
	smtp   *mailtest.Server
	sender mail.Sender
	// moderator and author exist in every env; the author is trusted (published at once).
	moderator, author *forum.Member
}

func newEnv(t testing.TB, tweak ...func(*digest.Config)) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	clock := testclock.New(t0)
	fsvc := forum.New(st, discard(), clock.Now)
	if err := fsvc.SeedTaxonomy(ctx); err != nil {
		t.Fatal(err)
	}
	secret, err := st.Secret(ctx, "digest")
	if err != nil {
		t.Fatal(err)
	}
	srv := mailtest.Start(t)
	cfg := digest.Config{BaseURL: baseURL, SecretKey: secret, Clock: clock, Backoff: time.Minute}
	for _, f := range tweak {
		f(&cfg)
	}
	e := &env{ctx: ctx, st: st, forum: fsvc, clock: clock, smtp: srv, sender: srv.Sender(t),
		mod: moderation.New(fsvc, st, nil, moderation.Config{BaseURL: baseURL}, discard())}
	e.svc = digest.New(fsvc, st, e.sender, cfg, discard())
	e.moderator = e.member(t, "Modeste Modérateur", "Région Bretagne", "region", func(m *forum.Member) { m.Role = forum.RoleModerator })
	e.author = e.member(t, "Alice Martin", "Département du Nord", "departement", func(m *forum.Member) { m.Trusted = true })
	return e
}

// member inserts a member directly (no password hashing).
func (e *env) member(t testing.TB, name, authority, authorityType string, opts ...func(*forum.Member)) *forum.Member {
	t.Helper()
	id := forum.NewID()
	m := &forum.Member{ID: id, Email: "m" + id + "@example.org", DisplayName: name, Authority: authority,
		AuthorityType: authorityType, Role: forum.RoleMember, Status: forum.MemberActive, CreatedAt: e.clock.Now()}
	for _, o := range opts {
		o(m)
	}
	if err := e.st.InsertMember(e.ctx, m); err != nil {
		t.Fatal(err)
	}
	return m
}

func (e *env) thread(t testing.TB, author *forum.Member, theme, title string, types ...string) (*forum.Thread, *forum.Post) {
	t.Helper()
	th, p, err := e.forum.CreateThread(e.ctx, author, forum.NewThreadInput{Theme: theme, Title: title,
		AuthorityTypes: types, Body: "Premier message de « " + title + " », avec **du gras** et <b>du HTML</b>."})
	if err != nil {
		t.Fatalf("CreateThread(%s): %v", title, err)
	}
	return th, p
}

func (e *env) reply(t testing.TB, author *forum.Member, th *forum.Thread, body string) *forum.Post {
	t.Helper()
	p, err := e.forum.Reply(e.ctx, author, th.ID, body)
	if err != nil {
		t.Fatalf("Reply: %v", err)
	}
	return p
}

func (e *env) subscribe(t testing.TB, m *forum.Member, in digest.SubscribeInput) *digest.Subscription {
	t.Helper()
	sub, err := e.svc.Subscribe(e.ctx, m, in)
	if err != nil {
		t.Fatalf("Subscribe(%+v): %v", in, err)
	}
	return sub
}

// runDaily runs the daily digests at 7:00 Paris time on the given day of March 2026.
func (e *env) runDaily(t testing.TB, day int) int {
	t.Helper()
	now := time.Date(2026, 3, day, 7, 0, 0, 0, paris)
	e.clock.Set(now)
	n, err := e.svc.RunOnce(e.ctx, digest.Daily, now)
	if err != nil {
		t.Fatalf("RunOnce(daily, %v): %v", now, err)
	}
	return n
}

// to returns the messages received by addr.
func to(msgs []mailtest.Received, addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range msgs {
		if len(m.To) == 1 && m.To[0] == addr {
			out = append(out, m)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`https://forum\.example\.org/subscriptions/[a-z]+\?token=[A-Za-z0-9_.-]+`)

// tokenOf returns the token of the first link to path in text.
func tokenOf(t testing.TB, text, path string) string {
	t.Helper()
	for _, l := range linkRE.FindAllString(text, -1) {
		u, err := url.Parse(l)
		if err == nil && u.Path == path {
			return u.Query().Get("token")
		}
	}
	t.Fatalf("no link to %s in %q", path, text)
	return ""
}

// headerToken returns the token of the List-Unsubscribe URL.
func headerToken(t testing.TB, m mailtest.Received) string {
	t.Helper()
	h := m.Header.Get("List-Unsubscribe")
	if !strings.HasPrefix(h, "<"+baseURL+"/subscriptions/unsubscribe?token=") || !strings.HasSuffix(h, ">") {
		t.Fatalf("List-Unsubscribe = %q", h)
	}
	u, err := url.Parse(strings.Trim(h, "<>"))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}
