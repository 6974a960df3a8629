package forum

import (
	"context"
	"sync"
	"time"
)

// taxonomyTTL bounds how long another process's change to the themes or
// authority types may take to show here; this process's own changes show at
// once (they invalidate the cache).
const taxonomyTTL = 10 * time.Second

// taxonomyCache keeps the themes and authority types, read on every page,
// out of the store's slow path.
type taxonomyCache struct {
	mu     sync.Mutex
	themes []Theme
	types  []AuthorityType
	until  time.Time
}

// taxonomy returns copies of the themes (archived included) and authority types.
func (s *Service) taxonomy(ctx context.Context) ([]Theme, []AuthorityType, error) {
	c := &s.taxo
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Now().After(c.until) {
		themes, err := s.store.ListThemes(ctx)
		if err != nil {
			return nil, nil, err
		}
		types, err := s.store.ListAuthorityTypes(ctx)
		if err != nil {
			return nil, nil, err
		}
		c.themes, c.types, c.until = themes, types, time.Now().Add(taxonomyTTL)
	}
	return append([]Theme(nil), c.themes...), append([]AuthorityType(nil), c.types...), nil
}

// invalidateTaxonomy makes the next read go to the store.
func (s *Service) invalidateTaxonomy() {
	s.taxo.mu.Lock()
	s.taxo.until = time.Time{}
	s.taxo.mu.Unlock()
}
