package moderation_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
)

func (e *env) remind(t *testing.T) int {
	t.Helper()
	n, err := e.mod.RemindOnce(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func recipients(msgs []mailtest.Received) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.To...)
	}
	sort.Strings(out)
	return out
}

func TestRemindOnce(t *testing.T) {
	e := newEnv(t)
	second := e.member(t, "Second Modérateur", forum.RoleModerator)
	away := e.member(t, "Modérateur Absent", forum.RoleModerator)
	if _, err := e.mod.UpdateMember(e.ctx, e.admin, away.ID, moderation.MemberInput{Suspend: "indefinite", Reason: "En congé."}); err != nil {
		t.Fatal(err)
	}
	alice := e.member(t, "Alice Attente", forum.RoleMember)
	bruno := e.member(t, "Bruno Bientôt", forum.RoleMember)
	carla := e.member(t, "Carla Décidée", forum.RoleMember)

	e.newThread(t, alice, "reseaux", "Un fil qui attend longtemps")
	_, decided := e.newThread(t, carla, "reseaux", "Un fil vite approuvé")
	e.clock.Advance(2 * time.Hour)
	e.newThread(t, bruno, "sig", "Un fil qui attend moins")
	e.approve(t, decided.ID)
	sent := len(e.mail.Messages()) // the approval mail

	// Nothing waits 24 hours yet.
	e.clock.Advance(21 * time.Hour) // t0 + 23 h
	if n := e.remind(t); n != 0 || len(e.mail.Messages()) != sent {
		t.Fatalf("early reminder: %d posts, %d mails", n, len(e.mail.Messages())-sent)
	}

	// Alice's post is late: one mail per active moderator, listing it.
	e.clock.Advance(90 * time.Minute) // t0 + 24 h 30
	if n := e.remind(t); n != 1 {
		t.Fatalf("reminded %d posts, want 1", n)
	}
	msgs := e.mail.WaitFor(t, sent+3, 5*time.Second)[sent:]
	want := []string{e.moderator.Email, e.admin.Email, second.Email}
	sort.Strings(want)
	if got := recipients(msgs); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("reminder recipients = %v, want %v (moderators and admins, not the suspended one nor members)", got, want)
	}
	for _, m := range msgs {
		if !strings.Contains(m.Subject, "1 message") || !strings.Contains(m.Text, "Alice Attente") || strings.Contains(m.Text, "Bruno Bientôt") ||
			strings.Contains(m.Text, "Carla Décidée") || !strings.Contains(m.Text, baseURL+"/moderation") || !strings.Contains(m.Text, "12 mars 2026 à 10 h 00") {
			t.Fatalf("reminder %q:\n%s", m.Subject, m.Text)
		}
	}
	sent += 3

	// A second pass sends nothing new.
	if n := e.remind(t); n != 0 {
		t.Fatalf("second pass reminded %d posts", n)
	}
	e.clock.Advance(30 * time.Minute) // t0 + 25 h: Bruno's waits 23 h
	if n := e.remind(t); n != 0 || len(e.mail.Messages()) != sent {
		t.Fatalf("third pass: %d posts, %d new mails", n, len(e.mail.Messages())-sent)
	}

	// Bruno's post becomes late: reminded alone.
	e.clock.Advance(2 * time.Hour) // t0 + 27 h
	if n := e.remind(t); n != 1 {
		t.Fatalf("reminded %d posts, want 1 (Bruno's)", n)
	}
	msgs = e.mail.WaitFor(t, sent+3, 5*time.Second)[sent:]
	for _, m := range msgs {
		if !strings.Contains(m.Text, "Bruno Bientôt") || strings.Contains(m.Text, "Alice Attente") {
			t.Fatalf("second reminder lists the wrong posts:\n%s", m.Text)
		}
	}
	sent += 3
	if n := e.remind(t); n != 0 || len(e.mail.Messages()) != sent {
		t.Fatalf("last pass: %d posts, %d new mails", n, len(e.mail.Messages())-sent)
	}
}

func TestRemindOnceSeveralLatePosts(t *testing.T) {
	e := newEnvConfig(t, moderation.Config{RemindAfter: time.Hour, BaseURL: baseURL + "/"})
	for _, name := range []string{"Denise Une", "Étienne Deux", "Fanny Trois"} {
		m := e.member(t, name, forum.RoleMember)
		e.newThread(t, m, "portails", "Fil de "+name)
		e.clock.Advance(time.Minute)
	}
	e.clock.Advance(time.Hour)
	// Two reminder runs at once: each post is reminded once in all.
	done := make(chan int, 2)
	for i := 0; i < 2; i++ {
		go func() {
			n, err := e.mod.RemindOnce(context.Background())
			if err != nil {
				t.Error(err)
			}
			done <- n
		}()
	}
	total := <-done + <-done
	if total != 3 {
		t.Fatalf("%d posts reminded in all, want 3", total)
	}
	msgs := e.mail.Messages()
	names := 0
	for _, m := range msgs {
		for _, name := range []string{"Denise Une", "Étienne Deux", "Fanny Trois"} {
			names += strings.Count(m.Text, name)
		}
	}
	for _, m := range msgs {
		if !strings.Contains(m.Text, baseURL+"/moderation\n") || strings.Contains(m.Text, "//moderation") {
			t.Fatalf("reminder link with a trailing-slash BaseURL:\n%s", m.Text)
		}
	}
	// Each post is listed once per moderator (moderator and admin).
	if names != 3*2 {
		t.Fatalf("posts listed %d times in %d mails, want 6", names, len(msgs))
	}
}
