package i18n

func init() { register(enAdmin) }

// enAdmin translates the admin area: dashboard, members, navigation and
// the sent-mail viewer.
var enAdmin = map[string]string{
	// Navigation.
	"Administration et modération": "Administration and moderation",
	"Tableau de bord":              "Dashboard",
	"Membres":                      "Members",

	// Dashboard.
	"Messages en attente":                   "Pending posts",
	"Messages publiés ces 7 derniers jours": "Posts published in the last 7 days",
	"Modérateurs":                           "Moderators",
	"Administrateurs":                       "Administrators",
	"Actifs":                                "Active",
	"Suspendus":                             "Suspended",
	"Comptes supprimés":                     "Deleted accounts",
	"Invitations en attente":                "Pending invitations",
	"Envois de courriels":                   "Outgoing mail",
	"Résumés à envoyer":                     "Digests to send",
	"Résumés en cours d'envoi":              "Digests being sent",
	"Résumés en nouvel essai":               "Digests being retried",
	"Échecs d'envoi (7 derniers jours)":     "Delivery failures (last 7 days)",
	"Courriels conservés":                   "Mail files kept",

	// Members page.
	"Administration : membres":          "Administration: members",
	"Filtrer les membres":               "Filter members",
	"Nom ou adresse":                    "Name or address",
	"Tous les rôles":                    "All roles",
	"Tous les comptes":                  "All accounts",
	"Invitations non utilisées":         "Unused invitations",
	"Lien":                              "Link",
	"Actions":                           "Actions",
	"expiré":                            "expired",
	"valable jusqu'au %s":               "valid until %s",
	"Renvoyer":                          "Resend",
	"Révoquer":                          "Revoke",
	"l'invitation de %s":                "the invitation of %s",
	"Aucune invitation en attente.":     "No pending invitation.",
	"Membres, par adresse électronique": "Members, by email address",
	"page %d":                           "page %d",
	"Rôle de %s":                        "Role of %s",
	"Changer":                           "Change",
	"le rôle de %s":                     "the role of %s",
	"supprimé":                          "deleted",
	"de %s":                             "of %s",
	"Durée de la suspension de %s":      "Length of the suspension of %s",
	"Raison de la suspension de %s":     "Reason for suspending %s",
	"Raison (transmise au membre)":      "Reason (sent to the member)",
	"Suspendre":                         "Suspend",
	"Pagination des membres":            "Members pages",
	"Aucun membre ne correspond à ce filtre.":    "No member matches this filter.",
	"Pour renvoyer ou révoquer une invitation :": "To resend or revoke an invitation:",
	"invitations en attente":                     "pending invitations",

	// Notices after the actions.
	"Le rôle est changé.":            "The role is changed.",
	"La suspension est enregistrée.": "The suspension is recorded.",
	"L'invitation est renvoyée avec un nouveau lien ; l'ancien ne fonctionne plus.": "The invitation is sent again with a new link; the old one no longer works.",
	"L'invitation est révoquée : son lien ne fonctionne plus.":                      "The invitation is revoked: its link no longer works.",
	"La suspension est levée.": "The suspension is lifted.",
	"Le membre est suspendu.":  "The member is suspended.",

	// Refusals.
	"La recherche compte %d caractères au plus.":                                                     "The search is at most %d characters long.",
	"L'état est active, suspended, invited ou deleted.":                                              "The status is active, suspended, invited or deleted.",
	"Numéro de page invalide.":                                                                       "Invalid page number.",
	"Le forum doit garder au moins un administrateur : nommez-en un autre avant de changer ce rôle.": "The forum must keep at least one admin: appoint another one before changing this role.",
	"Cette invitation a déjà servi ou a été révoquée.":                                               "This invitation was already used or was revoked.",

	// Sent mail viewer.
	"Courriel envoyé":                    "Sent message",
	"Retour aux courriels envoyés":       "Back to sent mail",
	"Télécharger le fichier brut (.eml)": "Download the raw file (.eml)",
	"%d octets":                          "%d bytes",
	"Ce courriel n'a pas pu être décodé : téléchargez le fichier brut.": "This message could not be decoded: download the raw file.",
	"En-têtes":     "Headers",
	"Texte":        "Text",
	"Version HTML": "HTML version",
	"Affichée dans un cadre isolé : aucun script ne s'exécute et aucune image distante n'est chargée.": "Shown in an isolated frame: no script runs and no remote image is loaded.",
	"Version HTML du courriel": "HTML version of the message",
	"Autres parties":           "Other parts",
}
