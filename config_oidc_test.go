package main

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestConfigOIDC: ProConnect is on with its three variables, off with
// none; a partial configuration, domain-list without domains and a bad
// domain are refused at start with a line naming what is missing, the
// secret masked.
func TestConfigOIDC(t *testing.T) {
	full := map[string]string{"FORUM_OIDC_ISSUER": "https://auth.proconnect.gouv.fr/api/v2", "FORUM_OIDC_CLIENT_ID": "forum",
		"FORUM_OIDC_CLIENT_SECRET": "s3cret-tres-long"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range full {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	c, _, err := parseConfig(envOf(nil))
	if err != nil || c.OIDC.Enabled() {
		t.Fatalf("default: enabled=%v err=%v", c.OIDC.Enabled(), err)
	}
	c, _, err = parseConfig(envOf(full))
	if err != nil {
		t.Fatal(err)
	}
	if !c.OIDC.Enabled() || c.OIDC.ClientID != "forum" || c.OIDC.ClientSecret != "s3cret-tres-long" || c.OIDC.Signup.Mode != "closed" ||
		!slices.Equal(c.OIDC.Scopes, []string{"openid", "email", "given_name", "usual_name", "siret", "uid"}) {
		t.Fatalf("full: %+v", c.OIDC)
	}
	c, _, err = parseConfig(envOf(with(map[string]string{"FORUM_OIDC_SIGNUP": "domain-list", "FORUM_OIDC_SIGNUP_DOMAINS": " Ville-Exemple.fr, agglo.example.fr ,"})))
	if err != nil || !slices.Equal(c.OIDC.Signup.Domains, []string{"ville-exemple.fr", "agglo.example.fr"}) {
		t.Fatalf("domain-list: %+v %v", c.OIDC.Signup, err)
	}
	for _, tt := range []struct {
		env  map[string]string
		want []string
	}{
		{map[string]string{"FORUM_OIDC_CLIENT_ID": "forum", "FORUM_OIDC_CLIENT_SECRET": "s3cret-tres-long"},
			[]string{"FORUM_OIDC_CLIENT_ID=forum", "FORUM_OIDC_ISSUER manque"}},
		{map[string]string{"FORUM_OIDC_ISSUER": "https://auth.proconnect.gouv.fr/api/v2", "FORUM_OIDC_CLIENT_SECRET": "s3cret-tres-long"},
			[]string{"FORUM_OIDC_ISSUER=", "FORUM_OIDC_CLIENT_ID manque"}},
		{map[string]string{"FORUM_OIDC_CLIENT_SECRET": "s3cret-tres-long"},
			[]string{"FORUM_OIDC_CLIENT_SECRET=xxxxx", "FORUM_OIDC_ISSUER et FORUM_OIDC_CLIENT_ID manque"}},
		{with(map[string]string{"FORUM_OIDC_SIGNUP": "domain-list"}), []string{"FORUM_OIDC_SIGNUP_DOMAINS=", "au moins un domaine"}},
		{with(map[string]string{"FORUM_OIDC_SIGNUP": "domain-list", "FORUM_OIDC_SIGNUP_DOMAINS": "ville.fr,@agglo.fr"}), []string{"FORUM_OIDC_SIGNUP_DOMAINS=", "@agglo.fr"}},
		{with(map[string]string{"FORUM_OIDC_SIGNUP": "open", "FORUM_OIDC_SIGNUP_DOMAINS": "ville.fr"}), []string{"FORUM_OIDC_SIGNUP_DOMAINS=", "pas domain-list"}},
	} {
		_, _, err := parseConfig(envOf(tt.env))
		var ce *configError
		if !errors.As(err, &ce) {
			t.Errorf("%v accepted (%v)", tt.env, err)
			continue
		}
		msg := err.Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: %q lacks %q", tt.env, msg, w)
			}
		}
		if strings.Contains(msg, "s3cret") {
			t.Errorf("the secret is shown: %q", msg)
		}
	}
}
