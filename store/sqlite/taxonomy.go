package sqlite

import (
	"context"
	"crypto/rand"
	"strings"

	"coterforum/forum"
)

// themeCols are the columns scanTheme reads, in its order.
const themeCols = `slug, name_fr, name_en, description, position, moderation, archived, created_at`

func scanTheme(r scanner) (forum.Theme, error) {
	var t forum.Theme
	var archived int
	var created int64
	err := r.Scan(&t.Slug, &t.NameFR, &t.NameEN, &t.Description, &t.Position, &t.Moderation, &archived, &created)
	t.Archived, t.CreatedAt = archived != 0, tm(created)
	return t, err
}

// ListThemes returns every theme, archived ones included, by position.
func (s *Store) ListThemes(ctx context.Context) ([]forum.Theme, error) {
	return queryAll(ctx, s, scanTheme, `SELECT `+themeCols+` FROM themes ORDER BY position, slug`)
}

// GetTheme returns the theme with that slug.
func (s *Store) GetTheme(ctx context.Context, slug string) (*forum.Theme, error) {
	t, err := queryOne(ctx, s, scanTheme, `SELECT `+themeCols+` FROM themes WHERE slug = ?`, slug)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// InsertTheme adds a theme; forum.ErrDuplicate if the slug exists.
func (s *Store) InsertTheme(ctx context.Context, t *forum.Theme) error {
	_, err := s.exec(ctx, insertThemeSQL, themeArgs(t)...)
	return err
}

// insertThemeSQL inserts a theme.
const insertThemeSQL = `INSERT INTO themes (` + themeCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// themeArgs are the values of themeCols.
func themeArgs(t *forum.Theme) []any {
	return []any{t.Slug, t.NameFR, t.NameEN, t.Description, t.Position, t.Moderation, b2i(t.Archived), ms(t.CreatedAt)}
}

// UpdateTheme changes the given fields of a theme.
func (s *Store) UpdateTheme(ctx context.Context, slug string, u forum.ThemeUpdate) error {
	var set []string
	var args []any
	add := func(col string, v any) {
		set = append(set, col+" = ?")
		args = append(args, v)
	}
	if u.NameFR != nil {
		add("name_fr", *u.NameFR)
	}
	if u.NameEN != nil {
		add("name_en", *u.NameEN)
	}
	if u.Description != nil {
		add("description", *u.Description)
	}
	if u.Position != nil {
		add("position", *u.Position)
	}
	if u.Moderation != nil {
		add("moderation", *u.Moderation)
	}
	if u.Archived != nil {
		add("archived", b2i(*u.Archived))
	}
	if len(set) == 0 {
		return nil
	}
	n, err := s.exec(ctx, `UPDATE themes SET `+strings.Join(set, ", ")+` WHERE slug = ?`, append(args, slug)...)
	if err == nil && n == 0 {
		return forum.ErrNotFound
	}
	return err
}

// authorityTypeCols are the columns scanAuthorityType reads, in its order.
const authorityTypeCols = `slug, name_fr, name_en, plural_fr, position`

// scanAuthorityType reads a row of authorityTypeCols.
func scanAuthorityType(r scanner) (forum.AuthorityType, error) {
	var a forum.AuthorityType
	err := r.Scan(&a.Slug, &a.NameFR, &a.NameEN, &a.Plural, &a.Position)
	return a, err
}

// ListAuthorityTypes returns the authority types by position.
func (s *Store) ListAuthorityTypes(ctx context.Context) ([]forum.AuthorityType, error) {
	return queryAll(ctx, s, scanAuthorityType, `SELECT `+authorityTypeCols+` FROM authority_types ORDER BY position, slug`)
}

// InsertAuthorityType adds an authority type; forum.ErrDuplicate if it exists.
func (s *Store) InsertAuthorityType(ctx context.Context, a *forum.AuthorityType) error {
	_, err := s.exec(ctx, insertAuthorityTypeSQL, a.Slug, a.NameFR, a.NameEN, a.Plural, a.Position)
	return err
}

// insertAuthorityTypeSQL inserts an authority type (values in authorityTypeCols order).
const insertAuthorityTypeSQL = `INSERT INTO authority_types (` + authorityTypeCols + `) VALUES (?, ?, ?, ?, ?)`

// Secret returns the named 32-byte secret, creating it on first use; two
// processes racing get the same value (the first insert wins).
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	v := make([]byte, 32)
	_, _ = rand.Read(v)
	if _, err := s.exec(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, v); err != nil {
		return nil, err
	}
	var got []byte
	if err := s.queryRow(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&got); err != nil {
		return nil, mapErr(err)
	}
	return got, nil
}
