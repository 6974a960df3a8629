// Package templates embeds the HTML templates of the pages.
package templates

import "embed"

// FS holds every template file.
//
//go:embed *.html partials/*.html
var FS embed.FS
