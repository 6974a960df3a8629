package digest

import (
	"context"
	"errors"
	"strings"

	"coterforum/forum"
)

// Erase deletes everything the forum keeps about a subscriber (GDPR
// erasure): its subscriptions, the messages not yet sent, its address in the
// delivery log (the entries stay, with a tombstone address, as the record
// of what was sent) and the subscriber record itself. Afterwards nothing is
// ever mailed to the address and its signed links lead nowhere (404).
//
// There are no transactions, so the order makes a crash midway harmless:
// subscriptions go first (no digest is built for the subscriber any more),
// then the queued mail, then the record, which is the handle used to find
// the rest; running Erase again completes an interrupted erasure, and
// erasing a subscriber already gone is not an error.
func (s *Service) Erase(ctx context.Context, subscriberID string) error {
	// A message being sent to the subscriber is sent first; none starts
	// until the record is gone, and none after (sendUnlessErased).
	release, err := s.inflight.erase(ctx, subscriberID)
	defer release()
	if err != nil {
		return err
	}
	if _, err := s.store.DeleteSubscriptions(ctx, subscriberID); err != nil {
		return err
	}
	if _, err := s.store.CancelMessages(ctx, subscriberID, s.now()); err != nil {
		return err
	}
	if err := s.store.ForgetSubscriberMail(ctx, subscriberID, forum.TombstoneEmail(subscriberID)); err != nil {
		return err
	}
	err = s.store.DeleteSubscriber(ctx, subscriberID)
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	}
	return err
}

// EraseByToken erases the subscriber of a manage or unsubscribe link (the
// « Effacer toutes mes données » button). A confirmation link does not
// allow it; a forged, altered or expired token, or one whose subscriber is
// already erased, gives an error wrapping forum.ErrNotFound.
func (s *Service) EraseByToken(ctx context.Context, token string) (*Grant, error) {
	g, err := s.Resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	if g.Purpose == PurposeConfirm {
		return nil, errBadToken
	}
	if err := s.Erase(ctx, g.Subscriber.ID); err != nil {
		return nil, err
	}
	if err := s.EraseMailCopies(g.Subscriber.Email); err != nil {
		return nil, err
	}
	return g, nil
}

// mailCopies is a sender that keeps a copy of each message (mail.FileSender).
type mailCopies interface {
	EraseRecipient(addr string) (int, error)
}

// EraseMailCopies deletes the copies the sender kept of the mail sent to
// address (the .eml files when no SMTP server is set): each belongs to its
// recipient, and goes with their data.
func (s *Service) EraseMailCopies(address string) error {
	if c, ok := s.sender.(mailCopies); ok {
		_, err := c.EraseRecipient(address)
		return err
	}
	return nil
}

// EraseMember erases the subscriber of a member's address, if there is one
// (account deletion).
func (s *Service) EraseMember(ctx context.Context, email string) error {
	sub, err := s.store.SubscriberByEmail(ctx, strings.ToLower(email))
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.Erase(ctx, sub.ID)
}

// DeliveriesTo lists the messages sent to a subscriber, newest first (data export).
func (s *Service) DeliveriesTo(ctx context.Context, subscriberID string) ([]LogEntry, error) {
	return s.store.DeliveriesTo(ctx, subscriberID)
}
