package i18n

func init() { register(enSearch2) }

// enSearch2 translates the search grouped by thread (issue 12).
var enSearch2 = map[string]string{
	"Un mot de la recherche est très courant : seuls ses 5 000 emplois les plus récents ont été examinés. Ajoutez un mot plus précis.": "A word of the search is very common: only its 5,000 most recent uses were looked at. Add a more precise word.",
	"discussion":  "discussion",
	"discussions": "discussions",
	"Aucun fil publié ne contient tous ces mots dans son titre et ses messages.":                                        "No published thread has all these words in its title and posts.",
	"Tous les mots doivent figurer dans le fil : son titre ou ses messages ; les accents et les pluriels sont ignorés.": "Every word must be in the thread: its title or its posts; accents and plurals are ignored.",
}
