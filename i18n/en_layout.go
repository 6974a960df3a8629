package i18n

func init() { register(enLayout) }

// enLayout translates the phone-first layout: the header's menu, the
// listings' tools and reply counts, the posts' numbers.
var enLayout = map[string]string{
	"Menu":               "Menu",
	"Rechercher…":        "Search…",
	"Filtrer et suivre":  "Filter and follow",
	"dernier message de": "last post by",
	"publié par":         "posted by",
	"(lien permanent)":   "(permanent link)",
	"Suivre ce fil":      "Follow this thread",
}
