package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// textGen writes varied French Markdown posts and thread titles from a few
// templates, deterministically for a given PRNG. Every paragraph holds on
// one line, as members write them (the forum renders hard line breaks).
type textGen struct {
	r *rand.Rand
}

func newTextGen(seed uint64) *textGen {
	return &textGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func (g *textGen) pick(list []string) string { return list[g.r.IntN(len(list))] }

var (
	subjects = []string{
		"la migration de la messagerie", "le renouvellement du cœur de réseau", "la fibre noire entre nos sites",
		"le portail citoyen", "la téléphonie du centre d'appels", "le SIG intercommunal", "le logiciel d'état civil",
		"le répertoire électoral unique", "le marché de maintenance des copieurs", "la sauvegarde externalisée",
		"le Wi-Fi public des médiathèques", "la gestion de la relation usagers", "l'open data cadastral",
		"le groupement de commandes des PC", "la supervision des équipements", "la démarche de prise de rendez-vous",
	}
	openings = []string{
		"Bonjour à toutes et à tous, nous lançons %s et j'aimerais profiter de vos retours d'expérience avant de rédiger le cahier des charges.",
		"Chez nous, %s a pris plus de temps que prévu : la recette a duré trois mois et les équipes métier ont dû être très présentes.",
		"Merci pour ce partage. De notre côté, %s s'est plutôt bien passé, avec un pilote sur deux services avant la généralisation.",
		"Petite question pratique sur %s : comment avez-vous organisé l'exploitation une fois le prestataire parti ?",
		"Nous avons terminé %s le mois dernier ; voici ce que nous en retenons, en espérant que cela serve à d'autres collectivités.",
		"Je rejoins ce qui a été dit sur %s : le plus dur n'est pas la technique mais la conduite du changement auprès des agents.",
	}
	middles = []string{
		"Le budget voté couvre l'investissement, mais le fonctionnement sur cinq ans reste à arbitrer avec les finances.",
		"Nous avons mutualisé avec deux communes voisines, ce qui a divisé les coûts de licence par trois.",
		"La CNIL a été consultée en amont et le registre des traitements a été mis à jour avant la mise en production.",
		"Le prestataire retenu propose un hébergement qualifié SecNumCloud, ce qui a rassuré la direction générale.",
		"Les agents d'accueil ont été formés en demi-journées, avec un support renforcé la première semaine.",
		"Attention aux délais de raccordement : comptez six à neuf mois selon l'opérateur et la zone.",
	}
	closings = []string{
		"Je peux partager nos pièces de marché si cela intéresse quelqu'un, écrivez-moi.",
		"Des retours sur la réversibilité en fin de contrat ?",
		"Bon courage à ceux qui se lancent, et n'hésitez pas à venir nous voir.",
		"Je ferai un point d'étape ici après la bascule.",
		"Merci d'avance pour vos conseils !",
	}
	listItems = []string{
		"inventaire des boîtes partagées et des listes de diffusion",
		"bascule des agendas un vendredi soir",
		"recette avec les services *état civil* et *urbanisme*",
		"supervision avec `zabbix` et alertes par SMS",
		"sauvegarde quotidienne, rétention **30 jours**",
		"clause de réversibilité dans le CCTP",
		"formation des référents numériques",
		"plan de continuité en cas de coupure du lien principal",
		"accessibilité RGAA vérifiée par un audit externe",
		"export des données au format `CSV` ou `GeoJSON`",
	}
	links = []string{
		"[le guide de l'ANSSI](https://cyber.gouv.fr/publications)",
		"[la doctrine cloud de l'État](https://www.numerique.gouv.fr/services/cloud/doctrine/)",
		"[le référentiel RGAA](https://accessibilite.numerique.gouv.fr/)",
		"[les données du cadastre](https://cadastre.data.gouv.fr/)",
		"[notre délibération](https://www.exemple-collectivite.fr/deliberations/2025-114)",
		"[l'UGAP](https://www.ugap.fr/)",
	}
	headings = []string{
		"Contexte", "Notre retour d'expérience", "Points d'attention", "Calendrier", "Ce que nous referions",
		"Coûts", "Questions ouvertes", "Architecture retenue",
	}
	codeBlocks = []string{
		"```bash\nrsync -av --delete /srv/mail/ sauvegarde:/mail/\n```",
		"```yaml\nvlan: 120\nnom: wifi-public\nportail_captif: true\n```",
		"```sql\nSELECT commune, count(*) FROM actes GROUP BY commune;\n```",
		"```powershell\nGet-Mailbox -ResultSize Unlimited | Export-Csv boites.csv\n```",
		"```\nping -c 4 passerelle.interne.local\n```",
	}
	// places are named in one post in five, each in about one post in
	// 400: the rare words of the search measures.
	places = []string{
		"Quimper", "Lannion", "Vannes", "Lorient", "Brest", "Morlaix", "Dinan", "Fougères", "Vitré", "Redon",
		"Laval", "Mayenne", "Cholet", "Saumur", "Angers", "Nantes", "Saint-Nazaire", "Challans", "Luçon", "Niort",
		"Poitiers", "Châtellerault", "Angoulême", "Cognac", "Saintes", "Rochefort", "Royan", "Périgueux", "Bergerac", "Sarlat",
		"Agen", "Marmande", "Mont-de-Marsan", "Dax", "Bayonne", "Biarritz", "Pau", "Oloron", "Tarbes", "Lourdes",
		"Auch", "Montauban", "Cahors", "Figeac", "Rodez", "Millau", "Albi", "Castres", "Carcassonne", "Narbonne",
		"Perpignan", "Béziers", "Sète", "Nîmes", "Alès", "Avignon", "Carpentras", "Orange", "Arles", "Salon",
		"Aubagne", "Toulon", "Hyères", "Fréjus", "Draguignan", "Grasse", "Antibes", "Menton", "Gap", "Briançon",
		"Digne", "Manosque", "Valence", "Montélimar", "Privas", "Aubenas", "Annonay", "Vienne", "Bourgoin", "Voiron",
	}
	placeSentences = []string{
		"Nous en avons parlé avec l'équipe de %s, qui a fait le même choix.",
		"La ville de %s nous a prêté son cahier des charges.",
		"Un grand merci aux collègues de %s pour leur aide.",
	}
	titleStarts = []string{
		"Retour d'expérience :", "Question :", "Avis sur", "Qui a déjà mis en place", "Marché en cours :", "Aide pour",
	}
)

// Title returns a thread title (5 to 150 characters).
func (g *textGen) Title() string {
	s := g.pick(subjects)
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("%s %s ?", g.pick(titleStarts), s)
	case 1:
		return strings.ToUpper(s[:1]) + s[1:] + " : vos retours ?"
	default:
		return fmt.Sprintf("%s %s en %d", g.pick(titleStarts), s, 2024+g.r.IntN(3))
	}
}

// Post returns a post of about 600 characters mixing a heading, paragraphs,
// a list with links and inline code, and sometimes a fenced code block.
func (g *textGen) Post() string {
	var b strings.Builder
	if g.r.IntN(2) == 0 {
		fmt.Fprintf(&b, "## %s\n\n", g.pick(headings))
	}
	fmt.Fprintf(&b, g.pick(openings)+"\n\n", g.pick(subjects))
	n := 2 + g.r.IntN(2)
	ordered := g.r.IntN(3) == 0
	for i := range n {
		item := g.pick(listItems)
		if i == 0 {
			item += " (voir " + g.pick(links) + ")"
		}
		if ordered {
			fmt.Fprintf(&b, "%d. %s\n", i+1, item)
		} else {
			fmt.Fprintf(&b, "- %s\n", item)
		}
	}
	b.WriteString("\n")
	if g.r.IntN(3) == 0 {
		b.WriteString(g.pick(codeBlocks))
		b.WriteString("\n\n")
	} else {
		b.WriteString(g.pick(middles))
		b.WriteString("\n\n")
	}
	if g.r.IntN(5) == 0 {
		fmt.Fprintf(&b, g.pick(placeSentences)+"\n\n", g.pick(places))
	}
	// Fill up to about 600 characters.
	for b.Len() < 480 {
		b.WriteString(g.pick(middles))
		b.WriteString("\n\n")
	}
	b.WriteString(g.pick(closings))
	return b.String()
}
