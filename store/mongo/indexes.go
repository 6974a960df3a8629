package mongo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Collection names.
const (
	colThemes         = "themes"
	colAuthorityTypes = "authority_types"
	colMembers        = "members"
	colSessions       = "sessions"
	colInvites        = "invites"
	colThreads        = "threads"
	colPosts          = "posts"
	colSecrets        = "secrets"
	colCounters       = "counters"
)

// index is one index of a collection. Its name carries a version: a changed
// definition gets a new name, so that ensureIndexes drops the old one and
// creates the new one at the next start.
type index struct {
	name   string
	keys   bson.D
	unique bool
}

// keys builds an index key document from name, direction pairs.
func keys(kv ...any) bson.D {
	d := make(bson.D, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return d
}

// listingOrder is the sort of thread listings (pinned first, then by last
// activity, the id breaking ties), the tail of every listing index.
var listingOrder = []any{"pinned", -1, "last_activity_at", -1, "_id", -1}

// listing returns the keys of a listing index: the equality fields, then
// the listing order.
func listing(equality ...any) bson.D { return keys(append(equality, listingOrder...)...) }

// coreIndexes are the indexes of members, sessions, invites, threads and
// posts; each area file adds its own (moderationIndexes, digestIndexes,
// searchIndexes, publishedIndexes, readMarkerIndexes, changeIndexes). Every
// collection the store writes is listed, even without an index, so that an
// index left by an earlier version is dropped.
var coreIndexes = map[string][]index{
	colThemes:         nil,
	colAuthorityTypes: nil,
	colSecrets:        nil,
	colCounters:       nil,
	colMembers: {
		{name: "members_email_v1", keys: keys("email", 1), unique: true},
		{name: "members_role_v1", keys: keys("role", 1)},                    // ListModerators
		{name: "members_deleting_v1", keys: keys("deletion_started_at", 1)}, // MembersBeingDeleted
	},
	colSessions: {
		{name: "sessions_member_v1", keys: keys("member_id", 1, "created_at", 1)}, // SessionsOf, DeleteMemberSessions
		{name: "sessions_expires_v1", keys: keys("expires_at", 1)},                // DeleteExpiredSessions
	},
	colInvites: {
		{name: "invites_created_v1", keys: keys("created_at", -1)}, // ListInvites
		{name: "invites_email_v1", keys: keys("email", 1)},         // DeleteInvitesFor
	},
	colThreads: {
		// ListThreads (status $in, then the listing order); RecentThreads
		// through pinned $in [true, false] (see recentThreadsQuery).
		{name: "threads_listing_v2", keys: listing("status", 1)},
		{name: "threads_theme_v2", keys: listing("theme", 1, "status", 1)},
		{name: "threads_type_v2", keys: listing("authority_types", 1, "status", 1)},
		{name: "threads_theme_type_v2", keys: listing("authority_types", 1, "theme", 1, "status", 1)},
		{name: "threads_author_v2", keys: listing("author.id", 1, "status", 1)}, // a member's threads, AnonymiseMember
		{name: "threads_last_post_v1", keys: keys("last_post_id", 1)},           // AnonymiseMember
	},
	colPosts: {
		{name: "posts_thread_v2", keys: keys("thread_id", 1, "_id", 1)},                     // ListPosts (all statuses), thread scope copies
		{name: "posts_thread_status_v2", keys: keys("thread_id", 1, "status", 1, "_id", 1)}, // ListPosts, CountPosts, FirstPublishedPostAfter
		// LatestPublishedPosts of a few threads (one scan per thread,
		// merged), and of many threads.
		{name: "posts_thread_latest_v1", keys: keys("thread_id", 1, "status", 1, "created_at", -1, "_id", -1)},
		{name: "posts_latest_v1", keys: keys("status", 1, "created_at", -1, "_id", -1)},
		{name: "posts_status_v2", keys: keys("status", 1, "_id", 1)},    // the moderation queue
		{name: "posts_author_v2", keys: keys("author.id", 1, "_id", 1)}, // PostsByAuthor, search by author, erasure
		{name: "posts_decided_by_v1", keys: keys("decision.by.id", 1)},  // AnonymiseMember
	},
}

// allIndexes returns every collection the store writes with its indexes.
func allIndexes() map[string][]index {
	all := map[string][]index{}
	for _, area := range []map[string][]index{coreIndexes, moderationIndexes, digestIndexes,
		searchIndexes, publishedIndexes, readMarkerIndexes, changeIndexes, migrationIndexes, reconcileIndexes,
		accountTokenIndexes, identityIndexes, adminIndexes} {
		for col, ixs := range area {
			all[col] = append(all[col], ixs...)
		}
	}
	return all
}

// ensureIndexes makes each collection's indexes exactly the current list:
// it creates the missing ones and drops those whose name is not in it
// (except _id_), an earlier version's or a hand-made one. A stale index is
// dropped only after its replacement is built, so that queries keep an index
// meanwhile, except when it has the very keys of a missing one: MongoDB and
// FerretDB refuse two indexes with the same keys, so that one goes first (a
// change of name or of options only). Only missing indexes are created:
// FerretDB 1.24 crashes the connection on createIndexes for one that exists.
func (s *Store) ensureIndexes(ctx context.Context) error {
	all := allIndexes()
	cols := make([]string, 0, len(all))
	for col := range all {
		cols = append(cols, col)
	}
	slices.Sort(cols)
	for _, col := range cols {
		existing, err := s.indexSpecs(ctx, col)
		if err != nil {
			return err
		}
		plan := planIndexes(existing, all[col])
		for _, name := range plan.dropFirst {
			if err := s.dropIndex(ctx, col, name); err != nil {
				return err
			}
			s.log.Info("index supprimé", "collection", col, "index", name)
		}
		if len(plan.create) > 0 {
			var models []mongodrv.IndexModel
			for _, ix := range plan.create {
				o := options.Index().SetName(ix.name)
				if ix.unique {
					o.SetUnique(true)
				}
				models = append(models, mongodrv.IndexModel{Keys: ix.keys, Options: o})
			}
			err = s.write(ctx, func(ctx context.Context) error {
				_, err := s.c(col).Indexes().CreateMany(ctx, models)
				return err
			})
			if err != nil {
				return err
			}
		}
		for _, name := range plan.dropAfter {
			if err := s.dropIndex(ctx, col, name); err != nil {
				return err
			}
			s.log.Info("index supprimé", "collection", col, "index", name)
		}
	}
	return nil
}

// indexSpec is an index as listIndexes describes it.
type indexSpec struct {
	Name string `bson:"name"`
	Key  bson.D `bson:"key"`
}

// indexPlan is what ensureIndexes does on one collection, in order.
type indexPlan struct {
	dropFirst []string // stale indexes with the keys of a missing one
	create    []index
	dropAfter []string // other stale indexes, once their replacements exist
}

// planIndexes compares a collection's indexes with the wanted list.
func planIndexes(existing []indexSpec, want []index) indexPlan {
	var p indexPlan
	for _, ix := range want {
		if !slices.ContainsFunc(existing, func(sp indexSpec) bool { return sp.Name == ix.name }) {
			p.create = append(p.create, ix)
		}
	}
	for _, sp := range existing {
		if sp.Name == "_id_" || slices.ContainsFunc(want, func(ix index) bool { return ix.name == sp.Name }) {
			continue
		}
		if slices.ContainsFunc(p.create, func(ix index) bool { return sameKeys(ix.keys, sp.Key) }) {
			p.dropFirst = append(p.dropFirst, sp.Name)
		} else {
			p.dropAfter = append(p.dropAfter, sp.Name)
		}
	}
	return p
}

// sameKeys reports whether two key documents name the same fields in the
// same order with the same directions or kinds (1 and 1.0 are the same: the
// server may hand back a number of another type than the one sent).
func sameKeys(a, b bson.D) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || keyValue(a[i].Value) != keyValue(b[i].Value) {
			return false
		}
	}
	return true
}

// keyValue renders one key's direction or kind for comparison.
func keyValue(v any) string {
	switch n := v.(type) {
	case int:
		return strconv.FormatFloat(float64(n), 'g', -1, 64)
	case int32:
		return strconv.FormatFloat(float64(n), 'g', -1, 64)
	case int64:
		return strconv.FormatFloat(float64(n), 'g', -1, 64)
	case float64:
		return strconv.FormatFloat(n, 'g', -1, 64)
	default:
		return fmt.Sprint(v)
	}
}

// dropIndex drops one index; one already dropped (by another replica
// starting at the same time) is not an error.
func (s *Store) dropIndex(ctx context.Context, col, name string) error {
	err := s.write(ctx, func(ctx context.Context) error {
		return s.c(col).Indexes().DropOne(ctx, name)
	})
	var ce mongodrv.CommandError
	if errors.As(err, &ce) && ce.Code == 27 { // IndexNotFound
		return nil
	}
	return err
}

// indexNames returns the names of a collection's indexes (none if it does
// not exist yet).
func (s *Store) indexNames(ctx context.Context, col string) ([]string, error) {
	specs, err := s.indexSpecs(ctx, col)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(specs))
	for i, sp := range specs {
		names[i] = sp.Name
	}
	return names, nil
}

// indexSpecs lists a collection's indexes with their keys.
func (s *Store) indexSpecs(ctx context.Context, col string) ([]indexSpec, error) {
	cur, err := s.c(col).Indexes().List(ctx)
	if err != nil {
		return nil, err
	}
	var specs []indexSpec
	if err := cur.All(ctx, &specs); err != nil {
		return nil, err
	}
	return specs, nil
}
