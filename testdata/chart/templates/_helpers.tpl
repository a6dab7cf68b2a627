{{- define "mini.labels" -}}
app.kubernetes.io/name: {{ .name }}
release: {{ .root.Release.Name | quote }}
heritage: {{ .root.Release.Service | quote }}
{{- end -}}
