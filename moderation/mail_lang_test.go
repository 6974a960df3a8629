package moderation_test

import (
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/mail/mailtest"
	"coterforum/moderation"
)

func english(m *forum.Member) { m.Lang = "en" }

// frenchWords must not leak into an English decision mail.
var frenchWords = []string{"Bonjour", "Votre", "modération", "Raison", "Publié", "publié", "Masqué", "notifications :", "«", "»"}

func TestDecisionMailsInAuthorLanguage(t *testing.T) {
	e := newEnv(t)
	en := e.member(t, "Emma English", forum.RoleMember, english)
	fr := e.member(t, "François Français", forum.RoleMember)
	title := "Which fibre operator? « Test » !"
	th, first := e.newThread(t, en, "reseaux", title)
	e.approve(t, first.ID)
	msgs := e.mail.WaitFor(t, 1, 5*time.Second)
	mailtest.CheckLanguage(t, "approval", msgs[0], "en",
		[]string{"Published: " + title, "Hello Emma English,", "Your new thread in “" + title + "” was approved by the moderators and is now published:",
			baseURL + "/posts/" + first.ID, "Your notifications: " + baseURL + "/notifications"}, frenchWords[:len(frenchWords)-2])

	reply := e.reply(t, en, th.ID, "A reply, with **Markdown** : kept as is !")
	reason := "Hors sujet : merci de rester sur la fibre."
	if err := e.mod.Reject(e.ctx, e.moderator, reply.ID, reason); err != nil {
		t.Fatal(err)
	}
	msgs = e.mail.WaitFor(t, 2, 5*time.Second)
	// The reason is the moderator's own text, repeated as written.
	mailtest.CheckLanguage(t, "rejection", msgs[1], "en",
		[]string{"Not published: " + title, "Your post in “" + title + "” was not published by the moderators.", "Reason: " + reason,
			"You may rework it and submit it again. Your text:\n\nA reply, with **Markdown** : kept as is !\n"},
		[]string{"Bonjour", "Votre", "Raison", "Non publié", "n'a pas été"})

	if err := e.mod.Hide(e.ctx, e.moderator, first.ID, "Données personnelles."); err != nil {
		t.Fatal(err)
	}
	msgs = e.mail.WaitFor(t, 3, 5*time.Second)
	mailtest.CheckLanguage(t, "hiding", msgs[2], "en", []string{"Hidden: " + title, "was hidden by the moderators.", "Reason: Données personnelles."},
		[]string{"Bonjour", "Masqué", "Raison", "masqué par"})

	// A French author (no setting) gets French with French typography, and
	// the title exactly as written.
	frTitle := "Quel opérateur ? Vraiment !"
	_, frFirst := e.newThread(t, fr, "sig", frTitle)
	e.approve(t, frFirst.ID)
	msgs = e.mail.WaitFor(t, 4, 5*time.Second)
	mailtest.CheckLanguage(t, "French approval", msgs[3], "fr",
		[]string{"Publié\u00a0: " + frTitle, "Bonjour François Français,", "Votre nouveau fil dans «\u00a0" + frTitle + "\u00a0» a été approuvé",
			"publié\u00a0:\n", "Vos notifications\u00a0: " + baseURL + "/notifications"},
		[]string{"Hello", "Your", "Published", "approved"})
}

func TestReminderInModeratorLanguage(t *testing.T) {
	e := newEnv(t) // a French moderator and a French admin
	emma := e.member(t, "Emma Moderator", forum.RoleModerator, english)
	alice := e.member(t, "Alice Attente", forum.RoleMember)
	e.newThread(t, alice, "reseaux", "Un fil qui attend longtemps")
	e.clock.Advance(25 * time.Hour)
	if n := e.remind(t); n != 1 {
		t.Fatalf("reminded %d posts, want 1", n)
	}
	e.mail.WaitFor(t, 3, 5*time.Second)
	got := e.mailsTo(emma.Email)
	if len(got) != 1 {
		t.Fatalf("%d reminders to the English moderator", len(got))
	}
	// t0 is 9:00 UTC, 10:00 in Paris.
	mailtest.CheckLanguage(t, "English reminder", got[0], "en",
		[]string{"Moderation: 1 post pending", "Hello,", "1 post has been awaiting a decision for more than 24 hours:",
			"- Alice Attente, 12 March 2026 at 10:00", "The moderation queue: " + baseURL + "/moderation"},
		[]string{"Bonjour", "Modération", "attendent", "La file", "mars"})
	for _, m := range []*forum.Member{e.moderator, e.admin} {
		got := e.mailsTo(m.Email)
		if len(got) != 1 {
			t.Fatalf("%d reminders to %s", len(got), m.DisplayName)
		}
		mailtest.CheckLanguage(t, "French reminder", got[0], "fr",
			[]string{"Modération\u00a0: 1 message en attente", "Bonjour,", "1 message attend une décision depuis plus de 24 heures\u00a0:",
				"- Alice Attente, le 12 mars 2026 à 10 h 00", "La file de modération\u00a0: " + baseURL + "/moderation"},
			[]string{"Hello", "Moderation:", "awaiting", "UTC"})
	}
}

// Undoing a rejection tells the author, in their language, that the post is
// back in the queue (they were told it was rejected).
func TestUndoRejectTellsAuthor(t *testing.T) {
	e := newEnv(t)
	en := e.member(t, "Emma English", forum.RoleMember, english)
	fr := e.member(t, "François Français", forum.RoleMember)
	title := "Which fibre operator?"
	th, first := e.newThread(t, en, "reseaux", title)
	if err := e.mod.Reject(e.ctx, e.moderator, first.ID, "Par erreur."); err != nil {
		t.Fatal(err)
	}
	if err := e.mod.UndoReject(e.ctx, e.moderator, first.ID); err != nil {
		t.Fatal(err)
	}
	msgs := e.mail.WaitFor(t, 2, 5*time.Second)
	mailtest.CheckLanguage(t, "undo", msgs[1], "en",
		[]string{"Back in review: " + title, "Hello Emma English,", "The rejection of your new thread in “" + title + "” was undone",
			baseURL + "/posts/" + first.ID},
		[]string{"Bonjour", "Votre", "refus", "attente"})
	notes, err := e.mod.Notifications(e.ctx, en)
	if err != nil || len(notes) != 2 || notes[0].Kind != moderation.KindReopened || notes[0].PostID != first.ID {
		t.Fatalf("notifications after undo: %+v, %v", notes, err)
	}

	e.approve(t, first.ID)
	reply := e.reply(t, fr, th.ID, "Une réponse refusée par erreur.")
	if err := e.mod.Reject(e.ctx, e.moderator, reply.ID, "Par erreur."); err != nil {
		t.Fatal(err)
	}
	if err := e.mod.UndoReject(e.ctx, e.moderator, reply.ID); err != nil {
		t.Fatal(err)
	}
	e.mail.WaitFor(t, 5, 5*time.Second)
	got := e.mailsTo(fr.Email)
	if len(got) != 2 {
		t.Fatalf("%d mails to the French author, want 2", len(got))
	}
	mailtest.CheckLanguage(t, "French undo", got[1], "fr",
		[]string{"De nouveau en attente\u00a0: " + title, "Le refus de votre message dans «\u00a0" + title + "\u00a0» a été annulé"},
		[]string{"Hello", "Back in review"})
}
