{{/*
Names, labels, image and environment shared by every template.
Component helpers take a dict: root (the top context), name (the key in
.Values.services, or "migrations", "postgresql", "nats") and, for services,
svc (that key's values).
*/}}

{{- define "portal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's base name; truncated so that "<fullname>-work-orders" and
friends stay within 63 characters.
*/}}
{{- define "portal.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "portal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "portal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "portal.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "portal.labels" -}}
helm.sh/chart: {{ include "portal.chart" . }}
{{ include "portal.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: portal
{{- end }}

{{- define "portal.componentName" -}}
{{- printf "%s-%s" (include "portal.fullname" .root) .name }}
{{- end }}

{{- define "portal.componentSelectorLabels" -}}
{{ include "portal.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "portal.componentLabels" -}}
{{ include "portal.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "portal.serviceAccountName" -}}
{{- if .root.Values.serviceAccount.create }}
{{- include "portal.componentName" . }}
{{- else }}
{{- "default" }}
{{- end }}
{{- end }}

{{- define "portal.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "portal.secretName" -}}
{{- default (printf "%s-secrets" (include "portal.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/*
Whether this render sees a cluster. `helm install` and `helm upgrade` do
(also `--dry-run=server` and Flux's helm-controller, which runs Helm in the
cluster); `helm template`, `helm lint`, a client-side `--dry-run` and Argo
CD (which renders with `helm template`) do not, and there `lookup` finds
nothing. Asked of what every cluster has: the release namespace's `default`
ServiceAccount, or that Namespace (just made, before its ServiceAccount);
when the namespace does not exist yet (`helm install --create-namespace`
makes it after rendering), the Namespace kube-system. Go templates' `or`
stops at the first that answers.
*/}}
{{- define "portal.seesCluster" -}}
{{- if or (lookup "v1" "ServiceAccount" .Release.Namespace "default") (lookup "v1" "Namespace" "" .Release.Namespace) (lookup "v1" "Namespace" "" "kube-system") }}true{{ end }}
{{- end }}

{{/*
Fails unless the chart may make a random value (.what: what it is, .how:
the values that provide it instead): only when the render sees the cluster,
where lookup keeps what the first install made, or with secrets.generate.
Without a cluster every render would make a new value, and applying it
would replace the one in use (docs/adr/0026-chart-renders-are-stable.md).
*/}}
{{- define "portal.mayGenerate" -}}
{{- if not (or .root.Values.secrets.generate (include "portal.seesCluster" .root)) }}
{{- fail (printf "\n%s would be generated anew at every render: this render sees no cluster (helm template, Argo CD, a client-side --dry-run), so nothing keeps it, and applying the render would replace the one in use. Provide it with %s instead (deploy/README.md, \"GitOps\"), or set secrets.generate=true to accept new random values at every render (a one-off render, never for GitOps)." .what .how) }}
{{- end }}
{{- end }}

{{/*
A value of the chart's Secret: .value when set, else what the Secret in the
cluster holds under .key, else a new random one of .length characters
(if "portal.mayGenerate" allows).
*/}}
{{- define "portal.keptOrNew" -}}
{{- if .value }}
{{- .value }}
{{- else if get .existing .key }}
{{- get .existing .key | b64dec }}
{{- else }}
{{- include "portal.mayGenerate" (dict "root" .root "what" (printf "The Secret's %s" .key) "how" "secrets.existingSecret (a Secret you manage, with the keys listed in values.yaml)") }}
{{- randAlphaNum .length }}
{{- end }}
{{- end }}

{{/* identity's signing keys: named, or beside secrets.existingSecret, or the chart's own. */}}
{{- define "portal.signingKeysSecretName" -}}
{{- if .Values.signingKeys.existingSecret }}
{{- .Values.signingKeys.existingSecret }}
{{- else if .Values.secrets.existingSecret }}
{{- printf "%s-signing-keys" .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-signing-keys" (include "portal.fullname" .) }}
{{- end }}
{{- end }}

{{/*
The headless Service of a backend (.name), `<componentName>-pods`: its DNS
name answers with the addresses of the ready pods, so that the callers
spread their calls over every replica (ADR 0028). The release's part is cut
to 45 characters so that "-notification-pods" still fits in 63.
*/}}
{{- define "portal.podsServiceName" -}}
{{- printf "%s-%s-pods" (include "portal.fullname" .root | trunc 45 | trimSuffix "-") .name }}
{{- end }}

{{/*
The gRPC endpoint of a backend, as the other services dial it: its headless
Service, every ready pod's address (ADR 0028); mutual TLS, the server's
certificate checked against the service's name, not this host.
*/}}
{{- define "portal.grpcUrl" -}}
{{- $svc := index .root.Values.services .name }}
{{- printf "https://%s:%v" (include "portal.podsServiceName" .) $svc.grpcPort }}
{{- end }}

{{/* The six services by their roster names (ADR 0017), the names in their certificates. */}}
{{- define "portal.serviceNames" -}}
identity gateway requests work-orders documents notification
{{- end }}

{{/*
The kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt) of one service
(.name) for mutual TLS between the services: made by cert-manager or by the
chart as <fullname>-tls-<service>, or by hand beside secrets.existingSecret.
*/}}
{{- define "portal.tlsSecretName" -}}
{{- $v := .root.Values }}
{{- if and $v.secrets.existingSecret (not $v.tls.certManager.enabled) }}
{{- printf "%s-tls-%s" $v.secrets.existingSecret .name }}
{{- else }}
{{- printf "%s-tls-%s" (include "portal.fullname" .root) .name }}
{{- end }}
{{- end }}

{{/* Where a service's TLS Secret is mounted, and the variables that name its files. */}}
{{- define "portal.tlsDir" -}}
/etc/portal/service-tls
{{- end }}

{{- define "portal.tlsEnv" -}}
- name: PORTAL_SERVICE_TLS_CERT
  value: {{ printf "%s/tls.crt" (include "portal.tlsDir" .) }}
- name: PORTAL_SERVICE_TLS_KEY
  value: {{ printf "%s/tls.key" (include "portal.tlsDir" .) }}
- name: PORTAL_SERVICE_TLS_CA
  value: {{ printf "%s/ca.crt" (include "portal.tlsDir" .) }}
{{- end }}

{{- define "portal.natsUrl" -}}
{{- if .Values.trial.enabled }}
{{- printf "nats://%s-nats:4222" (include "portal.fullname" .) }}
{{- else }}
{{- required "nats.url is required (or trial.enabled=true)" .Values.nats.url }}
{{- end }}
{{- end }}

{{/* Whether each service connects as its own NATS user (ADR 0017). */}}
{{- define "portal.natsUsers" -}}
{{- if or .Values.trial.enabled .Values.nats.serviceUsers }}true{{ end }}
{{- end }}

{{/* The NATS users: the six services and admin (operators, integrators). */}}
{{- define "portal.natsUserNames" -}}
admin identity gateway requests work-orders documents notification
{{- end }}

{{/*
NATS_URL of one service (.name): its own user, the password from the
Secret through NATS_PASSWORD, set just before (Kubernetes expands $(VAR)).
*/}}
{{- define "portal.natsEnv" -}}
{{- $url := include "portal.natsUrl" .root }}
{{- if include "portal.natsUsers" .root }}
{{ include "portal.secretEnv" (dict "root" .root "env" "NATS_PASSWORD" "key" (printf "nats-password-%s" .name)) }}
- name: NATS_URL
  value: {{ regexReplaceAll "^([a-z]+://)" $url (printf "${1}%s:$$(NATS_PASSWORD)@" .name) | quote }}
{{- else }}
- name: NATS_URL
  value: {{ $url | quote }}
{{- end }}
{{- end }}

{{- define "portal.publicUrl" -}}
{{- if .Values.config.publicUrl }}
{{- .Values.config.publicUrl }}
{{- else if .Values.ingress.enabled }}
{{- printf "https://%s" .Values.ingress.host }}
{{- else }}
{{- "https://localhost:8443" }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL of one backend as the chart's Secret stores it. Trial mode
points at the release's own PostgreSQL.
*/}}
{{- define "portal.databaseUrl" -}}
{{- $v := .root.Values }}
{{- $db := index $v.postgresql.databases .name }}
{{- if $v.trial.enabled }}
{{- printf "postgres://portal:%s@%s-postgresql:5432/%s?sslmode=disable" (urlquery .password) (include "portal.fullname" .root) $db }}
{{- else }}
{{- $host := required "postgresql.host is required (or trial.enabled=true, or secrets.existingSecret)" $v.postgresql.host }}
{{- $auth := $v.postgresql.username }}
{{- if $v.postgresql.password }}
{{- $auth = printf "%s:%s" $v.postgresql.username (urlquery $v.postgresql.password) }}
{{- end }}
{{- printf "postgres://%s@%s:%v/%s?sslmode=%s" $auth $host $v.postgresql.port $db $v.postgresql.sslMode }}
{{- end }}
{{- end }}

{{/* Which components call a backend's gRPC API (docs/architecture.md). */}}
{{- define "portal.grpcCallers" -}}
identity: [gateway, requests, work-orders, documents, notification]
requests: [gateway]
work-orders: [gateway]
documents: [gateway]
notification: [gateway, identity]
{{- end }}

{{/* Whether a service writes to PORTAL_DATA_DIR (dev certificate, mails, blobs). */}}
{{- define "portal.needsDataDir" -}}
{{- if has .name (list "gateway" "documents" "notification") }}true{{ end }}
{{- end }}

{{- define "portal.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "portal.secretName" .root }}
      key: {{ .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* The environment of one service's container (README "Configuration"). */}}
{{- define "portal.env" -}}
{{- $root := .root }}
{{- $v := $root.Values }}
{{- $secret := dict "root" $root }}
{{- if eq .name "gateway" }}
- name: PORTAL_HTTPS_ADDR
  value: {{ printf "0.0.0.0:%v" .svc.httpsPort | quote }}
# Live updates of open request pages (a core subscription, nothing stored).
{{- include "portal.natsEnv" (dict "root" $root "name" "gateway") }}
{{- range $backend := list "identity" "requests" "work-orders" "documents" "notification" }}
- name: {{ printf "PORTAL_%s_URL" ($backend | upper | replace "-" "_") }}
  value: {{ include "portal.grpcUrl" (dict "root" $root "name" $backend) | quote }}
{{- end }}
{{- if .svc.tlsSecret }}
# The public HTTPS certificate (PORTAL_SERVICE_TLS_* is the one between services).
- name: PORTAL_TLS_CERT
  value: /etc/portal/https/tls.crt
- name: PORTAL_TLS_KEY
  value: /etc/portal/https/tls.key
{{- end }}
{{- else }}
{{ include "portal.secretEnv" (merge (dict "env" "DATABASE_URL" "key" (printf "database-url-%s" .name)) $secret) }}
{{- include "portal.natsEnv" (dict "root" $root "name" .name) }}
- name: PORTAL_GRPC_ADDR
  value: {{ printf "0.0.0.0:%v" .svc.grpcPort | quote }}
- name: PORTAL_IDENTITY_URL
  value: {{ include "portal.grpcUrl" (dict "root" $root "name" "identity") | quote }}
- name: PORTAL_DRAIN_SECS
  value: {{ $v.config.drainSecs | quote }}
- name: PORTAL_DB_MAX_CONNECTIONS
  value: {{ $v.config.dbMaxConnections | quote }}
{{ include "portal.secretEnv" (merge (dict "env" "PORTAL_PEERS" "key" "service-peers") $secret) }}
{{- end }}
{{ include "portal.secretEnv" (merge (dict "env" "PORTAL_SERVICE_SECRET" "key" (printf "service-secret-%s" .name)) $secret) }}
- name: PORTAL_ADMIN_ADDR
  value: {{ printf "0.0.0.0:%v" .svc.adminPort | quote }}
- name: PORTAL_LOG_FORMAT
  value: {{ $v.config.logFormat | quote }}
- name: RUST_LOG
  value: {{ $v.config.rustLog | quote }}
{{- if $v.config.otlpEndpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $v.config.otlpEndpoint | quote }}
{{- end }}
{{- if include "portal.needsDataDir" . }}
- name: PORTAL_DATA_DIR
  value: /var/lib/portal
{{- end }}
{{- if eq .name "identity" }}
# argon2 takes 19 MiB per password hash; glibc's moving mmap threshold would
# keep those blocks in the heap after each hash. A fixed threshold returns them.
- name: MALLOC_MMAP_THRESHOLD_
  value: "131072"
{{ include "portal.secretEnv" (merge (dict "env" "PORTAL_OPERATOR_TOKEN" "key" "operator-token" "optional" true) $secret) }}
- name: PORTAL_PUBLIC_URL
  value: {{ include "portal.publicUrl" $root | quote }}
- name: PORTAL_NOTIFICATION_URL
  value: {{ include "portal.grpcUrl" (dict "root" $root "name" "notification") | quote }}
- name: PORTAL_SIGNING_KEYS_DIR
  value: /etc/portal/signing-keys
{{- with $v.signingKeys.active }}
- name: PORTAL_SIGNING_KEY_ACTIVE
  value: {{ . | quote }}
{{- end }}
- name: PORTAL_SIGNING_KEYS_CACHE_SECS
  value: {{ $v.signingKeys.cacheSecs | quote }}
{{- end }}
{{- if eq .name "notification" }}
{{ include "portal.secretEnv" (merge (dict "env" "PORTAL_SMTP_URL" "key" "smtp-url" "optional" true) $secret) }}
- name: PORTAL_MAIL_FROM
  value: {{ $v.config.mailFrom | quote }}
- name: PORTAL_PUBLIC_URL
  value: {{ include "portal.publicUrl" $root | quote }}
{{- if $v.inboundMail.enabled }}
- name: PORTAL_INBOUND_SMTP_ADDR
  value: {{ printf "0.0.0.0:%v" $v.inboundMail.port | quote }}
- name: PORTAL_INBOUND_DOMAIN
  value: {{ required "inboundMail.domain is required when inboundMail.enabled" $v.inboundMail.domain | quote }}
- name: PORTAL_INBOUND_MAX_BYTES
  value: {{ $v.inboundMail.maxBytes | int64 | quote }}
- name: PORTAL_INBOUND_TRUSTED_RELAYS
  value: {{ required "inboundMail.trustedRelays is required when inboundMail.enabled" (join "," $v.inboundMail.trustedRelays) | quote }}
- name: PORTAL_INBOUND_AUTHSERV_ID
  value: {{ required "inboundMail.authservId is required when inboundMail.enabled" $v.inboundMail.authservId | quote }}
{{ include "portal.secretEnv" (merge (dict "env" "PORTAL_INBOUND_SECRET" "key" "inbound-secret" "optional" true) $secret) }}
{{- end }}
{{- end }}
{{- if eq .name "documents" }}
- name: PORTAL_BLOB_URL
  value: file:///var/lib/portal/blobs
{{- end }}
{{- if eq .name "gateway" }}
- name: PORTAL_BASE_DOMAIN
  value: {{ $v.config.baseDomain | quote }}
- name: PORTAL_MAP_TILES_URL
  value: {{ $v.config.mapTilesUrl | quote }}
- name: PORTAL_MAP_ATTRIBUTION
  value: {{ $v.config.mapAttribution | quote }}
{{- if and $v.ingress.enabled $v.ingress.trustedProxies }}
# Only the ingress controller's X-Forwarded-For names the client.
- name: PORTAL_TRUSTED_PROXIES
  value: {{ join "," $v.ingress.trustedProxies | quote }}
{{- end }}
{{- end }}
{{- if has .name (list "documents" "gateway") }}
- name: PORTAL_MAX_UPLOAD_BYTES
  value: {{ $v.config.maxUploadBytes | int64 | quote }}
- name: PORTAL_MAX_DOCUMENT_BYTES
  value: {{ $v.config.maxDocumentBytes | int64 | quote }}
{{- end }}
{{- range $key, $value := .svc.env }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* A service's autoscaling settings: the defaults, overridden by its own. */}}
{{- define "portal.autoscaling" -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.autoscaling) (deepCopy (default dict .svc.autoscaling))) }}
{{- end }}

{{- define "portal.replicas" -}}
{{- if kindIs "invalid" .svc.replicaCount }}
{{- .root.Values.replicaCount }}
{{- else }}
{{- .svc.replicaCount }}
{{- end }}
{{- end }}

{{/*
The migrations Job's name: <fullname>-migrations and the first 10 hex
digits of its spec's SHA-256, within the 63 characters of the Job's
job-name label.
*/}}
{{- define "portal.migrationsJobName" -}}
{{- $base := include "portal.componentName" (dict "root" . "name" "migrations") | trunc 52 | trimSuffix "-" }}
{{- printf "%s-%s" $base (include "portal.migrationsJobSpec" . | trim | sha256sum | trunc 10) }}
{{- end }}

{{/* A container of the migrations Job: `<service> migrate`. */}}
{{- define "portal.migrateContainer" -}}
{{- $v := .root.Values }}
{{- $svc := index $v.services .name }}
- name: migrate-{{ .name }}
  image: {{ include "portal.image" .root | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  command: [{{ printf "/usr/local/bin/%s" $svc.binary | quote }}, "migrate"]
  env:
    {{- include "portal.env" (dict "root" .root "name" .name "svc" $svc) | trim | nindent 4 }}
  resources:
    {{- toYaml $v.migrations.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
    - name: data
      mountPath: /var/lib/portal
{{- end }}

{{/*
The last container of the migrations Job: `requests provision-events`
creates the PORTAL stream or brings it to nats.stream (ADR 0024), as the
NATS user admin (the services may not), with nothing else: no database, no
certificate, no service secret. Any backend binary would do.
*/}}
{{- define "portal.provisionEventsContainer" -}}
{{- $v := .Values }}
- name: provision-events
  image: {{ include "portal.image" . | quote }}
  imagePullPolicy: {{ $v.image.pullPolicy }}
  command: [{{ printf "/usr/local/bin/%s" $v.services.requests.binary | quote }}, "provision-events"]
  env:
    {{- include "portal.natsEnv" (dict "root" . "name" "admin") | trim | nindent 4 }}
    - name: PORTAL_EVENTS_REPLICAS
      value: {{ $v.nats.stream.replicas | quote }}
    - name: PORTAL_EVENTS_MAX_AGE_HOURS
      value: {{ $v.nats.stream.maxAgeHours | quote }}
    - name: PORTAL_EVENTS_MAX_BYTES
      value: {{ $v.nats.stream.maxBytes | int64 | quote }}
  resources:
    {{- toYaml $v.migrations.resources | nindent 4 }}
  securityContext:
    {{- toYaml $v.securityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
{{- end }}

{{/* The port of (the first server of) nats.url. */}}
{{- define "portal.natsPort" -}}
{{- if .Values.trial.enabled }}
{{- 4222 }}
{{- else }}
{{- $parts := splitList ":" (urlParse (first (splitList "," .Values.nats.url))).host }}
{{- if gt (len $parts) 1 }}{{ last $parts }}{{ else }}{{ 4222 }}{{ end }}
{{- end }}
{{- end }}

{{/* A podSelector peer for some components of this release. */}}
{{- define "portal.peers" -}}
- podSelector:
    matchLabels:
      {{- include "portal.selectorLabels" .root | nindent 6 }}
    matchExpressions:
      - key: app.kubernetes.io/component
        operator: In
        values: {{ toJson .components }}
{{- end }}

{{/* Egress to PostgreSQL and NATS, for the backends and the migrations. */}}
{{- define "portal.egressToStores" -}}
{{- $v := .root.Values }}
- ports:
    - port: {{ ternary 5432 $v.postgresql.port $v.trial.enabled }}
      protocol: TCP
  {{- if $v.trial.enabled }}
  to:
    {{- include "portal.peers" (dict "root" .root "components" (list "postgresql")) | nindent 4 }}
  {{- else if $v.networkPolicy.postgresqlTo }}
  to:
    {{- toYaml $v.networkPolicy.postgresqlTo | nindent 4 }}
  {{- end }}
{{- if .nats }}
{{ include "portal.egressToNats" .root }}
{{- end }}
{{- end }}

{{/* Egress to NATS (the backends; the gateway for live updates). */}}
{{- define "portal.egressToNats" -}}
{{- $v := .Values -}}
- ports:
    - port: {{ include "portal.natsPort" . }}
      protocol: TCP
  {{- if $v.trial.enabled }}
  to:
    {{- include "portal.peers" (dict "root" . "components" (list "nats")) | nindent 4 }}
  {{- else if $v.networkPolicy.natsTo }}
  to:
    {{- toYaml $v.networkPolicy.natsTo | nindent 4 }}
  {{- end }}
{{- end }}
