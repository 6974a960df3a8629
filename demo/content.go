package demo

import "coterforum/forum"

// The people below are fictional; the authorities are real, but nothing said
// here about them is. In the texts, "¦" stands for a backtick (see md) and
// every paragraph holds on one line, since the forum renders line breaks.

// account is a demo account; Key names it in the threads below.
type account struct {
	Key, Name, Authority, AuthorityType, Role, Email string
}

var accounts = []account{
	{Key: "isabelle", Name: "Isabelle Moreau", Authority: "Ville de Villeurbanne", AuthorityType: "commune",
		Role: forum.RoleAdmin, Email: "isabelle.moreau@demo.coterforum.fr"},
	{Key: "karim", Name: "Karim Haddad", Authority: "Métropole Rouen Normandie", AuthorityType: "intercommunalite",
		Role: forum.RoleModerator, Email: "karim.haddad@demo.coterforum.fr"},
	{Key: "julien", Name: "Julien Roussel", Authority: "Ville de Montreuil", AuthorityType: "commune",
		Role: forum.RoleMember, Email: "julien.roussel@demo.coterforum.fr"},
	{Key: "emilie", Name: "Émilie Carpentier", Authority: "Communauté d'agglomération du Grand Annecy", AuthorityType: "intercommunalite",
		Role: forum.RoleMember, Email: "emilie.carpentier@demo.coterforum.fr"},
	{Key: "philippe", Name: "Philippe Mercier", Authority: "Département de la Gironde", AuthorityType: "departement",
		Role: forum.RoleMember, Email: "philippe.mercier@demo.coterforum.fr"},
	{Key: "annelaure", Name: "Anne-Laure Le Gall", Authority: "Région Bretagne", AuthorityType: "region",
		Role: forum.RoleMember, Email: "anne-laure.legall@demo.coterforum.fr"},
}

// thread is a demo thread: its first post, then its replies in order.
type thread struct {
	Author  string
	Theme   string
	Types   []string
	Title   string
	Body    string
	Replies []reply
}

// reply is a demo reply. When Quote is set, the reply opens by quoting it,
// attributed to QuoteOf (the thread's author when empty).
type reply struct {
	Author  string
	Quote   string
	QuoteOf string
	Body    string
}

var threads = []thread{
	{
		Author: "emilie", Theme: "reseaux", Types: []string{"intercommunalite", "commune"},
		Title: "SD-WAN ou fibre noire pour relier nos 38 sites ?",
		Body: `
Bonjour à toutes et à tous,

Notre marché de liens opérateur arrive à échéance dans 14 mois et nous devons relier **38 sites** : le siège, les services techniques, les déchetteries, les piscines, les crèches et une partie des mairies des communes membres que nous hébergeons en service commun.

## Les trois scénarios étudiés

| Scénario | Débit garanti | Coût annuel estimé (HT) | Délai de mise en œuvre | Remarques |
|---|---|---|---|---|
| Fibre noire du RIP + équipements en propre | 1 à 10 Gbit/s | 95 000 € (IRU lissé sur 15 ans) | 18 mois | Dépend de la couverture du réseau d'initiative publique |
| Liens FTTO opérateur (renouvellement à l'identique) | 100 Mbit/s à 1 Gbit/s | 140 000 € | 6 mois | Ce que nous avons aujourd'hui |
| SD-WAN sur FTTH + secours 4G/5G | Non garanti (FTTH) | 80 000 € | 9 mois | GTR faible sur le FTTH, d'où le double lien |

## Nos questions

- Pour celles et ceux qui sont passés au SD-WAN : comment se comportent les sites en **FTTH seul** lors des incidents (délais de rétablissement réels) ?
- Avez-vous mutualisé la fibre noire avec le département ou le syndicat numérique ? Sous quelle forme juridique (convention, IRU, groupement) ?
- Quelle part du budget pour les **équipements et la supervision**, souvent oubliés dans les comparaisons ?

Nos contraintes : téléphonie IP sur tous les sites, vidéoprotection sur 6 sites (flux lourds vers le centre de supervision), et un PRA hébergé chez une commune membre.

Merci d'avance pour vos retours !
`,
		Replies: []reply{
			{Author: "karim",
				Quote: "Pour celles et ceux qui sont passés au SD-WAN : comment se comportent les sites en **FTTH seul** lors des incidents (délais de rétablissement réels) ?",
				Body: `
Nous avons 52 sites en SD-WAN depuis deux ans. Sur le FTTH seul, nous avons connu des coupures de **3 à 10 jours** (câble arraché, intervention en sous-traitance en cascade). Le secours 4G a sauvé la téléphonie, mais pas la vidéoprotection.

Notre règle aujourd'hui : FTTH + 4G pour les petits sites, FTTE ou FTTO dès qu'il y a de la vidéo ou plus de 20 agents.`},
			{Author: "julien", Body: `
Même constat côté ville. Et attention au **coût de la supervision** : l'orchestrateur SD-WAN est souvent vendu en abonnement par site, ce qui change beaucoup le calcul sur 5 ans.`},
			{Author: "philippe", Body: `
Le département a une convention d'usage de la fibre du RIP avec plusieurs EPCI : vous payez une quote-part des frais de maintenance, et les équipements restent à votre charge. Je vous mets en relation avec notre responsable réseaux en message privé.`},
		},
	},
	{
		Author: "julien", Theme: "portails", Types: []string{"commune"},
		Title: "Migration du portail citoyen : retour sur 9 mois de projet",
		Body: `
Nous venons de mettre en ligne notre nouveau portail citoyen (démarches, prise de rendez-vous, paiement en ligne des services périscolaires). Voici un retour à chaud, en espérant qu'il serve à d'autres.

## Ce qui a bien marché

- **Un inventaire des démarches** avant tout cahier des charges : 146 démarches recensées, 61 retenues, 23 supprimées car plus utilisées.
- L'authentification via **FranceConnect** dès le lancement : un tiers des comptes créés le premier mois l'utilisent.
- Des ateliers avec les agents d'accueil, qui connaissent les vraies questions des usagers.

## Ce que nous referions autrement

1. Prévoir la **reprise des comptes** de l'ancien portail plus tôt : les adresses en double nous ont coûté trois semaines.
2. Négocier le connecteur vers le logiciel de facturation dans le marché initial, pas par avenant.
3. Faire l'audit d'accessibilité **avant** la recette, pas après.

## Où nous en sommes

- [x] Démarches enfance et périscolaire
- [x] Prise de rendez-vous titres d'identité
- [x] Signalements voirie géolocalisés
- [ ] Démarches d'urbanisme (dépendant de notre éditeur ADS)
- [ ] Déclaration d'accessibilité à jour

Je peux partager notre grille de recette et le planning détaillé si cela intéresse quelqu'un.
`,
		Replies: []reply{
			{Author: "isabelle", Body: `
Merci Julien, retour très utile. Nous lançons le même chantier à l'automne : **oui** pour la grille de recette !

Combien de personnes côté DSI pendant le projet, et combien en maintien en condition opérationnelle ?`},
			{Author: "annelaure",
				Quote: "Faire l'audit d'accessibilité **avant** la recette, pas après.",
				Body: `
Je confirme, c'est la leçon que nous avons apprise à nos dépens. Les corrections de gabarits après recette ont été facturées comme des évolutions. Je viens d'ouvrir un fil sur l'audit RGAA dans ce même thème.`},
		},
	},
	{
		Author: "karim", Theme: "centres-appel-citoyens", Types: []string{"intercommunalite", "commune"},
		Title: "Choix d'un logiciel de GRC pour notre centre de relation usagers",
		Body: `
Bonjour,

Nous regroupons l'accueil téléphonique de la métropole et de 12 communes dans un **centre de relation usagers** unique (environ 900 appels et 300 courriels par jour). Nous devons choisir un outil de gestion de la relation citoyen (GRC).

## Notre grille d'analyse

| Critère | Pondération | Solution A (éditeur spécialisé collectivités) | Solution B (CRM généraliste) | Solution C (logiciel libre + intégrateur) |
|---|:---:|:---:|:---:|:---:|
| Couverture fonctionnelle | 30 % | 4/5 | 5/5 | 3/5 |
| Interfaçage téléphonie (CTI) | 20 % | 3/5 | 4/5 | 3/5 |
| Connecteurs métiers (voirie, déchets, état civil) | 20 % | 5/5 | 2/5 | 3/5 |
| Coût sur 5 ans | 20 % | 3/5 | 2/5 | 4/5 |
| Hébergement en France, réversibilité | 10 % | 4/5 | 3/5 | 5/5 |

## Points qui nous font hésiter

- Le **multicanal** : le chat est-il vraiment utilisé par les usagers chez vous, ou seulement le téléphone et le formulaire ?
- La **base de connaissances** partagée entre agents de la métropole et des communes : qui la maintient ?
- La **réversibilité** : avez-vous déjà récupéré vos données en fin de contrat, et dans quel format ?

Tous les retours d'expérience sont bienvenus, y compris les échecs.
`,
		Replies: []reply{
			{Author: "julien", Body: `
Chez nous, le chat représente **moins de 5 %** des contacts après deux ans. Le vrai gain est venu du formulaire unique relié aux services (voirie, propreté), avec un numéro de suivi envoyé à l'usager.`},
			{Author: "emilie", Body: `
Sur la base de connaissances : nous avons nommé un référent par commune et un animateur au centre. Sans cela, elle est obsolète en six mois.`},
			{Author: "isabelle",
				Quote: "La **réversibilité** : avez-vous déjà récupéré vos données en fin de contrat, et dans quel format ?",
				Body: `
Oui, et ce fut douloureux : un export CSV sans les pièces jointes ni l'historique des échanges. Désormais nous exigeons dans le CCTP un **export complet documenté** (données, pièces jointes, journaux), testé une fois par an aux frais du titulaire.`},
		},
	},
	{
		Author: "philippe", Theme: "sig", Types: []string{"departement", "intercommunalite", "commune"},
		Title: "QGIS + PostGIS ou rester sur un SIG propriétaire ?",
		Body: `
Bonjour,

Le département utilise depuis quinze ans un SIG propriétaire pour les routes, l'eau et l'aménagement. La maintenance a augmenté de 40 % en trois ans, et la question d'une bascule vers **QGIS + PostGIS** revient sur la table.

## Notre situation

- 35 utilisateurs « experts », environ 400 consultants via une application web ;
- données de référence : [Géoplateforme de l'IGN](https://geoservices.ign.fr) (BD TOPO, orthophotos), cadastre, réseaux routiers ;
- de nombreux traitements automatisés écrits dans le langage de l'éditeur.

## Ce que nous avons testé

Un pilote de trois mois avec 8 agents, sur [QGIS](https://qgis.org) en version LTR et une base PostGIS. La connexion passe par un fichier de service partagé, pour ne jamais écrire de mot de passe dans les projets :

~~~ini
# pg_service.conf, déployé sur les postes par GPO
[sig-prod]
host=pg-sig.exemple.local
port=5432
dbname=sig
sslmode=verify-full
~~~

Les projets QGIS référencent alors simplement ¦service=sig-prod¦, et l'authentification passe par le gestionnaire de mots de passe de QGIS.

## Nos questions

1. Comment avez-vous **formé** les agents ? En interne, via le CNFPT, ou par un prestataire ?
2. Quel support pour QGIS : contrat avec une société de services, ou réseau d'entraide ?
3. Comment avez-vous migré les **traitements automatisés** (modèles graphiques, scripts Python) ?
`,
		Replies: []reply{
			{Author: "emilie",
				Quote: "Comment avez-vous **formé** les agents ? En interne, via le CNFPT, ou par un prestataire ?",
				Body: `
Nous avons fait les deux : une formation de base par un prestataire, puis des **ateliers mensuels d'une heure** animés par nos géomaticiens. Ce sont les ateliers qui ont fait la différence.`},
			{Author: "annelaure", Body: `
À la région, nous avons un contrat de support avec une société spécialisée pour les anomalies bloquantes, et nous finançons quelques correctifs qui profitent ensuite à tous : c'est un bon usage de l'argent public.`},
			{Author: "karim", Body: `
Pour les traitements : prévoyez du temps. Nous avons réécrit 60 traitements en Python (PyQGIS et SQL dans PostGIS). Beaucoup sont devenus de simples **vues SQL**, bien plus faciles à maintenir.`},
			{Author: "julien", Body: `
Côté commune, nous consommons directement les flux de la Géoplateforme : plus de stockage local des orthophotos, et toujours le dernier millésime.`},
		},
	},
	{
		Author: "isabelle", Theme: "etat-civil-elections", Types: []string{"commune"},
		Title: "REU : synchronisation avec notre logiciel élections avant les scrutins",
		Body: `
Bonjour,

Depuis la mise en place du **répertoire électoral unique** (REU) géré par l'[Insee](https://www.insee.fr), notre logiciel élections se synchronise avec le répertoire. Nous avons eu des surprises lors du dernier scrutin et je prépare une check-list pour les suivants.

## Les difficultés rencontrées

- des **inscriptions d'office** (jeunes majeurs, naturalisations) arrivées en masse peu avant la date limite, mal affectées aux bureaux de vote faute d'adresse normalisée ;
- des radiations en attente de la **commission de contrôle**, non visibles côté logiciel ;
- une édition des listes d'émargement à refaire après une dernière synchronisation.

## Notre check-list (brouillon)

- [x] Vérifier le découpage des bureaux de vote et la table des voies dans le logiciel
- [x] Planifier les synchronisations quotidiennes pendant les six semaines précédant le scrutin
- [ ] Réunir la commission de contrôle après la date limite d'inscription
- [ ] Éditer les listes d'émargement **après** la dernière synchronisation
- [ ] Prévoir un poste de secours avec accès au portail de l'Insee le jour du scrutin

Rappel : les demandes d'inscription sont recevables jusqu'au **sixième vendredi** précédant le scrutin (voir [service-public.fr](https://www.service-public.fr)).

Avez-vous des points à ajouter ?
`,
		Replies: []reply{
			{Author: "julien", Body: `
J'ajouterais : **tester la chaîne d'impression** des cartes électorales en conditions réelles, avec le prestataire de mise sous pli. Nous avons perdu deux jours sur un problème de gabarit.`},
			{Author: "karim", Body: `
Pour les communes membres sans logiciel, nous avons formé les secrétaires de mairie au portail de l'Insee. Cela vaut la peine de **mutualiser une hotline** pendant les semaines qui précèdent le scrutin.`},
		},
	},
	{
		Author: "annelaure", Theme: "achats-marches", Types: []string{"region", "departement"},
		Title: "UGAP ou notre propre appel d'offres pour le renouvellement des postes de travail ?",
		Body: `
Bonjour,

Nous renouvelons environ **4 500 postes** (portables et fixes, y compris pour les lycées) sur quatre ans. Le débat interne oppose l'achat via l'[UGAP](https://www.ugap.fr) et un appel d'offres en propre publié sur la [plateforme des achats de l'État](https://www.marches-publics.gouv.fr) et au [BOAMP](https://www.boamp.fr).

## Comparaison provisoire

| Critère | UGAP | Appel d'offres en propre |
|---|---|---|
| Délai avant la première commande | 1 à 2 mois | 6 à 9 mois |
| Mise en concurrence | Réputée faite par la centrale (art. L2113-4 du code de la commande publique) | À notre charge |
| Prix | Catalogue, remise selon volume | Potentiellement meilleur sur gros volume |
| Services associés (masterisation, reprise, recyclage) | Selon l'offre | Sur mesure, dans notre CCTP |
| Critères environnementaux | Ceux de la centrale | Les nôtres (indice de réparabilité, reconditionné) |

## Nos questions

- Avez-vous obtenu des **prix comparables** à un appel d'offres en passant par l'UGAP sur de gros volumes ?
- Comment intégrez-vous le **reconditionné** et la durée de vie de 6 ans dans vos marchés ?
- Un groupement de commandes région-départements vous paraît-il réaliste sur ce type d'achat ?
`,
		Replies: []reply{
			{Author: "philippe",
				Quote: "Un groupement de commandes région-départements vous paraît-il réaliste sur ce type d'achat ?",
				Body: `
Nous l'avons fait pour les collèges avec un département voisin. C'est réaliste, mais comptez **un an** entre la convention de groupement et la notification. Le gain de prix a été d'environ 12 % par rapport à notre marché précédent.`},
			{Author: "karim", Body: `
L'UGAP reste imbattable sur les **délais**. Nous l'utilisons en complément d'un accord-cadre : accord-cadre pour le volume, UGAP pour les urgences et les besoins atypiques.`},
			{Author: "isabelle", Body: `
Sur le reconditionné : nous imposons un lot réservé et une garantie de 3 ans. Les retours des agents sont bons, à condition de bien choisir les modèles (batterie neuve exigée).`},
		},
	},
	{
		Author: "julien", Theme: "reseaux", Types: []string{"commune", "intercommunalite"},
		Title: "Wi-Fi public dans les médiathèques : portail captif et conservation des journaux",
		Body: `
Bonjour,

Nous étendons le Wi-Fi public à nos 7 médiathèques et à deux parcs. Deux sujets nous occupent : le **portail captif** (simple, sans collecte excessive de données) et la **conservation des données de connexion**.

## Ce que nous avons retenu

- un SSID public isolé du réseau des agents (VLAN dédié, sortie internet séparée) ;
- un portail captif avec acceptation des conditions d'utilisation, **sans demande d'identité** ;
- conservation des données techniques de connexion pendant **un an**, comme le prévoit l'article L34-1 du code des postes et des communications électroniques (texte sur [Légifrance](https://www.legifrance.gouv.fr)) ;
- mention d'information conforme aux recommandations de la [CNIL](https://www.cnil.fr).

## Rotation des journaux

Les journaux du portail arrivent sur un serveur syslog dédié ; voici notre configuration de rotation :

~~~
# /etc/logrotate.d/wifi-public
/var/log/wifi-public/*.log {
    daily
    rotate 365
    compress
    delaycompress
    missingok
    notifempty
    create 0640 syslog adm
}
~~~

Le serveur est sauvegardé, chiffré, et l'accès aux journaux est tracé et réservé à deux personnes.

Comment faites-vous de votre côté ? Déléguez-vous tout à un prestataire ?
`,
		Replies: []reply{
			{Author: "emilie", Body: `
Nous déléguons à un prestataire, mais nous avons exigé dans le marché de pouvoir **extraire nous-mêmes** les journaux sur réquisition judiciaire, sans dépendre de ses délais.`},
			{Author: "isabelle", Body: `
Pensez aussi au **filtrage** : nous bloquons seulement les catégories manifestement illicites, et nous avons fait valider la liste par la direction des affaires juridiques.`},
		},
	},
	{
		Author: "philippe", Theme: "reseaux", Types: []string{"commune", "departement", "intercommunalite"},
		Title: "Rançongiciel : retour d'expérience (anonymisé) d'une commune accompagnée",
		Body: `
Bonjour,

Avec l'accord de la commune concernée (environ 30 000 habitants), je partage le retour d'expérience d'une attaque par **rançongiciel** que nous avons aidée à gérer. Les détails permettant de l'identifier ont été retirés.

## Chronologie

| Moment | Ce qui s'est passé |
|---|---|
| J-12 | Connexion VPN avec un compte de prestataire, sans double authentification |
| J0, 3 h | Chiffrement des serveurs de fichiers et de l'hyperviseur |
| J0, 8 h | Découverte par les agents de l'accueil ; isolement du réseau |
| J0, 10 h | Dépôt de plainte, notification à la CNIL, appel à [Cybermalveillance.gouv.fr](https://www.cybermalveillance.gouv.fr) |
| J+3 | Reprise de l'état civil et de la paie sur des postes de secours |
| J+21 | Retour à un fonctionnement normal (hors archives bureautiques) |

## Ce qui a sauvé la situation

- une **sauvegarde hors ligne** de moins de 24 heures, sur bandes ;
- une liste des applications critiques, tenue à jour, avec leurs contacts éditeurs ;
- un annuaire téléphonique des élus et des agents **imprimé**.

## Ce qui a manqué

- la double authentification sur tous les accès distants, y compris ceux des prestataires ;
- la séparation des comptes d'administration ;
- un exercice de crise : personne ne savait qui décidait quoi la première matinée.

Les guides de l'[ANSSI](https://cyber.gouv.fr) destinés aux collectivités sont un très bon point de départ. Je peux présenter ce retour en visio si des collègues le souhaitent.
`,
		Replies: []reply{
			{Author: "isabelle",
				Quote: "un exercice de crise : personne ne savait qui décidait quoi la première matinée.",
				Body: `
C'est le point que tout le monde sous-estime. Nous faisons désormais **un exercice par an** avec la direction générale et le cabinet, sur un scénario préparé avec notre prestataire de sécurité.`},
			{Author: "karim", Body: `
Merci Philippe pour ce partage. Nous avons généralisé la double authentification l'an dernier : le plus long a été de convaincre les **prestataires** de s'y plier. Une clause dans chaque contrat a fini par régler la question.`},
			{Author: "annelaure", Body: `
Très intéressé par la visio. La région peut accueillir la séance et l'ouvrir aux collectivités bretonnes.`},
			{Author: "julien", Body: `
Question pratique : quelle durée de conservation et quelle rotation pour les bandes ? Nous hésitons entre une rotation hebdomadaire et quotidienne.`},
		},
	},
	{
		Author: "annelaure", Theme: "portails", Types: []string{"region", "departement"},
		Title: "Audit RGAA de notre site : par où commencer ?",
		Body: `
Bonjour,

Nous devons publier une déclaration d'accessibilité à jour pour le site de la région et trois sites thématiques. Notre dernier audit date de plusieurs années.

## Ce que nous savons

- le référentiel en vigueur est le **RGAA 4.1**, avec 106 critères, publié sur [accessibilite.numerique.gouv.fr](https://accessibilite.numerique.gouv.fr) ;
- l'audit porte sur un **échantillon de pages** représentatif (pages obligatoires + pages les plus consultées) ;
- il faut aussi un **schéma pluriannuel** et un plan d'action annuel.

## Résultats de notre pré-audit interne

| Thématique | Critères non conformes | Exemple |
|---|:---:|---|
| Images | 4 | Textes alternatifs absents sur les visuels d'actualité |
| Couleurs | 3 | Contraste insuffisant des boutons |
| Formulaires | 6 | Champs sans étiquette dans le moteur de recherche |
| Navigation | 2 | Pas de lien d'évitement |

## Notre plan

- [x] Choisir l'échantillon de pages
- [x] Pré-audit interne
- [ ] Audit par un prestataire indépendant
- [ ] Corrections des gabarits avec l'éditeur du CMS
- [ ] Publication de la déclaration et du schéma pluriannuel

Avez-vous des conseils pour rédiger le **cahier des charges de l'audit** ? Et avez-vous formé vos contributeurs ?
`,
		Replies: []reply{
			{Author: "philippe", Body: `
Pour le cahier des charges : exigez la **grille d'audit complète** (et pas seulement le rapport) et un contre-audit après corrections inclus dans le prix.`},
			{Author: "julien",
				Quote: "Et avez-vous formé vos contributeurs ?",
				Body: `
Oui, une demi-journée pour tous les contributeurs, et c'est rentable : la moitié de nos non-conformités venaient des contenus (images, documents PDF, tableaux), pas des gabarits.`},
		},
	},
	{
		Author: "emilie", Theme: "sig", Types: []string{"intercommunalite", "region"},
		Title: "Open data : automatiser la publication vers data.gouv.fr",
		Body: `
Bonjour,

Nous publions une vingtaine de jeux de données sur [data.gouv.fr](https://www.data.gouv.fr) : points d'apport volontaire, horaires des déchetteries, arrêts de bus, travaux en cours… Jusqu'ici à la main, donc souvent en retard.

## Notre approche

1. Les données de référence restent dans PostGIS ;
2. un export nocturne au format des [schémas de données](https://schema.data.gouv.fr) quand il en existe un ;
3. le dépôt automatique sur data.gouv.fr par son API.

Le script, lancé chaque nuit par le planificateur :

~~~bash
#!/bin/sh
# Publication des points d'apport volontaire
set -eu
ogr2ogr -f CSV /tmp/pav.csv PG:service=sig-prod \
  -sql "SELECT id, type_dechet, adresse, commune FROM dechets.pav" \
  -lco GEOMETRY=AS_XY
curl --fail -sS -X POST \
  -H "X-API-KEY: $DATAGOUV_API_KEY" \
  -F "file=@/tmp/pav.csv" \
  "https://www.data.gouv.fr/api/1/datasets/$DATASET_ID/resources/$RESOURCE_ID/upload/"
~~~

La clé d'API est celle d'un compte de service de l'organisation, rangée dans le coffre-fort de mots de passe, jamais dans le script.

## Questions

- Validez-vous les fichiers contre le schéma **avant** publication ? Avec quel outil ?
- Comment gérez-vous les données des communes membres : publication par l'intercommunalité, ou par chaque commune ?
`,
		Replies: []reply{
			{Author: "annelaure", Body: `
Nous validons avec le validateur des schémas avant chaque dépôt, et le script s'arrête en cas d'erreur. Cela évite de publier un fichier vide un soir de panne.`},
			{Author: "philippe", Body: `
Pour les communes, nous publions au nom du département les données que nous produisons, et nous les aidons à publier les leurs sous **leur propre organisation** : c'est plus clair pour les réutilisateurs.`},
		},
	},
	{
		Author: "karim", Theme: "achats-marches", Types: []string{"intercommunalite", "departement", "region"},
		Title: "Renouvellement de l'accord Microsoft : comment négociez-vous ?",
		Body: `
Bonjour,

Notre accord de licences Microsoft arrive à échéance, et la proposition reçue augmente de **27 %** à périmètre constant, principalement par la bascule vers des abonnements Microsoft 365.

## Notre parc actuel

| Produit | Quantité | Remarque |
|---|---:|---|
| Licences bureautiques (postes) | 2 100 | Dont 600 agents de terrain peu équipés |
| Licences serveurs (cœurs) | 384 | Hyperviseurs du centre de données |
| Licences d'accès client (CAL) | 2 400 | |
| Comptes de messagerie | 2 600 | Messagerie aujourd'hui sur site |

## Les pistes étudiées

- distinguer des profils d'agents : bureautique complète, **usage léger** (web seulement), pas de licence ;
- garder une partie en licences perpétuelles tant que c'est possible ;
- passer par la centrale d'achat ou par un groupement avec d'autres collectivités ;
- étudier sérieusement des alternatives pour une partie des usages (suite bureautique libre, messagerie mutualisée).

Comment avez-vous mené cette négociation ? Avez-vous réussi à faire baisser la facture en **réduisant le périmètre** ?
`,
		Replies: []reply{
			{Author: "annelaure", Body: `
Nous avons fait un **inventaire des usages réels** (journaux de connexion sur 90 jours) avant la négociation : 30 % des licences complètes n'étaient pas utilisées comme telles. C'est notre meilleur argument.`},
			{Author: "philippe",
				Quote: "étudier sérieusement des alternatives pour une partie des usages (suite bureautique libre, messagerie mutualisée).",
				Body: `
C'est ce que nous avons fait pour les agents des routes et des collèges. Même si vous ne basculez pas tout, **avoir une alternative crédible** change le ton de la négociation.`},
			{Author: "emilie", Body: `
Attention aux licences serveurs si vous changez d'hyperviseur en même temps : les règles de comptage des cœurs nous ont réservé une mauvaise surprise.`},
		},
	},
	{
		Author: "emilie", Theme: "etat-civil-elections", Types: []string{"commune", "intercommunalite"},
		Title: "Archivage électronique (SAE) : mutualiser avec le centre de gestion ou le département ?",
		Body: `
Bonjour,

Avec la dématérialisation des actes, des délibérations et bientôt des registres d'état civil, nous devons mettre en place un **système d'archivage électronique** (SAE) à valeur probante, pour l'agglomération et les communes qui le souhaitent.

## Les options

- une solution **mutualisée** proposée par le centre de gestion ;
- l'adhésion au SAE du département, qui en propose l'accès aux collectivités de son territoire ;
- notre propre SAE, par exemple As@lae, logiciel libre soutenu par l'[Adullact](https://adullact.org).

## Nos exigences

- versements au standard d'échange **SEDA** depuis le parapheur, le logiciel de délibérations et l'état civil ;
- conformité à la norme NF Z42-013 pour la conservation ;
- contrôle scientifique et technique des Archives départementales associé dès le début ;
- coût par commune lisible, y compris pour les plus petites.

Les ressources du réseau des archives, sur [FranceArchives](https://francearchives.gouv.fr), nous ont aidés à cadrer le projet.

Qu'avez-vous choisi, et avec quel recul ?
`,
		Replies: []reply{
			{Author: "philippe", Body: `
Au département, le SAE est ouvert aux communes par convention. Le plus long n'est pas la technique mais la **rédaction des profils d'archives** avec chaque service versant. Prévoyez un archiviste à temps plein la première année.`},
			{Author: "isabelle", Body: `
Nous avons choisi la mutualisation avec le centre de gestion : coût maîtrisé, mais peu de souplesse sur les connecteurs. Vérifiez bien que **vos logiciels métiers savent produire du SEDA** dans la version attendue.`},
		},
	},
	{
		Author: "isabelle", Theme: "centres-appel-citoyens", Types: []string{"commune", "departement"},
		Title: "Téléphonie du centre de contact : migrer vers une solution en nuage ?",
		Body: `
Bonjour,

Notre autocommutateur arrive en fin de support, y compris pour le centre de contact « Allô Mairie » (15 positions). Nous étudions une solution de **centre de contact hébergé** (souvent appelée CCaaS).

## Les attendus

- serveur vocal interactif simple (3 choix au plus), avec message de dissuasion en cas de forte affluence ;
- **rappel automatique** plutôt qu'une longue attente ;
- statistiques en temps réel pour le superviseur ;
- couplage avec notre outil de GRC pour afficher la fiche de l'usager ;
- hébergement des données en France et enregistrement des appels **désactivé par défaut**.

## Nos inquiétudes

1. la qualité de la voix sur les sites reliés en FTTH ;
2. la continuité de service en cas de coupure internet ;
3. le coût réel, une fois ajoutées les options.

Des retours de collectivités qui ont fait la bascule ?
`,
		Replies: []reply{
			{Author: "philippe", Body: `
Le département a basculé le centre d'appels de l'action sociale l'an dernier. La voix est bonne, à condition de **prioriser les flux** sur le réseau (QoS de bout en bout) et d'avoir deux accès internet au site principal.`},
			{Author: "karim",
				Quote: "la continuité de service en cas de coupure internet ;",
				Body: `
Le grand avantage de l'hébergé : en cas de coupure, les conseillers peuvent travailler **depuis un autre site ou en télétravail** avec un simple navigateur. Nous l'avons vérifié lors d'une panne électrique.`},
		},
	},
}
