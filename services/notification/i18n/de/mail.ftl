# Benachrichtigungs-E-Mails auf Deutsch (Sie-Form). Gleiche Schlüssel wie en/mail.ftl.
# Nach der Anrede mit Komma beginnt der folgende Absatz klein, außer bei Namen und Anredepronomen.

## Gemeinsam

greeting = Guten Tag,
greeting-named = Guten Tag { $name },
signature = { $provider }
footer = Diese Nachricht wurde automatisch vom Kundenportal versendet.

## invitation

invitation-subject = Einladung zum Kundenportal von { $provider }
invitation-intro = { $provider } hat Sie zum Kundenportal eingeladen. Dort können Sie Ihre Anfragen stellen und verfolgen, geplante Einsätze einsehen und Ihre Dokumente abrufen.
invitation-action =
    Um Ihr Konto zu aktivieren, öffnen Sie bitte diesen Link und wählen Sie ein Passwort:
    { $link }
invitation-expiry = Der Link ist gültig bis { $expires }. Falls Sie diese Einladung nicht erwartet haben, können Sie diese Nachricht ignorieren.

## password_reset

password-reset-subject = Passwort für das Kundenportal von { $provider } festlegen oder zurücksetzen
password-reset-intro = wir haben eine Anfrage erhalten, das Passwort Ihres Kontos im Kundenportal von { $provider } festzulegen oder zurückzusetzen.
password-reset-action =
    Um Ihr Passwort zu wählen, öffnen Sie bitte diesen Link:
    { $link }
password-reset-expiry = Der Link kann nur einmal verwendet werden und ist gültig bis { $expires }.
password-reset-ignore = Falls Sie diese Anfrage nicht gestellt haben, können Sie diese Nachricht ignorieren; an Ihrem Konto ändert sich nichts.

## registration

registration-subject = Bestätigen Sie Ihre Registrierung im Kundenportal von { $provider }
registration-intro = vielen Dank für Ihre Registrierung im Kundenportal von { $provider }.
registration-action =
    Bitte bestätigen Sie Ihre Registrierung über diesen Link:
    { $link }
registration-expiry = Der Link kann nur einmal verwendet werden und ist gültig bis { $expires }. Falls Sie sich nicht registriert haben, können Sie diese Nachricht ignorieren.

## request_submitted

request-submitted-subject = Neue Anfrage: { $title }
request-submitted-intro = ein Kunde hat im Portal eine neue Anfrage gestellt.
request-submitted-details =
    Titel: { $title }
    Referenz: { $request_id }
request-submitted-link = Öffnen: { $link }

## request_accepted

request-accepted-subject = Ihre Anfrage wurde angenommen: { $title }
request-accepted-body = Ihre Anfrage „{ $title }“ wurde angenommen. Wir planen den Einsatz und halten Sie im Portal auf dem Laufenden.

## request_rejected

request-rejected-subject = Ihre Anfrage wurde nicht angenommen: { $title }
request-rejected-intro = Ihre Anfrage „{ $title }“ wurde leider nicht angenommen.
request-rejected-reason = Begründung: { $reason }
request-rejected-closing = Bei Fragen stehen wir Ihnen gerne zur Verfügung.

## request_comment

request-comment-subject = Neuer Kommentar zu Ihrer Anfrage: { $title }
request-comment-intro = { $author } hat Ihre Anfrage „{ $title }“ kommentiert:
request-comment-text = { $comment }
request-comment-reply = Sie können einfach auf diese E-Mail antworten (die Antwort geht an { $reply_to }); sie wird der Anfrage hinzugefügt. Bitte schreiben Sie Ihre Antwort über den zitierten Text.

## request_comment_staff

request-comment-staff-subject = Der Kunde hat kommentiert: { $title }
request-comment-staff-intro = { $author } hat die Anfrage „{ $title }“ (Referenz { $request_id }) kommentiert:
request-comment-staff-link = Öffnen: { $link }

## request_assigned

request-assigned-subject = Ihre Anfrage wird bearbeitet: { $title }
request-assigned-body = Ihre Anfrage „{ $title }“ wird jetzt von { $assignee } bearbeitet.
request-assigned-due = Sie soll bis zum { $due } erledigt sein.

## request_closed

request-closed-subject = Ihre Anfrage wurde geschlossen: { $title }
request-closed-body = Ihre Anfrage „{ $title }“ wurde geschlossen.
request-closed-note = Hinweis: { $note }
request-closed-closing = Sollte das Problem erneut auftreten, können Sie im Portal eine neue Anfrage stellen.

## request_closed_staff

request-closed-staff-subject = Der Kunde hat die Anfrage geschlossen: { $title }
request-closed-staff-body = { $closer } hat die Anfrage „{ $title }“ (Referenz { $request_id }) geschlossen.

## appointment_scheduled, appointment_changed

appointment-scheduled-subject = Termin geplant: { $title }
appointment-scheduled-body = Die Arbeiten zu Ihrer Anfrage „{ $title }“ sind für { $when } geplant.
appointment-technicians = Es kommt: { $technicians }
appointment-calendar = Der Termin ist als Kalenderdatei angehängt, die Sie in Ihren Kalender übernehmen können.
appointment-link = Ihre Termine: { $link }
appointment-changed-subject = Termin geändert: { $title }
appointment-changed-body = Der Termin zu Ihrer Anfrage „{ $title }“ hat sich geändert: Er ist jetzt für { $when } geplant.
appointment-changed-previous = Bisher war er für { $previous } geplant.

## appointment_cancelled

appointment-cancelled-subject = Termin abgesagt: { $title }
appointment-cancelled-body = Die Arbeiten zu Ihrer Anfrage „{ $title }“ wurden abgesagt.
appointment-cancelled-when = Sie waren für { $when } geplant.
appointment-cancelled-reason = Begründung: { $reason }
appointment-cancelled-closing = Bei Fragen stehen wir Ihnen gerne zur Verfügung.

## work_done

work-done-subject = Arbeiten erledigt: { $title }
work-done-body = Die Arbeiten zu Ihrer Anfrage „{ $title }“ sind abgeschlossen.
work-done-by = Ausgeführt von { $technician }.
work-done-link = Hier können Sie Ihre Anfrage verfolgen: { $link }

## work_done_staff

work-done-staff-subject = Arbeiten abgeschlossen: { $title }
work-done-staff-body = { $technician } hat die von Ihnen geplanten Arbeiten „{ $title }“ abgeschlossen.
work-done-staff-planned = Sie waren für { $when } geplant.
work-done-staff-notes = Notizen: { $notes }
work-done-staff-link = Öffnen: { $link }

## mail_refused

mail-refused-subject = Ihre E-Mail konnte nicht übernommen werden: { $title }
mail-refused-intro = Wir haben Ihre E-Mail „{ $title }“ erhalten, konnten sie aber nicht übernehmen.
mail-refused-why = { $why ->
    [missing_fields] Jede neue Anfrage braucht { $missing ->
        [category] eine Kategorie
        [priority] eine Priorität
        [severity] einen Schweregrad
        [equipment_id] die betroffene Anlage
       *[other] weitere Angaben
    }, die eine E-Mail nicht liefern kann. Bitte stellen Sie Ihre Anfrage im Portal; es wurde nichts angelegt.
    [request_closed] Die Anfrage, auf die Sie geantwortet haben, ist abgeschlossen; Ihre Nachricht wurde ihr nicht hinzugefügt. Besteht das Problem weiter, stellen Sie bitte eine neue Anfrage.
    [not_allowed] Ihre Nachricht konnte dieser Anfrage nicht hinzugefügt werden. Bitte antworten Sie von der Adresse, an die wir geschrieben haben, oder stellen Sie eine neue Anfrage im Portal.
    [no_site] Ihrem Konto ist kein Standort zugeordnet, für den eine Anfrage gestellt werden kann. Bitte kontaktieren Sie uns, damit wir ihn ergänzen.
   *[invalid] Ihre E-Mail war leer oder zu lang für eine Anfrage. Bitte schreiben Sie erneut oder nutzen Sie das Portal.
}
mail-refused-link = Zum Portal: { $link }

## quote_accepted / quote_declined

quote-accepted-subject = Angebot angenommen: { $title }
quote-accepted-intro = { $signer } hat das Angebot „{ $title }“ für { $customer } ({ $total }) im Portal angenommen.
quote-accepted-next = Daraus wurde ein zu planender Auftrag angelegt.
quote-declined-subject = Angebot abgelehnt: { $title }
quote-declined-intro = { $customer } hat das Angebot „{ $title }“ im Portal abgelehnt.
quote-declined-reason = Grund: { $reason }
quote-link = Angebot öffnen: { $link }

## quote_sent / invoice_issued

quote-sent-subject = Ein Angebot wartet auf Ihre Entscheidung: { $title }
quote-sent-intro = Im Portal wartet ein neues Angebot auf Sie: { $title }. Sie können es lesen und dann mit Ihrer Unterschrift annehmen oder ablehnen.
quote-sent-link = Ihre Angebote: { $link }
invoice-issued-subject = Neue Rechnung: { $title }
invoice-issued-intro = Im Portal liegt eine neue Rechnung: { $title }.
invoice-issued-link = Ihre Rechnungen: { $link }

documents-published-subject = Neue Dokumente in Ihrem Portal
documents-published-intro = Diese Dokumente wurden für Sie veröffentlicht:
documents-published-list = { $documents }
documents-published-link = Ihre Dokumente öffnen: { $link }
doc-kind-quote = Angebot
doc-kind-invoice = Rechnung
doc-kind-service_report = Servicebericht
doc-kind-certificate = Zertifikat
doc-kind-contract = Vertrag
doc-kind-checklist = Checkliste
doc-kind-incident_report = Störungsbericht
doc-kind-attachment = Anhang
