package i18n

func init() { register(enRead) }

// enRead translates the reading pages: home, listings, thread, and the
// seeded themes' descriptions and the listings' headings.
var enRead = map[string]string{
	"Aucun fil pour l'instant.":          "No threads yet.",
	"Citer":                              "Quote",
	"Collectivités :":                    "Authorities:",
	"Connectez-vous pour répondre.":      "Log in to reply.",
	"Décider dans la file de modération": "Decide in the moderation queue",
	"Déplacer ou reclasser le fil":       "Move or reclassify the thread",
	"Désépingler":                        "Unpin",
	"Déverrouiller":                      "Unlock",
	"En attente de modération : visible des modérateurs et de son auteur seulement.": "Awaiting moderation: visible to the moderators and its author only.",
	"En attente de modération : vous seul et les modérateurs voyez ce message.":      "Awaiting moderation: only you and the moderators see this post.",
	"En attente de modération":              "Awaiting moderation",
	"Fils récents":                          "Recent threads",
	"Fils":                                  "Threads",
	"Lancer le premier":                     "Start the first one",
	"Lien permanent vers ce message":        "Permanent link to this post",
	"Message masqué par la modération":      "Post hidden by the moderators",
	"Message refusé par la modération":      "Post rejected by the moderators",
	"Modifier":                              "Edit",
	"Modération du fil":                     "Thread moderation",
	"Non publié":                            "Not published",
	"Nouveau fil dans ce thème":             "New thread in this theme",
	"Page %d":                               "Page %d",
	"Pages du fil":                          "Pages of the thread",
	"Pagination":                            "Pagination",
	"Par type de collectivité":              "By authority type",
	"Raison (facultative, pour le journal)": "Reason (optional, for the log)",
	"Raison du masquage":                    "Reason for hiding",
	"Rétablir":                              "Restore",
	"Signaler":                              "Report",
	"Thème :":                               "Theme:",
	"Verrouiller":                           "Lock",
	"Verrouillé":                            "Locked",
	"ce message":                            "this post",
	"dernière activité":                     "last activity",
	"le message de %s":                      "the post by %s",
	"le message du %s":                      "the post of %s",
	"modifié le":                            "edited on",
	"par":                                   "by",
	"Épingler":                              "Pin",
	"Épinglé":                               "Pinned",

	"« %s »": "“%s”",
	"les %s": "%s",

	"Désabonnement":   "Unsubscribing",
	"membre supprimé": "deleted member",

	// Listing headings and introductions (server/pages_read.go).
	"Derniers fils":               "Latest threads",
	"Derniers fils de discussion": "Latest discussion threads",
	"%s : tous les thèmes":        "%s: all themes",
	"Les fils qui concernent les %s, tous thèmes confondus.": "Threads about %s, all themes together.",

	// The seeded themes' descriptions (admins may rewrite them; a rewritten
	// description shows in French).
	"Réseaux locaux et étendus, fibre, Wi-Fi public, sécurité des infrastructures.":  "Local and wide area networks, fibre, public Wi-Fi, infrastructure security.",
	"Sites des collectivités, démarches en ligne, portails citoyens et usagers.":     "Authorities' websites, online procedures, citizen and user portals.",
	"Relation usagers, téléphonie, outils de gestion des demandes.":                  "Citizen relations, telephony, request management tools.",
	"Systèmes d'information géographique, cadastre, données ouvertes géolocalisées.": "Geographic information systems, land registry, geolocated open data.",
	"Logiciels d'état civil, listes électorales, répertoire électoral unique.":       "Civil registry software, electoral rolls, the single electoral register.",
	"Marchés publics informatiques, groupements de commandes, centrales d'achat.":    "IT public procurement, joint purchasing, central purchasing bodies.",
}
