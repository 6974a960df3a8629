package main

import (
	"math"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"coterforum/server"
)

// errorString is what a parse function says is wrong with a value; the
// empty one says nothing more than the expected form.
type errorString string

func (e errorString) Error() string { return string(e) }

// Bounds of FORUM_REMIND_AFTER: the reminder job runs every 15 minutes.
const (
	minRemindAfter = time.Minute
	maxRemindAfter = 720 * time.Hour
)

// Bounds of FORUM_MAIL_KEEP: the pruning job runs every hour.
const (
	minMailKeep = time.Hour
	maxMailKeep = 87600 * time.Hour
)

// maxCacheBytes bounds FORUM_CACHE_BYTES (1 Tio): beyond, it is a typo.
const maxCacheBytes = 1 << 40

// checkHostPort accepts host:port with an empty host (every interface), a
// name or an IP address, and a numeric port from 1 to 65535.
func checkHostPort(v string) error {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return errorString("")
	}
	if strings.ContainsAny(host, " /?#@") {
		return errorString("hôte invalide")
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return errorString("port invalide")
	}
	return nil
}

// parseBaseURL checks an absolute http(s) URL without user information,
// query or fragment, and returns it without trailing slashes (links are
// made by appending "/path").
func parseBaseURL(v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return v, errorString("")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return v, errorString("schéma " + u.Scheme + " non pris en charge")
	case u.Host == "" || u.Hostname() == "":
		return v, errorString("hôte manquant")
	case u.User != nil:
		return v, errorString("pas d'identifiants dans l'URL publique")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(v, "?#"):
		return v, errorString("ni ? ni # dans l'URL publique")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return v, errorString("port invalide")
		}
	}
	return strings.TrimRight(v, "/"), nil
}

// checkMongoURI checks the shape of a MongoDB connection string: the
// driver checks the rest when it connects. It never quotes the password.
func checkMongoURI(v string) error {
	if v == "" {
		return nil
	}
	scheme, rest, ok := strings.Cut(v, "://")
	if !ok || (scheme != "mongodb" && scheme != "mongodb+srv") {
		return errorString("schéma non pris en charge")
	}
	authority, _, _ := strings.Cut(rest, "/")
	authority, _, _ = strings.Cut(authority, "?")
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if authority[:at] == "" || strings.HasPrefix(authority[:at], ":") {
			return errorString("nom d'utilisateur manquant")
		}
		authority = authority[at+1:]
	}
	if authority == "" {
		return errorString("hôte manquant")
	}
	hosts := strings.Split(authority, ",")
	if scheme == "mongodb+srv" && (len(hosts) != 1 || strings.Contains(hosts[0], ":")) {
		return errorString("mongodb+srv:// prend un seul nom d'hôte, sans port")
	}
	for _, h := range hosts {
		if h == "" {
			return errorString("hôte vide dans la liste")
		}
		if host, port, err := net.SplitHostPort(h); err == nil {
			if n, err := strconv.Atoi(port); host == "" || err != nil || n < 1 || n > 65535 {
				return errorString("hôte ou port invalide")
			}
		}
	}
	return nil
}

// redactUserinfo replaces the password of a URI's user information by
// "xxxxx" (MONGODB_URI, FORUM_SMTP_URL), even when the URI does not parse.
func redactUserinfo(v string) string {
	scheme, rest, ok := strings.Cut(v, "://")
	if !ok {
		scheme, rest = "", v
	} else {
		scheme += "://"
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		// An '@' after the host part may still belong to a password holding '/'.
		at = strings.LastIndex(rest, "@")
		if at < 0 {
			return v
		}
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return v
	}
	return scheme + user + ":xxxxx" + rest[at:]
}

// checkSMTPURL checks FORUM_SMTP_URL as mail.NewSMTPSender reads it, but
// accepts only starttls=required as a parameter.
func checkSMTPURL(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	if err != nil {
		// The parse error may quote the password: say nothing of it.
		return errorString("URL illisible")
	}
	switch {
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		return errorString("schéma non pris en charge")
	case u.Opaque != "" || u.Hostname() == "":
		return errorString("hôte manquant")
	case u.Path != "" && u.Path != "/":
		return errorString("chemin inattendu")
	case u.Fragment != "":
		return errorString("fragment inattendu")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return errorString("port invalide")
		}
	}
	if u.User != nil && u.User.Username() == "" {
		return errorString("mot de passe sans nom d'utilisateur")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return errorString("paramètres illisibles")
	}
	for key, values := range q {
		if key != "starttls" || len(values) != 1 || values[0] != "required" {
			return errorString("seul le paramètre starttls=required est accepté")
		}
	}
	return nil
}

// parseAddress checks a mail address; withName allows "Name <a@b.org>".
func parseAddress(v string, withName bool) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(v)
	if err != nil {
		return nil, errorString("")
	}
	if !withName && (a.Name != "" || a.Address != v) {
		return nil, errorString("l'adresse seule, sans nom ni chevrons")
	}
	return a, nil
}

// parseIntRange reads a decimal integer from lo to hi.
func parseIntRange(v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errorString("")
	}
	if n < lo || n > hi {
		return 0, errorString("hors limites")
	}
	return n, nil
}

// parseDurationRange reads a Go duration from lo to hi.
func parseDurationRange(v string, lo, hi time.Duration) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, errorString("")
	}
	if d < lo || d > hi {
		return 0, errorString("hors limites")
	}
	return d, nil
}

// parseCIDRs reads comma-separated CIDR blocks; empty items are skipped.
func parseCIDRs(v string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, cidr := range strings.Split(v, ",") {
		if cidr = strings.TrimSpace(cidr); cidr == "" {
			continue
		}
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return nil, errorString(strconv.Quote(cidr) + " n'est pas un bloc CIDR")
		}
		nets = append(nets, n)
	}
	return nets, nil
}

// byteUnits are the suffixes FORUM_CACHE_BYTES accepts (binary multiples,
// in French and English, or none).
var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"Kio", 1 << 10}, {"MiB", 1 << 20}, {"Mio", 1 << 20},
	{"GiB", 1 << 30}, {"Gio", 1 << 30}, {"B", 1}, {"o", 1},
}

// parseBytes reads a non-negative number of bytes, optionally followed by
// a binary unit (64MiB, 64 Mio), up to maxCacheBytes.
func parseBytes(v string) (int64, error) {
	num, mult := v, int64(1)
	for _, u := range byteUnits {
		if s, ok := strings.CutSuffix(v, u.suffix); ok {
			num, mult = strings.TrimSpace(s), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || num == "" || num[0] == '+' {
		return 0, errorString("")
	}
	if n > math.MaxInt64/mult || n*mult > maxCacheBytes {
		return 0, errorString("plus de 1 Tio")
	}
	return n * mult, nil
}

// checkIssuer checks an OpenID Connect issuer: an absolute http(s) URL
// without user information, query or fragment (empty: no ProConnect).
func checkIssuer(v string) error {
	if v == "" {
		return nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || !u.IsAbs() || u.Opaque != "":
		return errorString("")
	case u.Scheme != "https" && u.Scheme != "http":
		return errorString("schéma " + u.Scheme + " non pris en charge")
	case u.Hostname() == "":
		return errorString("hôte manquant")
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return errorString("ni identifiants, ni ? ni # dans l'émetteur")
	}
	return nil
}

// parseDomains reads comma-separated email domains, lower-cased; empty
// items are skipped.
func parseDomains(v string) ([]string, error) {
	var out []string
	for _, d := range strings.Split(v, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if strings.HasPrefix(d, "@") || !strings.Contains(d, ".") || strings.ContainsAny(d, " /@:?#") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
			return nil, errorString(strconv.Quote(d) + " n'est pas un domaine d'adresse (ex. ville-exemple.fr)")
		}
		out = append(out, d)
	}
	return out, nil
}

// checkOIDC refuses a partial ProConnect configuration: the issuer, the
// client id and the secret go together.
func checkOIDC(o server.OIDCConfig) error {
	var missing []string
	var first envVar
	var firstValue string
	for _, kv := range [][2]string{{"FORUM_OIDC_ISSUER", o.Issuer}, {"FORUM_OIDC_CLIENT_ID", o.ClientID}, {"FORUM_OIDC_CLIENT_SECRET", o.ClientSecret}} {
		if kv[1] == "" {
			missing = append(missing, kv[0])
		} else if firstValue == "" {
			first, firstValue = envVarNamed(kv[0]), kv[1]
		}
	}
	if len(missing) == 0 || len(missing) == 3 {
		return nil
	}
	return &configError{Name: first.Name, Value: first.display(firstValue),
		Reason: "configuration ProConnect incomplète : " + strings.Join(missing, " et ") + " manque",
		Form:   "FORUM_OIDC_ISSUER, FORUM_OIDC_CLIENT_ID et FORUM_OIDC_CLIENT_SECRET tous trois, ou aucun"}
}

// envVarNamed returns the definition of a variable of configVars.
func envVarNamed(name string) envVar {
	for _, e := range configVars {
		if e.Name == name {
			return e
		}
	}
	return envVar{Name: name}
}
