package forum

import (
	"context"
	"sync"
)

// taxonomyCache keeps the themes and authority types, read on every page,
// out of the store's slow path. It is valid while KeyTaxonomy's version is
// unchanged (see changes.go): this process's changes show at once, other
// processes' within a poll interval.
type taxonomyCache struct {
	mu     sync.Mutex
	themes []Theme
	types  []AuthorityType
	stamp  uint64
	loaded bool
}

// taxonomy returns copies of the themes (archived included) and authority types.
func (s *Service) taxonomy(ctx context.Context) ([]Theme, []AuthorityType, error) {
	c := &s.taxo
	c.mu.Lock()
	defer c.mu.Unlock()
	stamp := s.Stamp(KeyTaxonomy)
	if !c.loaded || c.stamp != stamp || !s.CacheFresh() {
		themes, err := s.store.ListThemes(ctx)
		if err != nil {
			return nil, nil, err
		}
		types, err := s.store.ListAuthorityTypes(ctx)
		if err != nil {
			return nil, nil, err
		}
		c.themes, c.types, c.stamp, c.loaded = themes, types, stamp, true
	}
	return append([]Theme(nil), c.themes...), append([]AuthorityType(nil), c.types...), nil
}

// invalidateTaxonomy makes every process's next read go to the store.
func (s *Service) invalidateTaxonomy(ctx context.Context) {
	s.Invalidate(ctx, KeyTaxonomy)
}
