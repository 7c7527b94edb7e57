# Notification e-mails (plain text). Every message here must exist in each
# language (a unit test compares the files). Paragraphs are joined by the
# service; a message may hold several lines.
# Variables are the template's parameters, already trimmed.

## Shared

greeting = Hello,
greeting-named = Hello { $name },
signature = { $provider }
footer = This message was sent automatically by the customer portal.

## invitation: to a contact invited by staff (A2)

invitation-subject = { $provider } invites you to its customer portal
invitation-intro = { $provider } has invited you to its customer portal, where you can submit and follow your requests, see planned interventions and find your documents.
invitation-action =
    To activate your account, open this link and choose a password:
    { $link }
invitation-expiry = The link is valid until { $expires }. If you did not expect this invitation, you can ignore this message.

## password_reset: "forgot password", which is also the first access (A5)

password-reset-subject = Set or reset your { $provider } portal password
password-reset-intro = We have received a request to set or reset the password of your { $provider } customer portal account.
password-reset-action =
    To choose your password, open this link:
    { $link }
password-reset-expiry = The link works only once and is valid until { $expires }.
password-reset-ignore = If you did not make this request, you can ignore this message; nothing will change on your account.

## registration: confirmation of the open registration link (A4)

registration-subject = Confirm your registration to the { $provider } customer portal
registration-intro = Thank you for registering for the { $provider } customer portal.
registration-action =
    To confirm your registration, open this link:
    { $link }
registration-expiry = The link works only once and is valid until { $expires }. If you did not register, you can ignore this message.

## request_submitted: to staff

request-submitted-subject = New request: { $title }
request-submitted-intro = A customer has submitted a new request in the portal.
request-submitted-details =
    Title: { $title }
    Reference: { $request_id }
request-submitted-link = Open it: { $link }

## request_accepted: to the contact who submitted the request

request-accepted-subject = Your request has been accepted: { $title }
request-accepted-body = Your request "{ $title }" has been accepted. We will plan the intervention and keep you informed in the portal.

## request_rejected: to the contact who submitted the request

request-rejected-subject = Your request was not accepted: { $title }
request-rejected-intro = Your request "{ $title }" was not accepted.
request-rejected-reason = Reason: { $reason }
request-rejected-closing = If you have any questions, please contact us.

## request_comment: to the contact, when staff comment on their request

request-comment-subject = New comment on your request: { $title }
request-comment-intro = { $author } has added a comment to your request "{ $title }":
request-comment-text = { $comment }
request-comment-reply = You can answer by replying to this e-mail (it goes to { $reply_to }); your answer is added to the request. Please keep your reply above the quoted text.

## request_comment_staff: to the assignee (or dispatchers), when the contact comments

request-comment-staff-subject = The customer commented on: { $title }
request-comment-staff-intro = { $author } has added a comment to the request "{ $title }" (reference { $request_id }):
request-comment-staff-link = Open it: { $link }

## request_assigned: to the contact, when staff assign the request or set its due date

request-assigned-subject = Your request is being handled: { $title }
request-assigned-body = Your request "{ $title }" is now handled by { $assignee }.
request-assigned-due = It is due to be dealt with by { $due }.

## request_closed: to the contact when the request is closed

request-closed-subject = Your request has been closed: { $title }
request-closed-body = Your request "{ $title }" has been closed.
request-closed-note = Note: { $note }
request-closed-closing = If the problem comes back, you can submit a new request in the portal.

## request_closed_staff: to the assignee when the contact closed the request

request-closed-staff-subject = The customer closed the request: { $title }
request-closed-staff-body = { $closer } has closed the request "{ $title }" (reference { $request_id }).

## appointment_scheduled and appointment_changed: to the contact who asked
## for the work, with the appointment as a calendar file; `when` is the
## planned window, `link` their appointments page

appointment-scheduled-subject = Appointment planned: { $title }
appointment-scheduled-body = The work for your request "{ $title }" is planned for { $when }.
appointment-technicians = Who comes: { $technicians }
appointment-calendar = The appointment is attached as a calendar file, which you can add to your calendar.
appointment-link = Your appointments: { $link }
appointment-changed-subject = Appointment changed: { $title }
appointment-changed-body = The appointment for your request "{ $title }" has changed: it is now planned for { $when }.
appointment-changed-previous = It was planned for { $previous }.

## appointment_cancelled: to the contact, when the work will not be done

appointment-cancelled-subject = Appointment cancelled: { $title }
appointment-cancelled-body = The work for your request "{ $title }" has been cancelled.
appointment-cancelled-when = It was planned for { $when }.
appointment-cancelled-reason = Reason: { $reason }
appointment-cancelled-closing = If you have any questions, please contact us.

## work_done: to the contact, when the work is completed; `link` is the request's page

work-done-subject = Work done: { $title }
work-done-body = The work for your request "{ $title }" has been completed.
work-done-by = It was done by { $technician }.
work-done-link = You can follow your request here: { $link }

## work_done_staff: to the staff member who planned the work, when a technician completes it

work-done-staff-subject = Work completed: { $title }
work-done-staff-body = { $technician } has completed the work "{ $title }" that you planned.
work-done-staff-planned = It was planned for { $when }.
work-done-staff-notes = Notes: { $notes }
work-done-staff-link = Open it: { $link }

## mail_refused

mail-refused-subject = Your mail could not be taken: { $title }
mail-refused-intro = We received your mail "{ $title }" but could not take it in.
mail-refused-why = { $why ->
    [missing_fields] Every new request needs { $missing ->
        [category] a category
        [priority] a priority
        [severity] a severity
        [equipment_id] the equipment concerned
       *[other] more details
    }, which a mail cannot give. Please make your request in the portal; nothing was created.
    [request_closed] The request you replied to is closed, so your message was not added to it. If the problem remains, please make a new request.
    [not_allowed] Your message could not be added to that request. Please reply from the address we wrote to, or make a new request in the portal.
    [no_site] We found no site for you to put a request on. Please contact us so that we can add one.
   *[invalid] Your mail was empty or too long to become a request. Please write again, or use the portal.
}
mail-refused-link = The portal: { $link }

## quote_accepted / quote_declined: to admins and dispatchers, on a contact's decision

quote-accepted-subject = Quote accepted: { $title }
quote-accepted-intro = { $signer } accepted the quote "{ $title }" for { $customer } ({ $total }) in the portal.
quote-accepted-next = A work order to plan has been created from it.
quote-declined-subject = Quote declined: { $title }
quote-declined-intro = { $customer } declined the quote "{ $title }" in the portal.
quote-declined-reason = Reason: { $reason }
quote-link = Open the quote: { $link }

## quote_sent / invoice_issued: to the customer's contacts

quote-sent-subject = A quote awaits your decision: { $title }
quote-sent-intro = A new quote is waiting for you in the portal: { $title }. You can read it, then accept it with your signature or decline it.
quote-sent-link = Open your quotes: { $link }
invoice-issued-subject = New invoice: { $title }
invoice-issued-intro = A new invoice is in the portal: { $title }.
invoice-issued-link = Open your invoices: { $link }

documents-published-subject = New documents in your portal
documents-published-intro = These documents were published for you:
documents-published-list = { $documents }
documents-published-link = Open your documents: { $link }
doc-kind-quote = Quote
doc-kind-invoice = Invoice
doc-kind-service_report = Service report
doc-kind-certificate = Certificate
doc-kind-contract = Contract
doc-kind-checklist = Checklist
doc-kind-incident_report = Incident report
doc-kind-attachment = Attachment
