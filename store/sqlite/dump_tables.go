package sqlite

import (
	"context"
	"database/sql"

	"coterforum/forum"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// dumpTable is how one collection of the portable form (store/portable)
// is read from and written to its table.
type dumpTable struct {
	// table is the SQL table; key the SQL expression of the portable key,
	// which an index serves in byte order (BINARY collation).
	table, key string
	// cols are the columns scan reads, in its order.
	cols string
	// scan reads a row of cols as a pointer to the portable Go type.
	scan func(r scanner) (any, error)
	// insert writes one portable document unless its key exists.
	insert func(ctx context.Context, q querier, doc bson.Raw) error
}

// dumpTables maps each collection to its table. Each insert is the
// store's own (its SQL and its values), with ON CONFLICT on the key.
var dumpTables = map[string]dumpTable{
	"themes": {"themes", "slug", themeCols, scanAs(scanTheme),
		insertAs("themes", func(t *forum.Theme) []any { return themeArgs(t) },
			insertThemeSQL+` ON CONFLICT (slug) DO NOTHING`)},
	"authority_types": {"authority_types", "slug", authorityTypeCols, scanAs(scanAuthorityType),
		insertAs("authority_types", func(a *forum.AuthorityType) []any { return []any{a.Slug, a.NameFR, a.NameEN, a.Plural, a.Position} },
			insertAuthorityTypeSQL+` ON CONFLICT (slug) DO NOTHING`)},
	"members": {"members", "id", memberCols, scanAs(scanMember),
		insertAs("members", memberArgs, insertMemberSQL+` ON CONFLICT (id) DO NOTHING`)},
	"sessions": {"sessions", "id", sessionCols, scanAs(scanSession),
		insertAs("sessions", sessionArgs, insertSessionSQL+` ON CONFLICT (id) DO NOTHING`)},
	"invites": {"invites", "id", inviteCols, scanAs(scanInvite),
		insertAs("invites", inviteArgs, insertInviteSQL+` ON CONFLICT (id) DO NOTHING`)},
	"identities": {"identities", "id", identityCols, scanAs(scanIdentity),
		insertAs("identities", identityArgs, insertIdentitySQL+` ON CONFLICT (id) DO NOTHING`)},
	"threads": {"threads", "id", threadCols, scanAs(scanThread), importThread},
	"posts":   {"posts", "id", postCols + `, reminded_at`, scanDumpPost, importPost},
	"read_markers": {"read_markers", `member_id || ':' || thread_id`, readMarkerCols, scanAs(scanReadMarker),
		insertAs("read_markers", func(m *forum.ReadMarker) []any { return []any{m.MemberID, m.ThreadID, m.PostID, ms(m.PostAt)} },
			`INSERT INTO read_markers (`+readMarkerCols+`) VALUES (?, ?, ?, ?) ON CONFLICT (member_id, thread_id) DO NOTHING`)},
	"reports": {"reports", "id", reportCols, scanAs(scanReport),
		insertAs("reports", reportArgs, insertReportSQL+` ON CONFLICT (id) DO NOTHING`)},
	"audit": {"audit", "id", auditCols, scanAs(scanAudit),
		insertAs("audit", auditArgs, insertAuditSQL+` ON CONFLICT (id) DO NOTHING`)},
	"notifications": {"notifications", "id", notificationCols, scanAs(scanNotification),
		insertAs("notifications", notificationArgs, insertNotificationSQL+` ON CONFLICT (id) DO NOTHING`)},
	"digest_subscribers": {"digest_subscribers", "id", subscriberCols, scanAs(scanSubscriber),
		insertAs("digest_subscribers", subscriberArgs, insertSubscriberSQL+` ON CONFLICT (id) DO NOTHING`)},
	"digest_subscriptions": {"digest_subscriptions", "id", subscriptionCols, scanAs(scanSubscription),
		insertAs("digest_subscriptions", subscriptionArgs, insertSubscriptionSQL+` ON CONFLICT (id) DO NOTHING`)},
	"digest_runs": {"digest_runs", "id", runCols, scanAs(scanRun),
		insertAs("digest_runs", runArgs, insertRunSQL+` ON CONFLICT (id) DO NOTHING`)},
	"digest_leases": {"digest_leases", "name", `name, holder, expires_at`, scanLease,
		insertAs("digest_leases", func(l *portable.Lease) []any { return []any{l.Name, l.Holder, ms(l.ExpiresAt)} },
			`INSERT INTO digest_leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`)},
	"digest_marks": {"digest_marks", "name", `name, at`, scanMark,
		insertAs("digest_marks", func(m *portable.Mark) []any { return []any{m.Name, ms(m.At)} },
			`INSERT INTO digest_marks (name, at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`)},
	"digest_keys": {"digest_keys", "id", `id, created_at`, scanKey,
		insertAs("digest_keys", func(k *portable.Key) []any { return []any{k.ID, ms(k.CreatedAt)} },
			`INSERT INTO digest_keys (id, created_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`)},
	"digest_outbox": {"digest_outbox", "id", outboxCols + `, ` + outboxBodyCols, scanDumpOutbox,
		insertAs("digest_outbox", func(o *portable.Outbox) []any { m := o.Message(); return outboxArgs(&m) },
			`INSERT INTO digest_outbox (`+outboxCols+`, `+outboxBodyCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)},
	"digest_log": {"digest_log", "id", logCols, scanAs(scanLogEntry),
		insertAs("digest_log", logArgs, `INSERT INTO digest_log (`+logCols+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)},
	"secrets": {"secrets", "name", `name, value`, scanSecret,
		insertAs("secrets", func(s *portable.Secret) []any { return []any{s.Name, s.Value} },
			`INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`)},
	"counters": {"counters", "name", `name, value`, scanCounter,
		insertAs("counters", func(c *portable.Counter) []any { return []any{c.Name, c.Value} },
			`INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`)},
}

// scanAs turns a store scan function into a dumpTable's.
func scanAs[T any](scan func(scanner) (T, error)) func(scanner) (any, error) {
	return func(r scanner) (any, error) {
		v, err := scan(r)
		return &v, err
	}
}

// insertAs returns a dumpTable insert that decodes the document as a T and
// runs query with args' values.
func insertAs[T any](collection string, args func(*T) []any, query string) func(context.Context, querier, bson.Raw) error {
	return func(ctx context.Context, q querier, doc bson.Raw) error {
		v, err := portable.Decode[T](collection, doc)
		if err != nil {
			return err
		}
		_, err = q.ExecContext(ctx, query, args(&v)...)
		return err
	}
}

// exists reports whether table has a row whose id is id.
func exists(ctx context.Context, q querier, table, id string) (bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	return rows.Next(), rows.Err()
}

// importThread writes a thread as InsertThread does (its title's terms,
// its authority-type rows by trigger) unless its id exists.
func importThread(ctx context.Context, q querier, doc bson.Raw) error {
	t, err := portable.Decode[forum.Thread]("threads", doc)
	if err != nil {
		return err
	}
	if found, err := exists(ctx, q, "threads", t.ID); err != nil || found {
		return err
	}
	t.TitleTerms = forum.SearchTerms(t.Title)
	return insertThread(ctx, q, &t)
}

// importPost writes a post as InsertPost does (its search terms) unless
// its id exists, then its reminder time.
func importPost(ctx context.Context, q querier, doc bson.Raw) error {
	p, err := portable.Decode[portable.Post]("posts", doc)
	if err != nil {
		return err
	}
	return importDecodedPost(ctx, q, &p)
}

// importDecodedPost is importPost after decoding; p.Terms, when not nil,
// are the post's terms already computed.
func importDecodedPost(ctx context.Context, q querier, p *portable.Post) error {
	if found, err := exists(ctx, q, "posts", p.ID); err != nil || found {
		return err
	}
	if p.Terms == nil {
		p.Terms = forum.PostSearchTerms(p.HTML)
	}
	if err := insertPost(ctx, q, &p.Post); err != nil {
		return err
	}
	if p.RemindedAt == nil {
		return nil
	}
	_, err := q.ExecContext(ctx, `UPDATE posts SET reminded_at = ? WHERE id = ?`, ms(*p.RemindedAt), p.ID)
	return err
}

// scanDumpPost reads a row of postCols then reminded_at.
func scanDumpPost(r scanner) (any, error) {
	var p portable.Post
	var reminded sql.NullInt64
	post, err := scanPost(extraScanner{r, []any{&reminded}})
	p.Post, p.RemindedAt = post, tmPtr(reminded)
	return &p, err
}

// scanDumpOutbox reads a row of outboxCols then outboxBodyCols.
func scanDumpOutbox(r scanner) (any, error) {
	m, err := scanOutboxWithBody(r)
	return portable.OutboxOf(m, m.Body), err
}

// extraScanner scans a row whose last columns go to extra.
type extraScanner struct {
	r     scanner
	extra []any
}

// Scan scans the row into dest then extra.
func (e extraScanner) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

func scanLease(r scanner) (any, error) {
	var l portable.Lease
	var at int64
	err := r.Scan(&l.Name, &l.Holder, &at)
	l.ExpiresAt = tm(at)
	return &l, err
}

func scanMark(r scanner) (any, error) {
	var m portable.Mark
	var at int64
	err := r.Scan(&m.Name, &at)
	m.At = tm(at)
	return &m, err
}

func scanKey(r scanner) (any, error) {
	var k portable.Key
	var at int64
	err := r.Scan(&k.ID, &at)
	k.CreatedAt = tm(at)
	return &k, err
}

func scanSecret(r scanner) (any, error) {
	var s portable.Secret
	err := r.Scan(&s.Name, &s.Value)
	return &s, err
}

func scanCounter(r scanner) (any, error) {
	var c portable.Counter
	err := r.Scan(&c.Name, &c.Value)
	return &c, err
}
