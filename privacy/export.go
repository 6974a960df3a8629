package privacy

import (
	"context"
	"errors"
	"time"

	"coterforum/digest"
	"coterforum/forum"
)

// Export is everything the forum keeps about a member, as the member
// downloads it (GET /account/export). Moderators appear by role only: who
// moderated is the moderators' personal data, not the member's.
type Export struct {
	GeneratedAt    time.Time              `json:"generated_at"`
	About          string                 `json:"about"`
	Profile        ExportProfile          `json:"profile"`
	Posts          []ExportPost           `json:"posts"`
	ThreadsStarted []ExportThread         `json:"threads_started"`
	Subscriptions  []digest.Subscription  `json:"subscriptions"`
	MailSent       []ExportMail           `json:"mail_sent"`
	Notifications  []ExportNotification   `json:"notifications"`
	ReportsFiled   []ExportReport         `json:"reports_filed"`
	Sessions       []ExportSession        `json:"sessions"`
	Moderation     []ExportModerationNote `json:"moderation_decisions"`
	ThreadsRead    []ExportRead           `json:"threads_read"`
	// Identities are the member's ProConnect (OpenID Connect) links.
	Identities []forum.Identity `json:"proconnect_identities"`
}

// ExportRead is how far the member has read a thread (unread tracking).
type ExportRead struct {
	ThreadID   string    `json:"thread_id"`
	LastPostID string    `json:"read_up_to_post_id"`
	LastPostAt time.Time `json:"read_up_to"`
}

// exportAbout heads the export file.
const exportAbout = "Données personnelles détenues par coterforum sur votre compte, à la date indiquée. " +
	"Les décisions de modération sont indiquées sans l'identité des modérateurs, qui relève de leurs propres données ; " +
	"pour l'obtenir, adressez-vous au délégué à la protection des données du club."

// ExportProfile is the member's account.
type ExportProfile struct {
	ID             string     `json:"id"`
	Email          string     `json:"email"`
	DisplayName    string     `json:"display_name"`
	Authority      string     `json:"authority"`
	AuthorityType  string     `json:"authority_type"`
	Role           string     `json:"role"`
	Status         string     `json:"status"`
	SuspendedUntil *time.Time `json:"suspended_until,omitempty"`
	SuspendReason  string     `json:"suspend_reason,omitempty"`
	Language       string     `json:"language"`
	Trusted        bool       `json:"trusted"`
	AlwaysModerate bool       `json:"always_moderate"`
	ApprovedPosts  int        `json:"approved_posts"`
	RejectedPosts  int        `json:"rejected_posts"`
	CreatedAt      time.Time  `json:"created_at"`
}

// ExportPost is one post of the member, in any status.
type ExportPost struct {
	ID              string           `json:"id"`
	ThreadID        string           `json:"thread_id"`
	ThreadTitle     string           `json:"thread_title"`
	Status          string           `json:"status"`
	Source          string           `json:"source_markdown"`
	CreatedAt       time.Time        `json:"created_at"`
	EditedAt        *time.Time       `json:"edited_at,omitempty"`
	Revisions       []ExportRevision `json:"revisions"`
	Decision        *ExportDecision  `json:"decision,omitempty"`
	RejectionReason string           `json:"rejection_reason,omitempty"`
}

// ExportRevision is an earlier version of a post.
type ExportRevision struct {
	Source   string    `json:"source_markdown"`
	EditedAt time.Time `json:"replaced_at"`
	// EditedBy is "author" or "moderator".
	EditedBy string `json:"replaced_by"`
}

// ExportDecision is the last moderation decision on a post.
type ExportDecision struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// ExportThread is a thread the member started.
type ExportThread struct {
	ID             string    `json:"id"`
	Title          string    `json:"title"`
	Theme          string    `json:"theme"`
	AuthorityTypes []string  `json:"authority_types"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
}

// ExportMail is a message sent (or not) to the member's address by the digests.
type ExportMail struct {
	Kind       string    `json:"kind"`
	Subject    string    `json:"subject"`
	Status     string    `json:"status"`
	FinishedAt time.Time `json:"at"`
}

// ExportNotification is an in-app notification.
type ExportNotification struct {
	Kind      string    `json:"kind"`
	PostID    string    `json:"post_id,omitempty"`
	ThreadID  string    `json:"thread_id,omitempty"`
	Title     string    `json:"title"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// ExportReport is a report the member filed on a post.
type ExportReport struct {
	PostID    string     `json:"post_id"`
	ThreadID  string     `json:"thread_id"`
	Reason    string     `json:"reason"`
	CreatedAt time.Time  `json:"created_at"`
	Open      bool       `json:"open"`
	ClosedAt  *time.Time `json:"closed_at,omitempty"`
}

// ExportSession is an open session: when it started and when it expires
// (never its secret).
type ExportSession struct {
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	Current   bool      `json:"current"`
}

// ExportModerationNote is an audit log entry about the member, one of their
// posts or one of their threads, without the moderator's identity.
type ExportModerationNote struct {
	Action     string    `json:"action"`
	At         time.Time `json:"at"`
	TargetType string    `json:"target_type"`
	TargetID   string    `json:"target_id"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	Reason     string    `json:"reason,omitempty"`
}

// maxExportNotifications bounds the notifications exported (all of them in practice).
const maxExportNotifications = 100000

// Export gathers everything about the member. currentSession is the id of
// the session making the request ("" for none).
func (s *Service) Export(ctx context.Context, m *forum.Member, currentSession string) (*Export, error) {
	if m == nil {
		return nil, forum.ErrUnauthenticated
	}
	x := &Export{GeneratedAt: s.forum.Now(), About: exportAbout, Profile: ExportProfile{ID: m.ID, Email: m.Email,
		DisplayName: m.DisplayName, Authority: m.Authority, AuthorityType: m.AuthorityType, Role: m.Role, Status: m.Status,
		SuspendedUntil: m.SuspendedUntil, SuspendReason: m.SuspendReason, Language: m.Lang, Trusted: m.Trusted,
		AlwaysModerate: m.AlwaysModerate, ApprovedPosts: m.ApprovedPosts, RejectedPosts: m.RejectedPosts, CreatedAt: m.CreatedAt},
		Posts: []ExportPost{}, ThreadsStarted: []ExportThread{}, Subscriptions: []digest.Subscription{}, MailSent: []ExportMail{},
		Notifications: []ExportNotification{}, ReportsFiled: []ExportReport{}, Sessions: []ExportSession{}, Moderation: []ExportModerationNote{},
		ThreadsRead: []ExportRead{}}
	ids, err := s.store.IdentitiesOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	x.Identities = ids

	threads, err := s.store.ListThreads(ctx, forum.ThreadFilter{AuthorID: m.ID,
		Statuses: []string{forum.ThreadPublished, forum.ThreadPending, forum.ThreadRejected, forum.ThreadHidden}})
	if err != nil {
		return nil, err
	}
	targets := []string{m.ID}
	for _, th := range threads {
		x.ThreadsStarted = append(x.ThreadsStarted, ExportThread{ID: th.ID, Title: th.Title, Theme: th.Theme,
			AuthorityTypes: th.AuthorityTypes, Status: th.Status, CreatedAt: th.CreatedAt})
		targets = append(targets, th.ID)
	}
	if err := s.exportPosts(ctx, m, x, &targets); err != nil {
		return nil, err
	}
	if err := s.exportMail(ctx, m, x); err != nil {
		return nil, err
	}
	notes, err := s.store.ListNotifications(ctx, m.ID, maxExportNotifications)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		x.Notifications = append(x.Notifications, ExportNotification{Kind: n.Kind, PostID: n.PostID, ThreadID: n.ThreadID,
			Title: n.Title, Reason: n.Reason, CreatedAt: n.CreatedAt, Read: n.Read})
	}
	reads, err := s.store.ReadMarkersOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range reads {
		x.ThreadsRead = append(x.ThreadsRead, ExportRead{ThreadID: r.ThreadID, LastPostID: r.PostID, LastPostAt: r.PostAt})
	}
	reports, err := s.store.ReportsBy(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	for _, r := range reports {
		x.ReportsFiled = append(x.ReportsFiled, ExportReport{PostID: r.PostID, ThreadID: r.ThreadID, Reason: r.Reason,
			CreatedAt: r.CreatedAt, Open: r.Open, ClosedAt: r.ResolvedAt})
	}
	sessions, err := s.store.SessionsOf(ctx, m.ID)
	if err != nil {
		return nil, err
	}
	now := s.forum.Now()
	for _, se := range sessions {
		if se.ExpiresAt.After(now) {
			x.Sessions = append(x.Sessions, ExportSession{CreatedAt: se.CreatedAt, ExpiresAt: se.ExpiresAt, Current: se.ID == currentSession})
		}
	}
	audit, err := s.store.AuditForTargets(ctx, targets)
	if err != nil {
		return nil, err
	}
	for _, e := range audit {
		x.Moderation = append(x.Moderation, ExportModerationNote{Action: e.Action, At: e.At, TargetType: e.TargetType,
			TargetID: e.TargetID, Before: e.Before, After: e.After, Reason: e.Reason})
	}
	return x, nil
}

// exportPosts adds the member's posts, with their thread's title, and their
// ids to the audit targets.
func (s *Service) exportPosts(ctx context.Context, m *forum.Member, x *Export, targets *[]string) error {
	posts, err := s.store.PostsByAuthor(ctx, m.ID)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, th := range x.ThreadsStarted {
		titles[th.ID] = th.Title
	}
	for _, p := range posts {
		title, ok := titles[p.ThreadID]
		if !ok {
			th, err := s.store.ThreadByID(ctx, p.ThreadID)
			switch {
			case err == nil:
				title = th.Title
			case !errors.Is(err, forum.ErrNotFound):
				return err
			}
			titles[p.ThreadID] = title
		}
		ep := ExportPost{ID: p.ID, ThreadID: p.ThreadID, ThreadTitle: title, Status: p.Status, Source: p.Source,
			CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, Revisions: []ExportRevision{}}
		for _, r := range p.Revisions {
			by := "moderator"
			if r.EditorID == m.ID {
				by = "author"
			}
			ep.Revisions = append(ep.Revisions, ExportRevision{Source: r.Source, EditedAt: r.EditedAt, EditedBy: by})
		}
		if d := p.Decision; d != nil {
			ep.Decision = &ExportDecision{Action: d.Action, At: d.At, Reason: d.Reason}
			if p.Status == forum.PostRejected {
				ep.RejectionReason = d.Reason
			}
		}
		x.Posts = append(x.Posts, ep)
		*targets = append(*targets, p.ID)
	}
	return nil
}

// exportMail adds the member's subscriptions and the mail sent to them.
func (s *Service) exportMail(ctx context.Context, m *forum.Member, x *Export) error {
	sub, err := s.digest.SubscriberOf(ctx, m)
	if errors.Is(err, forum.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	subs, err := s.digest.List(ctx, sub.ID)
	if err != nil {
		return err
	}
	x.Subscriptions = append(x.Subscriptions, subs...)
	log, err := s.digest.DeliveriesTo(ctx, sub.ID)
	if err != nil {
		return err
	}
	for _, e := range log {
		x.MailSent = append(x.MailSent, ExportMail{Kind: e.Kind, Subject: e.Subject, Status: e.Status, FinishedAt: e.FinishedAt})
	}
	return nil
}
