package mongo

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/moderation"
	"coterforum/store/portable"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// dumpProjection leaves out of an export what the store derives (decoding
// into the Go type would drop it too: this spares sending it).
func dumpProjection(collection string) bson.D {
	var fields []string
	switch collection {
	case colThreads:
		fields = []string{"title_terms", "scope_seq"}
	case colPosts:
		fields = []string{"terms", "seq", "thread_published", "thread_theme", "thread_types", "thread_seq", "published_at", "published_day"}
	}
	if fields == nil {
		return nil
	}
	p := make(bson.D, len(fields))
	for i, f := range fields {
		p[i] = bson.E{Key: f, Value: 0}
	}
	return p
}

// reencode decodes each document as a T and encodes it in the portable form.
func reencode[T any](collection string, raws []bson.Raw) ([]bson.Raw, error) {
	out := make([]bson.Raw, 0, len(raws))
	for _, raw := range raws {
		v, err := portable.Decode[T](collection, raw)
		if err != nil {
			return nil, err
		}
		doc, err := portable.Encode(collection, &v)
		if err != nil {
			return nil, err
		}
		out = append(out, doc)
	}
	return out, nil
}

// portableDocs turns documents as stored into portable documents; outbox
// messages get their bodies from digest_bodies.
func (d dumper) portableDocs(ctx context.Context, collection string, raws []bson.Raw) ([]bson.Raw, error) {
	switch collection {
	case colThemes:
		return reencode[forum.Theme](collection, raws)
	case colAuthorityTypes:
		return reencode[forum.AuthorityType](collection, raws)
	case colMembers:
		return reencode[forum.Member](collection, raws)
	case colSessions:
		return reencode[forum.Session](collection, raws)
	case colInvites:
		return reencode[forum.Invite](collection, raws)
	case colIdentities:
		return reencode[forum.Identity](collection, raws)
	case colThreads:
		return reencode[forum.Thread](collection, raws)
	case colPosts:
		return reencode[portable.Post](collection, raws)
	case colReadMarkers:
		return reencode[forum.ReadMarker](collection, raws)
	case colReports:
		return reencode[moderation.Report](collection, raws)
	case colAudit:
		return reencode[moderation.AuditEntry](collection, raws)
	case colNotifications:
		return reencode[moderation.Notification](collection, raws)
	case colDigestSubscribers:
		return reencode[digest.Subscriber](collection, raws)
	case colDigestSubscriptions:
		return reencode[digest.Subscription](collection, raws)
	case colDigestRuns:
		return reencode[digest.Run](collection, raws)
	case colDigestLeases:
		return reencode[portable.Lease](collection, raws)
	case colDigestMarks:
		return reencode[portable.Mark](collection, raws)
	case colDigestKeys:
		return reencode[portable.Key](collection, raws)
	case colDigestOutbox:
		return d.outboxDocs(ctx, raws)
	case colDigestLog:
		return reencode[digest.LogEntry](collection, raws)
	case colSecrets:
		return reencode[portable.Secret](collection, raws)
	case colCounters:
		return reencode[portable.Counter](collection, raws)
	}
	return nil, portable.Known(collection)
}

// outboxDocs returns the portable documents of outbox messages with their
// bodies, read in one query by _id.
func (d dumper) outboxDocs(ctx context.Context, raws []bson.Raw) ([]bson.Raw, error) {
	msgs := make([]digest.OutboxMessage, len(raws))
	ids := make([]string, len(raws))
	for i, raw := range raws {
		m, err := portable.Decode[digest.OutboxMessage](colDigestOutbox, raw)
		if err != nil {
			return nil, err
		}
		msgs[i], ids[i] = m, m.ID
	}
	bodies, err := findByIDs[digest.MessageBody](ctx, d.s, colDigestBodies, ids, nil)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*digest.MessageBody, len(bodies))
	for i := range bodies {
		byID[bodies[i].ID] = &bodies[i]
	}
	out := make([]bson.Raw, len(msgs))
	for i, m := range msgs {
		if out[i], err = portable.Encode(colDigestOutbox, portable.OutboxOf(m, byID[m.ID])); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ImportBatch writes portable documents as the store's own inserts write
// them, with what it derives: threads with their title terms and scope
// number (then their scope copied onto posts already there), posts with
// their terms, their thread's scope and their publication time, outbox
// messages with their bodies apart. Each collection's documents go in
// unordered insertMany commands; a document whose _id exists is skipped
// (insertSkippingKeys). The counter of the change
// sequence is never imported: it belongs to this database.
func (s *Store) ImportBatch(ctx context.Context, collection string, docs []bson.Raw) error {
	if err := portable.Known(collection); err != nil || len(docs) == 0 {
		return err
	}
	var err error
	switch collection {
	case colThreads:
		err = s.importThreadDocs(ctx, docs)
	case colPosts:
		err = s.importPostDocs(ctx, docs)
	case colDigestOutbox:
		err = s.importOutboxDocs(ctx, docs)
	case colThemes:
		err = importAs[forum.Theme](ctx, s, collection, docs, nil)
	case colAuthorityTypes:
		err = importAs[forum.AuthorityType](ctx, s, collection, docs, nil)
	case colMembers:
		err = importAs[forum.Member](ctx, s, collection, docs, nil)
	case colSessions:
		err = importAs[forum.Session](ctx, s, collection, docs, nil)
	case colInvites:
		err = importAs[forum.Invite](ctx, s, collection, docs, nil)
	case colIdentities:
		err = importAs[forum.Identity](ctx, s, collection, docs, nil)
	case colReadMarkers:
		err = importAs[forum.ReadMarker](ctx, s, collection, docs, nil)
	case colReports:
		err = importAs[moderation.Report](ctx, s, collection, docs, nil)
	case colAudit:
		err = importAs[moderation.AuditEntry](ctx, s, collection, docs, nil)
	case colNotifications:
		err = importAs[moderation.Notification](ctx, s, collection, docs, nil)
	case colDigestSubscribers:
		err = importAs[digest.Subscriber](ctx, s, collection, docs, nil)
	case colDigestSubscriptions:
		err = importAs[digest.Subscription](ctx, s, collection, docs, nil)
	case colDigestRuns:
		err = importAs[digest.Run](ctx, s, collection, docs, nil)
	case colDigestLeases:
		err = importAs[portable.Lease](ctx, s, collection, docs, nil)
	case colDigestMarks:
		err = importAs[portable.Mark](ctx, s, collection, docs, nil)
	case colDigestKeys:
		err = importAs[portable.Key](ctx, s, collection, docs, nil)
	case colDigestLog:
		err = importAs[digest.LogEntry](ctx, s, collection, docs, nil)
	case colSecrets:
		err = importAs[portable.Secret](ctx, s, collection, docs, nil)
	case colCounters:
		err = importAs[portable.Counter](ctx, s, collection, docs, func(c *portable.Counter) bool { return c.Name != changeCounter })
	}
	if err != nil {
		return fmt.Errorf("import de %s : %w", collection, err)
	}
	return nil
}

// decodeAll decodes portable documents as Ts.
func decodeAll[T any](collection string, docs []bson.Raw) ([]T, error) {
	out := make([]T, len(docs))
	for i, doc := range docs {
		v, err := portable.Decode[T](collection, doc)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// importAs inserts the documents decoded as Ts (those keep accepts, when
// it is not nil).
func importAs[T any](ctx context.Context, s *Store, collection string, docs []bson.Raw, keep func(*T) bool) error {
	vs, err := decodeAll[T](collection, docs)
	if err != nil {
		return err
	}
	out := make([]any, 0, len(vs))
	for i := range vs {
		if keep == nil || keep(&vs[i]) {
			out = append(out, &vs[i])
		}
	}
	return s.insertSkippingKeys(ctx, collection, out)
}

// insertSkippingKeys inserts docs by one unordered insertMany, skipping
// those whose _id exists. A duplicate key on another unique index (a
// member's email taken by another member) is an error: the documents
// refused as duplicates are looked up by _id, and must all be there.
func (s *Store) insertSkippingKeys(ctx context.Context, col string, docs []any) error {
	dups, err := s.dgInsertMany(ctx, col, docs)
	if err != nil || len(dups) == 0 {
		return err
	}
	ids := make([]string, 0, len(dups))
	for i := range dups {
		raw, err := bson.Marshal(docs[i])
		if err != nil {
			return err
		}
		id, err := portable.KeyOf(raw)
		if err != nil {
			return err
		}
		ids = append(ids, id)
	}
	found, err := findByIDs[struct {
		ID string `bson:"_id"`
	}](ctx, s, col, ids, bson.D{{Key: "_id", Value: 1}})
	if err != nil {
		return err
	}
	if len(found) != len(ids) {
		return fmt.Errorf("%w : %d document(s) en conflit avec d'autres sur un index unique", forum.ErrDuplicate, len(ids)-len(found))
	}
	return nil
}

// importThreadDocs inserts threads as InsertThread does, then copies their
// scope onto the posts already there (none in a copy, which writes threads
// first).
func (s *Store) importThreadDocs(ctx context.Context, docs []bson.Raw) error {
	threads, err := decodeAll[forum.Thread](colThreads, docs)
	if err != nil {
		return err
	}
	out := make([]any, len(threads))
	for i := range threads {
		threads[i].TitleTerms = forum.SearchTerms(threads[i].Title)
		out[i] = &threadDoc{Thread: threads[i], ScopeSeq: 1}
	}
	if err := s.insertSkippingKeys(ctx, colThreads, out); err != nil {
		return err
	}
	return s.copyImportedScopes(ctx, threads)
}

// importPostDocs inserts posts as InsertPost does: their terms (computed
// on every CPU), their thread's scope, their publication time.
func (s *Store) importPostDocs(ctx context.Context, docs []bson.Raw) error {
	posts, err := decodeAll[portable.Post](colPosts, docs)
	if err != nil {
		return err
	}
	plain := make([]forum.Post, len(posts))
	for i := range posts {
		plain[i] = posts[i].Post
	}
	scopes, err := s.scopesOf(ctx, plain)
	if err != nil {
		return err
	}
	eachOnCPUs(len(posts), func(i int) { posts[i].Terms = forum.PostSearchTerms(posts[i].HTML) })
	out := make([]any, len(posts))
	for i := range posts {
		p := &posts[i]
		out[i] = &postDoc{Post: p.Post, Scope: scopes[p.ThreadID].postScope(), Pub: publicationOf(&p.Post), RemindedAt: p.RemindedAt}
	}
	return s.insertSkippingKeys(ctx, colPosts, out)
}

// importOutboxDocs inserts outbox messages as EnqueueMessages does: the
// bodies first, then the messages.
func (s *Store) importOutboxDocs(ctx context.Context, docs []bson.Raw) error {
	outbox, err := decodeAll[portable.Outbox](colDigestOutbox, docs)
	if err != nil {
		return err
	}
	var bodies, states []any
	for i := range outbox {
		m := outbox[i].Message()
		if m.Body != nil {
			bodies = append(bodies, m.Body)
		}
		states = append(states, &m)
	}
	if err := s.insertSkippingKeys(ctx, colDigestBodies, bodies); err != nil {
		return err
	}
	return s.insertSkippingKeys(ctx, colDigestOutbox, states)
}

// eachOnCPUs calls fn(i) for i in [0, n), on as many goroutines as CPUs.
func eachOnCPUs(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
