package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"coterforum/digest"
	"coterforum/forum"
	"coterforum/i18n"

	"github.com/labstack/echo/v4"
)

type subscriptionsView struct {
	Layout
	Subscriptions []digest.Subscription
	Input         digest.SubscribeInput
	Email         string
	Errors        fieldErrors
	Sent          bool
}

func (s *Server) memberSubscriptions(c echo.Context) ([]digest.Subscription, error) {
	ctx := c.Request().Context()
	sub, err := s.digest.SubscriberOf(ctx, viewer(c))
	if errors.Is(err, forum.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.digest.ListIn(ctx, sub.ID, language(c))
}

// subscriptionsPage is "Mes abonnements" for members, and the subscription
// form by email for readers without an account.
func (s *Server) subscriptionsPage(c echo.Context) error {
	v := &subscriptionsView{Layout: Layout{Title: "Mes abonnements"}, Input: digest.SubscribeInput{Frequency: "daily",
		Theme: c.QueryParam("theme"), AuthorityType: c.QueryParam("authority_type"), Thread: c.QueryParam("thread")}}
	if viewer(c) != nil {
		subs, err := s.memberSubscriptions(c)
		if err != nil {
			return err
		}
		v.Subscriptions = subs
	} else {
		v.Title = "S'abonner par courriel"
	}
	v.Sent = c.QueryParam("notice") == "confirm-sent"
	return s.render(c, http.StatusOK, "subscriptions.html", v)
}

func subscribeInput(c echo.Context) digest.SubscribeInput {
	return digest.SubscribeInput{Theme: strings.TrimSpace(c.FormValue("theme")), AuthorityType: strings.TrimSpace(c.FormValue("authority_type")),
		Thread: strings.TrimSpace(c.FormValue("thread")), Frequency: c.FormValue("frequency")}
}

// subscribeForm follows a target, from the follow buttons or the subscriptions page.
func (s *Server) subscribeForm(c echo.Context) error {
	ctx := c.Request().Context()
	in := subscribeInput(c)
	var err error
	if m := viewer(c); m != nil {
		_, err = s.digest.Subscribe(ctx, m, in)
	} else {
		err = s.digest.SubscribeEmail(ctx, c.FormValue("email"), string(language(c)), in)
	}
	if err != nil {
		fe, ok := formError(err)
		if !ok {
			return err
		}
		v := &subscriptionsView{Layout: Layout{Title: "Mes abonnements"}, Input: in, Email: c.FormValue("email"), Errors: fe}
		if viewer(c) != nil {
			if v.Subscriptions, err = s.memberSubscriptions(c); err != nil {
				return err
			}
		}
		return s.render(c, http.StatusUnprocessableEntity, "subscriptions.html", v)
	}
	if viewer(c) == nil {
		return seeOther(c, "/subscriptions?notice=confirm-sent")
	}
	return seeOther(c, "/subscriptions?notice=subscribed")
}

func (s *Server) unsubscribeMemberForm(c echo.Context) error {
	ctx := c.Request().Context()
	sub, err := s.digest.SubscriberOf(ctx, viewer(c))
	if err != nil {
		return err
	}
	if err := s.digest.Unsubscribe(ctx, sub.ID, c.Param("id")); err != nil {
		return err
	}
	return seeOther(c, "/subscriptions?notice=unsubscribed")
}

type linkView struct {
	Layout
	Grant         *digest.Grant
	Token         string
	Subscriptions []digest.Subscription
	Done          bool
	Problem       i18n.Msg
	// Erased is set once the reader erased all their data (pages_privacy.go).
	Erased bool
}

// linkProblem renders the page of an invalid or expired signed link.
func (s *Server) linkProblem(c echo.Context, err error) error {
	if errors.Is(err, forum.ErrNotFound) {
		return s.render(c, http.StatusNotFound, "subscription_link.html", &linkView{Layout: Layout{Title: "Lien invalide"},
			Problem: i18n.M("Ce lien est invalide ou a expiré. Vérifiez qu'il est complet, ou abonnez-vous de nouveau.")})
	}
	return err
}

// confirmPage shows the confirmation button (a GET never confirms: mail
// scanners fetch links).
func (s *Server) confirmPage(c echo.Context) error {
	token := c.QueryParam("token")
	g, err := s.digest.Resolve(c.Request().Context(), token)
	if err == nil && g.Purpose != digest.PurposeConfirm {
		err = forum.ErrNotFound
	}
	if err != nil {
		return s.linkProblem(c, err)
	}
	return s.render(c, http.StatusOK, "subscription_link.html", &linkView{Layout: Layout{Title: "Confirmer l'abonnement"}, Grant: g, Token: token})
}

func (s *Server) confirmForm(c echo.Context) error {
	token := c.QueryParam("token")
	sub, err := s.digest.Confirm(c.Request().Context(), token)
	if err != nil {
		return s.linkProblem(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/subscriptions/manage?token="+url.QueryEscape(tokenFromURL(s.digest.ManageURL(sub.ID)))+"&notice=confirmed")
}

// tokenFromURL extracts the token of a signed link built by the digest service.
func tokenFromURL(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get("token")
}

// managePage lists a reader's subscriptions from a signed link, with a
// button to stop each one or all.
func (s *Server) managePage(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.QueryParam("token")
	g, err := s.digest.Resolve(ctx, token)
	if err == nil && g.Purpose != digest.PurposeManage {
		err = forum.ErrNotFound
	}
	if err != nil {
		return s.linkProblem(c, err)
	}
	subs, err := s.digest.List(ctx, g.Subscriber.ID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "subscription_link.html", &linkView{Layout: Layout{Title: "Vos abonnements"}, Grant: g,
		Token: token, Subscriptions: subs})
}

func (s *Server) manageForm(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.QueryParam("token")
	g, err := s.digest.Resolve(ctx, token)
	if err == nil && g.Purpose != digest.PurposeManage {
		err = forum.ErrNotFound
	}
	if err != nil {
		return s.linkProblem(c, err)
	}
	if id := c.FormValue("subscription"); id != "" {
		err = s.digest.Unsubscribe(ctx, g.Subscriber.ID, id)
	} else {
		_, err = s.digest.UnsubscribeAll(ctx, g.Subscriber.ID)
	}
	if err != nil && !errors.Is(err, forum.ErrNotFound) { // a second click finds it gone: done already
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/subscriptions/manage?token="+url.QueryEscape(token)+"&notice=unsubscribed")
}

// unsubscribePage shows what a link from a mail will stop.
func (s *Server) unsubscribePage(c echo.Context) error {
	token := c.QueryParam("token")
	g, err := s.digest.Resolve(c.Request().Context(), token)
	if err == nil && g.Purpose != digest.PurposeUnsubscribe && g.Purpose != digest.PurposeUnsubscribeAll {
		err = forum.ErrNotFound
	}
	if err != nil {
		return s.linkProblem(c, err)
	}
	return s.render(c, http.StatusOK, "subscription_link.html", &linkView{Layout: Layout{Title: "Se désabonner"}, Grant: g, Token: token})
}

// unsubscribeForm stops the subscription: the page's button, or a mail
// client's RFC 8058 one-click POST (which may come from anywhere: the signed
// link is the authority, see newCrossOriginProtection).
func (s *Server) unsubscribeForm(c echo.Context) error {
	g, err := s.digest.UnsubscribeByToken(c.Request().Context(), c.QueryParam("token"))
	if err != nil {
		return s.linkProblem(c, err)
	}
	if c.FormValue("List-Unsubscribe") == "One-Click" {
		return c.String(http.StatusOK, "Désabonnement enregistré.\n")
	}
	return s.render(c, http.StatusOK, "subscription_link.html", &linkView{Layout: Layout{Title: "Désabonnement"}, Grant: g, Done: true})
}

// followData feeds the "follow" partial: one target and who asks.
type followData struct {
	LoggedIn      bool
	Theme         string
	AuthorityType string
	Thread        string
	Label         string
}

// Follow is the follow button of a theme or authority-type listing; with a
// filter it follows the theme × authority type pair.
func (v *listView) Follow() followData {
	f := followData{LoggedIn: v.Viewer != nil}
	switch {
	case v.Theme != nil:
		f.Theme, f.AuthorityType = v.Theme.Slug, v.FilterType
		f.Label = i18n.Tf(v.Lang, "« %s »", v.ThemeName(v.Theme.Slug))
		if v.FilterType != "" {
			f.Label += " × " + v.AuthorityName(v.FilterType)
		}
	case v.AuthorityType != nil:
		f.AuthorityType, f.Theme = v.AuthorityType.Slug, v.FilterTheme
		f.Label = i18n.Tf(v.Lang, "les %s", lowerFirst(i18n.T(v.Lang, v.AuthorityType.Plural)))
		if v.FilterTheme != "" {
			f.Label += " × " + i18n.Tf(v.Lang, "« %s »", v.ThemeName(v.FilterTheme))
		}
	}
	return f
}

// Follow is the follow button of a thread.
func (v *threadView) Follow() followData {
	return followData{LoggedIn: v.Viewer != nil, Thread: v.Thread.ID, Label: "ce fil"}
}
