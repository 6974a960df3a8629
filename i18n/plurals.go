package i18n

func init() { registerPlurals(plurals) }

// plurals are the messages whose words follow a count, with their forms
// in each language; the count's position selects the form (CLDR rules:
// in French 0 and 1 are singular, in English only 1).
var plurals = []Plural{
	{Key: "Modération : %d message(s) en attente", Arg: 1,
		FR: Forms{"Modération : %d message en attente", "Modération : %d messages en attente"},
		EN: Forms{"Moderation: %d post pending", "Moderation: %d posts pending"}},
	{Key: "%d message(s) attendent une décision depuis plus de %d heures :", Arg: 1,
		FR: Forms{"%d message attend une décision depuis plus de %d heures :", "%d messages attendent une décision depuis plus de %d heures :"},
		EN: Forms{"%d post has been awaiting a decision for more than %d hours:", "%d posts have been awaiting a decision for more than %d hours:"}},
	{Key: "… et %d autre(s) message(s)", Arg: 1,
		FR: Forms{"… et %d autre message", "… et %d autres messages"},
		EN: Forms{"… and %d other post", "… and %d other posts"}},
	{Key: "… et %d autre(s) fil(s) sur le forum.", Arg: 1,
		FR: Forms{"… et %d autre fil sur le forum.", "… et %d autres fils sur le forum."},
		EN: Forms{"… and %d other thread on the forum.", "… and %d other threads on the forum."}},
	{Key: "Le refus ne peut plus être annulé (délai de %d minutes dépassé ou message déjà traité).", Arg: 1,
		FR: Forms{"Le refus ne peut plus être annulé (délai de %d minute dépassé ou message déjà traité).",
			"Le refus ne peut plus être annulé (délai de %d minutes dépassé ou message déjà traité)."},
		EN: Forms{"The rejection can no longer be undone (%d-minute delay passed or post already handled).",
			"The rejection can no longer be undone (%d-minute delay passed or post already handled)."}},
}
