package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode"

	"coterforum/forum"
)

//go:generate go test -run ^TestConfigREADME$ -update-readme .

// envVar defines one setting read from the environment. configVars lists
// them all: loadConfig, `coterforum config` and the README's table
// (TestConfigREADME) come from it.
type envVar struct {
	// Name is the environment variable.
	Name string
	// FR and EN say what it is for, in one line (FR is the README's).
	FR, EN string
	// Default is the value parsed when the variable is unset or empty.
	Default string
	// DocDefault is the README's "défaut" cell (Markdown).
	DocDefault string
	// Form is the expected form, shown after "attendu" when a value is refused.
	Form string
	// Secret masks the whole value in `coterforum config`.
	Secret bool
	// Redact masks a password inside the value (URIs), for display.
	Redact func(string) string
	// Parse stores v (the trimmed value, or Default) into c and returns the
	// effective value, for display. An error says what is wrong with v,
	// or nothing ("") to only show Form.
	Parse func(c *config, v string) (string, error)
}

// display is v as `coterforum config` and error lines show it.
func (e envVar) display(v string) string {
	switch {
	case v == "":
		return ""
	case e.Secret:
		return "xxxxx"
	case e.Redact != nil:
		return e.Redact(v)
	}
	return v
}

// setting is one line of `coterforum config`.
type setting struct {
	Name, Value string
	FromEnv     bool
}

// configError is a refused value: one line naming the variable, the value
// (masked) and the expected form.
type configError struct {
	Name, Value, Reason, Form string
}

func (e *configError) Error() string {
	msg := e.Name + "=" + quoteIfNeeded(e.Value) + " : "
	if e.Reason != "" {
		msg += e.Reason + " ; "
	}
	return msg + "attendu " + e.Form
}

// loadConfig reads and checks every setting of the environment
// (configVars). A refused value is an error naming it.
func loadConfig() (config, error) {
	c, _, err := parseConfig(os.LookupEnv)
	return c, err
}

// parseConfig parses every variable of configVars, in order, from lookup.
func parseConfig(lookup func(string) (string, bool)) (config, []setting, error) {
	var c config
	settings := make([]setting, 0, len(configVars))
	for _, e := range configVars {
		raw, _ := lookup(e.Name)
		v, fromEnv := strings.TrimSpace(raw), true
		if v == "" {
			v, fromEnv = e.Default, false
		}
		eff, err := e.Parse(&c, v)
		if err != nil {
			return c, nil, &configError{Name: e.Name, Value: e.display(v), Reason: err.Error(), Form: e.Form}
		}
		settings = append(settings, setting{Name: e.Name, Value: e.display(eff), FromEnv: fromEnv})
	}
	if c.MetricsAddr != "" && c.MetricsAddr == c.Addr {
		return c, nil, &configError{Name: "FORUM_METRICS_ADDR", Value: c.MetricsAddr,
			Reason: "c'est aussi FORUM_ADDR, le port public", Form: "une autre adresse que FORUM_ADDR (ex. 127.0.0.1:9090)"}
	}
	if err := checkOIDC(c.OIDC); err != nil {
		return c, nil, err
	}
	c.Moderation.BaseURL = c.BaseURL
	return c, settings, nil
}

// unknownVars returns the FORUM_* variables of environ (KEY=VALUE lines)
// that configVars does not define, each with the closest known name when
// it looks like a typo.
func unknownVars(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "FORUM_") || slices.ContainsFunc(configVars, func(e envVar) bool { return e.Name == name }) {
			continue
		}
		msg := "variable " + name + " inconnue, ignorée"
		if near := closestVar(name); near != "" {
			msg += " (vouliez-vous dire " + near + " ?)"
		}
		out = append(out, msg)
	}
	slices.Sort(out)
	return out
}

// closestVar is the defined name within three edits of name, if any.
func closestVar(name string) string {
	best, bestDist := "", 4
	for _, e := range configVars {
		if d := editDistance(name, e.Name); d < bestDist {
			best, bestDist = e.Name, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// printConfig writes the effective configuration, one line per variable:
// NAME=value and where it came from, secrets masked.
func printConfig(w io.Writer, lookup func(string) (string, bool)) error {
	_, settings, err := parseConfig(lookup)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range settings {
		from := "# défaut"
		if s.FromEnv {
			from = "# environnement"
		}
		fmt.Fprintf(tw, "%s=%s\t%s\n", s.Name, quoteIfNeeded(s.Value), from)
	}
	return tw.Flush()
}

// quoteIfNeeded quotes v when it holds spaces, quotes or unprintable
// characters, so that it stays on one line and reads unambiguously.
func quoteIfNeeded(v string) string {
	if strings.ContainsFunc(v, func(r rune) bool { return r == '"' || r == '\'' || unicode.IsSpace(r) || !unicode.IsPrint(r) }) {
		return strconv.Quote(v)
	}
	return v
}

// configVars is every setting read from the environment, in the README's
// order. Parse functions may use the fields set by those before them.
var configVars = []envVar{
	{Name: "FORUM_ADDR", FR: "adresse d'écoute HTTP", EN: "HTTP listen address",
		Default: ":8080", DocDefault: "`:8080`", Form: "hôte:port (ex. :8080 ou 127.0.0.1:8080)",
		Parse: func(c *config, v string) (string, error) { c.Addr = v; return v, checkHostPort(v) }},
	{Name: "FORUM_BASE_URL", FR: "URL publique absolue (liens des courriels)",
		EN: "public absolute URL (links in mail and feeds)", DocDefault: "`http://localhost:<port>`",
		Form: "une URL absolue http(s)://hôte[:port][/chemin], sans ? ni # (ex. https://forum.example.org)",
		Parse: func(c *config, v string) (string, error) {
			if v == "" {
				v = "http://localhost:" + c.Addr[strings.LastIndex(c.Addr, ":")+1:]
			}
			u, err := parseBaseURL(v)
			c.BaseURL = u
			return u, err
		}},
	{Name: "FORUM_DATA_DIR", FR: "base intégrée (`coterforum.db`), verrou, courriels `.eml`",
		EN: "embedded store (coterforum.db), lock, .eml mail", Default: "./data", DocDefault: "`./data`",
		Form: "un chemin de dossier",
		Parse: func(c *config, v string) (string, error) {
			c.DataDir = v
			if strings.ContainsRune(v, 0) {
				return v, errorString("caractère NUL")
			}
			return v, nil
		}},
	{Name: "MONGODB_URI", FR: "utiliser ce MongoDB (replica set, Atlas) au lieu de la base intégrée",
		EN: "use this MongoDB (replica set, Atlas) instead of the embedded store", DocDefault: "—",
		Form:   "mongodb://[utilisateur:mot-de-passe@]hôte[:port][,hôte…][/][?options] ou mongodb+srv://…",
		Redact: redactUserinfo,
		Parse:  func(c *config, v string) (string, error) { c.MongoURI = v; return v, checkMongoURI(v) }},
	{Name: "MONGODB_DATABASE", FR: "nom de la base sur `MONGODB_URI`", EN: "database name on MONGODB_URI",
		Default: "coterforum", DocDefault: "`coterforum`", Form: "un nom de base MongoDB (1 à 63 octets, sans / \\ . espace \" $)",
		Parse: func(c *config, v string) (string, error) {
			c.MongoDB = v
			if len(v) > 63 || strings.ContainsAny(v, "/\\. \"$\x00") {
				return v, errorString("")
			}
			return v, nil
		}},
	{Name: "FORUM_SMTP_URL", FR: "`smtp://[user:pass@]hôte:port` (STARTTLS si proposé), `smtps://…` (TLS implicite), `?starttls=required`",
		EN:         "SMTP relay: smtp:// (STARTTLS when offered), smtps:// (implicit TLS), ?starttls=required",
		DocDefault: "courriels écrits en `.eml` sous `data/mail`",
		Form:       "smtp://[utilisateur:mot-de-passe@]hôte[:port][?starttls=required] ou smtps://… (port 25 et 465 par défaut)",
		Redact:     redactUserinfo,
		Parse:      func(c *config, v string) (string, error) { c.SMTPURL = v; return v, checkSMTPURL(v) }},
	{Name: "FORUM_MAIL_FROM", FR: "expéditeur", EN: "sender of the forum's mail",
		Default: "coterforum <ne-pas-repondre@coterforum.localhost>", DocDefault: "`coterforum <ne-pas-repondre@coterforum.localhost>`",
		Form: "une adresse « nom <adresse@exemple.org> » ou « adresse@exemple.org »",
		Parse: func(c *config, v string) (string, error) {
			c.MailFrom = v
			_, err := parseAddress(v, true)
			return v, err
		}},
	{Name: "FORUM_MAIL_KEEP", FR: "durée de conservation des courriels écrits en `.eml` sous `data/mail` (durée Go) ; ceux d'un compte supprimé partent avec lui",
		EN: "how long the .eml files under data/mail are kept (Go duration); a deleted account's go with it", Default: "720h", DocDefault: "`720h` (30 jours)",
		Form: "une durée Go de 1h à 87600h (ex. 720h pour 30 jours)",
		Parse: func(c *config, v string) (string, error) {
			d, err := parseDurationRange(v, minMailKeep, maxMailKeep)
			c.MailKeep = d
			return v, err
		}},
	{Name: "FORUM_TRUST_AFTER", FR: "messages approuvés avant qu'un membre publie sans modération",
		EN: "approved posts before a member publishes without moderation", Default: "3", DocDefault: "`3`",
		Form: "un entier de 1 à 1000",
		Parse: func(c *config, v string) (string, error) {
			n, err := parseIntRange(v, 1, 1000)
			c.Moderation.TrustAfter = n
			return v, err
		}},
	{Name: "FORUM_REPORTS_TO_HIDE", FR: "signalements (de membres distincts) qui masquent un message en attendant l'examen",
		EN: "reports (by distinct members) that hide a post until it is reviewed", Default: "3", DocDefault: "`3`",
		Form: "un entier de 1 à 1000",
		Parse: func(c *config, v string) (string, error) {
			n, err := parseIntRange(v, 1, 1000)
			c.Moderation.ReportsToHide = n
			return v, err
		}},
	{Name: "FORUM_TRUSTED_PROXIES", FR: "proxys inverses (CIDR, séparés par des virgules) dont on croit `X-Forwarded-For`",
		EN: "reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For is trusted", DocDefault: "—",
		Form: "des blocs CIDR séparés par des virgules (ex. 10.0.0.0/8,192.168.1.10/32)",
		Parse: func(c *config, v string) (string, error) {
			nets, err := parseCIDRs(v)
			c.TrustedProxies = nets
			return v, err
		}},
	{Name: "FORUM_REMIND_AFTER", FR: "délai avant un rappel aux modérateurs pour un message en attente (durée Go)",
		EN: "delay before moderators are reminded of a pending post (Go duration)", Default: "24h", DocDefault: "`24h`",
		Form: "une durée Go de 1m à 720h (ex. 24h, 90m)",
		Parse: func(c *config, v string) (string, error) {
			d, err := parseDurationRange(v, minRemindAfter, maxRemindAfter)
			c.Moderation.RemindAfter = d
			return v, err
		}},
	{Name: "FORUM_CACHE_BYTES", FR: "taille maximale (octets, ou avec `Kio`/`Mio`/`Gio`, `KiB`/`MiB`/`GiB`) du cache en mémoire des pages et données lues ; `0` le désactive (pour mesurer la base seule)",
		EN:      "bound of the in-memory page and read cache (bytes, or KiB/MiB/GiB); 0 turns it off",
		Default: strconv.Itoa(forum.DefaultCacheBytes), DocDefault: "`67108864` (64 Mio)",
		Form: "un nombre d'octets (ex. 67108864 ou 64MiB ; 0 désactive le cache)",
		Parse: func(c *config, v string) (string, error) {
			n, err := parseBytes(v)
			c.CacheBytes = n
			return strconv.FormatInt(n, 10), err
		}},
	{Name: "FORUM_DELETE_POSTS_POLICY", FR: "messages d'un compte supprimé : `choice` (le membre choisit de les garder anonymisés ou de les effacer) ou `anonymise` (toujours gardés, signés « membre supprimé »)",
		EN:      "posts of a deleted account: choice (the member keeps them anonymised or erases them) or anonymise (always kept)",
		Default: "choice", DocDefault: "`choice`", Form: "choice ou anonymise",
		Parse: func(c *config, v string) (string, error) {
			c.Privacy.DeletePostsPolicy = v
			if v != "choice" && v != "anonymise" {
				return v, errorString("")
			}
			return v, nil
		}},
	{Name: "GOMEMLIMIT", FR: "limite douce de mémoire du runtime Go", EN: "the Go runtime's soft memory limit (read by Go itself)",
		DocDefault: "la taille du cache plus 64 Mio (128 Mio par défaut)", Form: "une taille lue par Go (ex. 512MiB)",
		Parse: func(c *config, v string) (string, error) {
			if v == "" {
				return strconv.FormatInt(c.CacheBytes+memoryHeadroom, 10), nil
			}
			return v, nil // the Go runtime refuses a bad value before main
		}},
	{Name: "FORUM_DPO_EMAIL", FR: "adresse du délégué à la protection des données du club, affichée sur `/confidentialite` et `/accessibilite`",
		EN: "the club's data protection officer, shown on the privacy and accessibility pages", DocDefault: "— (la page le signale)",
		Form: "une adresse électronique seule (ex. dpo@club.example.org)",
		Parse: func(c *config, v string) (string, error) {
			c.Privacy.DPOEmail = v
			if v == "" {
				return v, nil
			}
			_, err := parseAddress(v, false)
			return v, err
		}},
	{Name: "FORUM_METRICS_ADDR", FR: "adresse d'écoute de `GET /metrics` (Prometheus), à part du port public ; vide : pas de métriques",
		EN: "listen address of GET /metrics (Prometheus), apart from the public port; empty: no metrics", DocDefault: "—",
		Form: "hôte:port (ex. 127.0.0.1:9090)",
		Parse: func(c *config, v string) (string, error) {
			c.MetricsAddr = v
			if v == "" {
				return v, nil
			}
			return v, checkHostPort(v)
		}},
	{Name: "FORUM_OIDC_ISSUER", FR: "émetteur OpenID Connect de ProConnect (ex. `https://auth.proconnect.gouv.fr/api/v2`) : avec `FORUM_OIDC_CLIENT_ID` et `FORUM_OIDC_CLIENT_SECRET`, affiche « Se connecter avec ProConnect » ; adresse de retour à déclarer : `FORUM_BASE_URL` + `/login/proconnect/callback`",
		EN: "ProConnect's OpenID Connect issuer: with FORUM_OIDC_CLIENT_ID and FORUM_OIDC_CLIENT_SECRET, shows \"Log in with ProConnect\"; redirect URI: FORUM_BASE_URL + /login/proconnect/callback", DocDefault: "— (pas de ProConnect)",
		Form: "une URL absolue http(s)://hôte[/chemin] (ex. https://auth.proconnect.gouv.fr/api/v2)",
		Parse: func(c *config, v string) (string, error) {
			c.OIDC.Issuer = v
			return v, checkIssuer(v)
		}},
	{Name: "FORUM_OIDC_CLIENT_ID", FR: "identifiant du forum chez ProConnect", EN: "the forum's client id at ProConnect", DocDefault: "—",
		Form: "l'identifiant donné par ProConnect (sans espace)",
		Parse: func(c *config, v string) (string, error) {
			c.OIDC.ClientID = v
			if strings.ContainsFunc(v, unicode.IsSpace) {
				return v, errorString("espace dans l'identifiant")
			}
			return v, nil
		}},
	{Name: "FORUM_OIDC_CLIENT_SECRET", FR: "secret du forum chez ProConnect", EN: "the forum's client secret at ProConnect", DocDefault: "—",
		Form: "le secret donné par ProConnect", Secret: true,
		Parse: func(c *config, v string) (string, error) { c.OIDC.ClientSecret = v; return v, nil }},
	{Name: "FORUM_OIDC_SCOPES", FR: "portées demandées à ProConnect, séparées par des espaces (`openid` obligatoire)",
		EN: "scopes asked of ProConnect, space-separated (openid required)", Default: "openid email given_name usual_name siret uid",
		DocDefault: "`openid email given_name usual_name siret uid`", Form: "des portées séparées par des espaces, dont openid",
		Parse: func(c *config, v string) (string, error) {
			c.OIDC.Scopes = strings.Fields(v)
			if !slices.Contains(c.OIDC.Scopes, "openid") {
				return v, errorString("openid manque")
			}
			return v, nil
		}},
	{Name: "FORUM_OIDC_SIGNUP", FR: "première connexion ProConnect sans compte du forum à cette adresse : `closed` (refusée), `domain-list` (compte créé si le domaine de l'adresse est dans `FORUM_OIDC_SIGNUP_DOMAINS`) ou `open` (compte créé)",
		EN: "first ProConnect login without a forum account at that address: closed (refused), domain-list (account created for FORUM_OIDC_SIGNUP_DOMAINS) or open", Default: forum.SignupClosed,
		DocDefault: "`closed`", Form: "closed, domain-list ou open",
		Parse: func(c *config, v string) (string, error) {
			c.OIDC.Signup.Mode = v
			if v != forum.SignupClosed && v != forum.SignupDomainList && v != forum.SignupOpen {
				return v, errorString("")
			}
			return v, nil
		}},
	{Name: "FORUM_OIDC_SIGNUP_DOMAINS", FR: "domaines d'adresse (séparés par des virgules) pour lesquels `FORUM_OIDC_SIGNUP=domain-list` crée un compte",
		EN: "email domains (comma-separated) for which FORUM_OIDC_SIGNUP=domain-list creates an account", DocDefault: "—",
		Form: "des domaines séparés par des virgules (ex. ville-exemple.fr,agglo-exemple.fr), avec FORUM_OIDC_SIGNUP=domain-list",
		Parse: func(c *config, v string) (string, error) {
			domains, err := parseDomains(v)
			c.OIDC.Signup.Domains = domains
			switch {
			case err != nil:
				return v, err
			case c.OIDC.Signup.Mode == forum.SignupDomainList && len(domains) == 0:
				return v, errorString("FORUM_OIDC_SIGNUP=domain-list demande au moins un domaine")
			case c.OIDC.Signup.Mode != forum.SignupDomainList && len(domains) > 0:
				return v, errorString("sans effet : FORUM_OIDC_SIGNUP n'est pas domain-list")
			}
			return v, nil
		}},
	{Name: "FORUM_LOG_FORMAT", FR: "format du journal sur la sortie d'erreur : `text` ou `json`", EN: "log format on stderr: text or json",
		Default: "text", DocDefault: "`text`", Form: "text ou json",
		Parse: func(c *config, v string) (string, error) {
			c.LogFormat = v
			if v != "text" && v != "json" {
				return v, errorString("")
			}
			return v, nil
		}},
}
