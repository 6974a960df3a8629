package forum

import (
	"context"
	"errors"
	"time"
)

// Idempotency keys. A client may send a key with a new thread or a reply
// (a hidden field of the form, rendered once per form, or the
// Idempotency-Key header of the API): the store keeps at most one post per
// (author, key), so a form submitted twice, or ten times at once, stores
// one post, and every submission gets that post back.

// MaxIdempotencyKeyChars bounds an idempotency key.
const MaxIdempotencyKeyChars = 100

// CheckIdempotencyKey accepts an empty key (none) or 1 to
// MaxIdempotencyKeyChars visible ASCII characters.
func CheckIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKeyChars {
		return Invalidf("idempotency_key", "idempotency_key_invalid",
			"La clé d'idempotence compte %d caractères ASCII visibles au plus.", MaxIdempotencyKeyChars)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return Invalidf("idempotency_key", "idempotency_key_invalid",
				"La clé d'idempotence compte %d caractères ASCII visibles au plus.", MaxIdempotencyKeyChars)
		}
	}
	return nil
}

// errKeyReused answers a key already used for another message.
func errKeyReused() error {
	return Invalid("idempotency_key", "idempotency_key_reused",
		"Ce formulaire a déjà été envoyé avec un autre message : rechargez la page pour en écrire un nouveau.")
}

// keyedWait bounds the wait for a post whose key another request holds
// but has not finished writing (MongoDB: the claim comes first).
const keyedWait = 3 * time.Second

// keyedPost returns the author's post stored under key, checked against
// what is submitted again (same thread, or a first post, and same
// source); nil when there is none. wait: the key is known to be taken, so
// wait a little for a post still being written.
func (s *Service) keyedPost(ctx context.Context, author *Member, key string, wait bool, check func(*Post) bool) (*Post, error) {
	deadline := time.Now().Add(keyedWait)
	for {
		p, err := s.store.PostByIdempotencyKey(ctx, author.ID, key)
		switch {
		case err == nil:
			if !check(p) {
				return nil, errKeyReused()
			}
			return p, nil
		case !errors.Is(err, ErrNotFound):
			return nil, err
		case !wait || time.Now().After(deadline):
			if wait {
				return nil, errKeyReused()
			}
			return nil, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// keyedThread returns the thread of a keyed first post, waiting a little
// for it (MongoDB writes the first post before its thread).
func (s *Service) keyedThread(ctx context.Context, p *Post) (*Thread, error) {
	deadline := time.Now().Add(keyedWait)
	for {
		th, err := s.store.ThreadByID(ctx, p.ThreadID)
		if err == nil || !errors.Is(err, ErrNotFound) || time.Now().After(deadline) {
			return th, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
