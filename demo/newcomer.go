package demo

import (
	"context"
	"fmt"

	"coterforum/forum"
)

// SeedNewcomer adds a member who has just joined and whose first thread
// waits in the moderation queue, so that the moderator account has something
// to decide. Call it once the moderation rules are installed, after Seed.
func SeedNewcomer(ctx context.Context, svc *forum.Service) (Credential, error) {
	pw, err := newPassword()
	if err != nil {
		return Credential{}, err
	}
	m, err := svc.CreateMember(ctx, forum.NewMember{Email: "lucas.ferrand@demo.coterforum.fr", DisplayName: "Lucas Ferrand",
		Authority: "Ville de Saint-Amand-les-Eaux", AuthorityType: "commune", Role: forum.RoleMember, Password: pw})
	if err != nil {
		return Credential{}, fmt.Errorf("compte du nouveau membre : %w", err)
	}
	_, p, err := svc.CreateThread(ctx, m, forum.NewThreadInput{Theme: "reseaux", AuthorityTypes: []string{"commune"},
		Title: "Passage à la téléphonie IP dans une commune de 16 000 habitants",
		Body: md(`Bonjour à tous,

Nouvel arrivant au club : nous quittons notre autocommutateur (fin de support en juin) pour de la **téléphonie IP**.

- 180 postes répartis sur 9 sites ;
- liens fibre vers 6 sites, ADSL ailleurs ;
- accueil téléphonique mutualisé avec le CCAS.

Avez-vous choisi une solution hébergée ou un IPBX sur site ? Quels pièges sur la qualité de service ?`)})
	if err != nil {
		return Credential{}, fmt.Errorf("fil du nouveau membre : %w", err)
	}
	if p.Status != forum.PostPending {
		return Credential{}, fmt.Errorf("le fil du nouveau membre devrait attendre la modération (statut %s)", p.Status)
	}
	return Credential{Role: m.Role, Name: m.DisplayName + " (nouveau, message en attente)", Authority: m.Authority,
		Email: m.Email, Password: pw}, nil
}
