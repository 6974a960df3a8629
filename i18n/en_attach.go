package i18n

func init() { register(enAttach) }

// enAttach translates attachments: the file field, the list under a post
// and the messages of refused uploads.
var enAttach = map[string]string{
	"Vous avez déjà %d fichiers envoyés qui ne sont joints à aucun message : publiez-les, ou attendez un jour qu'ils soient effacés.": "You already have %d uploaded files joined to no post: publish them, or wait a day for them to be deleted.",
	"Le fichier n'est pas arrivé en entier : envoyez-le à nouveau.":                                                                   "The file did not arrive whole: send it again.",
	"Pièces jointes":                                   "Attachments",
	"Pièces jointes du message :":                      "Attachments of the post:",
	"Fichiers déjà envoyés, joints à la publication :": "Files already sent, attached when you publish:",
	"(%d fichiers au plus, %d Mo chacun)":              "(at most %d files, %d MB each)",
	"PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG ou WebP. Les métadonnées des photos (position GPS, auteur) sont retirées.": "PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG or WebP. Photo metadata (GPS position, author) is removed.",
	"Fichier trop volumineux : %d Mo au plus.":                                                            "File too large: %d MB at most.",
	"Fichier trop volumineux : %d Mo au plus par fichier, %d fichiers par message.":                       "File too large: at most %d MB a file, %d files a post.",
	"Type de fichier refusé (%s) : seuls les PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG et WebP sont acceptés.": "File type refused (%s): only PDF, ODT, ODS, DOCX, XLSX, PNG, JPEG and WebP files are accepted.",
	"Le fichier est vide.":                        "The file is empty.",
	"Le fichier est illisible ou abîmé.":          "The file is unreadable or damaged.",
	"Un message porte %d pièces jointes au plus.": "A post carries at most %d attachments.",
	"Pièce jointe inconnue ou déjà jointe à un message : envoyez le fichier à nouveau.": "Unknown attachment, or already attached to a post: send the file again.",
	"Envoyez le fichier en multipart/form-data, dans le champ « file ».":                "Send the file as multipart/form-data, in the field “file”.",
	"Le corps multipart est illisible.":                                                 "The multipart body is unreadable.",
	"Aucun fichier dans le champ « file ».":                                             "No file in the field “file”.",
}
