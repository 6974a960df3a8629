package forum

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"unicode/utf8"
)

// DefaultThemes are seeded on first start.
var defaultThemes = []Theme{
	{Slug: "reseaux", NameFR: "Réseaux", NameEN: "Networks", Description: "Réseaux locaux et étendus, fibre, Wi-Fi public, sécurité des infrastructures.", Moderation: ModerationNewMembers},
	{Slug: "portails", NameFR: "Portails internet", NameEN: "Internet portals", Description: "Sites des collectivités, démarches en ligne, portails citoyens et usagers.", Moderation: ModerationNewMembers},
	{Slug: "centres-appel-citoyens", NameFR: "Centres d'appels citoyens", NameEN: "Citizen call centres", Description: "Relation usagers, téléphonie, outils de gestion des demandes.", Moderation: ModerationNewMembers},
	{Slug: "sig", NameFR: "SIG", NameEN: "GIS", Description: "Systèmes d'information géographique, cadastre, données ouvertes géolocalisées.", Moderation: ModerationNewMembers},
	{Slug: "etat-civil-elections", NameFR: "État civil et élections", NameEN: "Civil registry and elections", Description: "Logiciels d'état civil, listes électorales, répertoire électoral unique.", Moderation: ModerationNewMembers},
	{Slug: "achats-marches", NameFR: "Achats et marchés publics", NameEN: "Procurement", Description: "Marchés publics informatiques, groupements de commandes, centrales d'achat.", Moderation: ModerationNewMembers},
}

var defaultAuthorityTypes = []AuthorityType{
	{Slug: "commune", NameFR: "Commune", NameEN: "Municipality", Plural: "Communes"},
	{Slug: "intercommunalite", NameFR: "Intercommunalité", NameEN: "Inter-municipality", Plural: "Intercommunalités"},
	{Slug: "departement", NameFR: "Département", NameEN: "Department", Plural: "Départements"},
	{Slug: "region", NameFR: "Région", NameEN: "Region", Plural: "Régions"},
}

// SeedTaxonomy inserts the default themes and authority types that are
// missing; it never changes existing ones, so it is safe at every start.
func (s *Service) SeedTaxonomy(ctx context.Context) error {
	now := s.now()
	for i, t := range defaultThemes {
		t.Position = (i + 1) * 10
		t.CreatedAt = now
		if err := s.store.InsertTheme(ctx, &t); err != nil && !errors.Is(err, ErrDuplicate) {
			return err
		}
	}
	for i, a := range defaultAuthorityTypes {
		a.Position = (i + 1) * 10
		if err := s.store.InsertAuthorityType(ctx, &a); err != nil && !errors.Is(err, ErrDuplicate) {
			return err
		}
	}
	s.invalidateTaxonomy(ctx)
	return nil
}

// Themes returns the active themes by position (archived ones too when all).
func (s *Service) Themes(ctx context.Context, all bool) ([]Theme, error) {
	ts, _, err := s.taxonomy(ctx)
	if err != nil || all {
		return ts, err
	}
	out := ts[:0]
	for _, t := range ts {
		if !t.Archived {
			out = append(out, t)
		}
	}
	return out, nil
}

// Theme returns one theme, archived or not.
func (s *Service) Theme(ctx context.Context, slug string) (*Theme, error) {
	if !slugRe.MatchString(slug) {
		return nil, ErrNotFound
	}
	themes, _, err := s.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range themes {
		if t.Slug == slug {
			return &t, nil
		}
	}
	return nil, ErrNotFound
}

// AuthorityTypes returns the authority types by position.
func (s *Service) AuthorityTypes(ctx context.Context) ([]AuthorityType, error) {
	_, types, err := s.taxonomy(ctx)
	return types, err
}

// AuthorityType returns one authority type.
func (s *Service) AuthorityType(ctx context.Context, slug string) (*AuthorityType, error) {
	_, all, err := s.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.Slug == slug {
			return &a, nil
		}
	}
	return nil, ErrNotFound
}

var slugRe = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ThemeInput is what an admin submits to create or change a theme.
type ThemeInput struct {
	Slug        string `json:"slug" form:"slug"`
	NameFR      string `json:"name_fr" form:"name_fr"`
	NameEN      string `json:"name_en" form:"name_en"`
	Description string `json:"description" form:"description"`
	Moderation  string `json:"moderation" form:"moderation"`
}

func (in *ThemeInput) validate(withSlug bool) error {
	for field, v := range map[string]string{"name_fr": in.NameFR, "name_en": in.NameEN} {
		if err := CheckLine(field, v); err != nil {
			return err
		}
	}
	if !utf8.ValidString(in.Description) {
		return Invalid("description", "description_invalid", "La description contient des caractères invalides.")
	}
	in.Slug = strings.TrimSpace(in.Slug)
	in.NameFR = strings.Join(strings.Fields(in.NameFR), " ")
	in.NameEN = strings.Join(strings.Fields(in.NameEN), " ")
	in.Description = strings.TrimSpace(in.Description)
	if withSlug && (!slugRe.MatchString(in.Slug) || len(in.Slug) > 60) {
		return Invalid("slug", "slug_invalid", "L'identifiant doit être composé de lettres minuscules sans accents, de chiffres et de tirets (60 caractères au plus).")
	}
	if in.NameFR == "" || utf8.RuneCountInString(in.NameFR) > MaxThemeNameChars {
		return Invalid("name_fr", "name_invalid", "Le nom français est obligatoire (80 caractères au plus).")
	}
	if utf8.RuneCountInString(in.NameEN) > MaxThemeNameChars {
		return Invalid("name_en", "name_invalid", "Le nom anglais fait 80 caractères au plus.")
	}
	if utf8.RuneCountInString(in.Description) > MaxThemeDescChars {
		return Invalid("description", "description_too_long", "La description fait 500 caractères au plus.")
	}
	if in.Moderation == "" {
		in.Moderation = ModerationNewMembers
	}
	if in.Moderation != ModerationNewMembers && in.Moderation != ModerationAll {
		return Invalid("moderation", "moderation_invalid", "La politique de modération est « new-members » ou « all ».")
	}
	return nil
}

// AddTheme creates a theme at the end of the list (admins only).
func (s *Service) AddTheme(ctx context.Context, actor *Member, in ThemeInput) (*Theme, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	if err := in.validate(true); err != nil {
		return nil, err
	}
	all, err := s.store.ListThemes(ctx)
	if err != nil {
		return nil, err
	}
	pos := 10
	for _, t := range all {
		if t.Position >= pos {
			pos = t.Position + 10
		}
	}
	t := &Theme{Slug: in.Slug, NameFR: in.NameFR, NameEN: in.NameEN, Description: in.Description,
		Moderation: in.Moderation, Position: pos, CreatedAt: s.now()}
	err = s.store.InsertTheme(ctx, t)
	s.invalidateTaxonomy(ctx)
	if err != nil {
		if errors.Is(err, ErrDuplicate) {
			return nil, Invalid("slug", "slug_taken", "Un thème porte déjà cet identifiant.")
		}
		return nil, err
	}
	return t, nil
}

// UpdateTheme renames a theme or changes its description and policy (admins only).
func (s *Service) UpdateTheme(ctx context.Context, actor *Member, slug string, in ThemeInput) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	if _, err := s.Theme(ctx, slug); err != nil {
		return err
	}
	if err := in.validate(false); err != nil {
		return err
	}
	defer s.invalidateTaxonomy(ctx)
	return s.store.UpdateTheme(ctx, slug, ThemeUpdate{NameFR: &in.NameFR, NameEN: &in.NameEN,
		Description: &in.Description, Moderation: &in.Moderation})
}

// ArchiveTheme hides a theme from new threads and listings, or brings it back (admins only).
func (s *Service) ArchiveTheme(ctx context.Context, actor *Member, slug string, archived bool) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	if _, err := s.Theme(ctx, slug); err != nil {
		return err
	}
	defer s.invalidateTaxonomy(ctx)
	return s.store.UpdateTheme(ctx, slug, ThemeUpdate{Archived: &archived})
}

// MoveTheme swaps a theme with its neighbour, up (delta -1) or down (+1) (admins only).
func (s *Service) MoveTheme(ctx context.Context, actor *Member, slug string, delta int) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	defer s.invalidateTaxonomy(ctx)
	all, err := s.store.ListThemes(ctx)
	if err != nil {
		return err
	}
	i := -1
	for k, t := range all {
		if t.Slug == slug {
			i = k
		}
	}
	if i < 0 {
		return ErrNotFound
	}
	j := i + delta
	if j < 0 || j >= len(all) {
		return nil
	}
	// Renumber everything so equal positions cannot stall a move.
	all[i], all[j] = all[j], all[i]
	for k := range all {
		pos := (k + 1) * 10
		if all[k].Position != pos {
			if err := s.store.UpdateTheme(ctx, all[k].Slug, ThemeUpdate{Position: &pos}); err != nil {
				return err
			}
		}
	}
	return nil
}
