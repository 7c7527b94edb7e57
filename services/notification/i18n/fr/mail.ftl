# E-mails de notification, en français. Mêmes clés que en/mail.ftl.

## Commun

greeting = Bonjour,
greeting-named = Bonjour { $name },
signature = { $provider }
footer = Ce message a été envoyé automatiquement par le portail client.

## invitation

invitation-subject = { $provider } vous invite sur son portail client
invitation-intro = { $provider } vous invite sur son portail client, où vous pourrez déposer et suivre vos demandes, consulter les interventions planifiées et retrouver vos documents.
invitation-action =
    Pour activer votre compte, ouvrez ce lien et choisissez un mot de passe :
    { $link }
invitation-expiry = Ce lien est valable jusqu'au { $expires }. Si vous n'attendiez pas cette invitation, vous pouvez ignorer ce message.

## password_reset

password-reset-subject = Définir ou réinitialiser votre mot de passe du portail { $provider }
password-reset-intro = Nous avons reçu une demande de définition ou de réinitialisation du mot de passe de votre compte sur le portail client { $provider }.
password-reset-action =
    Pour choisir votre mot de passe, ouvrez ce lien :
    { $link }
password-reset-expiry = Ce lien ne peut être utilisé qu'une seule fois et reste valable jusqu'au { $expires }.
password-reset-ignore = Si vous n'êtes pas à l'origine de cette demande, vous pouvez ignorer ce message ; rien ne sera modifié sur votre compte.

## registration

registration-subject = Confirmez votre inscription au portail client { $provider }
registration-intro = Merci de vous être inscrit(e) sur le portail client { $provider }.
registration-action =
    Pour confirmer votre inscription, ouvrez ce lien :
    { $link }
registration-expiry = Ce lien ne peut être utilisé qu'une seule fois et reste valable jusqu'au { $expires }. Si vous ne vous êtes pas inscrit(e), vous pouvez ignorer ce message.

## request_submitted

request-submitted-subject = Nouvelle demande : { $title }
request-submitted-intro = Un client a déposé une nouvelle demande sur le portail.
request-submitted-details =
    Titre : { $title }
    Référence : { $request_id }
request-submitted-link = Ouvrir : { $link }

## request_accepted

request-accepted-subject = Votre demande a été acceptée : { $title }
request-accepted-body = Votre demande « { $title } » a été acceptée. Nous allons planifier l'intervention et vous tiendrons informé(e) sur le portail.

## request_rejected

request-rejected-subject = Votre demande n'a pas été retenue : { $title }
request-rejected-intro = Votre demande « { $title } » n'a pas été retenue.
request-rejected-reason = Motif : { $reason }
request-rejected-closing = Pour toute question, n'hésitez pas à nous contacter.

## request_comment

request-comment-subject = Nouveau commentaire sur votre demande : { $title }
request-comment-intro = { $author } a ajouté un commentaire à votre demande « { $title } » :
request-comment-text = { $comment }
request-comment-reply = Vous pouvez répondre directement à cet e-mail (la réponse part vers { $reply_to }) ; elle sera ajoutée à la demande. Merci d'écrire votre réponse au-dessus du texte cité.

## request_comment_staff

request-comment-staff-subject = Le client a commenté : { $title }
request-comment-staff-intro = { $author } a ajouté un commentaire à la demande « { $title } » (référence { $request_id }) :
request-comment-staff-link = Ouvrir : { $link }

## request_assigned

request-assigned-subject = Votre demande est prise en charge : { $title }
request-assigned-body = Votre demande « { $title } » est désormais suivie par { $assignee }.
request-assigned-due = Elle doit être traitée au plus tard le { $due }.

## request_closed

request-closed-subject = Votre demande a été clôturée : { $title }
request-closed-body = Votre demande « { $title } » a été clôturée.
request-closed-note = Remarque : { $note }
request-closed-closing = Si le problème se reproduit, vous pouvez déposer une nouvelle demande sur le portail.

## request_closed_staff

request-closed-staff-subject = Le client a clôturé la demande : { $title }
request-closed-staff-body = { $closer } a clôturé la demande « { $title } » (référence { $request_id }).

## appointment_scheduled, appointment_changed

appointment-scheduled-subject = Intervention planifiée : { $title }
appointment-scheduled-body = L'intervention pour votre demande « { $title } » est prévue le { $when }.
appointment-technicians = Intervenant(s) : { $technicians }
appointment-calendar = Le rendez-vous est joint sous forme de fichier calendrier, que vous pouvez ajouter à votre agenda.
appointment-link = Vos rendez-vous : { $link }
appointment-changed-subject = Intervention modifiée : { $title }
appointment-changed-body = Le rendez-vous pour votre demande « { $title } » a changé : il est désormais prévu le { $when }.
appointment-changed-previous = Il était prévu le { $previous }.

## appointment_cancelled

appointment-cancelled-subject = Intervention annulée : { $title }
appointment-cancelled-body = L'intervention pour votre demande « { $title } » a été annulée.
appointment-cancelled-when = Elle était prévue le { $when }.
appointment-cancelled-reason = Motif : { $reason }
appointment-cancelled-closing = Pour toute question, n'hésitez pas à nous contacter.

## work_done

work-done-subject = Intervention terminée : { $title }
work-done-body = L'intervention pour votre demande « { $title } » est terminée.
work-done-by = Elle a été réalisée par { $technician }.
work-done-link = Vous pouvez suivre votre demande ici : { $link }

## work_done_staff

work-done-staff-subject = Intervention réalisée : { $title }
work-done-staff-body = { $technician } a terminé l'intervention « { $title } » que vous avez planifiée.
work-done-staff-planned = Elle était prévue le { $when }.
work-done-staff-notes = Remarques : { $notes }
work-done-staff-link = Ouvrir : { $link }

## mail_refused

mail-refused-subject = Votre message n'a pas pu être pris en compte : { $title }
mail-refused-intro = Nous avons bien reçu votre message « { $title } », mais n'avons pas pu le prendre en compte.
mail-refused-why = { $why ->
    [missing_fields] Toute nouvelle demande doit préciser { $missing ->
        [category] une catégorie
        [priority] une priorité
        [severity] une gravité
        [equipment_id] l'équipement concerné
       *[other] des informations complémentaires
    }, ce qu'un e-mail ne permet pas. Merci de faire votre demande sur le portail ; rien n'a été créé.
    [request_closed] La demande à laquelle vous avez répondu est clôturée : votre message n'y a pas été ajouté. Si le problème persiste, merci de faire une nouvelle demande.
    [not_allowed] Votre message n'a pas pu être ajouté à cette demande. Merci de répondre depuis l'adresse à laquelle nous vous avons écrit, ou de faire une nouvelle demande sur le portail.
    [no_site] Aucun site n'est rattaché à votre compte pour y déposer une demande. Merci de nous contacter afin que nous l'ajoutions.
   *[invalid] Votre message était vide ou trop long pour devenir une demande. Merci de nous écrire à nouveau ou d'utiliser le portail.
}
mail-refused-link = Le portail : { $link }

## quote_accepted / quote_declined

quote-accepted-subject = Devis accepté : { $title }
quote-accepted-intro = { $signer } a accepté le devis « { $title } » pour { $customer } ({ $total }) dans le portail.
quote-accepted-next = Une intervention à planifier a été créée.
quote-declined-subject = Devis refusé : { $title }
quote-declined-intro = { $customer } a refusé le devis « { $title } » dans le portail.
quote-declined-reason = Motif : { $reason }
quote-link = Ouvrir le devis : { $link }

## quote_sent / invoice_issued

quote-sent-subject = Un devis attend votre décision : { $title }
quote-sent-intro = Un nouveau devis vous attend dans le portail : { $title }. Vous pouvez le lire, puis l’accepter en signant ou le refuser.
quote-sent-link = Voir vos devis : { $link }
invoice-issued-subject = Nouvelle facture : { $title }
invoice-issued-intro = Une nouvelle facture est disponible dans le portail : { $title }.
invoice-issued-link = Voir vos factures : { $link }

documents-published-subject = Nouveaux documents dans votre portail
documents-published-intro = Ces documents ont été publiés pour vous :
documents-published-list = { $documents }
documents-published-link = Voir vos documents : { $link }
doc-kind-quote = Devis
doc-kind-invoice = Facture
doc-kind-service_report = Rapport d’intervention
doc-kind-certificate = Certificat
doc-kind-contract = Contrat
doc-kind-checklist = Liste de contrôle
doc-kind-incident_report = Rapport d’incident
doc-kind-attachment = Pièce jointe
