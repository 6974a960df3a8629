package i18n

func init() { register(enSearch) }

// enSearch translates the search form, its results and its messages.
var enSearch = map[string]string{
	// Header and page.
	"Rechercher":               "Search",
	"Rechercher dans le forum": "Search the forum",
	"Mots à rechercher":        "Words to search for",
	"Recherche : %s":           "Search: %s",
	"Tous les mots doivent figurer dans le message ou le titre du fil ; les accents et les pluriels sont ignorés.": "Every word must be in the post or in the thread's title; accents and plurals are ignored.",
	"Thème":                    "Theme",
	"Tous les thèmes":          "All themes",
	"Type de collectivité":     "Authority type",
	"Tous les types":           "All types",
	"Du":                       "From",
	"Au":                       "To",
	"Précisez votre recherche": "Please refine your search",
	"Votre recherche ne contient que des mots trop courants (le, de, pour…) : ajoutez un mot plus précis, par exemple « téléphonie » ou « SIG ».": "Your search only has very common words (the, of, for…): add a more precise word, for example “telephony” or “GIS”.",
	"Résultats": "Results",
	"Seuls les 10 premiers mots de la recherche ont été pris en compte.": "Only the first 10 words of the search were used.",
	"Aucun message publié ne contient tous ces mots.":                    "No published post contains all these words.",
	"Pages de résultats": "Result pages",
	"Page précédente":    "Previous page",
	"Page %d":            "Page %d",
	"Page suivante":      "Next page",

	// Messages.
	"La recherche est trop longue : 200 caractères au plus.": "The search is too long: 200 characters at most.",
	"Date invalide : écrivez-la sous la forme AAAA-MM-JJ.":   "Invalid date: write it as YYYY-MM-DD.",
	"La date de début doit précéder la date de fin.":         "The start date must come before the end date.",
	"Auteur inconnu.": "Unknown author.",
	"Précisez votre recherche : elle ne contient aucun mot significatif.": "Please refine your search: it has no meaningful word.",
}
