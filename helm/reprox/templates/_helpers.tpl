{{/* Chart name, overridable. */}}
{{- define "reprox.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified name: release-chart unless the release name already contains the chart name. */}}
{{- define "reprox.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "reprox.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reprox.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reprox.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "reprox.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "reprox.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
"true" when the replicas share one archive on PostgreSQL and S3 (a Deployment); fails rendering
when more than one replica is asked of the single-node store, which has one writer.
*/}}
{{- define "reprox.shared" -}}
{{- $type := .Values.storage.type | default "rocksdb" }}
{{- if not (has $type (list "rocksdb" "shared")) }}
{{- fail (printf "storage.type must be rocksdb or shared, got %q" $type) }}
{{- end }}
{{- if and (gt (int .Values.replicas) 1) (ne $type "shared") }}
{{- fail (printf "replicas: %d needs storage.type: shared (PostgreSQL + S3): the rocksdb store is one pod's local volume with one writer" (int .Values.replicas)) }}
{{- end }}
{{- eq $type "shared" }}
{{- end }}

{{/* The storage: section of reprox.yaml in shared mode; secrets are files mounted by the pod. */}}
{{- define "reprox.storageConfig" -}}
{{- $pg := .Values.storage.postgres }}
{{- $s3 := .Values.storage.s3 }}
type: shared
postgres:
  url: {{ required "storage.postgres.url is required with storage.type: shared (jdbc:postgresql://HOST:PORT/DATABASE)" $pg.url | quote }}
  user: {{ $pg.user | quote }}
  {{- if $pg.passwordSecret.name }}
  password-file: /etc/reprox-secrets/postgres/password
  {{- end }}
s3:
  {{- with $s3.endpoint }}
  endpoint: {{ . | quote }}
  {{- end }}
  bucket: {{ required "storage.s3.bucket is required with storage.type: shared" $s3.bucket | quote }}
  region: {{ $s3.region | quote }}
  path-style: {{ $s3.pathStyle }}
  {{- if $s3.credentialsSecret.name }}
  access-key-file: /etc/reprox-secrets/s3/access-key
  secret-key-file: /etc/reprox-secrets/s3/secret-key
  {{- end }}
local-cache:
  path: /var/lib/reprox/shared-cache
  max-size: {{ .Values.storage.localCache.maxSize | quote }}
{{- end }}
