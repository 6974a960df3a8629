package i18n

import (
	"testing"
	"time"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", FR},
		{"en-GB,en;q=0.9", EN},
		{"fr-FR,fr;q=0.9,en;q=0.8", FR},
		{"en;q=0.5,fr;q=0.9", FR},
		{"de-DE,en;q=0.7", EN},
		{"de", FR},
		{"en;q=0", FR},
		{"en;q=abc", FR},
		{"*", FR},
	} {
		if got := Negotiate(tc.header); got != tc.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
}

func TestTranslateAndTypography(t *testing.T) {
	if got := T(EN, "Aller au contenu"); got != "Skip to content" {
		t.Errorf("T(EN) = %q", got)
	}
	if got := T(EN, "texte sans traduction"); got != "texte sans traduction" {
		t.Errorf("missing text must fall back to French, got %q", got)
	}
	if got := T(FR, "Attention : « oui » ; non ! vraiment ?"); got != "Attention\u00a0: «\u00a0oui\u00a0»\u202f; non\u202f! vraiment\u202f?" {
		t.Errorf("French typography: %q", got)
	}
}

func TestDates(t *testing.T) {
	at := time.Date(2026, 3, 12, 13, 5, 0, 0, time.UTC) // 14:05 in Paris (CET)
	if got := DateTime(FR, at); got != "12 mars 2026 à 14 h 05" {
		t.Errorf("DateTime FR = %q", got)
	}
	if got := DateTime(EN, at); got != "12 March 2026 at 14:05" {
		t.Errorf("DateTime EN = %q", got)
	}
	if got := Date(FR, time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)); got != "1er mars 2026" {
		t.Errorf("Date FR = %q", got)
	}
	now := at.Add(3*time.Hour + 10*time.Minute)
	if got := Ago(FR, now, at); got != "il y a 3 heures" {
		t.Errorf("Ago FR = %q", got)
	}
	if got := Ago(EN, now, at); got != "3 hours ago" {
		t.Errorf("Ago EN = %q", got)
	}
	if got := Ago(FR, at.Add(90*time.Second), at); got != "il y a 1 minute" {
		t.Errorf("Ago FR minute = %q", got)
	}
	if got := Ago(FR, at.Add(10*24*time.Hour), at); got != "12 mars 2026 à 14 h 05" {
		t.Errorf("Ago past a week = %q", got)
	}
}
