# Correos de notificación en español (tratamiento de usted). Mismas claves que en/mail.ftl.

## Común

greeting = Hola:
greeting-named = Hola, { $name }:
signature = { $provider }
footer = Este mensaje ha sido enviado automáticamente por el portal de clientes.

## invitation

invitation-subject = { $provider } le invita a su portal de clientes
invitation-intro = { $provider } le ha invitado a su portal de clientes, donde podrá enviar y seguir sus solicitudes, consultar las intervenciones programadas y encontrar sus documentos.
invitation-action =
    Para activar su cuenta, abra este enlace y elija una contraseña:
    { $link }
invitation-expiry = El enlace es válido hasta el { $expires }. Si no esperaba esta invitación, puede ignorar este mensaje.

## password_reset

password-reset-subject = Establezca o restablezca su contraseña del portal de { $provider }
password-reset-intro = Hemos recibido una solicitud para establecer o restablecer la contraseña de su cuenta en el portal de clientes de { $provider }.
password-reset-action =
    Para elegir su contraseña, abra este enlace:
    { $link }
password-reset-expiry = El enlace solo puede usarse una vez y es válido hasta el { $expires }.
password-reset-ignore = Si no ha realizado esta solicitud, puede ignorar este mensaje; su cuenta no se modificará.

## registration

registration-subject = Confirme su registro en el portal de clientes de { $provider }
registration-intro = Gracias por registrarse en el portal de clientes de { $provider }.
registration-action =
    Para confirmar su registro, abra este enlace:
    { $link }
registration-expiry = El enlace solo puede usarse una vez y es válido hasta el { $expires }. Si no se ha registrado, puede ignorar este mensaje.

## request_submitted

request-submitted-subject = Nueva solicitud: { $title }
request-submitted-intro = Un cliente ha enviado una nueva solicitud en el portal.
request-submitted-details =
    Título: { $title }
    Referencia: { $request_id }
request-submitted-link = Abrir: { $link }

## request_accepted

request-accepted-subject = Su solicitud ha sido aceptada: { $title }
request-accepted-body = Su solicitud «{ $title }» ha sido aceptada. Programaremos la intervención y le informaremos de su evolución a través del portal.

## request_rejected

request-rejected-subject = Su solicitud no ha sido aceptada: { $title }
request-rejected-intro = Su solicitud «{ $title }» no ha sido aceptada.
request-rejected-reason = Motivo: { $reason }
request-rejected-closing = Si tiene alguna pregunta, no dude en ponerse en contacto con nosotros.

## request_comment

request-comment-subject = Nuevo comentario en su solicitud: { $title }
request-comment-intro = { $author } ha añadido un comentario a su solicitud «{ $title }»:
request-comment-text = { $comment }
request-comment-reply = Puede contestar respondiendo a este correo (la respuesta se envía a { $reply_to }); se añadirá a la solicitud. Escriba su respuesta por encima del texto citado.

## request_comment_staff

request-comment-staff-subject = El cliente ha comentado: { $title }
request-comment-staff-intro = { $author } ha añadido un comentario a la solicitud «{ $title }» (referencia { $request_id }):
request-comment-staff-link = Abrir: { $link }

## request_assigned

request-assigned-subject = Su solicitud está en curso: { $title }
request-assigned-body = Su solicitud «{ $title }» la gestiona ahora { $assignee }.
request-assigned-due = Está previsto resolverla antes del { $due }.

## request_closed

request-closed-subject = Su solicitud ha sido cerrada: { $title }
request-closed-body = Su solicitud «{ $title }» ha sido cerrada.
request-closed-note = Nota: { $note }
request-closed-closing = Si el problema vuelve a aparecer, puede enviar una nueva solicitud en el portal.

## request_closed_staff

request-closed-staff-subject = El cliente ha cerrado la solicitud: { $title }
request-closed-staff-body = { $closer } ha cerrado la solicitud «{ $title }» (referencia { $request_id }).

## appointment_scheduled, appointment_changed

appointment-scheduled-subject = Cita programada: { $title }
appointment-scheduled-body = La intervención de su solicitud «{ $title }» está programada para el { $when }.
appointment-technicians = Quién acudirá: { $technicians }
appointment-calendar = La cita va adjunta como archivo de calendario, que puede añadir a su agenda.
appointment-link = Sus citas: { $link }
appointment-changed-subject = Cita modificada: { $title }
appointment-changed-body = La cita de su solicitud «{ $title }» ha cambiado: ahora está programada para el { $when }.
appointment-changed-previous = Estaba programada para el { $previous }.

## appointment_cancelled

appointment-cancelled-subject = Cita cancelada: { $title }
appointment-cancelled-body = La intervención de su solicitud «{ $title }» ha sido cancelada.
appointment-cancelled-when = Estaba programada para el { $when }.
appointment-cancelled-reason = Motivo: { $reason }
appointment-cancelled-closing = Si tiene alguna pregunta, no dude en ponerse en contacto con nosotros.

## work_done

work-done-subject = Trabajo realizado: { $title }
work-done-body = La intervención de su solicitud «{ $title }» ha finalizado.
work-done-by = La ha realizado { $technician }.
work-done-link = Puede seguir su solicitud aquí: { $link }

## work_done_staff

work-done-staff-subject = Trabajo finalizado: { $title }
work-done-staff-body = { $technician } ha finalizado el trabajo «{ $title }» que usted programó.
work-done-staff-planned = Estaba programado para el { $when }.
work-done-staff-notes = Notas: { $notes }
work-done-staff-link = Abrir: { $link }

## mail_refused

mail-refused-subject = No hemos podido tramitar su correo: { $title }
mail-refused-intro = Hemos recibido su correo «{ $title }», pero no hemos podido tramitarlo.
mail-refused-why = { $why ->
    [missing_fields] Toda solicitud nueva necesita { $missing ->
        [category] una categoría
        [priority] una prioridad
        [severity] una gravedad
        [equipment_id] el equipo afectado
       *[other] más datos
    }, que un correo no puede indicar. Haga su solicitud en el portal; no se ha creado nada.
    [request_closed] La solicitud a la que ha respondido está cerrada, por lo que su mensaje no se ha añadido. Si el problema continúa, haga una nueva solicitud.
    [not_allowed] Su mensaje no se ha podido añadir a esa solicitud. Responda desde la dirección a la que le escribimos o haga una nueva solicitud en el portal.
    [no_site] No hay ningún emplazamiento asociado a su cuenta para registrar una solicitud. Póngase en contacto con nosotros para que lo añadamos.
   *[invalid] Su correo estaba vacío o era demasiado largo para convertirse en una solicitud. Escríbanos de nuevo o utilice el portal.
}
mail-refused-link = El portal: { $link }

## quote_accepted / quote_declined

quote-accepted-subject = Presupuesto aceptado: { $title }
quote-accepted-intro = { $signer } aceptó el presupuesto «{ $title }» para { $customer } ({ $total }) en el portal.
quote-accepted-next = Se ha creado una orden de trabajo por planificar.
quote-declined-subject = Presupuesto rechazado: { $title }
quote-declined-intro = { $customer } rechazó el presupuesto «{ $title }» en el portal.
quote-declined-reason = Motivo: { $reason }
quote-link = Abrir el presupuesto: { $link }

## quote_sent / invoice_issued

quote-sent-subject = Un presupuesto espera su decisión: { $title }
quote-sent-intro = Tiene un nuevo presupuesto en el portal: { $title }. Puede leerlo y después aceptarlo con su firma o rechazarlo.
quote-sent-link = Ver sus presupuestos: { $link }
invoice-issued-subject = Nueva factura: { $title }
invoice-issued-intro = Tiene una nueva factura en el portal: { $title }.
invoice-issued-link = Ver sus facturas: { $link }

documents-published-subject = Nuevos documentos en su portal
documents-published-intro = Se han publicado estos documentos para usted:
documents-published-list = { $documents }
documents-published-link = Ver sus documentos: { $link }
doc-kind-quote = Presupuesto
doc-kind-invoice = Factura
doc-kind-service_report = Informe de intervención
doc-kind-certificate = Certificado
doc-kind-contract = Contrato
doc-kind-checklist = Lista de control
doc-kind-incident_report = Informe de incidencia
doc-kind-attachment = Adjunto
