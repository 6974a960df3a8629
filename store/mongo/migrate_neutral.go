package mongo

import (
	"context"
	"strings"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// What earlier versions stored in French, before labels and placeholders
// were rendered at display time (issue 11).
const (
	legacyDeletedName  = "membre supprimé"
	legacyRemovedPost  = "*Message supprimé à la demande de son auteur.*"
	legacyTaskDoneAttr = ` aria-label="tâche faite"`
	legacyTaskTodoAttr = ` aria-label="tâche à faire"`
)

// migrateNeutralText rewrites what earlier versions stored in French: a
// deleted member's name becomes empty wherever it was copied, a post
// removed with its author's account loses its placeholder (source, HTML
// and search terms empty), and task-list boxes lose their French
// aria-label. Names change only for members whose deletion has started: a
// member who chose "membre supprimé" as a name keeps it. Each update is
// conditional on the French value, so running it twice changes nothing.
func migrateNeutralText(ctx context.Context, s *Store) error {
	deleting := bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "deleted_at", Value: bson.D{{Key: "$ne", Value: nil}}}},
		bson.D{{Key: "deletion_started_at", Value: bson.D{{Key: "$ne", Value: nil}}}},
	}}}
	var ids []string
	err := eachPage(ctx, s, colMembers, deleting, bson.D{{Key: "_id", Value: 1}},
		func(m *forum.Member) string { return m.ID },
		func(page []forum.Member) error {
			for i := range page {
				ids = append(ids, page[i].ID)
			}
			return nil
		})
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return migrateTaskLabels(ctx, s)
	}
	in := bson.D{{Key: "$in", Value: ids}}
	if err := s.updateMany(ctx, colMembers, bson.D{{Key: "_id", Value: in}, {Key: "display_name", Value: legacyDeletedName}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "display_name", Value: forum.DeletedMemberName}}}}); err != nil {
		return err
	}
	for _, u := range []struct{ col, prefix string }{
		{colPosts, "author"}, {colThreads, "author"}, {colPosts, "decision.by"}, {colReports, "reporter"}, {colAudit, "actor"},
	} {
		if err := s.updateMany(ctx, u.col, bson.D{{Key: u.prefix + ".id", Value: in}, {Key: u.prefix + ".display_name", Value: legacyDeletedName}},
			bson.D{{Key: "$set", Value: bson.D{{Key: u.prefix + ".display_name", Value: forum.DeletedMemberName}}}}); err != nil {
			return err
		}
	}
	// Threads whose last post is a deleted member's.
	posts, err := findAll[forum.Post](ctx, s, colPosts, bson.D{{Key: "author.id", Value: in}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return err
	}
	if len(posts) > 0 {
		pids := make([]string, len(posts))
		for i := range posts {
			pids[i] = posts[i].ID
		}
		if err := s.updateMany(ctx, colThreads, bson.D{{Key: "last_post_id", Value: bson.D{{Key: "$in", Value: pids}}},
			{Key: "last_author", Value: legacyDeletedName}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "last_author", Value: forum.DeletedMemberName}}}}); err != nil {
			return err
		}
	}
	if err := s.updateMany(ctx, colPosts, bson.D{{Key: "author.id", Value: in}, {Key: "source", Value: legacyRemovedPost}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "source", Value: forum.RemovedPostSource}, {Key: "html", Value: ""},
			{Key: "terms", Value: []string{}}}}}); err != nil {
		return err
	}
	return migrateTaskLabels(ctx, s)
}

// migrateTaskLabels removes the French aria-labels earlier versions baked
// into the task-list boxes of posts' HTML.
func migrateTaskLabels(ctx context.Context, s *Store) error {
	unlabel := strings.NewReplacer(legacyTaskDoneAttr, "", legacyTaskTodoAttr, "")
	labelled := bson.D{{Key: "html", Value: bson.D{{Key: "$regex", Value: `aria-label="tâche`}}}}
	return eachPage(ctx, s, colPosts, labelled, bson.D{{Key: "_id", Value: 1}, {Key: "html", Value: 1}},
		func(p *forum.Post) string { return p.ID },
		func(page []forum.Post) error {
			for i := range page {
				p := &page[i]
				if err := s.updateMany(ctx, colPosts, bson.D{{Key: "_id", Value: p.ID}, {Key: "html", Value: p.HTML}},
					bson.D{{Key: "$set", Value: bson.D{{Key: "html", Value: unlabel.Replace(p.HTML)}}}}); err != nil {
					return err
				}
			}
			return nil
		})
}

// RewriteLegacyText runs again the migration that rewrites what earlier
// versions stored in French; it changes nothing in documents written since.
// A restore or a copy from an archive of an earlier version calls it after
// importing.
func (s *Store) RewriteLegacyText(ctx context.Context) error { return migrateNeutralText(ctx, s) }
