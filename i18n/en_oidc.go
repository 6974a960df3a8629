package i18n

func init() { register(enOIDC) }

// enOIDC translates the login with ProConnect (OpenID Connect) and its refusals.
var enOIDC = map[string]string{
	"Les comptes de modérateur et d'administrateur ne sont pas reliés à ProConnect par leur adresse : connectez-vous avec votre mot de passe.": "Moderator and administrator accounts are not linked to ProConnect by their address: log in with your password.",
	"Se connecter avec ProConnect": "Log in with ProConnect",
	"ProConnect est l'identifiant des agents publics : votre compte du forum est retrouvé par votre adresse professionnelle.": "ProConnect is the login of public servants: your forum account is found by your work address.",
	"SIREN %s vérifié par ProConnect": "SIREN %s verified by ProConnect",
	"Bienvenue ! Votre compte est créé avec ProConnect : complétez le nom de votre collectivité et son type.":                                             "Welcome! Your account was created with ProConnect: fill in your authority's name and type.",
	"ProConnect ne répond pas pour le moment : réessayez dans quelques minutes ou connectez-vous avec votre mot de passe.":                                "ProConnect is not answering at the moment: try again in a few minutes or log in with your password.",
	"Cette connexion ProConnect a expiré ou n'a pas été commencée dans ce navigateur : recommencez depuis la page de connexion.":                          "This ProConnect login expired or was not started in this browser: start again from the login page.",
	"La réponse de ProConnect ne correspond pas à la connexion commencée dans ce navigateur (paramètre state) : recommencez depuis la page de connexion.": "ProConnect's answer does not match the login started in this browser (state parameter): start again from the login page.",
	"ProConnect n'a pas autorisé la connexion.": "ProConnect did not allow the login.",
	"ProConnect a refusé le code de connexion (déjà utilisé ou expiré) : recommencez depuis la page de connexion.":                                                                     "ProConnect refused the login code (already used or expired): start again from the login page.",
	"Le jeton d'identité renvoyé par ProConnect n'est pas valable (émetteur, destinataire, signature ou date) : recommencez depuis la page de connexion.":                              "The identity token sent by ProConnect is not valid (issuer, audience, signature or date): start again from the login page.",
	"Le jeton d'identité ne correspond pas à la connexion commencée dans ce navigateur (paramètre nonce) : recommencez depuis la page de connexion.":                                   "The identity token does not match the login started in this browser (nonce parameter): start again from the login page.",
	"Aucun compte du forum ne correspond à votre adresse ProConnect, et le club n'ouvre pas de compte par ProConnect pour elle : demandez une invitation à un administrateur du club.": "No forum account matches your ProConnect address, and the club does not open accounts through ProConnect for it: ask one of the club's administrators for an invitation.",
	"ProConnect ne garantit pas votre adresse électronique : elle ne peut pas servir à retrouver ou créer votre compte. Connectez-vous avec votre mot de passe.":                       "ProConnect does not vouch for your email address: it cannot be used to find or create your account. Log in with your password.",
	"Ce compte est suspendu ou supprimé : la connexion est refusée.":                                                                                                                   "This account is suspended or deleted: the login is refused.",
	"Le fournisseur d'identité n'a pas donné d'identifiant valable.":                                                                                                                   "The identity provider gave no valid identifier.",
	"Ce compte est déjà relié à une autre identité ProConnect.":                                                                                                                        "This account is already linked to another ProConnect identity.",
	"Un compte vient d'être créé pour cette identité : reconnectez-vous.":                                                                                                              "An account was just created for this identity: log in again.",
}
