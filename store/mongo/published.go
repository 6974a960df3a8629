package mongo

import (
	"context"
	"time"

	"coterforum/digest"
	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// A post stores its publication time (digest.PublishedAt: the approval time
// of an approved post, else its creation time) and the UTC day of it. Every
// write that sets a post's status or decision writes both (InsertPost,
// DecidePost, DecidePostEdited). A digest window [from, until) is then the
// days it spans: posts_published_v1 {status, published_day, _id,
// published_at} gives one index scan per day, each already in _id order,
// which MongoDB merges (SORT_MERGE) with no blocking sort; published_at,
// last in the index, trims the first and last days inside the scans.

// publication is a post's publication time and its day.
type publication struct {
	At  time.Time `bson:"published_at"`
	Day int64     `bson:"published_day"`
}

// dayMillis is one day in milliseconds, MongoDB's time resolution.
const dayMillis = 24 * 60 * 60 * 1000

// dayOf returns the number of the UTC day of a time stored in milliseconds.
func dayOf(ms int64) int64 {
	d := ms / dayMillis
	if ms%dayMillis < 0 {
		d--
	}
	return d
}

// publicationOf returns the publication of a post as it is.
func publicationOf(p *forum.Post) publication {
	at := digest.PublishedAt(p)
	return publication{At: at, Day: dayOf(at.UnixMilli())}
}

// publicationAfter returns the publication of a post once decision d is
// applied: d's time for an approval, else the post's creation time, read
// here (it never changes). ok is false when there is no such post.
func (s *Store) publicationAfter(ctx context.Context, postID string, d forum.Decision) (pub publication, ok bool, err error) {
	p := forum.Post{Decision: &d}
	if d.Action != forum.DecisionApproved {
		var doc struct {
			CreatedAt time.Time `bson:"created_at"`
		}
		err := mapErr(s.c(colPosts).FindOne(ctx, bson.D{{Key: "_id", Value: postID}},
			options.FindOne().SetProjection(bson.D{{Key: "created_at", Value: 1}})).Decode(&doc))
		if err == forum.ErrNotFound {
			return publication{}, false, nil
		}
		if err != nil {
			return publication{}, false, err
		}
		p.CreatedAt = doc.CreatedAt
	}
	return publicationOf(&p), true, nil
}

// publishedIndexes serve digest windows.
var publishedIndexes = map[string][]index{
	colPosts: {{name: "posts_published_v1", keys: keys("status", 1, "published_day", 1, "_id", 1, "published_at", 1)}},
}

// maxWindowDays bounds the days of a window read as one scan per day:
// MongoDB merges at most 200 scans (internalQueryMaxScansToExplode) before
// falling back to a blocking sort.
const maxWindowDays = 150

// publishedPostFields is what a digest needs of a post.
var publishedPostFields = bson.D{
	{Key: "_id", Value: 1}, {Key: "thread_id", Value: 1}, {Key: "author", Value: 1}, {Key: "html", Value: 1},
	{Key: "status", Value: 1}, {Key: "decision", Value: 1}, {Key: "created_at", Value: 1},
}

// publishedPostsQuery is PublishedPosts' query; ok is false when the window
// is empty. A window of more than maxWindowDays days (never in practice:
// digests look back at most Config.MaxLookback, 35 days by default) is read
// in _id order from posts_status_v2, filtered on published_at.
func publishedPostsQuery(from, until time.Time, afterID string, limit int) (q findQuery, ok bool) {
	first, last := dayOf(from.UnixMilli()), dayOf(until.UnixMilli()-1)
	if !from.Before(until) || first > last {
		return findQuery{}, false
	}
	filter := bson.D{{Key: "status", Value: forum.PostPublished}}
	q = findQuery{col: colPosts, sort: bson.D{{Key: "_id", Value: 1}}, projection: publishedPostFields,
		limit: int64(max(limit, 0)), hint: "posts_published_v1"}
	if last-first < maxWindowDays {
		days := make(bson.A, 0, last-first+1)
		for d := first; d <= last; d++ {
			days = append(days, d)
		}
		filter = append(filter, bson.E{Key: "published_day", Value: bson.D{{Key: "$in", Value: days}}})
	} else {
		q.hint = "posts_status_v2"
	}
	if afterID != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$gt", Value: afterID}}})
	}
	q.filter = append(filter, bson.E{Key: "published_at", Value: bson.D{{Key: "$gte", Value: from}, {Key: "$lt", Value: until}}})
	return q, true
}

// PublishedPosts returns, by _id, at most limit published posts whose
// publication time is in [from, until) and whose _id is above afterID.
func (s *Store) PublishedPosts(ctx context.Context, from, until time.Time, afterID string, limit int) ([]forum.Post, error) {
	q, ok := publishedPostsQuery(from, until, afterID, limit)
	if !ok {
		return []forum.Post{}, nil
	}
	return find[forum.Post](ctx, s, q)
}
