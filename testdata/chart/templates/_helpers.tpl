{{- define "mini.labels" -}}
app.kubernetes.io/name: {{ .name }}
{{- /* Stands in for the Polyaxon chart 2.15.1's own label: polyaxon-pr reads the chart version from it. */}}
chart: "polyaxon-2.15.1"
release: {{ .root.Release.Name | quote }}
heritage: {{ .root.Release.Service | quote }}
{{- end -}}


{{- /* The password of Polyaxon's database, as chart 2.x wires it: the
built-in subchart's Secret, or the chart's own for the external one. */}}
{{- define "mini.dbPassword" -}}
- name: POLYAXON_DB_PASSWORD
  valueFrom:
    secretKeyRef:
      {{- if .Values.postgresql.enabled }}
      name: {{ .Release.Name }}-postgresql
      {{- else }}
      name: {{ .Release.Name }}-postgresql-secret
      {{- end }}
      key: postgres-password
{{- end -}}
