// Package demo fills an empty forum with believable French sample content
// (accounts, threads and replies) so that the forum can be tried at once
// with "coterforum serve --demo".
//
// Everything goes through the domain service (CreateMember, CreateThread,
// Reply), so the sample posts pass the same validation and Markdown pipeline
// as real ones.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"coterforum/forum"
)

// CredentialsFile is the name, in the data directory, of the file where the
// demo credentials may be saved with SaveCredentials.
const CredentialsFile = "demo-identifiants.txt"

// Credential is a demo account's login, printed once.
type Credential struct {
	Role      string // forum.RoleAdmin, forum.RoleModerator or forum.RoleMember
	Name      string // display name
	Authority string // name of the member's local authority
	Email     string
	Password  string
}

// Seed fills an EMPTY forum (no member yet: svc.Store().CountMembers) with
// believable French sample content and returns the accounts' credentials; on
// a forum that already has members it does nothing and returns (nil, nil).
// The themes and authority types must already exist (svc.SeedTaxonomy).
// Passwords are random, drawn anew at each call.
func Seed(ctx context.Context, svc *forum.Service) ([]Credential, error) {
	n, err := svc.Store().CountMembers(ctx)
	if err != nil {
		return nil, fmt.Errorf("comptage des membres : %w", err)
	}
	if n > 0 {
		return nil, nil
	}

	// The sample conversations are spread over the last weeks, as in a
	// living forum: a service on the same store, with a clock of its own.
	clock := &pastClock{t: svc.Now().Add(-18 * 24 * time.Hour)}
	svc = forum.New(svc.Store(), slog.New(slog.DiscardHandler), clock.now)

	members := make(map[string]*forum.Member, len(accounts))
	creds := make([]Credential, 0, len(accounts))
	for _, a := range accounts {
		pw, err := newPassword()
		if err != nil {
			return nil, err
		}
		m, err := svc.CreateMember(ctx, forum.NewMember{Email: a.Email, DisplayName: a.Name, Authority: a.Authority,
			AuthorityType: a.AuthorityType, Role: a.Role, Password: pw})
		if err != nil {
			return nil, fmt.Errorf("compte %s : %w", a.Email, err)
		}
		members[a.Key] = m
		creds = append(creds, Credential{Role: m.Role, Name: m.DisplayName, Authority: m.Authority, Email: m.Email, Password: pw})
	}

	for _, t := range threads {
		author := members[t.Author]
		if author == nil {
			return nil, fmt.Errorf("fil « %s » : auteur inconnu %q", t.Title, t.Author)
		}
		clock.advance(26 * time.Hour)
		th, _, err := svc.CreateThread(ctx, author, forum.NewThreadInput{Theme: t.Theme, AuthorityTypes: t.Types,
			Title: t.Title, Body: md(t.Body)})
		if err != nil {
			return nil, fmt.Errorf("fil « %s » : %w", t.Title, err)
		}
		for i, r := range t.Replies {
			m := members[r.Author]
			if m == nil {
				return nil, fmt.Errorf("fil « %s », réponse %d : auteur inconnu %q", t.Title, i+1, r.Author)
			}
			body := md(r.Body)
			if r.Quote != "" {
				quoted := members[r.QuoteOf]
				if quoted == nil {
					quoted = author
				}
				body = quote(quoted.DisplayName, md(r.Quote)) + body
			}
			clock.advance(2*time.Hour + time.Duration(i*37)*time.Minute)
			if _, err := svc.Reply(ctx, m, th.ID, body); err != nil {
				return nil, fmt.Errorf("fil « %s », réponse %d : %w", t.Title, i+1, err)
			}
		}
	}
	return creds, nil
}

// pastClock is the clock of the seeded conversations.
type pastClock struct{ t time.Time }

func (c *pastClock) now() time.Time          { return c.t }
func (c *pastClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// quote returns Markdown quoting text by name, in the form the forum's
// "quote" button produces (forum.Service.QuoteSource).
func quote(name, text string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "> **%s** a écrit :\n", name)
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		b.WriteString("> ")
		b.WriteString(line)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	return b.String()
}

// md turns the content's notation into Markdown: "¦" stands for a backtick,
// which Go raw strings cannot hold; surrounding blank lines are dropped.
func md(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "¦", "`"))
}

// passwordAlphabet has 32 symbols that cannot be mistaken for one another
// (no 0/o, no 1/l), so that one random byte gives one symbol without bias.
const passwordAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// passwordLength gives 80 bits of entropy.
const passwordLength = 16

// newPassword returns a random, readable password.
func newPassword() (string, error) {
	b := make([]byte, passwordLength)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("tirage d'un mot de passe : %w", err)
	}
	for i := range b {
		b[i] = passwordAlphabet[int(b[i])%len(passwordAlphabet)]
	}
	return string(b), nil
}

// roleName returns the French name of a role.
func roleName(role string) string {
	switch role {
	case forum.RoleAdmin:
		return "Administration"
	case forum.RoleModerator:
		return "Modération"
	}
	return "Membre"
}

// Print writes the credentials (or, when nil, one line saying the demo
// content already exists and where its passwords were saved) in French,
// with the forum URL.
func Print(w io.Writer, creds []Credential, baseURL string) {
	if creds == nil {
		fmt.Fprintf(w, "Le contenu de démonstration existe déjà sur %s : ses mots de passe ont été affichés au premier démarrage et enregistrés dans le fichier %s du répertoire de données.\n",
			baseURL, CredentialsFile)
		return
	}
	fmt.Fprintf(w, "Contenu de démonstration créé : %s\n", baseURL)
	fmt.Fprintf(w, "Comptes de démonstration (notez les mots de passe, ils ne seront plus affichés) :\n")
	for _, c := range creds {
		fmt.Fprintf(w, "\n  %s — %s (%s)\n", roleName(c.Role), c.Name, c.Authority)
		fmt.Fprintf(w, "    adresse      : %s\n", c.Email)
		fmt.Fprintf(w, "    mot de passe : %s\n", c.Password)
	}
	fmt.Fprintf(w, "\nConnexion : %s/login\n", strings.TrimRight(baseURL, "/"))
}

// SaveCredentials writes the credentials as Print shows them to
// CredentialsFile in dataDir, readable by the owner only. It does nothing
// when creds is nil (the demo content already existed).
func SaveCredentials(dataDir string, creds []Credential, baseURL string) error {
	if creds == nil {
		return nil
	}
	var b strings.Builder
	Print(&b, creds, baseURL)
	path := filepath.Join(dataDir, CredentialsFile)
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("enregistrement des identifiants de démonstration : %w", err)
	}
	// WriteFile keeps the mode of an existing file.
	return os.Chmod(path, 0o600)
}
