package moderation

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"coterforum/forum"
)

// MaxAuditPage bounds one page of the audit log.
const MaxAuditPage = 200

// Audit returns audit entries, newest first (moderators and admins).
func (s *Service) Audit(ctx context.Context, actor *forum.Member, f AuditFilter) ([]AuditEntry, error) {
	if err := s.requireModerator(actor); err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > MaxAuditPage {
		f.Limit = MaxAuditPage
	}
	return s.store.ListAudit(ctx, f)
}

// WriteAuditCSV writes every entry matching f as CSV (UTF-8 with BOM, for spreadsheets).
func (s *Service) WriteAuditCSV(ctx context.Context, actor *forum.Member, f AuditFilter, w io.Writer) error {
	if err := s.requireModerator(actor); err != nil {
		return err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	_ = cw.Write([]string{"date", "moderateur", "action", "cible", "identifiant", "fil", "avant", "apres", "raison"})
	f.Skip = 0
	for {
		f.Limit = MaxAuditPage
		page, err := s.store.ListAudit(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range page {
			_ = cw.Write([]string{e.At.UTC().Format(time.RFC3339), csvSafe(e.Actor.DisplayName), e.Action, e.TargetType,
				e.TargetID, e.ThreadID, csvSafe(e.Before), csvSafe(e.After), csvSafe(e.Reason)})
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if len(page) < MaxAuditPage {
			return nil
		}
		f.Skip += len(page)
	}
}

// csvSafe stops spreadsheet formula injection: a cell starting with = + - @
// is prefixed with a quote.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
