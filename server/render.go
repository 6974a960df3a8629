package server

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"time"

	"coterforum/forum"
	"coterforum/i18n"
	"coterforum/moderation"
	"coterforum/templates"

	"github.com/labstack/echo/v4"
)

// Layout is the part of every page's view that the layout template uses.
type Layout struct {
	Title          string
	Lang           i18n.Lang
	Viewer         *forum.Member
	Themes         []forum.Theme
	AuthorityTypes []forum.AuthorityType
	Path           string
	Notice         string
	MaxPostChars   int
	PendingCount   int
	UnreadCount    int64
	themeNames     map[string]string
	authNames      map[string]string
}

// ThemeName returns the name of a theme slug in the page's language.
func (l *Layout) ThemeName(slug string) string {
	if n, ok := l.themeNames[slug]; ok {
		return n
	}
	return slug
}

// AuthorityName returns the French name of an authority type slug.
func (l *Layout) AuthorityName(slug string) string {
	if n, ok := l.authNames[slug]; ok {
		return n
	}
	return slug
}

func (l *Layout) layout() *Layout { return l }

type view interface{ layout() *Layout }

// notices are the messages a redirect may ask the next page to show.
var notices = map[string]string{
	"posted":       "Votre message est publié.",
	"pending":      "Votre message est en attente de modération.",
	"edited":       "Votre message est modifié.",
	"logged-in":    "Vous êtes connecté.",
	"logged-out":   "Vous êtes déconnecté.",
	"profile":      "Votre profil est enregistré.",
	"password":     "Votre mot de passe est changé. Vos autres sessions sont fermées.",
	"theme-saved":  "Le thème est enregistré.",
	"invited":      "L'invitation est envoyée.",
	"welcome":      "Bienvenue ! Votre compte est créé.",
	"theme-moved":  "L'ordre des thèmes est enregistré.",
	"theme-status": "Le thème est mis à jour.",
	"decided":      "La décision est enregistrée ; l'auteur est prévenu.",
	"undone":       "Le refus est annulé : le message est de nouveau dans la file.",
	"moderated":    "L'action de modération est enregistrée.",
	"reported":     "Merci : votre signalement est transmis à la modération.",
	"subscribed":   "Abonnement enregistré : vous recevrez les nouveautés par courriel.",
	"unsubscribed": "Désabonnement enregistré.",
	"confirmed":    "Votre abonnement est confirmé.",
	"confirm-sent": "Si l'adresse est valide, un courriel de confirmation vient d'y être envoyé : l'abonnement commence quand vous cliquez sur son lien.",

	// Account recovery and email change (pages_recovery.go).
	"password-reset": "Votre mot de passe est changé et toutes vos sessions sont fermées : connectez-vous avec le nouveau.",
	"email-sent":     "Un lien de confirmation est envoyé à la nouvelle adresse : elle remplacera l'actuelle quand vous l'aurez ouvert.",
	"email-changed":  "L'adresse de votre compte est changée.",
}

// pages holds one parsed template set per page and language.
type pages struct {
	sets map[i18n.Lang]map[string]*template.Template
}

// langFuncs are the template functions that speak the page's language:
// t translates French source text, tf translates and fills a format,
// date and ago write dates, plural picks a form by count.
func langFuncs(lang i18n.Lang) template.FuncMap {
	return template.FuncMap{
		"t": func(fr string) string { return i18n.T(lang, fr) },
		// msg translates a message the code built (validation errors): an
		// i18n.Msg, or French text looked up as it is.
		"msg": func(m any) string {
			switch m := m.(type) {
			case i18n.Msg:
				return m.In(lang)
			case string:
				return i18n.T(lang, m)
			}
			return fmt.Sprint(m)
		},
		"tf": func(fr string, args ...any) string { return i18n.Tf(lang, fr, args...) },
		"date": func(t time.Time) string {
			return i18n.DateTime(lang, t)
		},
		"day": func(t time.Time) string { return i18n.Date(lang, t) },
		"ago": func(t time.Time) string { return i18n.Ago(lang, time.Now(), t) },
		// plural writes a count and its words, by the language's plural rule.
		"plural": func(n int, one, many string) string { return i18n.Count(lang, n, one, many) },
		"lang":   func() string { return string(lang) },
		// name is a member's display name; a deleted member has none, and
		// is shown by a label in the page's language.
		"name": func(n string) string {
			if n == forum.DeletedMemberName {
				return i18n.T(lang, forum.DeletedMemberLabel)
			}
			return n
		},
		// postHTML is a post's stored HTML (sanitised by bluemonday when
		// written), its task-list boxes labelled in the page's language; a
		// post removed with its author's account shows a placeholder.
		"postHTML": func(p forum.Post) template.HTML { return template.HTML(postHTML(lang, &p)) },
		// reason is a decision's reason, translated when the queue proposed it.
		"reason": func(r string) string { return moderation.Reason(lang, r) },
		// memberState renders a member's moderation state (queue, audit).
		"memberState": func(s string) string { return moderation.DescribeState(lang, s) },
	}
}

var funcs = template.FuncMap{
	// idempotencyKey is a fresh key for each rendered post form: the same
	// form sent twice stores one post (forum/idempotency.go).
	"idempotencyKey": func() string { return rand.Text() },
	"isodate":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"add":            func(a, b int) int { return a + b },
	"pages": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
	"query": url.QueryEscape,
	"has": func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	},
	"excerpt": forum.PlainExcerpt,
	"auditActions": func() []string {
		return []string{"post.approve", "post.reject", "post.undo_reject", "post.withdraw", "post.hide", "post.auto_hide", "post.restore",
			"post.edit", "reports.dismiss", "thread.edit", "thread.lock", "thread.unlock", "thread.pin", "thread.unpin",
			"thread.move", "thread.authority_types", "thread.rename", "member.suspend", "member.unsuspend", "member.trust",
			"member.untrust", "member.always_moderate", "member.normal_moderation", "member.role", "invite.resend", "invite.revoke"}
	},
	"profileForm": func(p forum.ProfileInput, e fieldErrors, types []forum.AuthorityType) profileFormData {
		return profileFormData{Profile: p, Errors: e, AuthorityTypes: types}
	},
}

// profileFormData feeds the profile_fields partial.
type profileFormData struct {
	Profile        forum.ProfileInput
	Errors         fieldErrors
	AuthorityTypes []forum.AuthorityType
}

// loadPages parses every page with the layout and partials; the asset
// function names the fingerprinted static files.
func loadPages(as *assets) (*pages, error) {
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[i18n.Lang]map[string]*template.Template{}}
	for _, lang := range i18n.Langs {
		p.sets[lang] = map[string]*template.Template{}
		for _, name := range names {
			if name == "base.html" {
				continue
			}
			t, err := template.New("base.html").Funcs(funcs).Funcs(langFuncs(lang)).Funcs(template.FuncMap{"asset": as.url}).ParseFS(templates.FS, "base.html", "partials/*.html", name)
			if err != nil {
				return nil, fmt.Errorf("gabarit %s : %w", name, err)
			}
			p.sets[lang][name] = t
		}
	}
	return p, nil
}

// render fills the layout and writes a page into a buffer first, so a
// template error never sends half a page.
func (s *Server) render(c echo.Context, status int, name string, v view) error {
	body, err := s.renderBytes(c, name, v)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Language", string(language(c)))
	h.Add("Vary", "Accept-Language, Cookie")
	if viewer(c) != nil || session(c) != nil {
		h.Set("Cache-Control", "private, no-store")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	return writeBody(c, status, echo.MIMETextHTMLCharsetUTF8, body, "")
}

// renderBytes fills the layout and executes the page's template.
func (s *Server) renderBytes(c echo.Context, name string, v view) ([]byte, error) {
	lang := language(c)
	t, ok := s.pages.sets[lang][name]
	if !ok {
		return nil, fmt.Errorf("gabarit inconnu : %s", name)
	}
	l := v.layout()
	l.Lang = lang
	ctx := c.Request().Context()
	var err error
	l.Viewer = viewer(c)
	l.Path = c.Request().URL.Path
	l.MaxPostChars = forum.MaxPostSourceChars
	if l.Viewer != nil {
		if l.PendingCount, err = s.mod.PendingCount(ctx, l.Viewer); err != nil {
			return nil, err
		}
		if l.UnreadCount, err = s.mod.UnreadCount(ctx, l.Viewer); err != nil {
			return nil, err
		}
	}
	if l.Notice == "" {
		if n, ok := notices[c.QueryParam("notice")]; ok {
			l.Notice = i18n.T(lang, n)
		}
	}
	themes, err := s.svc.Themes(ctx, true)
	if err != nil {
		return nil, err
	}
	l.themeNames = map[string]string{}
	for _, th := range themes {
		l.themeNames[th.Slug] = th.Name(string(lang))
		if !th.Archived {
			l.Themes = append(l.Themes, th)
		}
	}
	if l.AuthorityTypes, err = s.svc.AuthorityTypes(ctx); err != nil {
		return nil, err
	}
	l.authNames = map[string]string{}
	for _, a := range l.AuthorityTypes {
		l.authNames[a.Slug] = a.Name(string(lang))
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return nil, err
	}
	if lang == i18n.FR {
		// French typography of what members wrote (titles, posts) and of
		// dates and counts, at render time: the stored text is unchanged,
		// and the page cache keeps each language's bytes.
		return i18n.TypoHTML(buf.Bytes()), nil
	}
	return buf.Bytes(), nil
}

// seeOther redirects after a successful form post.
func seeOther(c echo.Context, path string) error {
	return c.Redirect(http.StatusSeeOther, path)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// fieldErrors maps a validation error to its form field for templates.
type fieldErrors map[string]i18n.Msg

func formError(err error) (fieldErrors, bool) {
	if ve, ok := err.(*forum.ValidationError); ok {
		f := ve.Field
		if f == "" {
			f = "form"
		}
		return fieldErrors{f: ve.Msg}, true
	}
	return nil, false
}

// Has reports whether the field has an error.
func (f fieldErrors) Has(field string) bool { _, ok := f[field]; return ok }

// Get returns the field's error message.
func (f fieldErrors) Get(field string) i18n.Msg { return f[field] }

// Any returns the first message, for the error summary.
func (f fieldErrors) Any() i18n.Msg {
	for _, m := range f {
		return m
	}
	return i18n.Msg{}
}

type errorView struct {
	Layout
	Status  int
	Message string
}

// postHTML is the HTML of a post for a reader of lang: its stored HTML with
// the task-list boxes labelled in lang, or, for a post removed with its
// author's account, the placeholder in lang.
func postHTML(lang i18n.Lang, p *forum.Post) string {
	if p.Removed() {
		return "<p><em>" + template.HTMLEscapeString(i18n.T(lang, forum.RemovedPostText)) + "</em></p>"
	}
	return forum.TaskLabels(p.HTML, i18n.T(lang, "tâche faite"), i18n.T(lang, "tâche à faire"))
}
