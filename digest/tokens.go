package digest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"coterforum/forum"
)

// Purposes of a signed link. A token is valid for one subscriber and one
// purpose only.
const (
	PurposeConfirm        = "confirm"
	PurposeManage         = "manage"
	PurposeUnsubscribe    = "unsubscribe" // written "unsubscribe:<subscription id>" in the token
	PurposeUnsubscribeAll = "unsubscribe-all"
)

// maxTokenLen bounds the tokens accepted, long before any decoding.
const maxTokenLen = 300

var b64 = base64.RawURLEncoding.Strict()

// token returns "<payload>.<mac>", both base64url: the payload is
// "1|subscriber|purpose|expiry (unix seconds, 0 = none)" and the mac its
// HMAC-SHA256 under the secret key.
func (s *Service) token(subscriberID, purpose string, expires time.Time) string {
	exp := int64(0)
	if !expires.IsZero() {
		exp = expires.Unix()
	}
	payload := "1|" + subscriberID + "|" + purpose + "|" + strconv.FormatInt(exp, 10)
	return b64.EncodeToString([]byte(payload)) + "." + b64.EncodeToString(s.mac(payload))
}

func (s *Service) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.cfg.SecretKey)
	h.Write([]byte("coterforum digest link\x00"))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// errBadToken is returned for any token that is not exactly one we signed;
// it wraps forum.ErrNotFound.
var errBadToken = fmt.Errorf("%w : lien invalide ou expiré", forum.ErrNotFound)

// parseToken checks the signature in constant time, then the expiry, and
// returns the subscriber id and the purpose.
func (s *Service) parseToken(tok string) (subscriberID, purpose string, err error) {
	if len(s.cfg.SecretKey) == 0 || len(tok) > maxTokenLen {
		return "", "", errBadToken
	}
	p64, m64, ok := strings.Cut(tok, ".")
	if !ok {
		return "", "", errBadToken
	}
	payload, err1 := b64.DecodeString(p64)
	mac, err2 := b64.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(string(payload))) {
		return "", "", errBadToken
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 4 || parts[0] != "1" || !forum.ValidID(parts[1]) {
		return "", "", errBadToken
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil || (exp != 0 && s.now().Unix() > exp) {
		return "", "", errBadToken
	}
	return parts[1], parts[2], nil
}

// ConfirmURL is the link of the confirmation mail; it expires after Config.ConfirmTTL.
func (s *Service) ConfirmURL(subscriberID string) string {
	return s.cfg.BaseURL + "/subscriptions/confirm?token=" + s.token(subscriberID, PurposeConfirm, s.now().Add(s.cfg.ConfirmTTL))
}

// ManageURL is the link to the subscriber's page of subscriptions, usable
// without an account.
func (s *Service) ManageURL(subscriberID string) string {
	return s.cfg.BaseURL + "/subscriptions/manage?token=" + s.token(subscriberID, PurposeManage, time.Time{})
}

// UnsubscribeURL is the link that stops one subscription, or every
// subscription of the subscriber when subscriptionID is empty. GET shows
// what will stop; POST (the page's button, or a mail client's RFC 8058
// one-click request) does it.
func (s *Service) UnsubscribeURL(subscriberID, subscriptionID string) string {
	purpose := PurposeUnsubscribeAll
	if subscriptionID != "" {
		purpose = PurposeUnsubscribe + ":" + subscriptionID
	}
	return s.cfg.BaseURL + "/subscriptions/unsubscribe?token=" + s.token(subscriberID, purpose, time.Time{})
}

// Grant is what a valid signed link allows.
type Grant struct {
	// Purpose is PurposeConfirm, PurposeManage, PurposeUnsubscribe or PurposeUnsubscribeAll.
	Purpose    string
	Subscriber *Subscriber
	// Subscription is the one an unsubscribe link stops (with its Label);
	// nil when it was already removed.
	Subscription *Subscription
	// SubscriptionID is the id named by an unsubscribe link.
	SubscriptionID string
}

// Resolve checks a token from a link and returns what it allows. A token
// that is forged, altered or expired gives an error wrapping
// forum.ErrNotFound and changes nothing.
func (s *Service) Resolve(ctx context.Context, token string) (*Grant, error) {
	id, purpose, err := s.parseToken(token)
	if err != nil {
		return nil, err
	}
	g := &Grant{Purpose: purpose}
	if subID, ok := strings.CutPrefix(purpose, PurposeUnsubscribe+":"); ok {
		g.Purpose, g.SubscriptionID = PurposeUnsubscribe, subID
	} else if purpose != PurposeConfirm && purpose != PurposeManage && purpose != PurposeUnsubscribeAll {
		return nil, errBadToken
	}
	if g.Subscriber, err = s.store.SubscriberByID(ctx, id); err != nil {
		return nil, err
	}
	if g.Purpose == PurposeUnsubscribe {
		subs, err := s.List(ctx, id)
		if err != nil {
			return nil, err
		}
		for i := range subs {
			if subs[i].ID == g.SubscriptionID {
				g.Subscription = &subs[i]
			}
		}
	}
	return g, nil
}
