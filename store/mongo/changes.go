package mongo

import (
	"context"
	"time"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// colChanges holds the change sequence (forum.ChangeStore): one document
// per published change, numbered by one $inc counter (counters._id
// "changes"), never by the writers' clocks.
const colChanges = "changes"

// changeCounter is the counter that numbers the changes.
const changeCounter = "changes"

// changeIndexes serve PruneChanges (the others read by _id).
var changeIndexes = map[string][]index{
	colChanges: {{name: "changes_at_v1", keys: keys("at", 1)}},
}

// Atomically runs fn. MongoDB is used without multi-document transactions
// (FerretDB, the test double, has none): fn's writes run in order, each
// atomic on its own document, and to the end even if ctx is cancelled. What
// was written stays written, so the functions given to forum.AfterCommit
// run whatever fn returns.
func (s *Store) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	ctx, tx, nested := forum.WithTx(ctx)
	if nested {
		return fn(ctx)
	}
	err := fn(context.WithoutCancel(ctx))
	tx.Finish()
	if err == nil {
		err = tx.Err()
	}
	return err
}

// PublishChanges takes the next number of the sequence, then inserts the
// change under it. A writer that dies between the two leaves a gap that
// pollers wait for a few seconds, then pass.
func (s *Store) PublishChanges(ctx context.Context, origin string, keys []string, at time.Time) error {
	seq, err := s.IncCounter(ctx, changeCounter, 1)
	if err != nil {
		return err
	}
	return s.insert(ctx, colChanges, forum.Change{Seq: seq, Origin: origin, Keys: keys, At: at})
}

// ChangesSince returns up to limit changes numbered above after, in order.
func (s *Store) ChangesSince(ctx context.Context, after int64, limit int) ([]forum.Change, error) {
	return findAll[forum.Change](ctx, s, colChanges, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: after}}}},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(limit)))
}

// ChangeBounds returns the lowest number stored and the highest given.
func (s *Store) ChangeBounds(ctx context.Context) (first, last int64, err error) {
	oldest, err := findAll[forum.Change](ctx, s, colChanges, bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(1).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return 0, 0, err
	}
	if len(oldest) > 0 {
		first = oldest[0].Seq
	}
	var doc struct {
		Value int64 `bson:"value"`
	}
	err = s.findOne(ctx, colCounters, bson.D{{Key: "_id", Value: changeCounter}}, &doc)
	if err == forum.ErrNotFound {
		return first, 0, nil
	}
	return first, doc.Value, err
}

// PruneChanges removes the changes written before before, except the last.
func (s *Store) PruneChanges(ctx context.Context, before time.Time) (int64, error) {
	newest, err := findAll[forum.Change](ctx, s, colChanges, bson.D{},
		options.Find().SetSort(bson.D{{Key: "_id", Value: -1}}).SetLimit(1).SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil || len(newest) == 0 {
		return 0, err
	}
	return s.dgDelete(ctx, colChanges, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$lt", Value: newest[0].Seq}}},
		{Key: "at", Value: bson.D{{Key: "$lt", Value: before}}},
	})
}

var _ forum.ChangeStore = (*Store)(nil)
