# Das Webportal, auf Deutsch.

app-name = Kundenportal
skip-to-content = Zum Inhalt springen
footer-text = Das Kundenportal Ihres Dienstleisters
nav-label = Hauptmenü
nav-home = Startseite
nav-contacts = Kontakte
nav-settings = Einstellungen
nav-logout = Abmelden
nav-customers = Kunden
nav-audit = Prüfprotokoll
nav-tenant-settings = Portaleinstellungen
back-home = Zurück zur Startseite
back-to-login = Zurück zur Anmeldung
back-customers = Alle Kunden
back-to = Zurück zu { $name }
next-page = Nächste Seite
none = —
save = Speichern
copy = Kopieren
copied = Kopiert
lang-en = English
lang-fr = Français
lang-de = Deutsch
lang-es = Español
lang-pl = Polski

landing-intro = Kunden eines Dienstleistungsunternehmens sehen hier ihre Standorte, Anfragen und Dokumente und beauftragen neue Arbeiten.
landing-tenant-hint = Melden Sie sich über die Adresse an, die Ihnen Ihr Dienstleister geschickt hat.
landing-api = Die REST-API ist im OpenAPI-Dokument beschrieben.

field-email = E-Mail-Adresse
field-password = Passwort
field-new-password = Neues Passwort
field-password-confirm = Neues Passwort wiederholen
field-current-password = Aktuelles Passwort
field-name = Name
field-language = Sprache
field-notifications = Benachrichtigungen per E-Mail erhalten
field-phone = Telefon

login-title = Anmelden
login-submit = Anmelden
login-forgot = Passwort vergessen? Erster Besuch?
login-register = Konto anlegen

register-title = Konto anlegen
register-intro = Verwenden Sie die E-Mail-Adresse, unter der Ihr Dienstleister Sie kennt.
register-submit = Mein Konto anlegen
register-closed = Für dieses Portal ist keine Registrierung möglich. Bitten Sie Ihren Dienstleister um eine Einladung.
register-sent-title = Sehen Sie in Ihr Postfach
register-sent = Falls diese Adresse das Portal nutzen darf, haben wir ihr einen Link zur Bestätigung des Kontos geschickt.

forgot-title = Passwort vergessen oder erster Besuch
forgot-intro = Geben Sie Ihre E-Mail-Adresse ein: Wir schicken Ihnen einen Link, mit dem Sie ein Passwort wählen.
forgot-submit = Link senden
forgot-sent-title = Sehen Sie in Ihr Postfach
forgot-sent = Falls es zu dieser Adresse ein Konto gibt, haben wir ihr einen Link zum Wählen eines Passworts geschickt. Der Link gilt nur einmal und läuft bald ab.

invitation-title = Willkommen im Portal
reset-title = Neues Passwort wählen
password-set-intro = { $tenant }: Konto { $email }
password-set-submit = Passwort speichern und anmelden
registration-confirm-title = Konto bestätigen
registration-confirm-intro = Bestätigen Sie, dass dieses Konto Ihnen gehört, um das Portal zu öffnen.
registration-confirm-submit = Bestätigen und anmelden

home-title = Startseite
switch-label = Kunde
switch-submit = Wechseln
card-title = Organisation
card-number = Kundennummer
card-name = Name
card-address = Adresse
card-main-contact = Hauptansprechpartner
card-info = Weitere Informationen
sites-title = Standorte
sites-none = Noch kein Standort.

contacts-title = Kontakte
contacts-filter = Welche Kontakte
contacts-none = Keine Kontakte vorhanden.
filter-all = Alle
filter-mine = Meine
col-name = Name
col-scope = Zugriff auf
col-portal = Portal
col-access-window = Zugriffszeitraum
col-status = Status
col-actions = Aktionen
scope-customer = Alle Standorte
scope-sites = { $count ->
    [one] Ein Standort
   *[other] { $count } Standorte
}

settings-title = Einstellungen
profile-title = Persönliche Angaben
provider-title = Ihr Dienstleister
password-title = Passwort
password-submit = Passwort ändern
password-ends-sessions = Wenn Sie das Passwort ändern, werden Sie auf Ihren anderen Geräten abgemeldet.
sessions-title = Sitzungen
sessions-intro = Melden Sie sich auf allen Geräten ab, auf denen Sie angemeldet sind, auch auf diesem.
logout-everywhere = Überall abmelden

customers-title = Kunden
customers-none = Kein Kunde gefunden.
search-label = Nummer oder Name
search-submit = Suchen
portal-on = Ein
portal-off = Aus
portal-title = Portalzugang
portal-enabled = Portal für diesen Kunden aktiviert
portal-enabled-at = Aktiviert am { $date }
visibility-label = Anfragen, die seine Kontakte sehen
visibility-all = Alle Anfragen
visibility-since = Anfragen ab einem Datum
visibility-after_enabled = Anfragen nach Aktivierung des Portals
visibility-since-date = Datum (für „ab einem Datum“)
contact-active = Aktiv
contact-not-active = Noch nicht aktiviert
access-always = Immer
access-from = Von
access-until = Bis
invite = Einladung senden
invite-for = Einladung an { $name } senden
scope-legend = Standorte
scope-help = Kein Standort ausgewählt: Der Kontakt sieht alle Standorte des Kunden.

links-title = Sichere Links
links-intro = Ein sicherer Link öffnet das Portal dieses Kunden ohne Passwort. Senden Sie ihn nur an die Personen, für die er bestimmt ist.
links-new = Neuer sicherer Link (jetzt kopieren: er wird nur einmal angezeigt)
links-shown-once = Aus Sicherheitsgründen kann diese Adresse nicht noch einmal angezeigt werden. Legen Sie einen neuen Link an, wenn sie verloren geht.
links-site = Umfang
links-whole-customer = Ganzer Kunde
links-expires = Läuft ab am
links-label = Bezeichnung
links-create = Sicheren Link anlegen
links-never = Nie
links-unused = Noch nicht verwendet
links-last-used = Zuletzt verwendet
links-revoke = Widerrufen
links-revoked = Widerrufen

audit-title = Prüfprotokoll
audit-none = Noch nichts aufgezeichnet.
audit-when = Wann
audit-who = Wer
audit-what = Was
audit-target = Betrifft
audit-address = Von Adresse

tenant-settings-title = Portaleinstellungen
tenant-portal-enabled = Portal aktiviert
tenant-portal-for = Kunden, die das Portal nutzen dürfen
tenant-portal-all = Alle Kunden
tenant-portal-chosen = Nur Kunden mit aktiviertem Portal
tenant-registration = Jeder bekannte Kontakt darf sich registrieren

flash-saved = Gespeichert.
flash-switched = Sie sehen jetzt einen anderen Kunden.
flash-invited = Die Einladung wurde gesendet.
flash-link-revoked = Der sichere Link wurde widerrufen.
flash-logged-out = Sie sind abgemeldet.
flash-logged-out-everywhere = Sie sind auf allen Geräten abgemeldet.
flash-password-changed = Ihr Passwort wurde geändert.

error-title = Etwas ist schiefgelaufen
error-wrong-login = E-Mail-Adresse oder Passwort falsch.
error-too-many = Zu viele Versuche. Versuchen Sie es in { $minutes ->
    [one] einer Minute
   *[other] { $minutes } Minuten
} erneut.
error-access-window = Ihr Zugang zum Portal ist derzeit nicht freigegeben. Wenden Sie sich an Ihren Dienstleister.
error-portal-disabled = Das Portal ist für Ihre Organisation nicht aktiviert.
error-link-dead = Dieser Link ist ungültig, wurde schon verwendet oder ist abgelaufen. Fordern Sie einen neuen an.
error-session = Ihre Sitzung ist beendet. Bitte melden Sie sich erneut an.
error-forbidden = Das dürfen Sie nicht.
error-not-found = Diese Seite gibt es nicht.
error-tenant-unknown = Unter dieser Adresse gibt es kein Portal.
error-invalid = Das Formular konnte nicht gelesen werden. Bitte versuchen Sie es erneut.
error-invalid-detail = Bitte prüfen Sie das Formular: { $detail }
error-conflict-detail = Das geht gerade nicht: { $detail }
error-unavailable = Der Dienst ist kurz nicht erreichbar. Bitte versuchen Sie es gleich noch einmal.
error-internal = Bei uns ist ein Fehler aufgetreten. Bitte versuchen Sie es später erneut.
error-csrf = Dieses Formular ist abgelaufen. Gehen Sie zurück, laden Sie die Seite neu und senden Sie es erneut.
error-password-mismatch = Die beiden Passwörter stimmen nicht überein.
error-current-password = Das aktuelle Passwort ist falsch.
error-date = Ein Datum ist ungültig (erwartet: Jahr-Monat-Tag).
