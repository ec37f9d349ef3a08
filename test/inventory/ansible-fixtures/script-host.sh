#!/bin/sh
# An old-style inventory script: no _meta, so each host's vars come from --host NAME.
case "$1" in
  --list) echo '{"app": ["app1", "app2"], "ops": {"hosts": ["app2"], "vars": {"team": "ops"}}}' ;;
  --host)
    case "$2" in
      app1) echo '{"ansible_host": "127.0.0.1", "slot": 1}' ;;
      # Ansible also reads YAML here.
      app2) printf 'ansible_port: 2202\nslot: 2\n' ;;
      *) echo '{}' ;;
    esac ;;
  *) echo "usage: $0 --list | --host NAME" >&2; exit 2 ;;
esac
