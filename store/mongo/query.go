package mongo

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// findQuery is one find command of the store: collection, filter and
// options. The hot store methods build theirs with a small function
// (listThreadsQuery, listPostsQuery…) that explain_test.go calls too, so
// that the plans it checks on MongoDB are those of the real queries.
type findQuery struct {
	col        string
	filter     bson.D
	sort       bson.D
	projection bson.D
	skip       int64
	limit      int64
	// hint names the index to use where another one could win a trial
	// without serving the query well (FerretDB ignores hints).
	hint string
}

// options returns the driver options of the query.
func (q findQuery) options() *options.FindOptionsBuilder {
	o := options.Find()
	if q.sort != nil {
		o.SetSort(q.sort)
	}
	if q.projection != nil {
		o.SetProjection(q.projection)
	}
	if q.skip > 0 {
		o.SetSkip(q.skip)
	}
	if q.limit > 0 {
		o.SetLimit(q.limit)
	}
	if q.hint != "" {
		o.SetHint(q.hint)
	}
	return o
}

// command returns the find command the driver sends for the query (for
// explain).
func (q findQuery) command() bson.D {
	cmd := bson.D{{Key: "find", Value: q.col}, {Key: "filter", Value: orEmpty(q.filter)}}
	if q.sort != nil {
		cmd = append(cmd, bson.E{Key: "sort", Value: q.sort})
	}
	if q.projection != nil {
		cmd = append(cmd, bson.E{Key: "projection", Value: q.projection})
	}
	if q.skip > 0 {
		cmd = append(cmd, bson.E{Key: "skip", Value: q.skip})
	}
	if q.limit > 0 {
		cmd = append(cmd, bson.E{Key: "limit", Value: q.limit})
	}
	if q.hint != "" {
		cmd = append(cmd, bson.E{Key: "hint", Value: q.hint})
	}
	return cmd
}

// find runs the query and decodes every document.
func find[T any](ctx context.Context, s *Store, q findQuery) ([]T, error) {
	return findAll[T](ctx, s, q.col, orEmpty(q.filter), q.options())
}

// countQuery is one count of the store (CountDocuments).
type countQuery struct {
	col    string
	filter bson.D
	hint   string
}

// count runs the count.
func (s *Store) count(ctx context.Context, q countQuery) (int64, error) {
	o := options.Count()
	if q.hint != "" {
		o.SetHint(q.hint)
	}
	return s.c(q.col).CountDocuments(ctx, orEmpty(q.filter), o)
}

// command returns the aggregate command the driver sends for the count
// (CountDocuments is a $match and a $group), for explain.
func (q countQuery) command() bson.D {
	cmd := bson.D{
		{Key: "aggregate", Value: q.col},
		{Key: "pipeline", Value: bson.A{
			bson.D{{Key: "$match", Value: orEmpty(q.filter)}},
			bson.D{{Key: "$group", Value: bson.D{{Key: "_id", Value: 1}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
		}},
		{Key: "cursor", Value: bson.D{}},
	}
	if q.hint != "" {
		cmd = append(cmd, bson.E{Key: "hint", Value: q.hint})
	}
	return cmd
}

// orEmpty is d, or an empty filter when d is nil (the driver refuses nil).
func orEmpty(d bson.D) bson.D {
	if d == nil {
		return bson.D{}
	}
	return d
}
