{{/*
The pod template both workloads run: the StatefulSet (storage.type rocksdb, one replica with its
own volume) and the Deployment (storage.type shared, any number of replicas). Only the data
volume and the secrets differ.
*/}}
{{- define "reprox.podTemplate" -}}
metadata:
  labels:
    {{- include "reprox.selectorLabels" . | nindent 4 }}
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # A config change rolls the pods: reprox reads its config once at start.
    checksum/config: {{ include (print $.Template.BasePath "/configmap.yaml") . | sha256sum }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  containers:
    - name: reprox
      image: {{ include "reprox.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command:
        {{- toYaml .Values.command | nindent 8 }}
      args:
        - serve
        - --config
        - /etc/reprox/reprox.yaml
        - --data
        - /var/lib/reprox
        - --listen
        - 0.0.0.0:3142
      env:
        - name: JAVA_TOOL_OPTIONS
          value: {{ .Values.javaToolOptions | quote }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      ports:
        - name: http
          containerPort: 3142
          protocol: TCP
      startupProbe:
        httpGet:
          path: /healthz
          port: http
        {{- toYaml .Values.probes.startup | nindent 8 }}
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        {{- toYaml .Values.probes.liveness | nindent 8 }}
      readinessProbe:
        httpGet:
          path: /readyz
          port: http
        {{- toYaml .Values.probes.readiness | nindent 8 }}
      resources:
        {{- toYaml .Values.resources | nindent 8 }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
      volumeMounts:
        - name: config
          mountPath: /etc/reprox
          readOnly: true
        - name: data
          mountPath: /var/lib/reprox
        - name: tmp
          mountPath: /tmp
        {{- if eq (include "reprox.shared" .) "true" }}
        {{- if .Values.storage.postgres.passwordSecret.name }}
        - name: postgres-secret
          mountPath: /etc/reprox-secrets/postgres
          readOnly: true
        {{- end }}
        {{- if .Values.storage.s3.credentialsSecret.name }}
        - name: s3-secret
          mountPath: /etc/reprox-secrets/s3
          readOnly: true
        {{- end }}
        {{- end }}
        {{- with .Values.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: config
      configMap:
        name: {{ include "reprox.fullname" . }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ .Values.tmp.sizeLimit }}
    {{- if eq (include "reprox.shared" .) "true" }}
    {{- with .Values.storage.localCache }}
    # This replica's data directory and local cache: verified copies that refill from S3, so
    # losing them costs only a refill.
    - name: data
      {{- if eq .volume "ephemeral" }}
      ephemeral:
        volumeClaimTemplate:
          metadata:
            labels:
              {{- include "reprox.selectorLabels" $ | nindent 14 }}
          spec:
            accessModes:
              - ReadWriteOnce
            {{- with .storageClassName }}
            storageClassName: {{ . | quote }}
            {{- end }}
            resources:
              requests:
                storage: {{ .volumeSize }}
      {{- else }}
      emptyDir:
        sizeLimit: {{ .volumeSize }}
      {{- end }}
    {{- end }}
    {{- with .Values.storage.postgres.passwordSecret }}
    {{- if .name }}
    - name: postgres-secret
      secret:
        secretName: {{ .name }}
        items:
          - key: {{ .key }}
            path: password
    {{- end }}
    {{- end }}
    {{- with .Values.storage.s3.credentialsSecret }}
    {{- if .name }}
    - name: s3-secret
      secret:
        secretName: {{ .name }}
        items:
          - key: {{ .accessKeyKey }}
            path: access-key
          - key: {{ .secretKeyKey }}
            path: secret-key
    {{- end }}
    {{- end }}
    {{- end }}
    {{- with .Values.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
