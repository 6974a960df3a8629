package mongo

import (
	"context"

	"coterforum/forum"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// ListThemes returns every theme, archived ones included, by position.
func (s *Store) ListThemes(ctx context.Context) ([]forum.Theme, error) {
	return findAll[forum.Theme](ctx, s, colThemes, bson.D{},
		options.Find().SetSort(bson.D{{Key: "position", Value: 1}, {Key: "_id", Value: 1}}))
}

// GetTheme returns the theme with that slug.
func (s *Store) GetTheme(ctx context.Context, slug string) (*forum.Theme, error) {
	var t forum.Theme
	if err := s.findOne(ctx, colThemes, bson.D{{Key: "_id", Value: slug}}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// InsertTheme adds a theme; forum.ErrDuplicate if the slug exists.
func (s *Store) InsertTheme(ctx context.Context, t *forum.Theme) error {
	return s.insert(ctx, colThemes, t)
}

// UpdateTheme changes the given fields of a theme.
func (s *Store) UpdateTheme(ctx context.Context, slug string, u forum.ThemeUpdate) error {
	set := bson.D{}
	if u.NameFR != nil {
		set = append(set, bson.E{Key: "name_fr", Value: *u.NameFR})
	}
	if u.NameEN != nil {
		set = append(set, bson.E{Key: "name_en", Value: *u.NameEN})
	}
	if u.Description != nil {
		set = append(set, bson.E{Key: "description", Value: *u.Description})
	}
	if u.Position != nil {
		set = append(set, bson.E{Key: "position", Value: *u.Position})
	}
	if u.Moderation != nil {
		set = append(set, bson.E{Key: "moderation", Value: *u.Moderation})
	}
	if u.Archived != nil {
		set = append(set, bson.E{Key: "archived", Value: *u.Archived})
	}
	if len(set) == 0 {
		return nil
	}
	return s.updateOne(ctx, colThemes, bson.D{{Key: "_id", Value: slug}}, bson.D{{Key: "$set", Value: set}})
}

// ListAuthorityTypes returns the authority types by position.
func (s *Store) ListAuthorityTypes(ctx context.Context) ([]forum.AuthorityType, error) {
	return findAll[forum.AuthorityType](ctx, s, colAuthorityTypes, bson.D{},
		options.Find().SetSort(bson.D{{Key: "position", Value: 1}, {Key: "_id", Value: 1}}))
}

// InsertAuthorityType adds an authority type; forum.ErrDuplicate if it exists.
func (s *Store) InsertAuthorityType(ctx context.Context, a *forum.AuthorityType) error {
	return s.insert(ctx, colAuthorityTypes, a)
}
