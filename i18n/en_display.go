package i18n

func init() { register(enDisplay) }

// enDisplay translates what is rendered at display time rather than
// stored (labels of deleted members and removed posts, task-list boxes) and
// the messages built from keys and arguments at the edge.
var enDisplay = map[string]string{
	"Message supprimé à la demande de son auteur.": "Post removed at its author's request.",
	"tâche faite":   "task done",
	"tâche à faire": "task to do",

	"Cochez au moins un élément de la file.":                                                    "Tick at least one item of the queue.",
	"Trop d'éléments sélectionnés.":                                                             "Too many items selected.",
	"Éléments traités : %d ; non traités : %d. %s":                                              "Items handled: %d; not handled: %d. %s",
	"Ce lien est invalide ou a expiré. Vérifiez qu'il est complet, ou abonnez-vous de nouveau.": "This link is invalid or has expired. Check that it is complete, or subscribe again.",
}
