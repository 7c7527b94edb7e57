# Portal internetowy, po polsku.

app-name = Portal klienta
skip-to-content = Przejdź do treści
footer-text = Portal klienta Twojego usługodawcy
nav-label = Menu główne
nav-home = Strona główna
nav-contacts = Kontakty
nav-settings = Ustawienia
nav-logout = Wyloguj się
nav-customers = Klienci
nav-audit = Dziennik audytu
nav-tenant-settings = Ustawienia portalu
back-home = Wróć na stronę główną
back-to-login = Wróć do logowania
back-customers = Wszyscy klienci
back-to = Wróć do: { $name }
next-page = Następna strona
none = —
save = Zapisz
copy = Kopiuj
copied = Skopiowano
lang-en = English
lang-fr = Français
lang-de = Deutsch
lang-es = Español
lang-pl = Polski

landing-intro = Klienci firmy usługowej widzą tu swoje lokalizacje, zgłoszenia i dokumenty oraz zlecają nowe prace.
landing-tenant-hint = Aby się zalogować, użyj adresu przesłanego przez Twojego usługodawcę.
landing-api = Interfejs REST API jest opisany w dokumencie OpenAPI.

field-email = Adres e-mail
field-password = Hasło
field-new-password = Nowe hasło
field-password-confirm = Powtórz nowe hasło
field-current-password = Obecne hasło
field-name = Imię i nazwisko
field-language = Język
field-notifications = Wysyłaj mi powiadomienia e-mailem
field-phone = Telefon

login-title = Logowanie
login-submit = Zaloguj się
login-forgot = Nie pamiętasz hasła? Pierwsza wizyta?
login-register = Załóż konto

register-title = Załóż konto
register-intro = Użyj adresu e-mail, pod którym zna Cię Twój usługodawca.
register-submit = Załóż moje konto
register-closed = Rejestracja w tym portalu nie jest otwarta. Poproś usługodawcę o zaproszenie.
register-sent-title = Sprawdź skrzynkę pocztową
register-sent = Jeśli ten adres może korzystać z portalu, wysłaliśmy na niego link do potwierdzenia konta.

forgot-title = Zapomniane hasło lub pierwsza wizyta
forgot-intro = Podaj swój adres e-mail: wyślemy Ci link do ustawienia hasła.
forgot-submit = Wyślij mi link
forgot-sent-title = Sprawdź skrzynkę pocztową
forgot-sent = Jeśli istnieje konto dla tego adresu, wysłaliśmy na niego link do ustawienia hasła. Link działa jeden raz i wkrótce wygaśnie.

invitation-title = Witamy w portalu
reset-title = Ustaw nowe hasło
password-set-intro = { $tenant }: konto { $email }
password-set-submit = Zapisz hasło i zaloguj się
registration-confirm-title = Potwierdź konto
registration-confirm-intro = Potwierdź, że to konto należy do Ciebie, aby otworzyć portal.
registration-confirm-submit = Potwierdź i zaloguj się

home-title = Strona główna
switch-label = Klient
switch-submit = Przełącz
card-title = Organizacja
card-number = Numer klienta
card-name = Nazwa
card-address = Adres
card-main-contact = Główna osoba kontaktowa
card-info = Dodatkowe informacje
sites-title = Lokalizacje
sites-none = Nie ma jeszcze żadnej lokalizacji.

contacts-title = Kontakty
contacts-filter = Które kontakty
contacts-none = Brak kontaktów do wyświetlenia.
filter-all = Wszystkie
filter-mine = Moje
col-name = Imię i nazwisko
col-scope = Dostęp do
col-portal = Portal
col-access-window = Okres dostępu
col-status = Stan
col-actions = Działania
scope-customer = Wszystkie lokalizacje
scope-sites = { $count ->
    [one] Jedna lokalizacja
    [few] { $count } lokalizacje
   *[many] { $count } lokalizacji
}

settings-title = Ustawienia
profile-title = Dane osobowe
provider-title = Twój usługodawca
password-title = Hasło
password-submit = Zmień hasło
password-ends-sessions = Zmiana hasła wyloguje Cię na pozostałych urządzeniach.
sessions-title = Sesje
sessions-intro = Wyloguj się na wszystkich urządzeniach, na których jesteś zalogowany, łącznie z tym.
logout-everywhere = Wyloguj się wszędzie

customers-title = Klienci
customers-none = Nie znaleziono żadnego klienta.
search-label = Numer lub nazwa
search-submit = Szukaj
portal-on = Włączony
portal-off = Wyłączony
portal-title = Dostęp do portalu
portal-enabled = Portal włączony dla tego klienta
portal-enabled-at = Włączony dnia { $date }
visibility-label = Zgłoszenia widoczne dla jego kontaktów
visibility-all = Wszystkie zgłoszenia
visibility-since = Zgłoszenia utworzone od wybranej daty
visibility-after_enabled = Zgłoszenia utworzone po włączeniu portalu
visibility-since-date = Data (dla „od wybranej daty”)
contact-active = Aktywny
contact-not-active = Jeszcze nieaktywny
access-always = Zawsze
access-from = Od
access-until = Do
invite = Wyślij zaproszenie
invite-for = Wyślij zaproszenie do: { $name }
scope-legend = Lokalizacje
scope-help = Bez zaznaczonej lokalizacji kontakt widzi wszystkie lokalizacje klienta.

links-title = Bezpieczne linki
links-intro = Bezpieczny link otwiera portal tego klienta bez hasła. Wysyłaj go tylko osobom, dla których jest przeznaczony.
links-new = Nowy bezpieczny link (skopiuj go teraz: jest wyświetlany tylko raz)
links-shown-once = Ze względów bezpieczeństwa tego adresu nie można wyświetlić ponownie. Jeśli zaginie, utwórz nowy link.
links-site = Zakres
links-whole-customer = Cały klient
links-expires = Wygasa dnia
links-label = Opis
links-create = Utwórz bezpieczny link
links-never = Nigdy
links-unused = Jeszcze nieużyty
links-last-used = Ostatnie użycie
links-revoke = Unieważnij
links-revoked = Unieważniony

audit-title = Dziennik audytu
audit-none = Nic jeszcze nie zapisano.
audit-when = Kiedy
audit-who = Kto
audit-what = Co
audit-target = Dotyczy
audit-address = Z adresu

tenant-settings-title = Ustawienia portalu
tenant-portal-enabled = Portal włączony
tenant-portal-for = Klienci, którzy mogą korzystać z portalu
tenant-portal-all = Wszyscy klienci
tenant-portal-chosen = Tylko klienci z włączonym portalem
tenant-registration = Każda osoba znana jako kontakt może się zarejestrować

flash-saved = Zapisano.
flash-switched = Przeglądasz teraz innego klienta.
flash-invited = Zaproszenie zostało wysłane.
flash-link-revoked = Bezpieczny link został unieważniony.
flash-logged-out = Wylogowano.
flash-logged-out-everywhere = Wylogowano na wszystkich urządzeniach.
flash-password-changed = Hasło zostało zmienione.

error-title = Coś poszło nie tak
error-wrong-login = Nieprawidłowy adres e-mail lub hasło.
error-too-many = Zbyt wiele prób. Spróbuj ponownie za { $minutes ->
    [one] minutę
    [few] { $minutes } minuty
   *[many] { $minutes } minut
}.
error-access-window = Twój dostęp do portalu nie jest teraz otwarty. Skontaktuj się z usługodawcą.
error-portal-disabled = Portal nie jest włączony dla Twojej organizacji.
error-link-dead = Ten link jest nieprawidłowy, został już użyty lub wygasł. Poproś o nowy.
error-session = Twoja sesja wygasła. Zaloguj się ponownie.
error-forbidden = Nie masz uprawnień do tej czynności.
error-not-found = Ta strona nie istnieje.
error-tenant-unknown = Pod tym adresem nie ma portalu.
error-invalid = Nie udało się odczytać formularza. Spróbuj ponownie.
error-invalid-detail = Sprawdź formularz: { $detail }
error-conflict-detail = Teraz nie jest to możliwe: { $detail }
error-unavailable = Usługa jest chwilowo niedostępna. Spróbuj ponownie za moment.
error-internal = Wystąpił błąd po naszej stronie. Spróbuj ponownie później.
error-csrf = Ten formularz wygasł. Wróć, odśwież stronę i wyślij go ponownie.
error-password-mismatch = Hasła nie są takie same.
error-current-password = Obecne hasło jest nieprawidłowe.
error-date = Nieprawidłowa data (oczekiwany format: rok-miesiąc-dzień).
