package digest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

func TestSubscribeValidation(t *testing.T) {
	e := newEnv(t)
	member := e.member(t, "Bruno Lecteur", "Ville de Lyon", "commune")
	th, _ := e.thread(t, e.author, "reseaux", "Migration vers IPv6")
	hidden := &forum.Thread{ID: forum.NewID(), Theme: "reseaux", Title: "Fil masqué", Status: forum.ThreadHidden}
	if err := e.st.InsertThread(e.ctx, hidden); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in          digest.SubscribeInput
		field, code string
	}{
		{digest.SubscribeInput{Frequency: digest.Daily}, "target", "target_missing"},
		{digest.SubscribeInput{Thread: th.ID, Theme: "reseaux", Frequency: digest.Daily}, "target", "target_ambiguous"},
		{digest.SubscribeInput{Theme: "reseaux"}, "frequency", "frequency_invalid"},
		{digest.SubscribeInput{Theme: "reseaux", Frequency: "hourly"}, "frequency", "frequency_invalid"},
		{digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Immediate}, "frequency", "frequency_immediate_thread_only"},
		{digest.SubscribeInput{Theme: "inconnu", Frequency: digest.Daily}, "theme", "theme_unknown"},
		{digest.SubscribeInput{Theme: "../etc", Frequency: digest.Daily}, "theme", "theme_unknown"},
		{digest.SubscribeInput{AuthorityType: "canton", Frequency: digest.Weekly}, "authority_type", "authority_type_unknown"},
		{digest.SubscribeInput{Theme: "sig", AuthorityType: "canton", Frequency: digest.Weekly}, "authority_type", "authority_type_unknown"},
		{digest.SubscribeInput{Thread: "nope", Frequency: digest.Daily}, "thread", "thread_unknown"},
		{digest.SubscribeInput{Thread: hidden.ID, Frequency: digest.Daily}, "thread", "thread_unknown"},
	}
	for _, c := range cases {
		for _, anonymous := range []bool{false, true} {
			var err error
			if anonymous {
				err = e.svc.SubscribeEmail(e.ctx, "lecteur@example.org", "fr", c.in)
			} else {
				_, err = e.svc.Subscribe(e.ctx, member, c.in)
			}
			var ve *forum.ValidationError
			if !errors.As(err, &ve) || ve.Field != c.field || ve.Code != c.code || ve.Msg.IsZero() {
				t.Errorf("%+v (anonymous %v): %v, want %s/%s", c.in, anonymous, err, c.field, c.code)
			}
		}
	}
	if err := e.svc.SubscribeEmail(e.ctx, "pas une adresse", "fr", digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily}); err == nil {
		t.Error("invalid email accepted")
	}
	if _, err := e.svc.Subscribe(e.ctx, nil, digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily}); !errors.Is(err, forum.ErrUnauthenticated) {
		t.Errorf("anonymous Subscribe: %v", err)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Errorf("%d mails sent for invalid subscriptions", n)
	}
}

func TestMemberSubscriptions(t *testing.T) {
	e := newEnv(t)
	m := e.member(t, "Bruno Lecteur", "Ville de Lyon", "commune")
	th, _ := e.thread(t, e.author, "reseaux", "Migration vers IPv6")
	first := e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", AuthorityType: "departement", Frequency: digest.Daily})
	again := e.subscribe(t, m, digest.SubscribeInput{Theme: " reseaux ", AuthorityType: "departement", Frequency: digest.Daily})
	if first.ID != again.ID || first.Pending {
		t.Fatalf("subscribing twice: %+v then %+v", first, again)
	}
	e.subscribe(t, m, digest.SubscribeInput{Theme: "reseaux", AuthorityType: "departement", Frequency: digest.Weekly})
	e.subscribe(t, m, digest.SubscribeInput{Thread: th.ID, Frequency: digest.Immediate})
	e.subscribe(t, m, digest.SubscribeInput{AuthorityType: "region", Frequency: digest.Weekly})
	sub, err := e.svc.SubscriberOf(e.ctx, m)
	if err != nil || !sub.Confirmed || sub.MemberID != m.ID || sub.Email != strings.ToLower(m.Email) {
		t.Fatalf("subscriber %+v %v", sub, err)
	}
	list, err := e.svc.List(e.ctx, sub.ID)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, s := range list {
		labels = append(labels, s.Label+" / "+digest.FrequencyLabel(s.Frequency))
	}
	want := "Réseaux × Départements / quotidien|Réseaux × Départements / hebdomadaire|Fil «\u00a0Migration vers IPv6\u00a0» / à chaque réponse|Collectivités\u00a0: Régions / hebdomadaire"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("labels\n got %s\nwant %s", got, want)
	}
	if err := e.svc.Unsubscribe(e.ctx, sub.ID, list[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Unsubscribe(e.ctx, sub.ID, list[0].ID); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("second unsubscribe: %v", err)
	}
	other := e.member(t, "Autre", "Ville de Brest", "commune")
	e.subscribe(t, other, digest.SubscribeInput{Theme: "sig", Frequency: digest.Daily})
	osub, _ := e.svc.SubscriberOf(e.ctx, other)
	if err := e.svc.Unsubscribe(e.ctx, osub.ID, list[1].ID); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("unsubscribing someone else's subscription: %v", err)
	}
	if n, err := e.svc.UnsubscribeAll(e.ctx, sub.ID); n != 3 || err != nil {
		t.Errorf("UnsubscribeAll: %d %v", n, err)
	}
	if len(e.smtp.Messages()) != 0 {
		t.Error("members get no confirmation mail")
	}
}

func TestReaderDoubleOptIn(t *testing.T) {
	e := newEnv(t)
	in := digest.SubscribeInput{Theme: "sig", AuthorityType: "region", Frequency: digest.Daily}
	if err := e.svc.SubscribeEmail(e.ctx, " Lecteur@Example.org ", "fr", in); err != nil {
		t.Fatal(err)
	}
	msgs := e.smtp.WaitFor(t, 1, 5*time.Second)
	c := msgs[0]
	if c.To[0] != "lecteur@example.org" || !strings.Contains(c.Subject, "confirmez") || !strings.Contains(c.Text, "SIG × Régions (quotidien)") {
		t.Fatalf("confirmation mail: to %v, subject %q, text %q", c.To, c.Subject, c.Text)
	}
	// Anyone re-subscribing the address within the hour sends nothing more.
	for range 3 {
		if err := e.svc.SubscribeEmail(e.ctx, "lecteur@example.org", "fr", digest.SubscribeInput{Theme: "reseaux", Frequency: digest.Weekly}); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(59 * time.Minute)
	_ = e.svc.SubscribeEmail(e.ctx, "lecteur@example.org", "fr", in)
	if n := len(e.smtp.Messages()); n != 1 {
		t.Fatalf("%d mails to an unconfirmed address within the hour", n)
	}
	sub, _ := e.st.SubscriberByEmail(e.ctx, "lecteur@example.org")
	if sub.Confirmed {
		t.Fatal("confirmed before the link was followed")
	}
	tok := tokenOf(t, c.Text, "/subscriptions/confirm")
	for _, bad := range []string{"", "x", tok + "x", tok[:len(tok)-1], strings.Replace(tok, ".", "", 1),
		e.svc.ManageURL(sub.ID)[len(baseURL+"/subscriptions/manage?token="):]} {
		if _, err := e.svc.Confirm(e.ctx, bad); !errors.Is(err, forum.ErrNotFound) {
			t.Errorf("Confirm(%q): %v", bad, err)
		}
	}
	got, err := e.svc.Confirm(e.ctx, tok)
	if err != nil || !got.Confirmed {
		t.Fatalf("Confirm: %+v %v", got, err)
	}
	if _, err := e.svc.Confirm(e.ctx, tok); err != nil {
		t.Fatalf("confirming twice: %v", err)
	}
	list, _ := e.svc.List(e.ctx, sub.ID)
	if len(list) != 2 || list[0].Pending || list[1].Pending {
		t.Fatalf("subscriptions after confirmation: %+v", list)
	}
	// A confirmation link expires.
	e.clock.Advance(8 * 24 * time.Hour)
	if _, err := e.svc.Confirm(e.ctx, tok); !errors.Is(err, forum.ErrNotFound) {
		t.Errorf("expired confirmation link: %v", err)
	}
	// A confirmed reader adding a subscription anonymously confirms it again.
	if err := e.svc.SubscribeEmail(e.ctx, "lecteur@example.org", "fr", digest.SubscribeInput{Theme: "portails", Frequency: digest.Daily}); err != nil {
		t.Fatal(err)
	}
	msgs = e.smtp.WaitFor(t, 2, 5*time.Second)
	if !strings.Contains(msgs[1].Text, "Portails internet") || strings.Contains(msgs[1].Text, "SIG") {
		t.Errorf("second confirmation lists %q", msgs[1].Text)
	}
	// A member with that address later subscribes: the same subscriber.
	m := e.member(t, "Lecteur Devenu Membre", "Ville de Caen", "commune", func(m *forum.Member) { m.Email = "lecteur@example.org" })
	e.subscribe(t, m, digest.SubscribeInput{Theme: "portails", Frequency: digest.Daily})
	list, _ = e.svc.List(e.ctx, sub.ID)
	if len(list) != 3 || list[2].Pending {
		t.Fatalf("member's subscription not active: %+v", list)
	}
}
