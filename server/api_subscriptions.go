package server

import (
	"net/http"

	"coterforum/digest"

	"github.com/labstack/echo/v4"
)

type subscribeIn struct {
	digest.SubscribeInput
	Email string `json:"email"`
}

// apiSubscribe follows a target: 201 for a member; 202 and a confirmation
// mail for a reader without an account (CONTRACT.md).
func (s *Server) apiSubscribe(c echo.Context) error {
	var in subscribeIn
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	ctx := c.Request().Context()
	if m := viewer(c); m != nil {
		sub, err := s.digest.Subscribe(ctx, m, in.SubscribeInput)
		if err != nil {
			return err
		}
		// ListIn gives the subscription its label.
		if all, err := s.digest.ListIn(ctx, sub.SubscriberID, language(c)); err == nil {
			for i := range all {
				if all[i].ID == sub.ID {
					sub = &all[i]
				}
			}
		}
		return c.JSON(http.StatusCreated, map[string]any{"subscription": sub})
	}
	if err := s.digest.SubscribeEmail(ctx, in.Email, string(language(c)), in.SubscribeInput); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]any{"status": "confirmation_sent",
		"message": "Un courriel de confirmation est envoyé à cette adresse : l'abonnement commence quand vous cliquez sur son lien."})
}

func (s *Server) apiSubscriptions(c echo.Context) error {
	subs, err := s.memberSubscriptions(c)
	if err != nil {
		return err
	}
	if subs == nil {
		subs = []digest.Subscription{}
	}
	noStore(c)
	return c.JSON(http.StatusOK, map[string]any{"subscriptions": subs})
}

func (s *Server) apiUnsubscribe(c echo.Context) error {
	ctx := c.Request().Context()
	sub, err := s.digest.SubscriberOf(ctx, viewer(c))
	if err != nil {
		return err
	}
	if err := s.digest.Unsubscribe(ctx, sub.ID, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}
