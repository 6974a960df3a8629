package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"time"
	_ "time/tzdata" // Europe/Paris on machines without a zoneinfo database

	"coterforum/forum"
	"coterforum/templates"

	"github.com/labstack/echo/v4"
)

// paris is the time zone every date is shown in.
var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var frenchMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}

// frenchDate formats a time as "12 mars 2026 à 14 h 05", in Europe/Paris.
func frenchDate(t time.Time) string {
	t = t.In(paris)
	return fmt.Sprintf("%d %s %d à %d h %02d", t.Day(), frenchMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

// Layout is the part of every page's view that the layout template uses.
type Layout struct {
	Title          string
	Viewer         *forum.Member
	CSRF           string
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

// ThemeName returns the French name of a theme slug.
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
}

// pages holds one parsed template set per page.
type pages struct {
	sets map[string]*template.Template
}

var funcs = template.FuncMap{
	"date":    frenchDate,
	"isodate": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"postHTML": func(p forum.Post) template.HTML {
		return template.HTML(p.HTML) // sanitised by bluemonday when written
	},
	"add": func(a, b int) int { return a + b },
	"pages": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
	"plural": func(n int, one, many string) string {
		if n <= 1 {
			return fmt.Sprintf("%d %s", n, one)
		}
		return fmt.Sprintf("%d %s", n, many)
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
		return []string{"post.approve", "post.reject", "post.undo_reject", "post.hide", "post.auto_hide", "post.restore",
			"post.edit", "reports.dismiss", "thread.edit", "thread.lock", "thread.unlock", "thread.pin", "thread.unpin",
			"thread.move", "thread.authority_types", "thread.rename", "member.suspend", "member.unsuspend", "member.trust",
			"member.untrust", "member.always_moderate", "member.normal_moderation"}
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

// loadPages parses every page with the layout and partials.
func loadPages() (*pages, error) {
	names, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{sets: map[string]*template.Template{}}
	for _, name := range names {
		if name == "base.html" {
			continue
		}
		t, err := template.New("base.html").Funcs(funcs).ParseFS(templates.FS, "base.html", "partials/*.html", name)
		if err != nil {
			return nil, fmt.Errorf("gabarit %s : %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// render fills the layout and writes a page into a buffer first, so a
// template error never sends half a page.
func (s *Server) render(c echo.Context, status int, name string, v view) error {
	t, ok := s.pages.sets[name]
	if !ok {
		return fmt.Errorf("gabarit inconnu : %s", name)
	}
	l := v.layout()
	ctx := c.Request().Context()
	var err error
	l.Viewer = viewer(c)
	l.CSRF = s.csrfToken(c)
	l.Path = c.Request().URL.Path
	l.MaxPostChars = forum.MaxPostSourceChars
	if l.Viewer != nil {
		if l.PendingCount, err = s.mod.PendingCount(ctx, l.Viewer); err != nil {
			return err
		}
		if l.UnreadCount, err = s.mod.UnreadCount(ctx, l.Viewer); err != nil {
			return err
		}
	}
	if l.Notice == "" {
		l.Notice = notices[c.QueryParam("notice")]
	}
	themes, err := s.svc.Themes(ctx, true)
	if err != nil {
		return err
	}
	l.themeNames = map[string]string{}
	for _, th := range themes {
		l.themeNames[th.Slug] = th.NameFR
		if !th.Archived {
			l.Themes = append(l.Themes, th)
		}
	}
	if l.AuthorityTypes, err = s.svc.AuthorityTypes(ctx); err != nil {
		return err
	}
	l.authNames = map[string]string{}
	for _, a := range l.AuthorityTypes {
		l.authNames[a.Slug] = a.NameFR
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Language", "fr")
	if l.Viewer != nil || session(c) != nil {
		h.Set("Cache-Control", "private, no-store")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// seeOther redirects after a successful form post.
func seeOther(c echo.Context, path string) error {
	return c.Redirect(http.StatusSeeOther, path)
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// fieldErrors maps a validation error to its form field for templates.
type fieldErrors map[string]string

func formError(err error) (fieldErrors, bool) {
	if ve, ok := err.(*forum.ValidationError); ok {
		f := ve.Field
		if f == "" {
			f = "form"
		}
		return fieldErrors{f: ve.Message}, true
	}
	return nil, false
}

// Has reports whether the field has an error.
func (f fieldErrors) Has(field string) bool { _, ok := f[field]; return ok }

// Get returns the field's error message.
func (f fieldErrors) Get(field string) string { return f[field] }

// Any returns the first message, for the error summary.
func (f fieldErrors) Any() string {
	for _, m := range f {
		return m
	}
	return ""
}

type errorView struct {
	Layout
	Status  int
	Message string
}
