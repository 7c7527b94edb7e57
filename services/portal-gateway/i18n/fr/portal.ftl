# Le portail web, en français.

app-name = Portail client
skip-to-content = Aller au contenu
footer-text = Le portail client de votre prestataire
nav-label = Menu principal
nav-home = Accueil
nav-contacts = Contacts
nav-settings = Paramètres
nav-logout = Se déconnecter
nav-customers = Clients
nav-audit = Journal d'audit
nav-tenant-settings = Réglages du portail
back-home = Retour à l'accueil
back-to-login = Retour à la connexion
back-customers = Tous les clients
back-to = Retour à { $name }
next-page = Page suivante
none = —
save = Enregistrer
copy = Copier
copied = Copié
lang-en = English
lang-fr = Français
lang-de = Deutsch
lang-es = Español
lang-pl = Polski

landing-intro = Les clients d'une entreprise de services consultent ici leurs sites, leurs demandes et leurs documents, et demandent de nouvelles interventions.
landing-tenant-hint = Pour vous connecter, utilisez l'adresse que votre prestataire vous a envoyée.
landing-api = L'API REST est décrite dans le document OpenAPI.

field-email = Adresse e-mail
field-password = Mot de passe
field-new-password = Nouveau mot de passe
field-password-confirm = Répétez le nouveau mot de passe
field-current-password = Mot de passe actuel
field-name = Nom
field-language = Langue
field-notifications = M'envoyer les notifications par e-mail
field-phone = Téléphone

login-title = Connexion
login-submit = Se connecter
login-forgot = Mot de passe oublié ? Première visite ?
login-register = Créer un compte

register-title = Créer un compte
register-intro = Utilisez l'adresse e-mail que votre prestataire connaît.
register-submit = Créer mon compte
register-closed = L'inscription n'est pas ouverte sur ce portail. Demandez une invitation à votre prestataire.
register-sent-title = Consultez votre messagerie
register-sent = Si cette adresse peut utiliser le portail, nous lui avons envoyé un lien pour confirmer le compte.

forgot-title = Mot de passe oublié ou première visite
forgot-intro = Saisissez votre adresse e-mail : nous vous enverrons un lien pour choisir un mot de passe.
forgot-submit = M'envoyer un lien
forgot-sent-title = Consultez votre messagerie
forgot-sent = Si un compte existe pour cette adresse, nous lui avons envoyé un lien pour choisir un mot de passe. Le lien ne sert qu'une fois et expire bientôt.

invitation-title = Bienvenue sur le portail
reset-title = Choisissez un nouveau mot de passe
password-set-intro = { $tenant } : compte { $email }
password-set-submit = Enregistrer le mot de passe et se connecter
registration-confirm-title = Confirmez votre compte
registration-confirm-intro = Confirmez que ce compte est le vôtre pour ouvrir le portail.
registration-confirm-submit = Confirmer et se connecter

home-title = Accueil
switch-label = Client
switch-submit = Changer
card-title = Organisation
card-number = Numéro client
card-name = Nom
card-address = Adresse
card-main-contact = Contact principal
card-info = Informations complémentaires
sites-title = Sites
sites-none = Aucun site pour l'instant.

contacts-title = Contacts
contacts-filter = Quels contacts
contacts-none = Aucun contact à afficher.
filter-all = Tous
filter-mine = Les miens
col-name = Nom
col-scope = Accès à
col-portal = Portail
col-access-window = Période d'accès
col-status = État
col-actions = Actions
scope-customer = Tous les sites
scope-sites = { $count ->
    [one] Un site
   *[other] { $count } sites
}

settings-title = Paramètres
profile-title = Informations personnelles
provider-title = Votre prestataire
password-title = Mot de passe
password-submit = Changer le mot de passe
password-ends-sessions = Changer le mot de passe vous déconnecte de vos autres appareils.
sessions-title = Sessions
sessions-intro = Déconnectez-vous de tous les appareils où vous êtes connecté, celui-ci compris.
logout-everywhere = Se déconnecter partout

customers-title = Clients
customers-none = Aucun client trouvé.
search-label = Numéro ou nom
search-submit = Rechercher
portal-on = Activé
portal-off = Désactivé
portal-title = Accès au portail
portal-enabled = Portail activé pour ce client
portal-enabled-at = Activé le { $date }
visibility-label = Demandes visibles par ses contacts
visibility-all = Toutes les demandes
visibility-since = Les demandes créées depuis une date
visibility-after_enabled = Les demandes créées après l'activation du portail
visibility-since-date = Date (pour « depuis une date »)
contact-active = Actif
contact-not-active = Pas encore activé
access-always = Toujours
access-from = Du
access-until = Au
invite = Envoyer l'invitation
invite-for = Envoyer une invitation à { $name }
scope-legend = Sites
scope-help = Aucun site coché : le contact voit tous les sites du client.

links-title = Liens sécurisés
links-intro = Un lien sécurisé ouvre le portail de ce client sans mot de passe. Ne l'envoyez qu'aux personnes concernées.
links-new = Nouveau lien sécurisé (copiez-le maintenant : il n'est affiché qu'une fois)
links-shown-once = Par sécurité, cette adresse ne peut plus être affichée. Créez un nouveau lien si elle est perdue.
links-site = Portée
links-whole-customer = Tout le client
links-expires = Expire le
links-label = Libellé
links-create = Créer un lien sécurisé
links-never = Jamais
links-unused = Pas encore utilisé
links-last-used = Dernière utilisation
links-revoke = Révoquer
links-revoked = Révoqué

audit-title = Journal d'audit
audit-none = Rien n'a encore été enregistré.
audit-when = Quand
audit-who = Qui
audit-what = Quoi
audit-target = Sur
audit-address = Depuis l'adresse

tenant-settings-title = Réglages du portail
tenant-portal-enabled = Portail activé
tenant-portal-for = Clients pouvant utiliser le portail
tenant-portal-all = Tous les clients
tenant-portal-chosen = Seulement les clients dont le portail est activé
tenant-registration = Toute personne connue comme contact peut s'inscrire

flash-saved = Enregistré.
flash-switched = Vous consultez maintenant un autre client.
flash-invited = L'invitation a été envoyée.
flash-link-revoked = Le lien sécurisé a été révoqué.
flash-logged-out = Vous êtes déconnecté.
flash-logged-out-everywhere = Vous êtes déconnecté de tous les appareils.
flash-password-changed = Votre mot de passe a été changé.

error-title = Un problème est survenu
error-wrong-login = Adresse e-mail ou mot de passe incorrect.
error-too-many = Trop de tentatives. Réessayez dans { $minutes ->
    [one] une minute
   *[other] { $minutes } minutes
}.
error-access-window = Votre accès au portail n'est pas ouvert en ce moment. Adressez-vous à votre prestataire.
error-portal-disabled = Le portail n'est pas activé pour votre organisation.
error-link-dead = Ce lien n'est pas valable, a déjà servi ou a expiré. Demandez-en un nouveau.
error-session = Votre session est terminée. Veuillez vous reconnecter.
error-forbidden = Vous n'avez pas le droit de faire cela.
error-not-found = Cette page n'existe pas.
error-tenant-unknown = Il n'y a pas de portail à cette adresse.
error-invalid = Le formulaire n'a pas pu être lu. Veuillez réessayer.
error-invalid-detail = Vérifiez le formulaire : { $detail }
error-conflict-detail = Ce n'est pas possible pour l'instant : { $detail }
error-unavailable = Le service est momentanément indisponible. Réessayez dans un instant.
error-internal = Une erreur est survenue de notre côté. Réessayez plus tard.
error-csrf = Ce formulaire a expiré. Revenez en arrière, rechargez la page et envoyez-le de nouveau.
error-password-mismatch = Les deux mots de passe ne sont pas identiques.
error-current-password = Le mot de passe actuel est incorrect.
error-date = Une date n'est pas valable (format attendu : année-mois-jour).
