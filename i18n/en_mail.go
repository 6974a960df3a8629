package i18n

func init() { register(enMail) }

// enMail translates the mails: moderation decisions and reminders, digests,
// thread notifications, subscription confirmations and invitations.
var enMail = map[string]string{
	"- %s, le %s": "- %s, %s",
	// Shared.
	"Bonjour,":                   "Hello,",
	"Bonjour %s,":                "Hello %s,",
	"Gérer vos abonnements":      "Manage your subscriptions",
	"Gérer vos abonnements : %s": "Manage your subscriptions: %s",

	// Moderation decisions (moderation/notify.go).
	"Publié : %s":                "Published: %s",
	"Non publié : %s":            "Not published: %s",
	"Masqué : %s":                "Hidden: %s",
	"De nouveau en attente : %s": "Back in review: %s",
	"Le refus de votre message dans « %s » a été annulé : il attend de nouveau la décision de la modération.":     "The rejection of your post in “%s” was undone: it is awaiting the moderators' decision again.",
	"Le refus de votre nouveau fil dans « %s » a été annulé : il attend de nouveau la décision de la modération.": "The rejection of your new thread in “%s” was undone: it is awaiting the moderators' decision again.",
	"Votre message dans « %s » a été approuvé par la modération et est maintenant publié :":                       "Your post in “%s” was approved by the moderators and is now published:",
	"Votre nouveau fil dans « %s » a été approuvé par la modération et est maintenant publié :":                   "Your new thread in “%s” was approved by the moderators and is now published:",
	"Votre message dans « %s » n'a pas été publié par la modération.":                                             "Your post in “%s” was not published by the moderators.",
	"Votre nouveau fil dans « %s » n'a pas été publié par la modération.":                                         "Your new thread in “%s” was not published by the moderators.",
	"Votre message dans « %s » a été masqué par la modération.":                                                   "Your post in “%s” was hidden by the moderators.",
	"Votre nouveau fil dans « %s » a été masqué par la modération.":                                               "Your new thread in “%s” was hidden by the moderators.",
	"Raison : %s": "Reason: %s",
	"Vous pouvez le reprendre et le proposer à nouveau. Votre texte :": "You may rework it and submit it again. Your text:",
	"Vos notifications : %s": "Your notifications: %s",

	// Moderation reminders (moderation/reminder.go).
	"La file de modération : %s": "The moderation queue: %s",

	// Digests (digest/render.go).
	"Voici ce qui a été publié dans ce que vous suivez sur coterforum.":                    "Here is what was published in what you follow on coterforum.",
	"Vous recevez ce résumé hebdomadaire parce que vous suivez ces sujets sur coterforum.": "You receive this weekly digest because you follow these topics on coterforum.",
	"Vous recevez ce résumé quotidien parce que vous suivez ces sujets sur coterforum.":    "You receive this daily digest because you follow these topics on coterforum.",
	"coterforum — votre sélection de la semaine, %s : %s":                                  "coterforum — your selection of the week, %s: %s",
	"coterforum — votre sélection du %s : %s":                                              "coterforum — your selection of %s: %s",
	"fil":                          "thread",
	"fils":                         "threads",
	"réponse":                      "reply",
	"réponses":                     "replies",
	"nouveau message":              "new post",
	"nouveaux messages":            "new posts",
	"autre message":                "other post",
	"autres messages":              "other posts",
	"autre fil":                    "other thread",
	"autres fils":                  "other threads",
	"Nouveau fil, %s":              "New thread, %s",
	"lancé par %s":                 "started by %s",
	"fil lancé par %s":             "thread started by %s",
	"Lire":                         "Read",
	"… et %s : %s":                 "… and %s: %s",
	"… et %s sur le forum.":        "… and %s on the forum.",
	"Vous désabonner de tout":      "Unsubscribe from everything",
	"Vous désabonner de tout : %s": "Unsubscribe from everything: %s",

	// Thread notifications (digest/immediate.go).
	"coterforum — nouvelle réponse : %s":      "coterforum — new reply: %s",
	"Nouvelle réponse : %s":                   "New reply: %s",
	"%s a répondu le %s dans le fil « %s » :": "%s replied on %s in the thread “%s”:",
	"%s a répondu le %s dans le fil":          "%s replied on %s in the thread",
	"Lire : %s":                               "Read: %s",
	"Lire la réponse":                         "Read the reply",
	"Vous recevez ce message parce que vous suivez ce fil à chaque réponse.": "You receive this message because you follow this thread on every reply.",
	"Ne plus suivre ce fil":      "Stop following this thread",
	"Ne plus suivre ce fil : %s": "Stop following this thread: %s",

	// Subscription confirmation (digest/immediate.go) and labels (digest/build.go).
	"coterforum — confirmez votre abonnement": "coterforum — confirm your subscription",
	"Quelqu'un, sans doute vous, a demandé à recevoir à cette adresse des nouvelles de coterforum, le forum des DSI des collectivités territoriales :": "Someone, probably you, asked to receive news from coterforum, the forum of IT directors of French local authorities, at this address:",
	"Pour confirmer, ouvrez ce lien (valable %d jours) :":                                                  "To confirm, open this link (valid for %d days):",
	"Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : vous ne recevrez rien d'autre.": "If you did not ask for this, ignore this message: you will receive nothing else.",
	"quotidien":                    "daily",
	"hebdomadaire":                 "weekly",
	"à chaque réponse":             "on every reply",
	"Thème « %s »":                 "Theme “%s”",
	"Collectivités : %s":           "Authorities: %s",
	"Fil « %s »":                   "Thread “%s”",
	"Un fil qui n'est plus publié": "A thread that is no longer published",

	// Invitations (server/pages_account.go, templates/admin_invites.html).
	"Invitation à rejoindre coterforum": "Invitation to join coterforum",
	"%s (%s) vous invite à rejoindre coterforum, le forum des directeurs des systèmes d'information des collectivités territoriales.": "%s (%s) invites you to join coterforum, the forum of IT directors of French local authorities.",
	"Pour créer votre compte, ouvrez ce lien (valable 7 jours, utilisable une seule fois) :":                                          "To create your account, open this link (valid for 7 days, usable once):",
	"Si vous ne vous attendiez pas à cette invitation, ignorez ce message.":                                                           "If you were not expecting this invitation, ignore this message.",
	"Langue du courriel d'invitation": "Language of the invitation email",
}
