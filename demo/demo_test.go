package demo_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"coterforum/demo"
	"coterforum/forum"
	"coterforum/store/storetest"
)

func newService(t *testing.T) *forum.Service {
	t.Helper()
	st := storetest.New(t)
	svc := forum.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err := svc.SeedTaxonomy(context.Background()); err != nil {
		t.Fatalf("SeedTaxonomy: %v", err)
	}
	return svc
}

// allThreads lists every published thread, page by page.
func allThreads(t *testing.T, svc *forum.Service) []forum.Thread {
	t.Helper()
	var out []forum.Thread
	for page := 1; ; page++ {
		l, err := svc.Threads(context.Background(), forum.ThreadQuery{Page: page, PerPage: 5})
		if err != nil {
			t.Fatalf("Threads page %d: %v", page, err)
		}
		out = append(out, l.Threads...)
		if !l.HasMore {
			return out
		}
	}
}

func TestSeed(t *testing.T) {
	ctx := context.Background()
	svc := newService(t)

	creds, err := demo.Seed(ctx, svc)
	if err != nil {
		t.Fatalf("Seed: %v", err)
	}
	if len(creds) != 6 {
		t.Fatalf("Seed returned %d credentials, want 6", len(creds))
	}
	roles := map[string]int{}
	authTypes := map[string]bool{}
	for _, c := range creds {
		roles[c.Role]++
		if !strings.HasSuffix(c.Email, "@demo.coterforum.fr") {
			t.Errorf("email %q is not a demo address", c.Email)
		}
		if len(c.Password) != 16 {
			t.Errorf("password of %s has %d characters, want 16", c.Email, len(c.Password))
		}
		if c.Name == "" || c.Authority == "" {
			t.Errorf("credential %+v lacks a name or an authority", c)
		}
		m, err := svc.Authenticate(ctx, c.Email, c.Password)
		if err != nil {
			t.Errorf("Authenticate(%s): %v", c.Email, err)
			continue
		}
		if m.Role != c.Role {
			t.Errorf("%s has role %q, credential says %q", c.Email, m.Role, c.Role)
		}
		if m.Role == forum.RoleMember {
			authTypes[m.AuthorityType] = true
		}
	}
	if roles[forum.RoleAdmin] != 1 || roles[forum.RoleModerator] != 1 || roles[forum.RoleMember] != 4 {
		t.Errorf("roles = %v, want 1 admin, 1 moderator, 4 members", roles)
	}
	if len(authTypes) != 4 {
		t.Errorf("members' authority types = %v, want 4 different ones", authTypes)
	}

	ths := allThreads(t, svc)
	if len(ths) < 12 {
		t.Fatalf("%d published threads, want at least 12", len(ths))
	}
	themes, err := svc.Themes(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	types, err := svc.AuthorityTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seenThemes, seenTypes := map[string]bool{}, map[string]bool{}
	var sawTable, sawPre, sawQuote, sawTask, sawLink bool
	for _, th := range ths {
		seenThemes[th.Theme] = true
		for _, at := range th.AuthorityTypes {
			seenTypes[at] = true
		}
		if th.PostCount < 2 || th.PostCount > 5 {
			t.Errorf("thread %q has %d posts, want a first post and 1 to 4 replies", th.Title, th.PostCount)
		}
		page, err := svc.Posts(ctx, nil, &th, 1)
		if err != nil {
			t.Fatalf("Posts(%q): %v", th.Title, err)
		}
		if page.Total != th.PostCount {
			t.Errorf("thread %q: %d visible posts, post count %d", th.Title, page.Total, th.PostCount)
		}
		for i, p := range page.Posts {
			if p.Status != forum.PostPublished {
				t.Errorf("thread %q, post %d: status %q", th.Title, i, p.Status)
			}
			if i > 0 && p.Author.ID == th.Author.ID {
				t.Errorf("thread %q: the author replies to their own thread", th.Title)
			}
			sawTable = sawTable || strings.Contains(p.HTML, "<table>")
			sawPre = sawPre || strings.Contains(p.HTML, "<pre>")
			sawQuote = sawQuote || (i > 0 && strings.Contains(p.HTML, "<blockquote>"))
			sawTask = sawTask || strings.Contains(p.HTML, `type="checkbox"`)
			sawLink = sawLink || strings.Contains(p.HTML, `href="https://www.marches-publics.gouv.fr"`)
			if strings.Contains(p.HTML, "¦") {
				t.Errorf("thread %q, post %d: the backtick placeholder was left in", th.Title, i)
			}
		}
	}
	for _, th := range themes {
		if !seenThemes[th.Slug] {
			t.Errorf("no thread in theme %q", th.Slug)
		}
	}
	for _, at := range types {
		if !seenTypes[at.Slug] {
			t.Errorf("no thread concerning authority type %q", at.Slug)
		}
	}
	if len(themes) != 6 || len(types) != 4 {
		t.Errorf("%d themes and %d authority types, want 6 and 4", len(themes), len(types))
	}
	if !sawTable || !sawPre || !sawQuote || !sawTask || !sawLink {
		t.Errorf("rendered posts: table %v, pre %v, quoting reply %v, task list %v, link %v; want all",
			sawTable, sawPre, sawQuote, sawTask, sawLink)
	}

	// A second Seed on a forum with members does nothing.
	members, err := svc.Store().CountMembers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	again, err := demo.Seed(ctx, svc)
	if err != nil || again != nil {
		t.Fatalf("second Seed = %v, %v; want nil, nil", again, err)
	}
	if n := len(allThreads(t, svc)); n != len(ths) {
		t.Errorf("second Seed: %d threads, want %d", n, len(ths))
	}
	if n, err := svc.Store().CountMembers(ctx); err != nil || n != members {
		t.Errorf("second Seed: %d members (%v), want %d", n, err, members)
	}

	var out strings.Builder
	demo.Print(&out, creds, "http://localhost:8080")
	for _, c := range creds {
		if !strings.Contains(out.String(), c.Email) || !strings.Contains(out.String(), c.Password) {
			t.Errorf("Print output lacks the email or password of %s:\n%s", c.Email, out.String())
		}
	}
	if !strings.Contains(out.String(), "http://localhost:8080") {
		t.Errorf("Print output lacks the URL:\n%s", out.String())
	}
}

func TestSeedPasswordsDiffer(t *testing.T) {
	ctx := context.Background()
	a, err := demo.Seed(ctx, newService(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := demo.Seed(ctx, newService(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range append(a, b...) {
		if seen[c.Password] {
			t.Errorf("password %q drawn twice", c.Password)
		}
		seen[c.Password] = true
	}
}

func TestPrintExisting(t *testing.T) {
	var out strings.Builder
	demo.Print(&out, nil, "https://forum.example.fr")
	s := out.String()
	if strings.Count(s, "\n") != 1 {
		t.Errorf("want one line, got:\n%s", s)
	}
	for _, want := range []string{"existe déjà", "https://forum.example.fr", demo.CredentialsFile, "répertoire de données"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
}

func TestSaveCredentials(t *testing.T) {
	dir := t.TempDir()
	if err := demo.SaveCredentials(dir, nil, "http://x"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, demo.CredentialsFile)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("nil credentials wrote a file (%v)", err)
	}
	creds := []demo.Credential{{Role: forum.RoleAdmin, Name: "Test", Authority: "Ville de Test", Email: "t@demo.coterforum.fr", Password: "abcdefghjkmnpqrs"}}
	if err := demo.SaveCredentials(dir, creds, "http://x"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "abcdefghjkmnpqrs") {
		t.Errorf("file lacks the password:\n%s", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

func TestSeedNewcomerWaitsForModeration(t *testing.T) {
	svc := newService(t)
	ctx := context.Background()
	if _, err := demo.Seed(ctx, svc); err != nil {
		t.Fatal(err)
	}
	svc.SetPolicy(queueNewMembers{})
	before := len(allThreads(t, svc))
	c, err := demo.SeedNewcomer(ctx, svc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, c.Email, c.Password); err != nil {
		t.Fatalf("newcomer cannot log in: %v", err)
	}
	if after := len(allThreads(t, svc)); after != before {
		t.Fatalf("the pending thread is listed: %d threads, want %d", after, before)
	}
}

// queueNewMembers queues members with no approved post, as the moderation rules do.
type queueNewMembers struct{}

func (queueNewMembers) InitialStatus(m *forum.Member, _ *forum.Theme) string {
	if m.ApprovedPosts == 0 && !m.IsModerator() {
		return forum.PostPending
	}
	return forum.PostPublished
}

func TestSeedSpreadsConversationsInThePast(t *testing.T) {
	svc := newService(t)
	if _, err := demo.Seed(context.Background(), svc); err != nil {
		t.Fatal(err)
	}
	threads := allThreads(t, svc)
	days := map[string]bool{}
	for _, th := range threads {
		if th.LastActivityAt.After(svc.Now()) || th.LastActivityAt.Before(th.CreatedAt) {
			t.Fatalf("thread %q: created %v, last activity %v", th.Title, th.CreatedAt, th.LastActivityAt)
		}
		days[th.CreatedAt.Format("2006-01-02")] = true
	}
	if len(days) < 10 {
		t.Fatalf("threads created on %d distinct days, want them spread over weeks", len(days))
	}
}
