package digest

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Frequencies of a subscription.
const (
	Daily     = "daily"
	Weekly    = "weekly"
	Immediate = "immediate" // thread subscriptions only: one mail per new reply
)

// Kinds of subscription target.
const (
	TargetTheme          = "theme"
	TargetAuthorityType  = "authority_type"
	TargetThemeAuthority = "theme_authority"
	TargetThread         = "thread"
)

// Kinds of outgoing message.
const (
	KindDigest    = "digest"
	KindImmediate = "immediate"
	KindConfirm   = "confirm"
)

// Statuses of a message in the outbox, then in the delivery log.
const (
	StatusPending   = "pending"
	StatusSending   = "sending"
	StatusSent      = "sent"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// Subscriber is someone who receives mail: a member (MemberID set) or a
// reader without an account, known by the email address only.
type Subscriber struct {
	ID       string `bson:"_id" json:"id"`
	MemberID string `bson:"member_id,omitempty" json:"member_id,omitempty"`
	// Email is lower-cased and unique.
	Email string `bson:"email" json:"email"`
	// Confirmed is true for members at once and for readers once they
	// followed the link of the confirmation mail; nothing but that mail is
	// ever sent to an unconfirmed address.
	Confirmed   bool       `bson:"confirmed" json:"confirmed"`
	ConfirmedAt *time.Time `bson:"confirmed_at,omitempty" json:"confirmed_at,omitempty"`
	// ConfirmSentAt is when the last confirmation mail was queued (at most
	// one per hour).
	ConfirmSentAt *time.Time `bson:"confirm_sent_at,omitempty" json:"-"`
	CreatedAt     time.Time  `bson:"created_at" json:"created_at"`
	// Lang is the language of the subscriber's mail, "fr" or "en": a
	// member's setting, or the language a reader subscribed in.
	Lang string `bson:"lang" json:"lang"`
}

// Target is what a subscription follows: a theme, an authority type, a
// theme × authority type pair, or a thread.
type Target struct {
	Kind          string `bson:"kind" json:"kind"`
	Theme         string `bson:"theme,omitempty" json:"theme,omitempty"`
	AuthorityType string `bson:"authority_type,omitempty" json:"authority_type,omitempty"`
	ThreadID      string `bson:"thread_id,omitempty" json:"thread,omitempty"`
}

// Subscription is one thing a subscriber follows at one frequency. Its ID is
// derived from (subscriber, target, frequency), so subscribing twice is
// refused by the store's unique _id.
type Subscription struct {
	ID           string `bson:"_id" json:"id"`
	SubscriberID string `bson:"subscriber_id" json:"-"`
	Target       Target `bson:"target" json:"target"`
	Frequency    string `bson:"frequency" json:"frequency"`
	// Pending subscriptions wait for the confirmation link (readers
	// subscribing without an account); they are never mailed.
	Pending   bool      `bson:"pending" json:"pending"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
	// Label describes the target in French ("Thème Réseaux × Départements"),
	// or in the language given to Service.ListIn; not stored.
	Label string `bson:"-" json:"label"`
}

// SubscriptionID returns the deterministic id of a subscription.
func SubscriptionID(subscriberID string, t Target, frequency string) string {
	return hashID("sub", subscriberID, t.Kind, t.Theme, t.AuthorityType, t.ThreadID, frequency)
}

// hashID returns 24 hex digits of the SHA-256 of the parts.
func hashID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(h[:12])
}

// Run is one digest run of a frequency. Runs tile time: a run includes what
// was published in [From, Until), and the next run starts at this run's
// Until. Subscribers are processed in _id order and Cursor is the last one
// done, so a crashed run resumes where it stopped; Until is fixed when the
// run is created, so a resumed run builds exactly the same digests.
type Run struct {
	ID        string    `bson:"_id"` // frequency:until
	Frequency string    `bson:"frequency"`
	Period    string    `bson:"period"` // PeriodKey of Until: one scheduled run per period
	From      time.Time `bson:"from"`   // zero for the first run: "since they subscribed"
	Until     time.Time `bson:"until"`
	// Tail lists the posts published less than Config.Settle before Until
	// that this run saw. The next run looks back Config.Settle before its
	// From, to catch posts whose publication was written late, and skips
	// these (its Exclude).
	Tail      []string   `bson:"tail"`
	Exclude   []string   `bson:"exclude,omitempty"`
	Cursor    string     `bson:"cursor"`
	Done      bool       `bson:"done"`
	StartedAt time.Time  `bson:"started_at"`
	DoneAt    *time.Time `bson:"done_at,omitempty"`
}

// OutboxMessage is a message waiting to be delivered. The store keeps the
// small state document apart from its Body, and removes both when the
// message is finished (then recorded in the delivery log).
type OutboxMessage struct {
	// ID is unique per (subscriber, run) for digests and per (subscriber,
	// post) for immediate notifications: building the same message twice is
	// refused by the store.
	ID            string       `bson:"_id" json:"id"`
	Kind          string       `bson:"kind" json:"kind"`
	SubscriberID  string       `bson:"subscriber_id" json:"subscriber_id"`
	Frequency     string       `bson:"frequency,omitempty" json:"frequency,omitempty"`
	Period        string       `bson:"period,omitempty" json:"period,omitempty"`
	To            string       `bson:"to" json:"to"`
	Subject       string       `bson:"subject" json:"subject"`
	Status        string       `bson:"status" json:"status"`
	Attempts      int          `bson:"attempts" json:"attempts"`
	NextAttemptAt time.Time    `bson:"next_attempt_at" json:"next_attempt_at"`
	ClaimID       string       `bson:"claim_id,omitempty" json:"-"`
	ClaimUntil    *time.Time   `bson:"claim_until,omitempty" json:"-"`
	LastError     string       `bson:"last_error,omitempty" json:"last_error,omitempty"`
	CreatedAt     time.Time    `bson:"created_at" json:"created_at"`
	Body          *MessageBody `bson:"-" json:"-"`
}

// MessageBody is the content of an outbox message.
type MessageBody struct {
	ID        string            `bson:"_id"`
	Text      string            `bson:"text"`
	HTML      string            `bson:"html,omitempty"`
	Headers   map[string]string `bson:"headers,omitempty"`
	MessageID string            `bson:"message_id"`
}

// LogEntry records a finished message: sent, failed (with the error) or
// cancelled (the subscriber left before it was sent).
type LogEntry struct {
	ID           string    `bson:"_id" json:"id"`
	Kind         string    `bson:"kind" json:"kind"`
	SubscriberID string    `bson:"subscriber_id" json:"subscriber_id"`
	Frequency    string    `bson:"frequency,omitempty" json:"frequency,omitempty"`
	Period       string    `bson:"period,omitempty" json:"period,omitempty"`
	To           string    `bson:"to" json:"to"`
	Subject      string    `bson:"subject" json:"subject"`
	Status       string    `bson:"status" json:"status"`
	Attempts     int       `bson:"attempts" json:"attempts"`
	Error        string    `bson:"error,omitempty" json:"error,omitempty"`
	CreatedAt    time.Time `bson:"created_at" json:"created_at"`
	FinishedAt   time.Time `bson:"finished_at" json:"finished_at"`
}

// Finished returns the log record of m finished with status.
func (m *OutboxMessage) Finished(status, errMsg string, at time.Time) LogEntry {
	return LogEntry{ID: m.ID, Kind: m.Kind, SubscriberID: m.SubscriberID, Frequency: m.Frequency, Period: m.Period,
		To: m.To, Subject: m.Subject, Status: status, Attempts: m.Attempts, Error: errMsg, CreatedAt: m.CreatedAt, FinishedAt: at}
}
