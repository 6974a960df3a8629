package digest

import (
	"context"
	"errors"
	"fmt"

	"coterforum/forum"
)

// SubscriberEmailStore changes the address of a subscriber. Both stores
// implement it.
type SubscriberEmailStore interface {
	// SetSubscriberEmail sets the subscriber's (lower-cased) address; no
	// error when the subscriber is gone.
	SetSubscriberEmail(ctx context.Context, id, email string) error
}

// MoveMemberEmail makes the mail of a member whose address changed (the
// new one confirmed by a link sent to it) go to the new address. A reader
// record without an account at the new address (the same person, who
// proved they read it) is erased first, with its subscriptions: an
// address has one subscriber.
func (s *Service) MoveMemberEmail(ctx context.Context, oldEmail, newEmail string) error {
	sub, err := s.store.SubscriberByEmail(ctx, oldEmail)
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	other, err := s.store.SubscriberByEmail(ctx, newEmail)
	switch {
	case err == nil && other.ID != sub.ID:
		if err := s.Erase(ctx, other.ID); err != nil {
			return fmt.Errorf("abonné de la nouvelle adresse : %w", err)
		}
	case err != nil && !errors.Is(err, forum.ErrNotFound):
		return err
	}
	st, ok := s.store.(SubscriberEmailStore)
	if !ok {
		return errors.New("digest: the store cannot change a subscriber's address")
	}
	return st.SetSubscriberEmail(ctx, sub.ID, newEmail)
}
