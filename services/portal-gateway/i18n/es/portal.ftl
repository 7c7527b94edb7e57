# El portal web, en español.

app-name = Portal de clientes
skip-to-content = Saltar al contenido
footer-text = El portal de clientes de su proveedor de servicios
nav-label = Menú principal
nav-home = Inicio
nav-contacts = Contactos
nav-settings = Ajustes
nav-logout = Cerrar sesión
nav-customers = Clientes
nav-audit = Registro de auditoría
nav-tenant-settings = Ajustes del portal
back-home = Volver al inicio
back-to-login = Volver al inicio de sesión
back-customers = Todos los clientes
back-to = Volver a { $name }
next-page = Página siguiente
none = —
save = Guardar
copy = Copiar
copied = Copiado
lang-en = English
lang-fr = Français
lang-de = Deutsch
lang-es = Español
lang-pl = Polski

landing-intro = Los clientes de una empresa de servicios consultan aquí sus sedes, solicitudes y documentos, y piden nuevos trabajos.
landing-tenant-hint = Para iniciar sesión, use la dirección que le envió su proveedor de servicios.
landing-api = La API REST se describe en el documento OpenAPI.

field-email = Correo electrónico
field-password = Contraseña
field-new-password = Nueva contraseña
field-password-confirm = Repita la nueva contraseña
field-current-password = Contraseña actual
field-name = Nombre
field-language = Idioma
field-notifications = Enviarme notificaciones por correo electrónico
field-phone = Teléfono

login-title = Iniciar sesión
login-submit = Iniciar sesión
login-forgot = ¿Olvidó su contraseña? ¿Primera visita?
login-register = Crear una cuenta

register-title = Crear una cuenta
register-intro = Use el correo electrónico con el que le conoce su proveedor de servicios.
register-submit = Crear mi cuenta
register-closed = El registro no está abierto en este portal. Pida una invitación a su proveedor de servicios.
register-sent-title = Revise su correo
register-sent = Si esta dirección puede usar el portal, le hemos enviado un enlace para confirmar la cuenta.

forgot-title = Contraseña olvidada o primera visita
forgot-intro = Escriba su correo electrónico: le enviaremos un enlace para elegir una contraseña.
forgot-submit = Enviarme un enlace
forgot-sent-title = Revise su correo
forgot-sent = Si existe una cuenta con esta dirección, le hemos enviado un enlace para elegir una contraseña. El enlace sirve una sola vez y caduca pronto.

invitation-title = Bienvenido al portal
reset-title = Elija una nueva contraseña
password-set-intro = { $tenant }: cuenta { $email }
password-set-submit = Guardar la contraseña e iniciar sesión
registration-confirm-title = Confirme su cuenta
registration-confirm-intro = Confirme que esta cuenta es suya para abrir el portal.
registration-confirm-submit = Confirmar e iniciar sesión

home-title = Inicio
switch-label = Cliente
switch-submit = Cambiar
card-title = Organización
card-number = Número de cliente
card-name = Nombre
card-address = Dirección
card-main-contact = Contacto principal
card-info = Información adicional
sites-title = Sedes
sites-none = Todavía no hay ninguna sede.

contacts-title = Contactos
contacts-filter = Qué contactos
contacts-none = No hay contactos que mostrar.
filter-all = Todos
filter-mine = Los míos
col-name = Nombre
col-scope = Acceso a
col-portal = Portal
col-access-window = Periodo de acceso
col-status = Estado
col-actions = Acciones
scope-customer = Todas las sedes
scope-sites = { $count ->
    [one] Una sede
   *[other] { $count } sedes
}

settings-title = Ajustes
profile-title = Datos personales
provider-title = Su proveedor de servicios
password-title = Contraseña
password-submit = Cambiar la contraseña
password-ends-sessions = Al cambiar la contraseña se cerrará su sesión en los demás dispositivos.
sessions-title = Sesiones
sessions-intro = Cierre la sesión en todos los dispositivos donde la tenga abierta, incluido este.
logout-everywhere = Cerrar sesión en todas partes

customers-title = Clientes
customers-none = No se ha encontrado ningún cliente.
search-label = Número o nombre
search-submit = Buscar
portal-on = Activado
portal-off = Desactivado
portal-title = Acceso al portal
portal-enabled = Portal activado para este cliente
portal-enabled-at = Activado el { $date }
visibility-label = Solicitudes que ven sus contactos
visibility-all = Todas las solicitudes
visibility-since = Solicitudes creadas desde una fecha
visibility-after_enabled = Solicitudes creadas después de activar el portal
visibility-since-date = Fecha (para «desde una fecha»)
contact-active = Activo
contact-not-active = Aún no activado
access-always = Siempre
access-from = Desde
access-until = Hasta
invite = Enviar invitación
invite-for = Enviar una invitación a { $name }
scope-legend = Sedes
scope-help = Ninguna sede marcada: el contacto ve todas las sedes del cliente.

links-title = Enlaces seguros
links-intro = Un enlace seguro abre el portal de este cliente sin contraseña. Envíelo solo a las personas a las que va destinado.
links-new = Nuevo enlace seguro (cópielo ahora: solo se muestra una vez)
links-shown-once = Por seguridad, esta dirección no puede volver a mostrarse. Cree un enlace nuevo si se pierde.
links-site = Alcance
links-whole-customer = Todo el cliente
links-expires = Caduca el
links-label = Etiqueta
links-create = Crear un enlace seguro
links-never = Nunca
links-unused = Sin usar todavía
links-last-used = Último uso
links-revoke = Revocar
links-revoked = Revocado

audit-title = Registro de auditoría
audit-none = Todavía no hay nada registrado.
audit-when = Cuándo
audit-who = Quién
audit-what = Qué
audit-target = Sobre
audit-address = Desde la dirección

tenant-settings-title = Ajustes del portal
tenant-portal-enabled = Portal activado
tenant-portal-for = Clientes que pueden usar el portal
tenant-portal-all = Todos los clientes
tenant-portal-chosen = Solo los clientes con el portal activado
tenant-registration = Cualquier persona conocida como contacto puede registrarse

flash-saved = Guardado.
flash-switched = Ahora está viendo otro cliente.
flash-invited = Se ha enviado la invitación.
flash-link-revoked = Se ha revocado el enlace seguro.
flash-logged-out = Ha cerrado la sesión.
flash-logged-out-everywhere = Ha cerrado la sesión en todos los dispositivos.
flash-password-changed = Se ha cambiado su contraseña.

error-title = Algo ha salido mal
error-wrong-login = Correo electrónico o contraseña incorrectos.
error-too-many = Demasiados intentos. Vuelva a intentarlo dentro de { $minutes ->
    [one] un minuto
   *[other] { $minutes } minutos
}.
error-access-window = Su acceso al portal no está abierto en este momento. Consulte a su proveedor de servicios.
error-portal-disabled = El portal no está activado para su organización.
error-link-dead = Este enlace no es válido, ya se ha usado o ha caducado. Pida uno nuevo.
error-session = Su sesión ha terminado. Vuelva a iniciar sesión.
error-forbidden = No tiene permiso para hacer esto.
error-not-found = Esta página no existe.
error-tenant-unknown = No hay ningún portal en esta dirección.
error-invalid = No se pudo leer el formulario. Inténtelo de nuevo.
error-invalid-detail = Revise el formulario: { $detail }
error-conflict-detail = Ahora no es posible: { $detail }
error-unavailable = El servicio no está disponible en este momento. Inténtelo de nuevo en breve.
error-internal = Se ha producido un error por nuestra parte. Inténtelo más tarde.
error-csrf = Este formulario ha caducado. Vuelva atrás, recargue la página y envíelo de nuevo.
error-password-mismatch = Las dos contraseñas no coinciden.
error-current-password = La contraseña actual es incorrecta.
error-date = Una fecha no es válida (formato esperado: año-mes-día).
