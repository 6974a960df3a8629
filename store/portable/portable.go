// Package portable is the form in which a whole forum leaves a store and
// enters another (backup, restore, copy between SQLite and MongoDB): the
// Dumper interface both engines implement, the list of collections, and
// the Go types of their documents. It depends on the domain packages only,
// so that both engines and package store can use it.
//
// A portable document is a BSON document, the same bytes on both engines
// for the same forum: it is always the marshalling of one of the Go types
// below (Encode), never a document as an engine happens to hold it. Its
// "_id" is a string key; keys sort in byte order on both engines. Times are
// BSON datetimes (UTC milliseconds). Nothing an engine derives is in it:
// no search terms (threads' title_terms, posts' terms), no copy of a
// thread's scope on its posts, no publication day, no scope numbers, no
// change sequence. The engine that imports derives them again.
//
// The document of each collection:
//
//	themes                forum.Theme                   _id: the slug
//	authority_types       forum.AuthorityType           _id: the slug
//	members               forum.Member                  _id: the member's id
//	sessions              forum.Session                 _id: the hash of the cookie
//	invites               forum.Invite                  _id: the hash of the token
//	threads               forum.Thread without title_terms
//	posts                 Post: forum.Post without terms and seq, with reminded_at
//	read_markers          forum.ReadMarker              _id: "memberID:threadID" (forum.ReadMarkerID)
//	reports               moderation.Report             _id: "post:reporter"
//	audit                 moderation.AuditEntry
//	notifications         moderation.Notification
//	digest_subscribers    digest.Subscriber
//	digest_subscriptions  digest.Subscription
//	digest_runs           digest.Run                    _id: "frequency:until"
//	digest_leases         Lease                         _id: the lease's name
//	digest_marks          Mark                          _id: the mark's name
//	digest_keys           Key                           _id: the message's id
//	digest_outbox         Outbox: digest.OutboxMessage with its body embedded
//	digest_log            digest.LogEntry
//	secrets               Secret                        _id: the secret's name
//	counters              Counter                       _id: the counter's name
package portable

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"coterforum/digest"
	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Collections are what a whole forum is made of, in the order a copy or a
// restore writes them (what a document refers to is written before it:
// threads before their posts, so that MongoDB copies a thread's scope onto
// its posts as they are written). The change sequence, the search index,
// the authority-type rows of threads and each engine's migration record
// are not among them: they belong to one database and are rebuilt by the
// engine that imports.
var Collections = []string{
	"themes", "authority_types", "members", "sessions", "invites", "identities",
	"threads", "posts", "read_markers", "reports", "audit", "notifications",
	"digest_subscribers", "digest_subscriptions", "digest_runs", "digest_leases",
	"digest_marks", "digest_keys", "digest_outbox", "digest_log",
	"secrets", "counters",
}

// Dumper streams a whole forum out of a store and into another, entity by
// entity, with its ids, as portable documents (see the package comment).
type Dumper interface {
	// ExportBatch returns up to limit documents of the collection whose
	// key sorts after the key after ("" starts at the beginning), in key
	// (byte) order.
	ExportBatch(ctx context.Context, collection, after string, limit int) ([]bson.Raw, error)
	// ImportBatch writes documents as ExportBatch gives them, keys kept,
	// with what the engine derives from them (search index…). On SQLite a
	// batch commits whole or not at all. A document whose key exists is
	// skipped, so that an interrupted copy can be resumed.
	ImportBatch(ctx context.Context, collection string, docs []bson.Raw) error
	// CountCollection counts the documents of a collection.
	CountCollection(ctx context.Context, collection string) (int64, error)
	// LastKey is the greatest key of a collection ("" when it is empty).
	LastKey(ctx context.Context, collection string) (string, error)
	// Snapshot returns a Dumper whose exports and counts all read one
	// consistent state of the database, until release is called (SQLite:
	// one read transaction; MongoDB: a snapshot session where the
	// deployment has them, else an error wrapping the engine's
	// ErrNoSnapshot). Its imports and Wipe write to the store as usual.
	Snapshot(ctx context.Context) (snap Dumper, release func(), err error)
	// Wipe deletes every document of every collection, and the search
	// index and change sequence with them (restore --force).
	Wipe(ctx context.Context) error
}

// ErrUnknownCollection is returned for a name not in Collections.
var ErrUnknownCollection = errors.New("collection inconnue")

// Known returns an error wrapping ErrUnknownCollection unless collection
// is one of Collections.
func Known(collection string) error {
	if !slices.Contains(Collections, collection) {
		return fmt.Errorf("%w : %q", ErrUnknownCollection, collection)
	}
	return nil
}

// Post is a post as it travels: the forum's post and when the moderators
// were reminded of it (a pending post waiting too long), which no domain
// type carries.
type Post struct {
	forum.Post `bson:",inline"`
	RemindedAt *time.Time `bson:"reminded_at,omitempty"`
}

// Lease is a digest lease (who runs the digests until when).
type Lease struct {
	Name      string    `bson:"_id"`
	Holder    string    `bson:"holder"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// Mark is a named time mark of the digests.
type Mark struct {
	Name string    `bson:"_id"`
	At   time.Time `bson:"at"`
}

// Key is the permanent record of a message ever queued.
type Key struct {
	ID        string    `bson:"_id"`
	CreatedAt time.Time `bson:"created_at"`
}

// Outbox is a message in flight with its body embedded (SQLite keeps it
// in the same row, MongoDB in digest_bodies under the same _id).
type Outbox struct {
	digest.OutboxMessage `bson:",inline"`
	Body                 *Body `bson:"body,omitempty"`
}

// Body is the body of an outbox message; its headers are sorted by name,
// so that the document has one form.
type Body struct {
	Text      string `bson:"text"`
	HTML      string `bson:"html,omitempty"`
	Headers   bson.D `bson:"headers,omitempty"`
	MessageID string `bson:"message_id"`
}

// Secret is a named secret of the server (CSRF, digest links).
type Secret struct {
	Name  string `bson:"_id"`
	Value []byte `bson:"value"`
}

// Counter is a named counter (IncCounter).
type Counter struct {
	Name  string `bson:"_id"`
	Value int64  `bson:"value"`
}
