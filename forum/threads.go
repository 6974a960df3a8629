package forum

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrSuspended is returned when a suspended member tries to write.
var ErrSuspended = errors.New("votre compte est suspendu : vous pouvez lire le forum mais pas y écrire")

// ErrLocked is returned when replying to or editing in a locked thread.
var ErrLocked = errors.New("ce fil est verrouillé : on ne peut plus y répondre")

// NewThreadInput is what a member submits to start a thread.
type NewThreadInput struct {
	Theme          string   `json:"theme" form:"theme"`
	AuthorityTypes []string `json:"authority_types" form:"authority_types"`
	Title          string   `json:"title" form:"title"`
	Body           string   `json:"body" form:"body"`
	// IdempotencyKey, when set, makes a repeated submission return the
	// thread the first one created (idempotency.go).
	IdempotencyKey string `json:"-" form:"-"`
	// Attachments are ids of the author's pending uploads to join to the
	// first post (attachments.go).
	Attachments []string `json:"attachments" form:"-"`
}

// CanWrite checks that the member may write at all now.
func (s *Service) CanWrite(m *Member) error {
	if m == nil {
		return ErrUnauthenticated
	}
	if m.SuspendedAt(s.now()) {
		return ErrSuspended
	}
	return nil
}

// PublishPolicy decides whether a new post is published at once or queued
// for moderation. The server decides, never the request.
type PublishPolicy interface {
	InitialStatus(author *Member, theme *Theme) string
}

// publishAll is the policy of an unmoderated forum.
type publishAll struct{}

func (publishAll) InitialStatus(*Member, *Theme) string { return PostPublished }

// SetPolicy installs the moderation rules; call it once, at wiring time.
func (s *Service) SetPolicy(p PublishPolicy) { s.policy = p }

func (s *Service) initialStatus(author *Member, theme *Theme) string {
	return s.policy.InitialStatus(author, theme)
}

// NormalizeTitle collapses white space in a title and checks its length.
func NormalizeTitle(title string) (string, error) {
	if err := CheckLine("title", title); err != nil {
		return "", err
	}
	title = strings.Join(strings.Fields(title), " ")
	n := utf8.RuneCountInString(title)
	if n == 0 {
		return "", Invalid("title", "title_empty", "Le titre est obligatoire.")
	}
	if n < MinTitleChars {
		return "", Invalidf("title", "title_too_short", "Le titre doit compter au moins %d caractères.", MinTitleChars)
	}
	if n > MaxTitleChars {
		return "", Invalidf("title", "title_too_long", "Le titre compte %d caractères au plus (il en compte %d).", MaxTitleChars, n)
	}
	return title, nil
}

// ValidateAuthorityTypes checks the slugs, removes duplicates, and defaults
// to the author's own type (author may be nil: then at least one is required).
func (s *Service) ValidateAuthorityTypes(ctx context.Context, author *Member, slugs []string) ([]string, error) {
	_, all, err := s.taxonomy(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, a := range all {
		known[a.Slug] = true
	}
	if len(slugs) == 0 {
		if author != nil && known[author.AuthorityType] {
			return []string{author.AuthorityType}, nil
		}
		return nil, Invalid("authority_types", "authority_types_empty", "Choisissez au moins un type de collectivité.")
	}
	if len(slugs) > MaxAuthorityTypes*2 {
		return nil, Invalid("authority_types", "authority_types_too_many", "Trop de types de collectivité.")
	}
	seen := map[string]bool{}
	out := []string{}
	for _, slug := range slugs {
		if !known[slug] {
			return nil, Invalidf("authority_types", "authority_type_unknown", "Type de collectivité inconnu : « %s ».", truncate(slug, 40))
		}
		if !seen[slug] {
			seen[slug] = true
			out = append(out, slug)
		}
	}
	return out, nil
}

// activeTheme returns the theme a thread may be started in.
func (s *Service) activeTheme(ctx context.Context, slug string) (*Theme, error) {
	if strings.TrimSpace(slug) == "" {
		return nil, Invalid("theme", "theme_missing", "Choisissez un thème.")
	}
	t, err := s.Theme(ctx, slug)
	if errors.Is(err, ErrNotFound) || (err == nil && t.Archived) {
		return nil, Invalidf("theme", "theme_unknown", "Thème inconnu : « %s ».", truncate(slug, 40))
	}
	return t, err
}

// CreateThread starts a thread with its first post.
func (s *Service) CreateThread(ctx context.Context, author *Member, in NewThreadInput) (*Thread, *Post, error) {
	if err := s.CanWrite(author); err != nil {
		return nil, nil, err
	}
	if err := CheckIdempotencyKey(in.IdempotencyKey); err != nil {
		return nil, nil, err
	}
	if in.IdempotencyKey != "" {
		if th, p, err := s.keyedThread2(ctx, author, in, false); th != nil || err != nil {
			return th, p, err
		}
	}
	theme, err := s.activeTheme(ctx, in.Theme)
	if err != nil {
		return nil, nil, err
	}
	types, err := s.ValidateAuthorityTypes(ctx, author, in.AuthorityTypes)
	if err != nil {
		return nil, nil, err
	}
	title, err := NormalizeTitle(in.Title)
	if err != nil {
		return nil, nil, err
	}
	html, err := RenderMarkdown(in.Body)
	if err != nil {
		return nil, nil, err
	}
	attachments, err := s.checkAttachments(ctx, author, in.Attachments, 0)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	status := s.initialStatus(author, theme)
	th := &Thread{ID: NewID(), Theme: theme.Slug, AuthorityTypes: types, Title: title, Author: author.Ref(),
		Status: status, CreatedAt: now, LastActivityAt: now, LastAuthor: author.DisplayName, TitleTerms: SearchTerms(title)}
	p := &Post{ID: NewID(), ThreadID: th.ID, Author: author.Ref(), Source: NormalizeSource(in.Body), HTML: html,
		Status: status, CreatedAt: now, Terms: PostSearchTerms(html), IdempotencyKey: in.IdempotencyKey}
	th.FirstPostID, th.LastPostID = p.ID, p.ID
	if status == PostPublished {
		th.PostCount = 1
	}
	// One Atomically: the post, its thread, the author's count and the
	// cache versions commit together. The post goes first: on MongoDB (no
	// transaction), a post whose thread is missing is invisible, while a
	// thread without its first post would be shown broken.
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if err := s.store.InsertPost(ctx, p); err != nil {
			return err
		}
		if err := s.store.InsertThread(ctx, th); err != nil {
			return err
		}
		if err := s.attach(ctx, author, p.ID, attachments); err != nil {
			return err
		}
		if status != PostPublished {
			s.Invalidate(ctx, ThreadKey(th.ID), KeyQueue)
			return nil
		}
		if err := s.store.IncMemberApprovedPosts(ctx, author.ID, 1); err != nil {
			return err
		}
		// The author's record too: their approved count decides the
		// moderation of their next post, and the session cache holds it.
		s.Invalidate(ctx, append(ThreadKeys(th), MemberKey(author.ID))...)
		return nil
	})
	if errors.Is(err, ErrDuplicate) && in.IdempotencyKey != "" {
		// Another submission with the key won: its answer is ours.
		return s.keyedThread2(ctx, author, in, true)
	}
	if err != nil {
		return nil, nil, err
	}
	return th, p, nil
}

// keyedThread2 returns the thread and first post stored under the key of
// in, if any (wait: the key is known to be taken).
func (s *Service) keyedThread2(ctx context.Context, author *Member, in NewThreadInput, wait bool) (*Thread, *Post, error) {
	src := NormalizeSource(in.Body)
	p, err := s.keyedPost(ctx, author, in.IdempotencyKey, wait, func(p *Post) bool { return p.Source == src })
	if p == nil || err != nil {
		return nil, nil, err
	}
	th, err := s.keyedThread(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	if th.FirstPostID != p.ID {
		return nil, nil, errKeyReused()
	}
	return th, p, nil
}

// Reply adds a post to a thread.
func (s *Service) Reply(ctx context.Context, author *Member, threadID, body string) (*Post, error) {
	return s.ReplyKeyed(ctx, author, threadID, body, "")
}

// ReplyKeyed adds a post to a thread; a key, when not empty, makes a
// repeated submission return the post the first one stored
// (idempotency.go).
func (s *Service) ReplyKeyed(ctx context.Context, author *Member, threadID, body, key string) (*Post, error) {
	return s.ReplyAttached(ctx, author, threadID, body, key, nil)
}

// ReplyAttached is ReplyKeyed joining the author's pending uploads
// attachments to the post.
func (s *Service) ReplyAttached(ctx context.Context, author *Member, threadID, body, key string, attachments []string) (*Post, error) {
	if err := s.CanWrite(author); err != nil {
		return nil, err
	}
	if err := CheckIdempotencyKey(key); err != nil {
		return nil, err
	}
	src := NormalizeSource(body)
	sameReply := func(p *Post) bool { return p.ThreadID == threadID && p.Source == src }
	if key != "" {
		if p, err := s.keyedPost(ctx, author, key, false, sameReply); p != nil || err != nil {
			return p, err
		}
	}
	th, err := s.Thread(ctx, author, threadID)
	if err != nil {
		return nil, err
	}
	if th.Status != ThreadPublished {
		return nil, Invalid("thread", "thread_not_published", "On ne peut pas répondre à un fil qui n'est pas publié.")
	}
	if th.Locked && !author.IsModerator() {
		return nil, ErrLocked
	}
	html, err := RenderMarkdown(body)
	if err != nil {
		return nil, err
	}
	theme, err := s.Theme(ctx, th.Theme)
	if err != nil {
		return nil, err
	}
	if attachments, err = s.checkAttachments(ctx, author, attachments, 0); err != nil {
		return nil, err
	}
	p := &Post{ID: NewID(), ThreadID: th.ID, Author: author.Ref(), Source: src, HTML: html,
		Status: s.initialStatus(author, theme), CreatedAt: s.now(), Terms: PostSearchTerms(html), IdempotencyKey: key}
	// One Atomically: the post, the thread's count and last activity, the
	// author's count and the cache versions commit together (on MongoDB,
	// in order and to the end: the insert decides, the rest follows and
	// can be done again by the reconciler).
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		// The thread again, inside the change (on SQLite, the one the
		// post is committed with): it may have been locked or hidden
		// since it was read.
		th, err := s.store.ThreadByID(ctx, th.ID)
		if err != nil {
			return err
		}
		if th.Status != ThreadPublished {
			return Invalid("thread", "thread_not_published", "On ne peut pas répondre à un fil qui n'est pas publié.")
		}
		if th.Locked && !author.IsModerator() {
			return ErrLocked
		}
		if err := s.store.InsertPost(ctx, p); err != nil {
			return err
		}
		if err := s.attach(ctx, author, p.ID, attachments); err != nil {
			return err
		}
		if p.Status != PostPublished {
			s.Invalidate(ctx, ThreadKey(th.ID), KeyQueue)
			return nil
		}
		if _, err := s.RecountThread(ctx, th.ID); err != nil {
			return err
		}
		if err := s.store.IncMemberApprovedPosts(ctx, author.ID, 1); err != nil {
			return err
		}
		s.Invalidate(ctx, append(ThreadKeys(th), MemberKey(author.ID))...)
		return nil
	})
	if errors.Is(err, ErrDuplicate) && key != "" {
		// Another submission with the key won: its answer is ours.
		return s.keyedPost(ctx, author, key, true, sameReply)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// EditPost replaces the source of a post, keeping the previous one as a
// revision. Authors edit their own posts; moderators any post.
func (s *Service) EditPost(ctx context.Context, editor *Member, postID, body string) (*Post, error) {
	return s.EditPostAttached(ctx, editor, postID, body, nil)
}

// EditPostAttached is EditPost that also joins the editor's pending uploads
// ids to the post: the same checks cover both, and the new text and the
// files are written in one change (or neither, when the files are refused).
func (s *Service) EditPostAttached(ctx context.Context, editor *Member, postID, body string, ids []string) (*Post, error) {
	if err := s.CanWrite(editor); err != nil {
		return nil, err
	}
	p, err := s.Post(ctx, editor, postID)
	if err != nil {
		return nil, err
	}
	if p.Author.ID != editor.ID && !editor.IsModerator() {
		return nil, ErrForbidden
	}
	th, err := s.store.ThreadByID(ctx, p.ThreadID)
	if err != nil {
		return nil, err
	}
	if th.Locked && !editor.IsModerator() {
		return nil, ErrLocked
	}
	if p.Status == PostRejected || p.Status == PostHidden {
		return nil, ErrForbidden
	}
	if p.Status == PostPublished && !editor.IsModerator() {
		// An author still under moderation cannot change a published post
		// behind the moderators' back, nor add files to it.
		theme, err := s.Theme(ctx, th.Theme)
		if err != nil {
			return nil, err
		}
		if s.initialStatus(editor, theme) == PostPending {
			return nil, Invalid("body", "edit_moderated", "Vos messages sont encore relus par la modération : un message publié ne peut plus être modifié. Complétez-le par une réponse.")
		}
	}
	if len(ids) > 0 {
		have, err := s.PostAttachments(ctx, []string{p.ID})
		if err != nil {
			return nil, err
		}
		if ids, err = s.checkAttachments(ctx, editor, ids, len(have[p.ID])); err != nil {
			return nil, err
		}
	}
	html, err := RenderMarkdown(body)
	if err != nil {
		return nil, err
	}
	now := s.now()
	src := NormalizeSource(body)
	if src == p.Source && len(ids) == 0 {
		return p, nil
	}
	// The edit applies only to the post as checked: same source, same
	// status (not hidden, rejected or approved meanwhile).
	edit := PostEdit{Source: src, HTML: html, EditedAt: now, Current: p.Source, Statuses: []string{p.Status},
		Previous: Revision{Source: p.Source, EditedAt: now, EditorID: editor.ID}}
	err = s.store.Atomically(ctx, func(ctx context.Context) error {
		if src != p.Source {
			if err := s.store.EditPost(ctx, p.ID, edit); err != nil {
				return err
			}
		}
		if err := s.attach(ctx, editor, p.ID, ids); err != nil {
			return err
		}
		// Listings too: feeds and excerpts may show a post's text.
		s.Invalidate(ctx, ThreadKeys(th)...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if src == p.Source {
		return p, nil
	}
	p.Revisions = append(p.Revisions, edit.Previous)
	p.Source, p.HTML, p.EditedAt, p.Terms = src, html, &now, PostSearchTerms(html)
	return p, nil
}

// canSee reports whether viewer may see something of that status written by authorID.
func canSee(viewer *Member, status, authorID string) bool {
	switch {
	case status == PostPublished:
		return true
	case viewer.IsModerator():
		return true
	case viewer != nil && status == PostPending && authorID == viewer.ID:
		return true
	}
	return false
}

// Thread returns a thread the viewer may see (viewer may be nil).
func (s *Service) Thread(ctx context.Context, viewer *Member, id string) (*Thread, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	th, err := s.store.ThreadByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSee(viewer, th.Status, th.Author.ID) {
		return nil, ErrNotFound
	}
	return th, nil
}

// Post returns a post the viewer may see, in a thread the viewer may see.
func (s *Service) Post(ctx context.Context, viewer *Member, id string) (*Post, error) {
	if !ValidID(id) {
		return nil, ErrNotFound
	}
	p, err := s.store.PostByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSee(viewer, p.Status, p.Author.ID) {
		return nil, ErrNotFound
	}
	if _, err := s.Thread(ctx, viewer, p.ThreadID); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) postFilter(viewer *Member, threadID string) PostFilter {
	f := PostFilter{ThreadID: threadID}
	switch {
	case viewer.IsModerator():
		f.AllStatuses = true
	case viewer != nil:
		f.ViewerID = viewer.ID
	}
	return f
}

// PostPage is one page of a thread's posts as a viewer sees them.
type PostPage struct {
	Posts []Post
	Page  int
	Pages int
	Total int
}

// Posts returns page (from 1) of the posts of a thread the viewer may see.
func (s *Service) Posts(ctx context.Context, viewer *Member, th *Thread, page int) (*PostPage, error) {
	if page < 1 || page > MaxPage {
		return nil, Invalidf("page", "page_invalid", "La page doit être comprise entre 1 et %d.", MaxPage)
	}
	f := s.postFilter(viewer, th.ID)
	total, err := s.store.CountPosts(ctx, f, nil)
	if err != nil {
		return nil, err
	}
	pages := max(1, (int(total)+PostsPerPage-1)/PostsPerPage)
	f.Skip, f.Limit = (page-1)*PostsPerPage, PostsPerPage
	posts, err := s.store.ListPosts(ctx, f)
	if err != nil {
		return nil, err
	}
	return &PostPage{Posts: posts, Page: page, Pages: pages, Total: int(total)}, nil
}

// PostPageNumber returns the page of its thread on which the viewer finds the post.
func (s *Service) PostPageNumber(ctx context.Context, viewer *Member, p *Post) (int, error) {
	before, err := s.store.CountPosts(ctx, s.postFilter(viewer, p.ThreadID), p)
	if err != nil {
		return 0, err
	}
	return int(before)/PostsPerPage + 1, nil
}

// ThreadQuery selects a page of published threads.
type ThreadQuery struct {
	Theme         string
	AuthorityType string
	Page          int
	PerPage       int
}

// ThreadList is one page of threads.
type ThreadList struct {
	Threads []Thread
	Page    int
	HasMore bool
}

// checkListingFilters refuses an unknown theme or authority type given as
// a filter (empty: no filter), with the field it came from.
func (s *Service) checkListingFilters(ctx context.Context, theme, authorityType string) error {
	if theme != "" {
		if _, err := s.Theme(ctx, theme); errors.Is(err, ErrNotFound) {
			return Invalidf("theme", "theme_unknown", "Thème inconnu : « %s ».", truncate(theme, 40))
		} else if err != nil {
			return err
		}
	}
	if authorityType != "" {
		if _, err := s.AuthorityType(ctx, authorityType); errors.Is(err, ErrNotFound) {
			return Invalidf("authority_type", "authority_type_unknown", "Type de collectivité inconnu : « %s ».", truncate(authorityType, 40))
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Threads lists published threads, pinned first then by last activity.
func (s *Service) Threads(ctx context.Context, q ThreadQuery) (*ThreadList, error) {
	if q.Page == 0 {
		q.Page = 1
	}
	if q.Page < 1 || q.Page > MaxPage {
		return nil, Invalidf("page", "page_invalid", "La page doit être comprise entre 1 et %d.", MaxPage)
	}
	if q.PerPage <= 0 || q.PerPage > ThreadsPerPage {
		q.PerPage = ThreadsPerPage
	}
	if err := s.checkListingFilters(ctx, q.Theme, q.AuthorityType); err != nil {
		return nil, err
	}
	ts, err := s.listThreads(ctx, ThreadFilter{Theme: q.Theme, AuthorityType: q.AuthorityType,
		Skip: (q.Page - 1) * q.PerPage, Limit: q.PerPage + 1})
	if err != nil {
		return nil, err
	}
	l := &ThreadList{Threads: ts, Page: q.Page}
	if len(ts) > q.PerPage {
		l.Threads, l.HasMore = ts[:q.PerPage], true
	}
	return l, nil
}

// QuoteSource returns Markdown quoting a post the viewer may see, to start a reply.
func (s *Service) QuoteSource(ctx context.Context, viewer *Member, postID string) (string, error) {
	p, err := s.Post(ctx, viewer, postID)
	if err != nil {
		return "", err
	}
	src := truncate(p.Source, MaxQuoteSourceChars)
	var b strings.Builder
	fmt.Fprintf(&b, "> **%s** a écrit :\n", escapeMarkdownInline(p.Author.DisplayName))
	for _, line := range strings.Split(src, "\n") {
		b.WriteString("> ")
		b.WriteString(line)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String(), nil
}

// Preview renders Markdown exactly as a post would be, without storing it.
func (s *Service) Preview(body string) (string, error) { return RenderMarkdown(body) }

// NormalizeSource is the form in which a post's Markdown source is stored.
func NormalizeSource(src string) string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\x00", "")
	return strings.TrimRight(src, " \t\n")
}

func truncate(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

func escapeMarkdownInline(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, "`", "\\`", `<`, `\<`)
	return r.Replace(s)
}

// CheckLine refuses text that would corrupt a one-line field: invalid UTF-8,
// control characters and bidirectional overrides (which can disguise a name).
// Tabs and line breaks are white space: the caller collapses them.
func CheckLine(field, s string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, field+"_invalid", "Le texte contient des caractères invalides (encodage UTF-8 attendu).")
	}
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return Invalid(field, field+"_invalid", "Le texte contient des caractères de contrôle interdits.")
		}
	}
	return nil
}
