# Powiadomienia e-mail po polsku (forma grzecznościowa, bez form zależnych od płci).
# Te same klucze co en/mail.ftl.

## Wspólne

greeting = Dzień dobry,
greeting-named = Dzień dobry, { $name },
signature = { $provider }
footer = Ta wiadomość została wysłana automatycznie przez portal klienta.

## invitation

invitation-subject = { $provider } zaprasza do portalu klienta
invitation-intro = { $provider } zaprasza do swojego portalu klienta, w którym można zgłaszać i śledzić zgłoszenia, sprawdzać zaplanowane wizyty serwisowe oraz przeglądać dokumenty.
invitation-action =
    Aby aktywować konto, prosimy otworzyć poniższy link i ustawić hasło:
    { $link }
invitation-expiry = Link jest ważny do { $expires }. Jeśli to zaproszenie trafiło do Państwa przez pomyłkę, prosimy zignorować tę wiadomość.

## password_reset

password-reset-subject = Ustawienie lub zmiana hasła do portalu { $provider }
password-reset-intro = Otrzymaliśmy prośbę o ustawienie lub zresetowanie hasła do konta w portalu klienta { $provider }.
password-reset-action =
    Aby ustawić hasło, prosimy otworzyć poniższy link:
    { $link }
password-reset-expiry = Z linku można skorzystać tylko raz; jest on ważny do { $expires }.
password-reset-ignore = Jeśli to nie Państwo wysłali tę prośbę, prosimy zignorować tę wiadomość – konto pozostanie bez zmian.

## registration

registration-subject = Potwierdzenie rejestracji w portalu klienta { $provider }
registration-intro = Dziękujemy za rejestrację w portalu klienta { $provider }.
registration-action =
    Aby potwierdzić rejestrację, prosimy otworzyć poniższy link:
    { $link }
registration-expiry = Z linku można skorzystać tylko raz; jest on ważny do { $expires }. Jeśli nie rejestrowali się Państwo w portalu, prosimy zignorować tę wiadomość.

## request_submitted

request-submitted-subject = Nowe zgłoszenie: { $title }
request-submitted-intro = Klient przesłał nowe zgłoszenie w portalu.
request-submitted-details =
    Tytuł: { $title }
    Numer: { $request_id }
request-submitted-link = Otwórz: { $link }

## request_accepted

request-accepted-subject = Zgłoszenie zostało przyjęte: { $title }
request-accepted-body = Zgłoszenie „{ $title }” zostało przyjęte. Zaplanujemy wizytę serwisową i będziemy informować o postępach w portalu.

## request_rejected

request-rejected-subject = Zgłoszenie nie zostało przyjęte: { $title }
request-rejected-intro = Niestety zgłoszenie „{ $title }” nie zostało przyjęte.
request-rejected-reason = Powód: { $reason }
request-rejected-closing = W razie pytań prosimy o kontakt.

## request_comment

request-comment-subject = Nowy komentarz do zgłoszenia: { $title }
request-comment-intro = { $author } dodał(a) komentarz do zgłoszenia „{ $title }”:
request-comment-text = { $comment }
request-comment-reply = Możesz odpowiedzieć na tę wiadomość (odpowiedź trafi na adres { $reply_to }); zostanie ona dodana do zgłoszenia. Prosimy pisać odpowiedź nad cytowanym tekstem.

## request_comment_staff

request-comment-staff-subject = Klient dodał komentarz: { $title }
request-comment-staff-intro = { $author } dodał(a) komentarz do zgłoszenia „{ $title }” (numer { $request_id }):
request-comment-staff-link = Otwórz: { $link }

## request_assigned

request-assigned-subject = Zgłoszenie jest w realizacji: { $title }
request-assigned-body = Zgłoszeniem „{ $title }” zajmuje się teraz { $assignee }.
request-assigned-due = Planowany termin realizacji: { $due }.

## request_closed

request-closed-subject = Zgłoszenie zostało zamknięte: { $title }
request-closed-body = Zgłoszenie „{ $title }” zostało zamknięte.
request-closed-note = Uwaga: { $note }
request-closed-closing = Jeśli problem się powtórzy, możesz wysłać nowe zgłoszenie w portalu.

## request_closed_staff

request-closed-staff-subject = Klient zamknął zgłoszenie: { $title }
request-closed-staff-body = { $closer } zamknął/zamknęła zgłoszenie „{ $title }” (numer { $request_id }).

## appointment_scheduled, appointment_changed

appointment-scheduled-subject = Zaplanowano wizytę: { $title }
appointment-scheduled-body = Prace w ramach zgłoszenia „{ $title }” zaplanowano na { $when }.
appointment-technicians = Przyjedzie: { $technicians }
appointment-calendar = Termin wizyty jest załączony jako plik kalendarza, który można dodać do swojego kalendarza.
appointment-link = Twoje wizyty: { $link }
appointment-changed-subject = Zmiana terminu wizyty: { $title }
appointment-changed-body = Termin wizyty w ramach zgłoszenia „{ $title }” uległ zmianie: obecnie zaplanowano ją na { $when }.
appointment-changed-previous = Poprzedni termin: { $previous }.

## appointment_cancelled

appointment-cancelled-subject = Odwołano wizytę: { $title }
appointment-cancelled-body = Prace w ramach zgłoszenia „{ $title }” zostały odwołane.
appointment-cancelled-when = Były zaplanowane na { $when }.
appointment-cancelled-reason = Powód: { $reason }
appointment-cancelled-closing = W razie pytań prosimy o kontakt.

## work_done

work-done-subject = Prace wykonane: { $title }
work-done-body = Prace w ramach zgłoszenia „{ $title }” zostały zakończone.
work-done-by = Wykonał je: { $technician }.
work-done-link = Postęp zgłoszenia można śledzić tutaj: { $link }

## work_done_staff

work-done-staff-subject = Zakończono prace: { $title }
work-done-staff-body = { $technician } zakończył(a) zaplanowane przez Ciebie prace „{ $title }”.
work-done-staff-planned = Były zaplanowane na { $when }.
work-done-staff-notes = Uwagi: { $notes }
work-done-staff-link = Otwórz: { $link }

## mail_refused

mail-refused-subject = Nie mogliśmy przyjąć Twojej wiadomości: { $title }
mail-refused-intro = Otrzymaliśmy wiadomość „{ $title }”, ale nie mogliśmy jej przyjąć.
mail-refused-why = { $why ->
    [missing_fields] Każde nowe zgłoszenie wymaga { $missing ->
        [category] kategorii
        [priority] priorytetu
        [severity] poziomu ważności
        [equipment_id] wskazania urządzenia
       *[other] dodatkowych informacji
    }, których e-mail nie może podać. Prosimy o złożenie zgłoszenia w portalu; nic nie zostało utworzone.
    [request_closed] Zgłoszenie, na które odpowiedziano, jest zamknięte, więc wiadomość nie została do niego dodana. Jeśli problem nadal występuje, prosimy o nowe zgłoszenie.
    [not_allowed] Nie można było dodać wiadomości do tego zgłoszenia. Prosimy odpowiedzieć z adresu, na który pisaliśmy, lub złożyć nowe zgłoszenie w portalu.
    [no_site] Do Twojego konta nie jest przypisana żadna lokalizacja, dla której można złożyć zgłoszenie. Prosimy o kontakt, abyśmy ją dodali.
   *[invalid] Wiadomość była pusta lub zbyt długa, aby stać się zgłoszeniem. Prosimy napisać ponownie lub skorzystać z portalu.
}
mail-refused-link = Portal: { $link }

## quote_accepted / quote_declined

quote-accepted-subject = Oferta zaakceptowana: { $title }
quote-accepted-intro = { $signer } zaakceptował(a) ofertę „{ $title }” dla { $customer } ({ $total }) w portalu.
quote-accepted-next = Utworzono z niej zlecenie do zaplanowania.
quote-declined-subject = Oferta odrzucona: { $title }
quote-declined-intro = { $customer } odrzucił(a) ofertę „{ $title }” w portalu.
quote-declined-reason = Powód: { $reason }
quote-link = Otwórz ofertę: { $link }

## quote_sent / invoice_issued

quote-sent-subject = Oferta czeka na Twoją decyzję: { $title }
quote-sent-intro = W portalu czeka na Ciebie nowa oferta: { $title }. Możesz ją przeczytać, a potem zaakceptować podpisem lub odrzucić.
quote-sent-link = Twoje oferty: { $link }
invoice-issued-subject = Nowa faktura: { $title }
invoice-issued-intro = W portalu jest nowa faktura: { $title }.
invoice-issued-link = Twoje faktury: { $link }

documents-published-subject = Nowe dokumenty w Twoim portalu
documents-published-intro = Opublikowano dla Ciebie te dokumenty:
documents-published-list = { $documents }
documents-published-link = Otwórz swoje dokumenty: { $link }
doc-kind-quote = Oferta
doc-kind-invoice = Faktura
doc-kind-service_report = Raport serwisowy
doc-kind-certificate = Certyfikat
doc-kind-contract = Umowa
doc-kind-checklist = Lista kontrolna
doc-kind-incident_report = Raport o incydencie
doc-kind-attachment = Załącznik
