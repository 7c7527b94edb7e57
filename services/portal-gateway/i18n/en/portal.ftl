# The web portal, English (the reference: every other language has the same keys).

app-name = Customer portal
skip-to-content = Skip to content
footer-text = Your service provider's customer portal
nav-label = Main menu
nav-home = Home
nav-contacts = Contacts
nav-settings = Settings
nav-logout = Log out
nav-customers = Customers
nav-audit = Audit log
nav-tenant-settings = Portal settings
back-home = Back to the home page
back-to-login = Back to the login page
back-customers = All customers
back-to = Back to { $name }
next-page = Next page
none = —
save = Save
copy = Copy
copied = Copied
lang-en = English
lang-fr = Français
lang-de = Deutsch
lang-es = Español
lang-pl = Polski

landing-intro = Customers of a service business see their sites, requests and documents here, and ask for new work.
landing-tenant-hint = Use the address your service provider sent you to log in.
landing-api = The REST API is described in the OpenAPI document.

field-email = E-mail address
field-password = Password
field-new-password = New password
field-password-confirm = Repeat the new password
field-current-password = Current password
field-name = Name
field-language = Language
field-notifications = Send me e-mail notifications
field-phone = Phone

login-title = Log in
login-submit = Log in
login-forgot = Forgot your password? First visit?
login-register = Create an account

register-title = Create an account
register-intro = Use the e-mail address your service provider knows you by.
register-submit = Create my account
register-closed = Registration is not open for this portal. Ask your service provider for an invitation.
register-sent-title = Check your mailbox
register-sent = If this address may use the portal, we have sent it a link to confirm the account.

forgot-title = Forgotten password or first visit
forgot-intro = Enter your e-mail address: we will send you a link to choose a password.
forgot-submit = Send me a link
forgot-sent-title = Check your mailbox
forgot-sent = If an account exists for this address, we have sent it a link to choose a password. The link works once and expires soon.

invitation-title = Welcome to the portal
reset-title = Choose a new password
password-set-intro = { $tenant }: account { $email }
password-set-submit = Save the password and log in
registration-confirm-title = Confirm your account
registration-confirm-intro = Confirm that this account is yours to open the portal.
registration-confirm-submit = Confirm and log in

home-title = Home
switch-label = Customer
switch-submit = Switch
card-title = Organisation
card-number = Customer number
card-name = Name
card-address = Address
card-main-contact = Main contact
card-info = More information
sites-title = Sites
sites-none = No site yet.

contacts-title = Contacts
contacts-filter = Which contacts
contacts-none = No contact to show.
filter-all = All
filter-mine = Mine
col-name = Name
col-scope = Access to
col-portal = Portal
col-access-window = Access window
col-status = Status
col-actions = Actions
scope-customer = Every site
scope-sites = { $count ->
    [one] One site
   *[other] { $count } sites
}

settings-title = Settings
profile-title = Personal details
provider-title = Your service provider
password-title = Password
password-submit = Change the password
password-ends-sessions = Changing the password logs you out on your other devices.
sessions-title = Sessions
sessions-intro = Log out on every device where you are logged in, this one included.
logout-everywhere = Log out everywhere

customers-title = Customers
customers-none = No customer found.
search-label = Number or name
search-submit = Search
portal-on = On
portal-off = Off
portal-title = Portal access
portal-enabled = Portal enabled for this customer
portal-enabled-at = Enabled on { $date }
visibility-label = Requests its contacts see
visibility-all = All requests
visibility-since = Requests created since a date
visibility-after_enabled = Requests created after the portal was enabled
visibility-since-date = Date (for "since a date")
contact-active = Active
contact-not-active = Not activated yet
access-always = Always
access-from = From
access-until = Until
invite = Send invitation
invite-for = Send an invitation to { $name }
scope-legend = Sites
scope-help = No site ticked: the contact sees every site of the customer.

links-title = Secure links
links-intro = A secure link opens this customer's portal without a password. Send it only to the people it is meant for.
links-new = New secure link (copy it now: it is shown only once)
links-shown-once = For safety, this address cannot be shown again. Create a new link if it is lost.
links-site = Scope
links-whole-customer = Whole customer
links-expires = Expires on
links-label = Label
links-create = Create a secure link
links-never = Never
links-unused = Not used yet
links-last-used = Last used
links-revoke = Revoke
links-revoked = Revoked

audit-title = Audit log
audit-none = Nothing recorded yet.
audit-when = When
audit-who = Who
audit-what = What
audit-target = On
audit-address = From address

tenant-settings-title = Portal settings
tenant-portal-enabled = Portal enabled
tenant-portal-for = Customers who may use the portal
tenant-portal-all = All customers
tenant-portal-chosen = Only customers whose portal is enabled
tenant-registration = Anyone known as a contact may register

flash-saved = Saved.
flash-switched = You are now viewing another customer.
flash-invited = The invitation has been sent.
flash-link-revoked = The secure link has been revoked.
flash-logged-out = You are logged out.
flash-logged-out-everywhere = You are logged out on every device.
flash-password-changed = Your password has been changed.

error-title = Something went wrong
error-wrong-login = Wrong e-mail address or password.
error-too-many = Too many attempts. Try again in { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}.
error-access-window = Your access to the portal is not open at this time. Ask your service provider.
error-portal-disabled = The portal is not enabled for your organisation.
error-link-dead = This link is invalid, has already been used or has expired. Ask for a new one.
error-session = Your session has ended. Please log in again.
error-forbidden = You are not allowed to do this.
error-not-found = This page does not exist.
error-tenant-unknown = There is no portal at this address.
error-invalid = The form could not be read. Please try again.
error-invalid-detail = Please check the form: { $detail }
error-conflict-detail = This cannot be done now: { $detail }
error-unavailable = The service is unavailable for a moment. Please try again shortly.
error-internal = Something went wrong on our side. Please try again later.
error-csrf = This form has expired. Go back, reload the page and send it again.
error-password-mismatch = The two passwords are not the same.
error-current-password = The current password is wrong.
error-date = A date is not valid (expected year-month-day).
