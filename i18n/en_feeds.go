package i18n

func init() { register(enFeeds) }

// enFeeds translates the Atom feeds and the unread marks.
var enFeeds = map[string]string{
	// Feeds.
	"Tous les messages": "All posts",
	"Re : %s":           "Re: %s",
	"Flux Atom":         "Atom feed",

	// Unread marks in listings.
	"nouveau":            "new",
	"(messages non lus)": "(unread posts)",
}
